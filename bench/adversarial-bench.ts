import { runInNewContext } from 'node:vm'
import { setFlagsFromString } from 'node:v8'
import { loadActionCatalogue } from '../src/aws/load-action-catalogue.js'
import { createGitHubApi } from '../src/github/github-api.js'
import { publishCheckRun } from '../src/github/publish-check-run.js'
import { upsertRequestComment } from '../src/github/upsert-request-comment.js'
import type { BenchCase, BenchIo, BenchOutcome } from './bench-case.js'
import { generateAdversarialCorpus, type AdversarialFile } from './adversarial-corpus.js'
import { evaluateRequestText, loadExampleWorld, type EvaluationWorld } from './evaluate-request-text.js'

/** The targets of "no request file can exhaust the app", per file of at most 64 KiB. */
export const ADVERSARIAL_TARGETS = { ms: 100, heapMb: 64, githubWrites: 3 } as const

/** What one adversarial file cost. */
export interface FileCost {
  readonly name: string
  readonly bytes: number
  readonly verdict: string
  readonly ms: number
  readonly heapMb: number
  readonly githubWrites: number
}

/** The `adversarial` case: every file of the generated corpus, evaluated and published, with its cost. */
export const adversarialBench: BenchCase = {
  name: 'adversarial',
  description:
    'pathological request files (cross products, deep nesting, many keys, long and invisible text): time, heap and GitHub writes each',
  run: (io) => runAdversarialBench(io),
}

export async function runAdversarialBench(io: BenchIo, options: { files?: readonly AdversarialFile[] } = {}): Promise<BenchOutcome> {
  const catalogue = await loadActionCatalogue()
  const world = await loadExampleWorld(catalogue)
  const files = options.files ?? generateAdversarialCorpus(catalogue)
  const collect = exposeGc()
  // Once untimed, so the first file does not pay for compiling the code every file runs.
  for (const file of files) evaluateRequestText(world, file)
  const costs: FileCost[] = []
  for (const file of files) costs.push(await measureFile({ world, file, io, collect }))
  for (const cost of costs) {
    io.log(
      `  ${cost.name}: ${cost.bytes} bytes, ${cost.verdict}, ${cost.ms.toFixed(1)} ms, ${cost.heapMb.toFixed(1)} MB, ${cost.githubWrites} writes`,
    )
  }
  const worst = {
    worstMs: round(Math.max(...costs.map((cost) => cost.ms))),
    worstHeapMb: round(Math.max(...costs.map((cost) => cost.heapMb))),
    worstGithubWrites: Math.max(...costs.map((cost) => cost.githubWrites)),
  }
  io.log(JSON.stringify({ bench: 'adversarial', files: costs.length, ...worst }))
  const ok =
    worst.worstMs < ADVERSARIAL_TARGETS.ms &&
    worst.worstHeapMb < ADVERSARIAL_TARGETS.heapMb &&
    worst.worstGithubWrites <= ADVERSARIAL_TARGETS.githubWrites
  if (!ok) io.log(`adversarial: over a target (${JSON.stringify(ADVERSARIAL_TARGETS)})`)
  return { ok }
}

/**
 * Evaluates one file and publishes its check run and comment through the real publish path, against an
 * Octokit that answers like GitHub for a PR without a comment and counts the writes. The heap is measured
 * from a just-collected heap to right after the evaluation, before any collection can hide what it took.
 */
async function measureFile(params: { world: EvaluationWorld; file: AdversarialFile; io: BenchIo; collect: () => void }): Promise<FileCost> {
  const { world, file, io } = params
  // The median of three runs: one slow run on a busy machine is the neighbour's, not the file's.
  const runs: { ms: number; heapMb: number; evaluation: ReturnType<typeof evaluateRequestText> }[] = []
  for (let run = 0; run < 3; run++) {
    params.collect()
    const heapBefore = process.memoryUsage().heapUsed
    const started = io.now()
    const evaluation = evaluateRequestText(world, file)
    const ms = io.now() - started
    runs.push({ ms, heapMb: Math.max(0, process.memoryUsage().heapUsed - heapBefore) / 1024 / 1024, evaluation })
  }
  const { ms, evaluation } = [...runs].sort((a, b) => a.ms - b.ms)[1]!
  const heapMb = Math.max(...runs.map((run) => run.heapMb))
  let writes = 0
  const api = createGitHubApi({
    graphql: () => Promise.reject(new Error('publishing reads no GraphQL')),
    request: (route: string) => {
      if (!route.startsWith('GET ')) writes += 1
      return Promise.resolve({ data: route.startsWith('GET ') ? [] : { id: 1 }, status: 200 })
    },
  })
  const target = { owner: 'acme', repo: 'access', number: 1 }
  await publishCheckRun(api, { ...target, headSha: evaluation.decision.headSha, pullNumber: 1, report: evaluation.report, now: world.now })
  await upsertRequestComment(api, { ...target, existing: { kind: 'absent' }, create: true, render: () => evaluation.commentBody })
  return {
    name: file.name,
    bytes: Buffer.byteLength(file.text, 'utf8'),
    verdict: evaluation.decision.verdict,
    ms,
    heapMb,
    githubWrites: writes,
  }
}

/** The garbage collector as a function (as `--expose-gc` gives it), so each file starts from a collected heap. */
function exposeGc(): () => void {
  setFlagsFromString('--expose-gc')
  return runInNewContext('gc') as () => void
}

function round(value: number): number {
  return Math.round(value * 10) / 10
}
