import type { ActionCatalogue } from '../../core/matching/action-catalogue.js'
import type { CloudProvider, GrantOutcome, GrantPlan } from '../../core/ports/cloud-provider.js'
import type { Decision } from '../../core/decision/decision.js'
import { recordPath, requestIdFor, type AccessRecord, type GrantRecord } from '../../core/records/grant-record.js'
import {
  buildFailureRecord,
  buildGrantRecord,
  buildMergeRefusalRecord,
  buildRefusalRecord,
  planGrant,
  type MergeFacts,
} from '../../core/records/plan-grant.js'
import { checkMergedChange, chooseRulesCommit } from '../../core/merges/choose-rules-commit.js'
import { describeCommitViolations } from '../../core/merges/judge-request-commits.js'
import { readBranchMoves } from '../../github/branch-activity.js'
import { findCommitViolations, readComparison } from '../../github/commit-changes.js'
import { createFilesCache, type FilesCache } from '../../github/files-at-commit.js'
import { formatRecordCommitMessage, formatRecordDocument } from '../../core/records/record-document.js'
import { renderDecision } from '../../core/decision/render-decision.js'
import type { JitSettings } from '../../core/files/settings.js'
import type { Logger } from '../../core/ports/logger.js'
import { classifyPullRequest, isRequestPath, type PullRequestKind } from '../../github/classify-pull-request.js'
import { commitToBranch, type CommitOutcome } from '../../github/commit-to-branch.js'
import { CORE_ENGINE, prepareDecision, type Engine } from '../check/prepare-decision.js'
import type { GitHubApi } from '../../github/github-api.js'
import { describeApiError, GitHubReadError } from '../../github/github-read-error.js'
import { renderGrantComment, type GrantCommentSubject } from '../../github/grant-comment.js'
import { readMergedRequest, readRecordsAt, readRulesAt, type MergedRequestFacts } from '../../github/merged-request-facts.js'
import { establishPushes, readPullRequest, type PullRequestFacts } from '../../github/pull-request-facts.js'
import { shortSha } from '../../core/text/short-sha.js'

export interface GrantOnMergeDeps {
  readonly api: GitHubApi
  readonly catalogue: ActionCatalogue
  /** The clock, read once per delivery: the decision's time and the record's timestamps. */
  readonly now: () => Date
  /** The cloud for one delivery; the granter role comes from the settings at the merge's base. */
  readonly createProvider: (settings: JitSettings) => CloudProvider
  readonly log: Logger
  readonly engine?: Engine
  /** How often to re-read the branch when another writer moved it (default 5). */
  readonly maxCommitAttempts?: number
  /** Reads at immutable SHAs (commit changes, comparisons), shared with the check when given. */
  readonly cache?: FilesCache
}

/** The `pull_request.closed` event, reduced to what decides whether to act. */
export interface ClosedPullRequest {
  readonly owner: string
  readonly repo: string
  readonly number: number
  readonly merged: boolean
  /** True when the head branch lives in another repository (the merge is then refused, and recorded). */
  readonly fromFork: boolean
  /** The branch the pull request was merged into, and the repository's default branch. */
  readonly baseRef: string
  readonly defaultBranch: string
  readonly deliveryId: string
}

export type GrantOnMergeResult =
  | { readonly kind: 'ignored'; readonly reason: string }
  /** A record of this request was already on the default branch (duplicate delivery, re-run, another replica). */
  | { readonly kind: 'already-recorded'; readonly paths: readonly string[]; readonly outcome?: GrantOutcome }
  | {
      readonly kind: 'recorded'
      readonly record: AccessRecord
      readonly path: string
      readonly commit: Extract<CommitOutcome, { committed: true }>
      readonly outcome?: GrantOutcome
    }

/** The workflow stopped on a GitHub failure; the pull request was told (when GitHub let us) and the log has the rest. */
export class GrantWorkflowError extends Error {
  override readonly name = 'GrantWorkflowError'
  constructor(
    readonly requestId: string,
    /** `evaluate`: nothing was granted. `record`: the cloud call happened; `outcome` says what it did. */
    readonly stage: 'evaluate' | 'record',
    message: string,
    options: { cause: unknown; outcome?: GrantOutcome },
  ) {
    super(message, { cause: options.cause })
    this.outcome = options.outcome
  }
  readonly outcome: GrantOutcome | undefined
}

/**
 * Grants the access of a merged request pull request, or records why not. Three steps:
 * find (the pull request, the merge, the rules at the merge's first parent, the request at the head,
 * existing records), decide (evaluate again at the merge, counting only reviews submitted by then, plan), act (the cloud, then one commit of
 * the record on the default branch, then one comment).
 *
 * Idempotent: a record of the request at the default branch head means the merge was handled, and the
 * check is made again inside the commit loop whenever the branch moved. A redelivery after a crash
 * between the cloud call and the commit puts the same policy again (its name carries the request id
 * and an expiry computed from the merge time), never a second one.
 */
export async function grantOnMerge(deps: GrantOnMergeDeps, event: ClosedPullRequest): Promise<GrantOnMergeResult> {
  if (!event.merged) return { kind: 'ignored', reason: 'closed without merging' }
  if (event.baseRef !== event.defaultBranch) {
    return {
      kind: 'ignored',
      reason: `merged into ${event.baseRef}, not the default branch ${event.defaultBranch}: only merges into the default branch grant`,
    }
  }
  const { api, log } = deps
  const requestId = requestIdFor(event.number)
  const details = { delivery: event.deliveryId, requestId }
  const target = { owner: event.owner, repo: event.repo, number: event.number }

  const evaluationFailed = (what: string, error: unknown): Promise<GrantWorkflowError> =>
    reportFailure(deps, event, new GrantWorkflowError(requestId, 'evaluate', `${what}: ${describeProblem(error)}`, { cause: error }))

  let pr: PullRequestFacts
  let kind: PullRequestKind
  try {
    pr = await readPullRequest(api, target)
    kind = classifyPullRequest(pr)
  } catch (error) {
    // Before the pull request is known to carry a request, the comment must not claim it does.
    throw await evaluationFailed('Could not tell whether this pull request carries an access request', error)
  }
  // A request the check rejected (a fork, a request beside a rule change) merged anyway: refused, and recorded.
  const rejection = kind.kind === 'rejected' && kind.touchesRequest ? kind : undefined
  const requestPath = kind.kind === 'request' ? kind.path : rejection ? pr.files.find((f) => isRequestPath(f.path))?.path : undefined
  if (requestPath === undefined) return { kind: 'ignored', reason: `not a request pull request (${kind.kind})` }

  let found: Awaited<ReturnType<typeof findMerge>>
  try {
    found = await findMerge(deps, { event, requestId, pr, requestPath, ...(rejection ? { rejection } : {}) })
  } catch (error) {
    throw await evaluationFailed('Could not evaluate the merge', error)
  }
  if (found.kind === 'already-recorded') return found
  const { facts, merge } = found

  let record: AccessRecord
  let outcome: GrantOutcome | undefined
  let explanation: string
  if (found.kind === 'refused') {
    record = buildMergeRefusalRecord({
      merge,
      requester: pr.author,
      requestPath,
      title: found.title,
      reason: found.reason,
      refusedAt: deps.now(),
    })
    explanation = found.reason
    log.warn({ ...details, mergedBy: merge.mergedBy }, `merge refused before any decision (${found.title}); nothing granted`)
  } else {
    const { decision, settings, now } = found
    explanation = renderDecision(decision, { format: 'markdown' })
    const decided = await actOnDecision(deps, { decision, settings, now, merge, details })
    record = decided.record
    outcome = decided.outcome
  }
  return commitAndTell(deps, { event, requestId, facts, record, outcome, explanation, details, target })
}

/** Decide: refuse what is not approved, plan the grant, and call the cloud; returns the record to commit. */
async function actOnDecision(
  deps: GrantOnMergeDeps,
  params: { decision: Decision; settings: JitSettings; now: Date; merge: MergeFacts; details: Record<string, unknown> },
): Promise<{ record: AccessRecord; outcome?: GrantOutcome }> {
  const { decision, settings, now, merge, details } = params
  const { log } = deps
  let record: AccessRecord
  let outcome: GrantOutcome | undefined
  if (decision.verdict !== 'approved') {
    record = buildRefusalRecord({ decision, merge, refusedAt: now })
    log.warn(
      { ...details, verdict: decision.verdict, mergedBy: merge.mergedBy },
      `merged without approval (${decision.summary}); nothing granted`,
    )
  } else {
    const planning = planGrant({ decision, settings, merge, now })
    if (!planning.ok) {
      record = buildFailureRecord({ decision, merge, error: planning.error, failedAt: now, dryRun: false })
      log.error({ ...details }, `not granted: ${planning.error}`)
    } else {
      outcome = await deps.createProvider(settings).grant(planning.plan)
      record = recordOutcome({ decision, merge, plan: planning.plan, outcome, draft: planning.draft, at: deps.now() })
      log[outcome.ok ? 'info' : 'error'](
        { ...details, dryRun: outcome.dryRun, targets: outcome.targets.map((t) => `${t.status}: ${t.description}`) },
        outcome.summary,
      )
    }
  }
  return { record, ...(outcome ? { outcome } : {}) }
}

/** Act: one commit of the record on the default branch, then one comment. */
async function commitAndTell(
  deps: GrantOnMergeDeps,
  params: {
    event: ClosedPullRequest
    requestId: string
    facts: MergedRequestFacts
    record: AccessRecord
    outcome: GrantOutcome | undefined
    explanation: string
    details: Record<string, unknown>
    target: { owner: string; repo: string; number: number }
  },
): Promise<GrantOnMergeResult> {
  const { api, log } = deps
  const { event, requestId, facts, record, outcome, details, target } = params
  const path = recordPath(record.state, requestId)
  let commit: CommitOutcome
  try {
    commit = await commitToBranch({
      api,
      owner: event.owner,
      repo: event.repo,
      branch: facts.defaultBranch.name,
      ...(deps.maxCommitAttempts === undefined ? {} : { maxAttempts: deps.maxCommitAttempts }),
      build: async (head) => {
        // Already checked at this commit when the merge was read; a moved branch is checked again.
        const existing =
          head.commitSha === facts.defaultBranch.commitSha
            ? []
            : await readRecordsAt(api, { owner: event.owner, repo: event.repo, commitSha: head.commitSha, requestId })
        if (existing.length > 0) {
          log.info({ ...details, existing }, 'another delivery recorded this request meanwhile; not committing a second record')
          return undefined
        }
        return { message: formatRecordCommitMessage(record), changes: [{ path, content: formatRecordDocument(record) }] }
      },
    })
  } catch (error) {
    const granted = outcome?.ok && !outcome.dryRun ? (record as GrantRecord) : undefined
    throw await reportFailure(
      deps,
      event,
      new GrantWorkflowError(requestId, 'record', `Could not commit ${path} to ${facts.defaultBranch.name}: ${describeProblem(error)}`, {
        cause: error,
        ...(outcome ? { outcome } : {}),
      }),
      granted,
    )
  }
  if (!commit.committed) return { kind: 'already-recorded', paths: [path], ...(outcome ? { outcome } : {}) }
  log.info({ ...details, path, commit: commit.commitSha, attempts: commit.attempts }, `recorded ${path}`)

  const subject: GrantCommentSubject =
    record.state === 'refused'
      ? { kind: 'refused', record, branch: facts.defaultBranch.name, explanation: params.explanation }
      : record.state === 'failed'
        ? { kind: 'failed', record, branch: facts.defaultBranch.name, ...(outcome ? { outcome } : {}) }
        : { kind: 'granted', record, branch: facts.defaultBranch.name }
  await postComment(deps, target, renderGrantComment(subject), details)
  log.info({ ...details, githubCalls: { ...api.calls } }, 'grant workflow done')
  return { kind: 'recorded', record, path, commit, ...(outcome ? { outcome } : {}) }
}

/** Find and decide, once the pull request is known to carry a request: the reads, then the decision at the merge. */
async function findMerge(
  deps: GrantOnMergeDeps,
  params: {
    event: ClosedPullRequest
    requestId: string
    pr: PullRequestFacts
    requestPath: string
    rejection?: { readonly title: string; readonly reason: string }
  },
) {
  const { api, log } = deps
  const { event, requestId, pr } = params
  const details = { delivery: event.deliveryId, requestId }
  const target = { owner: event.owner, repo: event.repo, number: event.number }
  const facts: MergedRequestFacts = await readMergedRequest(api, {
    ...target,
    headSha: pr.headSha,
    requestPath: params.requestPath,
    requestId,
  })
  if (facts.existingRecords.length > 0) {
    log.info({ ...details, existing: facts.existingRecords }, 'this merge was already handled; nothing to do')
    return { kind: 'already-recorded' as const, paths: facts.existingRecords }
  }
  if (!facts.merged || !facts.mergedAt || !facts.mergeCommitSha || !facts.baseSha) {
    throw new GitHubReadError(`the merge of pull request #${event.number}`, { detail: 'GitHub reports no merge commit for it yet' })
  }
  if (!facts.request) {
    throw new GitHubReadError(`${params.requestPath} at ${shortSha(pr.headSha)}`, {
      detail: facts.requestProblems[0]?.message ?? 'GitHub returned no such file',
    })
  }
  const mergeFacts: MergeFacts = {
    pullNumber: event.number,
    pullUrl: facts.url,
    mergeCommitSha: facts.mergeCommitSha,
    mergedBy: facts.mergedBy,
    mergedAt: facts.mergedAt,
    requestBlobSha: facts.request.blobSha,
    policyBlobShas: facts.rules.policyBlobShas,
  }
  const refuse = (title: string, reason: string) => ({ kind: 'refused' as const, facts, merge: mergeFacts, title, reason })
  if (params.rejection) return refuse(params.rejection.title, params.rejection.reason)

  const cache = deps.cache ?? createFilesCache()
  const violations = await findCommitViolations(api, cache, { ...target, commits: pr.commits, requestPath: params.requestPath })
  if (violations.length > 0) {
    const described = describeCommitViolations({ violations, requestPath: params.requestPath })
    return refuse(described.title, described.reason)
  }
  const rulesAt = await findRulesCommit(deps, { event, facts, pr, requestPath: params.requestPath, cache })
  if (!rulesAt.ok) return refuse('The rules of this merge cannot be confirmed', rulesAt.reason)
  const rules = rulesAt.sha === facts.baseSha ? facts.rules : await readRulesAt(api, { ...target, commitSha: rulesAt.sha })

  // The verdict is the one at the merge. GitHub accepts reviews on a merged pull request, so without this
  // an approval given after an admin merged past the check would grant on a redelivery or a sweep's heal.
  const mergedAt = facts.mergedAt.getTime()
  const { decision, repository, now } = await prepareDecision({
    api,
    engine: deps.engine ?? CORE_ENGINE,
    catalogue: deps.catalogue,
    rules,
    requestFile: facts.request.file,
    pullRequest: pr,
    reviews: pr.reviews.filter((review) => review.submittedAt !== '' && Date.parse(review.submittedAt) <= mergedAt),
    // The same pushers as the check: the app's records on the PR's commits (the merge event is no push).
    pushes: establishPushes(pr),
    repositoryName: { owner: event.owner, repo: event.repo },
    now: deps.now,
    log,
    logFields: details,
  })
  const merge: MergeFacts = { ...mergeFacts, policyBlobShas: rules.policyBlobShas }
  return { kind: 'found' as const, facts, decision, merge, settings: repository.settings, now }
}

/**
 * The commit whose rules judge the merge (the default branch just before it, from GitHub's activity, or
 * what the merge commit's parents make certain), after checking that the merge changed exactly the request
 * relative to it and that the request merged is the one reviewed at the head.
 */
async function findRulesCommit(
  deps: GrantOnMergeDeps,
  params: { event: ClosedPullRequest; facts: MergedRequestFacts; pr: PullRequestFacts; requestPath: string; cache: FilesCache },
): Promise<{ ok: true; sha: string } | { ok: false; reason: string }> {
  const { api } = deps
  const { event, facts, pr, requestPath } = params
  const target = { owner: event.owner, repo: event.repo }
  const mergeCommitSha = facts.mergeCommitSha as string
  const mergeCommit = facts.mergeCommit
  if (!mergeCommit) return { ok: false, reason: 'GitHub reports no merge commit to judge the merge by.' }
  const moves = await readBranchMoves(api, { ...target, branch: facts.defaultBranch.name, untilAfter: mergeCommitSha })
  const chosen = chooseRulesCommit({
    moves,
    defaultBranch: facts.defaultBranch.name,
    mergeCommitSha,
    mergeCommitParents: mergeCommit.parents,
    headSha: pr.headSha,
    commitCount: pr.commits.length,
  })
  if (!chosen.ok) return chosen
  // Against the first parent, one query already told: one file changed, and it is the request.
  const oneFileOnFirstParent =
    chosen.sha === facts.baseSha &&
    mergeCommit.changedFiles === 1 &&
    mergeCommit.requestBlobSha !== null &&
    mergeCommit.requestBlobSha !== mergeCommit.firstParentRequestBlobSha
  if (!oneFileOnFirstParent) {
    const comparison = await readComparison(api, params.cache, { ...target, base: chosen.sha, head: mergeCommitSha })
    const problem = checkMergedChange({
      requestPath,
      rulesCommitSha: chosen.sha,
      mergeCommitSha,
      comparison: comparison.status,
      files: comparison.files,
    })
    if (problem) return { ok: false, reason: `A request merge must change exactly its request file, but ${problem}. Nothing is granted.` }
  }
  if (mergeCommit.requestBlobSha !== facts.request?.blobSha) {
    return {
      ok: false,
      reason: `The request file merged (${requestPath} in ${mergeCommitSha.slice(0, 7)}) is not the one at the reviewed head ${pr.headSha.slice(0, 7)}. Nothing is granted.`,
    }
  }
  return { ok: true, sha: chosen.sha }
}

function recordOutcome(params: {
  decision: Decision
  merge: MergeFacts
  plan: GrantPlan
  outcome: GrantOutcome
  draft: Parameters<typeof buildGrantRecord>[0]['draft']
  at: Date
}): AccessRecord {
  const { outcome } = params
  if (outcome.ok) return buildGrantRecord({ draft: params.draft, plan: params.plan, outcome, grantedAt: params.at })
  return buildFailureRecord({
    decision: params.decision,
    merge: params.merge,
    error: outcome.error?.message ?? outcome.summary,
    failedAt: params.at,
    dryRun: outcome.dryRun,
    plan: params.plan,
    outcome,
  })
}

/** Tells the pull request and the log what went wrong, and returns the error for the caller to rethrow. */
async function reportFailure(
  deps: GrantOnMergeDeps,
  event: ClosedPullRequest,
  error: GrantWorkflowError,
  granted?: GrantRecord,
): Promise<GrantWorkflowError> {
  const details = { delivery: event.deliveryId, requestId: error.requestId, stage: error.stage, err: error.cause }
  deps.log.error(details, `${error.message}${granted ? ' (the access WAS granted in AWS but is not recorded)' : ''}`)
  const body = renderGrantComment({
    kind: 'error',
    requestId: error.requestId,
    problem: error.message,
    deliveryId: event.deliveryId,
    ...(granted ? { granted } : {}),
  })
  await postComment(deps, { owner: event.owner, repo: event.repo, number: event.number }, body, details)
  return error
}

async function postComment(
  deps: GrantOnMergeDeps,
  target: { owner: string; repo: string; number: number },
  body: string,
  details: object,
): Promise<boolean> {
  try {
    await deps.api.request('POST /repos/{owner}/{repo}/issues/{issue_number}/comments', {
      owner: target.owner,
      repo: target.repo,
      issue_number: target.number,
      body,
    })
    return true
  } catch (error) {
    // The record (or the log) already holds what happened; a lost comment is not worth failing for.
    deps.log.error({ ...details, err: error }, `could not comment on pull request #${target.number}: ${describeApiError(error)}`)
    return false
  }
}

function describeProblem(error: unknown): string {
  return error instanceof Error ? error.message : describeApiError(error)
}
