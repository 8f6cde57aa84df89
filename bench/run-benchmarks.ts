import type { BenchCase, BenchIo } from './bench-case.js'
import { adversarialBench } from './adversarial-bench.js'
import { appSweeperBench } from './app-sweeper-bench.js'
import { auditBench } from './audit-bench.js'
import { decideBench } from './decide-bench.js'
import { eventsBench } from './events-bench.js'
import { fuzzBench } from './fuzz-bench.js'
import { sweepBench, sweepIdentityCenterBench } from './sweep-bench.js'

/** Every benchmark case, in the order `npm run bench` runs them. Add a case here. */
const CASES: readonly BenchCase[] = [
  decideBench,
  sweepBench,
  sweepIdentityCenterBench,
  appSweeperBench,
  adversarialBench,
  fuzzBench,
  eventsBench,
  auditBench,
]

/**
 * `node dist/bench/run.js [case...]`: runs the named cases (all when none is named) one after the other
 * and exits non-zero when a case fails or a name is unknown.
 */
export async function runBenchmarks(params: { names: readonly string[]; io: BenchIo; cases?: readonly BenchCase[] }): Promise<boolean> {
  const cases = params.cases ?? CASES
  const unknown = params.names.filter((name) => !cases.some((candidate) => candidate.name === name))
  if (unknown.length > 0) {
    params.io.log(`unknown bench case ${unknown.join(', ')}; the cases are:`)
    for (const known of cases) params.io.log(`  ${known.name}: ${known.description}`)
    return false
  }
  const selected = params.names.length === 0 ? cases : cases.filter((candidate) => params.names.includes(candidate.name))
  let ok = true
  for (const benchCase of selected) {
    const outcome = await benchCase.run(params.io)
    if (!outcome.ok) {
      params.io.log(`${benchCase.name}: FAILED`)
      ok = false
    }
  }
  return ok
}
