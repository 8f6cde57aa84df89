import { beforeAll, describe, expect, it } from 'vitest'
import { runAdversarialBench } from '../../bench/adversarial-bench.js'
import { generateAdversarialCorpus } from '../../bench/adversarial-corpus.js'
import { loadExampleWorld, type EvaluationWorld } from '../../bench/evaluate-request-text.js'
import { fuzzRequestFiles } from '../../bench/fuzz-requests.js'
import { loadActionCatalogue } from '../../src/aws/load-action-catalogue.js'
import { MAX_FILE_BYTES } from '../../src/core/files/yaml-document.js'

let world: EvaluationWorld
beforeAll(async () => {
  world = await loadExampleWorld(await loadActionCatalogue())
})

// The quick subset of `npm run bench fuzz` (3,000 files, none over 200 ms): here only that nothing crashes,
// since timings belong to the benchmark, not to a test on a busy machine.
describe('fuzzing the pure path of a check (parse, validate, decide, render, report)', () => {
  it('150 generated request files, fixed seed: no crash', () => {
    const outcome = fuzzRequestFiles({ world, runs: 150, seed: 20_261_201, slowMs: Number.POSITIVE_INFINITY, now: () => performance.now() })
    expect(outcome.runs).toBe(150)
    expect(outcome.crashes.map((crash) => crash.error)).toEqual([])
  })
})

describe('the adversarial corpus', () => {
  it('has every file within 64 KiB, and the bench prints its one JSON line', async () => {
    const files = generateAdversarialCorpus(world.catalogue)
    expect(files.every((file) => Buffer.byteLength(file.text, 'utf8') <= MAX_FILE_BYTES)).toBe(true)
    const lines: string[] = []
    await runAdversarialBench(
      { log: (line) => lines.push(line), now: () => performance.now() },
      { files: files.filter((file) => file.name.startsWith('deep-')) },
    )
    const summary = lines.find((line) => line.startsWith('{"bench":"adversarial"'))
    expect(summary).toBeDefined()
    expect(JSON.parse(summary!)).toEqual({
      bench: 'adversarial',
      files: 4,
      worstMs: expect.any(Number),
      worstHeapMb: expect.any(Number),
      worstGithubWrites: 2,
    })
  })
})
