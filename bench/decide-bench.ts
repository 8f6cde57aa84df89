import type { ActionCatalogue } from '../src/core/matching/action-catalogue.js'
import { listFailureErrors } from '../src/core/files/access-repository.js'
import { loadActionCatalogue } from '../src/aws/load-action-catalogue.js'
import { decide } from '../src/core/decision/decide.js'
import type { Decision, DecisionInput, Verdict } from '../src/core/decision/decision.js'
import { parseAccessRequest } from '../src/core/files/access-request.js'
import type { BenchCase, BenchIo, BenchOutcome } from './bench-case.js'
import { createCedarAuthorizer } from './cedar-authorizer.js'
import { countVerdicts, findDisagreements, prepareDecideWorkload, type DecideWorkload, type Disagreement } from './decide-workload.js'
import { measureChunks, measureRounds, type RoundTimings } from './measure-rounds.js'

/** Sizes and repetitions of the decision benchmark. */
export interface DecideBenchOptions {
  /** Policies of the main comparison with Cedar. */
  readonly policies: number
  /** Requests of the main comparison (each decided by both engines). */
  readonly requests: number
  /** Requests decided per round at the other growth sizes (time per decision does not depend on it). */
  readonly growthRequests: number
  /** Policy counts for the growth measurement (ours only); must include `policies`. */
  readonly growthSizes: readonly number[]
  /** Timed rounds of our engine at the main size (after a warm-up pass). */
  readonly rounds: number
  /** Timed rounds of our engine at the other growth sizes. */
  readonly growthRounds: number
  /**
   * Cedar is too slow to repeat: after `cedarWarmUp` untimed calls it answers every question once,
   * timed in this many slices (the median slice is reported).
   */
  readonly cedarRounds: number
  readonly cedarWarmUp: number
  readonly seed: number
}

export const DEFAULT_DECIDE_BENCH_OPTIONS: DecideBenchOptions = {
  policies: 1_000,
  requests: 10_000,
  growthRequests: 2_000,
  growthSizes: [100, 1_000, 10_000],
  rounds: 5,
  growthRounds: 3,
  cedarRounds: 5,
  cedarWarmUp: 300,
  seed: 20_270_301,
}

/** Targets from the issue: at least this many times Cedar's throughput, and this much growth at most. */
const TARGET_RATIO_VS_CEDAR = 5
const TARGET_GROWTH_1K_TO_10K = 2
const DISAGREEMENTS_SHOWN = 10

/** The `decide` case: our engine against Cedar on the same questions, and how it scales with policies. */
export const decideBench: BenchCase = {
  name: 'decide',
  description: `${DEFAULT_DECIDE_BENCH_OPTIONS.requests} requests against ${DEFAULT_DECIDE_BENCH_OPTIONS.policies} generated policies, ours vs Cedar, and growth to ${Math.max(...DEFAULT_DECIDE_BENCH_OPTIONS.growthSizes)} policies`,
  run: (io) => runDecideBench(io),
}

/**
 * Decides every generated request with our engine (full `decide` on the request file's text) and asks
 * Cedar the same question on an equivalent policy set; fails when they disagree anywhere. Prints
 * throughput, the ratio, the growth of time per decision with the number of policies, and one JSON line.
 */
export async function runDecideBench(io: BenchIo, options: DecideBenchOptions = DEFAULT_DECIDE_BENCH_OPTIONS): Promise<BenchOutcome> {
  const catalogue = await loadActionCatalogue()
  const { log, now } = io
  log(`decide: ${options.requests} requests, ${options.policies} policies (seed ${options.seed})`)

  const main = prepareDecideWorkload({ policies: options.policies, requests: options.requests, seed: options.seed, catalogue, now })
  if (main.repository.failures.length > 0) return failOnRepositoryErrors(io, main)
  log(`  generated and loaded ${main.repository.policies.length} policies in ${main.loadMs.toFixed(0)} ms (loadAccessRepository)`)

  // The warm-up pass keeps every decision: it is the correctness pass.
  let decisions: Decision[] = []
  const ours = measureRounds({
    rounds: options.rounds,
    operationsPerRound: main.inputs.length,
    warmUp: () => {
      decisions = main.inputs.map(decideFromText)
    },
    round: () => decideAll(main),
    now,
  })
  const mix = countVerdicts(decisions.map((decision) => decision.verdict))
  log(`  ours:  ${formatRate(ours)}  rounds ${formatRounds(ours)}`)
  log(`         verdicts: ${formatMix(mix, decisions.length)}`)

  const cedar = createCedarAuthorizer({
    policies: main.repository.policies,
    catalogue,
    teams: main.generated.teams,
    policySetId: `bench-${options.policies}`,
    now,
  })
  log(
    `  cedar: translated in ${cedar.translateMs.toFixed(0)} ms, preparsed in ${cedar.preparseMs.toFixed(0)} ms (preparsePolicySet + statefulIsAuthorized)`,
  )
  const calls = main.generated.requests.map((request) => cedar.createCall(request.question))
  const { results: answers, timings: cedarTimings } = measureChunks({
    items: calls,
    chunks: options.cedarRounds,
    warmUpItems: options.cedarWarmUp,
    run: cedar.authorize,
    now,
  })
  log(`  cedar: ${formatRate(cedarTimings)}  slices of ${Math.ceil(calls.length / options.cedarRounds)} ${formatRounds(cedarTimings)}`)
  const allowed = answers.filter((answer) => answer.allows).length
  log(`         allows ${allowed}, denies ${answers.length - allowed}`)

  const disagreements = findDisagreements({ requests: main.generated.requests, decisions, cedar: answers })
  if (disagreements.length === 0) log(`  agreement: both engines agree on all ${decisions.length} questions`)
  else reportDisagreements(io, disagreements)

  const growth = measureGrowth({ io, options, catalogue, main, mainTimings: ours })
  const ratio = ours.operationsPerSecond / cedarTimings.operationsPerSecond
  const atMain = growth.find((size) => size.policies === options.policies)
  const atLargest = growth[growth.length - 1]
  const growth1kTo10k = atMain && atLargest ? atLargest.msPerDecision / atMain.msPerDecision : Number.NaN
  log(`  ours / Cedar: ${ratio.toFixed(1)}x (target >= ${TARGET_RATIO_VS_CEDAR}x: ${ratio >= TARGET_RATIO_VS_CEDAR ? 'met' : 'MISSED'})`)
  log(
    `  growth ${options.policies} -> ${atLargest?.policies ?? '?'} policies: ${growth1kTo10k.toFixed(2)}x (target < ${TARGET_GROWTH_1K_TO_10K}: ${growth1kTo10k < TARGET_GROWTH_1K_TO_10K ? 'met' : 'MISSED'})`,
  )
  log(
    JSON.stringify({
      bench: 'decide',
      policies: options.policies,
      decisionsPerSecond: Math.round(ours.operationsPerSecond),
      cedarDecisionsPerSecond: Math.round(cedarTimings.operationsPerSecond),
      ratioVsCedar: round2(ratio),
      growth1kTo10k: round2(growth1kTo10k),
    }),
  )
  return { ok: disagreements.length === 0 }
}

interface GrowthPoint {
  readonly policies: number
  readonly msPerDecision: number
  /** Policies the index hands to `decide` per request, on average (each is then checked in full). */
  readonly candidatesPerDecision: number
}

function measureGrowth(params: {
  io: BenchIo
  options: DecideBenchOptions
  catalogue: ActionCatalogue
  main: DecideWorkload
  mainTimings: RoundTimings
}): GrowthPoint[] {
  const { io, options, catalogue, main, mainTimings } = params
  io.log(`  growth (ours; ${options.requests} requests at ${options.policies} policies, ${options.growthRequests} at the other sizes):`)
  return [...options.growthSizes]
    .sort((a, b) => a - b)
    .map((policies) => {
      let workload = main
      let timings = mainTimings
      if (policies !== options.policies) {
        workload = prepareDecideWorkload({ policies, requests: options.growthRequests, seed: options.seed, catalogue, now: io.now })
        if (workload.repository.failures.length > 0)
          throw new Error(
            `the generated repository of ${policies} policies has errors: ${listFailureErrors(workload.repository.failures)[0]?.message}`,
          )
        const current = workload
        timings = measureRounds({
          rounds: options.growthRounds,
          operationsPerRound: current.inputs.length,
          warmUp: () => decideAll(current),
          round: () => decideAll(current),
          now: io.now,
        })
      }
      const candidatesPerDecision = countIndexCandidates(workload) / workload.inputs.length
      io.log(
        `    ${String(policies).padStart(6)} policies: ${(timings.medianMsPerOperation * 1000).toFixed(1).padStart(7)} µs/decision, ` +
          `${candidatesPerDecision.toFixed(1)} candidate policies per request from the index (load ${workload.loadMs.toFixed(0)} ms)`,
      )
      return { policies, msPerDecision: timings.medianMsPerOperation, candidatesPerDecision }
    })
}

/** Sum over requests of the policies the index returns for the request's (action, account): what `decide` examines. */
function countIndexCandidates(workload: DecideWorkload): number {
  const index = workload.repository.policyIndex
  return workload.generated.requests.reduce(
    (sum, request) => sum + index.lookup(request.question.action, request.question.account).length,
    0,
  )
}

/** Decides every input; the verdicts are folded into a value so the work cannot be optimised away. */
function decideAll(workload: DecideWorkload): number {
  let approved = 0
  for (const input of workload.inputs) if (decideFromText(input).verdict === 'approved') approved++
  return approved
}

/** A decision as the app makes one, from the request file's text: the caller's one parse is timed with `decide`. */
function decideFromText(input: DecisionInput): Decision {
  return decide({ ...input, request: parseAccessRequest({ file: input.requestFile.path, text: input.requestFile.text }) })
}

function failOnRepositoryErrors(io: BenchIo, workload: DecideWorkload): BenchOutcome {
  const errors = listFailureErrors(workload.repository.failures)
  io.log(`  the generated repository has ${errors.length} errors (a generator bug); the first ones:`)
  for (const error of errors.slice(0, 5)) io.log(`    ${error.file}:${error.line}: ${error.message}`)
  return { ok: false }
}

function reportDisagreements(io: BenchIo, disagreements: readonly Disagreement[]): void {
  io.log(`  DISAGREEMENT on ${disagreements.length} questions; the first ${Math.min(DISAGREEMENTS_SHOWN, disagreements.length)}:`)
  for (const disagreement of disagreements.slice(0, DISAGREEMENTS_SHOWN)) {
    const { request } = disagreement
    io.log(`    ${request.file.path} (from ${request.basedOn}, ${request.intent}): ${disagreement.why}`)
    io.log(`      question: ${JSON.stringify(request.question)}`)
    io.log(`      ours: ${disagreement.verdict}: ${disagreement.summary}`)
    io.log(`      cedar: ${disagreement.cedarAllows ? `allow by ${disagreement.cedarPolicies.join(', ')}` : 'deny'}`)
  }
}

function formatRate(timings: RoundTimings): string {
  return `${Math.round(timings.operationsPerSecond).toLocaleString('en-US')} decisions/s (${(timings.medianMsPerOperation * 1000).toFixed(1)} µs each, median)`
}

function formatRounds(timings: RoundTimings): string {
  return `[${timings.roundsMs.map((ms) => `${ms.toFixed(0)} ms`).join(', ')}]`
}

function formatMix(mix: Record<Verdict, number>, total: number): string {
  return (Object.entries(mix) as [Verdict, number][])
    .map(([verdict, count]) => `${verdict} ${count} (${((100 * count) / total).toFixed(0)}%)`)
    .join(', ')
}

function round2(value: number): number {
  return Math.round(value * 100) / 100
}
