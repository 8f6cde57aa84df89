import { loadActionCatalogue } from '../src/aws/load-action-catalogue.js'
import type { BenchCase, BenchIo, BenchOutcome } from './bench-case.js'
import { loadExampleWorld } from './evaluate-request-text.js'
import { fuzzRequestFiles } from './fuzz-requests.js'

/** The long fuzz run: 0 crashes and no file slower than this. */
export const FUZZ_SLOW_MS = 200
const FUZZ_RUNS = 3_000
const FUZZ_SEED = 20_261_201

/** The `fuzz` case: thousands of generated request files through parse, validate, decide, render and the check report. */
export const fuzzBench: BenchCase = {
  name: 'fuzz',
  description: `${FUZZ_RUNS} generated request files (seed ${FUZZ_SEED}) through the pure path of a check: no crash, none over ${FUZZ_SLOW_MS} ms`,
  run: (io) => runFuzzBench(io),
}

export async function runFuzzBench(io: BenchIo, options: { runs?: number } = {}): Promise<BenchOutcome> {
  const world = await loadExampleWorld(await loadActionCatalogue())
  const outcome = fuzzRequestFiles({ world, runs: options.runs ?? FUZZ_RUNS, seed: FUZZ_SEED, slowMs: FUZZ_SLOW_MS, now: io.now })
  for (const crash of outcome.crashes.slice(0, 3)) io.log(`  crash on ${JSON.stringify(crash.text.slice(0, 200))}: ${crash.error}`)
  for (const slow of outcome.slow.slice(0, 3)) io.log(`  ${slow.ms.toFixed(0)} ms on ${JSON.stringify(slow.text.slice(0, 200))}`)
  io.log(
    JSON.stringify({
      bench: 'fuzz',
      runs: outcome.runs,
      seed: FUZZ_SEED,
      crashes: outcome.crashes.length,
      over200Ms: outcome.slow.length,
      worstMs: Math.round(outcome.worstMs),
    }),
  )
  return { ok: outcome.crashes.length === 0 && outcome.slow.length === 0 }
}
