import { loadAccessRepository, type AccessRepository } from '../src/core/files/access-repository.js'
import type { ActionCatalogue } from '../src/core/matching/action-catalogue.js'
import type { Decision, DecisionInput, Verdict } from '../src/core/decision/decision.js'
import { parseAccessRequest } from '../src/core/files/access-request.js'
import { generateAccessRepo, type GeneratedAccessRepo, type GeneratedRequest } from './generate-access-repo.js'

/** A generated repository, loaded, and one ready-made `decide` input per generated request. */
export interface DecideWorkload {
  readonly generated: GeneratedAccessRepo
  readonly repository: AccessRepository
  readonly inputs: readonly DecisionInput[]
  /** Milliseconds spent in `loadAccessRepository` (parsing and checking every policy file). */
  readonly loadMs: number
}

/** Generates a repository of `policies` policies and `requests` requests, and loads it as the app would. */
export function prepareDecideWorkload(params: {
  policies: number
  requests: number
  seed: number
  catalogue: ActionCatalogue
  now: () => number
}): DecideWorkload {
  const generated = generateAccessRepo(params)
  const started = params.now()
  const repository = loadAccessRepository({ files: generated.files, catalogue: params.catalogue })
  const loadMs = params.now() - started
  const inputs = generated.requests.map((request): DecisionInput => ({
    requestFile: request.file,
    request: parseAccessRequest({ file: request.file.path, text: request.file.text }),
    repository,
    author: request.author,
    headSha: request.headSha,
    reviews: request.reviews,
    teams: generated.teams,
    now: generated.now,
    catalogue: params.catalogue,
  }))
  return { generated, repository, inputs, loadMs }
}

/**
 * Our engine's answer to the authorization question: some policy covers the item for this requester.
 * `pending` counts as yes (covered, approvals still to come); `denied` is no; `invalid` is no answer.
 */
export function readGrantability(verdict: Verdict): boolean | undefined {
  return verdict === 'invalid' ? undefined : verdict !== 'denied'
}

/** A request on which the two engines (or our engine and the generator's intent) do not agree. */
export interface Disagreement {
  readonly request: GeneratedRequest
  readonly verdict: Verdict
  readonly summary: string
  readonly cedarAllows: boolean
  /** Cedar's determining policies (names). */
  readonly cedarPolicies: readonly string[]
  readonly why: string
}

/**
 * Compares each of our decisions with Cedar's answer to the same question. Besides the yes/no
 * agreement, a request generated from a policy that covers it, with every approval that policy
 * needs on the head commit, must be approved (covered ⇒ approved).
 */
export function findDisagreements(params: {
  requests: readonly GeneratedRequest[]
  decisions: readonly Pick<Decision, 'verdict' | 'summary'>[]
  cedar: readonly { readonly allows: boolean; readonly policies: readonly string[] }[]
}): Disagreement[] {
  const disagreements: Disagreement[] = []
  params.requests.forEach((request, index) => {
    const decision = params.decisions[index]
    const cedar = params.cedar[index]
    if (decision === undefined || cedar === undefined) throw new RangeError(`no decision for request ${index} (${request.file.path})`)
    const ours = readGrantability(decision.verdict)
    const base = { request, verdict: decision.verdict, summary: decision.summary, cedarAllows: cedar.allows, cedarPolicies: cedar.policies }
    if (ours === undefined) disagreements.push({ ...base, why: 'our engine found the input invalid' })
    else if (ours !== cedar.allows)
      disagreements.push({ ...base, why: cedar.allows ? 'Cedar allows, we deny' : `Cedar denies, we say ${decision.verdict}` })
    else if (request.intent === 'covered-with-approvals' && decision.verdict !== 'approved') {
      disagreements.push({ ...base, why: `covered by ${request.basedOn} with its approvals on the head commit, yet ${decision.verdict}` })
    }
  })
  return disagreements
}

/** How many of each verdict. */
export function countVerdicts(verdicts: readonly Verdict[]): Record<Verdict, number> {
  const counts: Record<Verdict, number> = { approved: 0, pending: 0, denied: 0, invalid: 0 }
  for (const verdict of verdicts) counts[verdict] += 1
  return counts
}
