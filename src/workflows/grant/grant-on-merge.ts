import { nameRepositoryNamespace } from '../../aws/repository-namespace.js'
import { NAMESPACE_PLACEHOLDER } from '../../core/records/iam-policy-document.js'
import type { ActionCatalogue } from '../../core/matching/action-catalogue.js'
import type { CloudProvider, GrantInspection, GrantOutcome, GrantPlan, GrantTargetOutcome } from '../../core/ports/cloud-provider.js'
import type { Decision } from '../../core/decision/decision.js'
import { recordPath, requestIdFor, type AccessRecord, type GrantRecord } from '../../core/records/grant-record.js'
import {
  buildFailureRecord,
  buildGrantRecord,
  buildMergeRefusalRecord,
  buildRefusalRecord,
  planGrant,
  type GrantDraft,
  type MergeFacts,
} from '../../core/records/plan-grant.js'
import { buildIntentRecord } from '../../core/records/grant-intent.js'
import { listRevokeTargets } from '../../core/records/plan-sweep.js'
import { checkMergedChange, chooseRulesCommit } from '../../core/merges/choose-rules-commit.js'
import { describeCommitViolations } from '../../core/merges/judge-request-commits.js'
import { readBranchMoves } from '../../github/branch-activity.js'
import { findCommitViolations, readComparison } from '../../github/commit-changes.js'
import { createFilesCache, type FilesCache } from '../../github/files-at-commit.js'
import { formatRecordCommitMessage, formatRecordDocument } from '../../core/records/record-document.js'
import { renderDecision } from '../../core/decision/render-decision.js'
import { readSettingsOrDefaults, type JitSettings, type NotificationSink } from '../../core/files/settings.js'
import { SETTINGS_PATH } from '../../core/files/access-repository.js'
import { SILENT_NOTIFIER, type Notifier } from '../../core/ports/notifier.js'
import { notifyRecord } from '../notify/notify-records.js'
import type { Logger } from '../../core/ports/logger.js'
import { classifyPullRequest, isRequestPath, type PullRequestKind } from '../../github/classify-pull-request.js'
import { type BranchHead, commitToBranch, type CommitOutcome } from '../../github/commit-to-branch.js'
import { CORE_ENGINE, prepareDecision, type Engine } from '../check/prepare-decision.js'
import type { GitHubApi } from '../../github/github-api.js'
import { describeApiError, GitHubReadError } from '../../github/github-read-error.js'
import { renderGrantComment, type GrantCommentSubject } from '../../github/grant-comment.js'
import { createGrantProgressComment, type ProgressCommentLimits } from '../../github/grant-progress-comment.js'
import {
  readMergedRequest,
  readRecordsAt,
  readRulesAt,
  type MergedRequestFacts,
  type RecordsAt,
} from '../../github/merged-request-facts.js'
import { establishPushes, readPullRequest, type PullRequestFacts } from '../../github/pull-request-facts.js'
import { shortSha } from '../../core/text/short-sha.js'
import { readUnreviewedBreakGlass, recordBreakGlassReview } from './break-glass-review.js'
import { buildReviewDue, formatReviewDue, reviewDuePath } from '../../core/records/review-due.js'

function withReviewDue(record: AccessRecord): { path: string; content: string }[] {
  const marker = record.state === 'active' ? buildReviewDue(record as GrantRecord) : undefined
  return marker ? [{ path: reviewDuePath(marker.id), content: formatReviewDue(marker) }] : []
}

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
  /** Told granted, refused and failed once the record is committed (default: nobody). */
  readonly notifier?: Notifier
  /** How often a slow grant's progress may be written to its pull request (default every 30 s, 3 times at most). */
  readonly progressComment?: ProgressCommentLimits
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
  | {
      readonly kind: 'already-recorded'
      readonly paths: readonly string[]
      readonly outcome?: GrantOutcome
      /** True when the records were deleted from the branch since: its history, not its tree, says the merge was handled. */
      readonly removed?: boolean
    }
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
 * Idempotent: a record of the request at the default branch head, or in its history (a record deleted
 * since), means the merge was handled, and the check is made again inside the commit loop whenever the
 * branch moved. A grant is written ahead (see `grantWrittenAhead`): a crash after the intent leaves it on
 * the branch, and the sweep, not a redelivery, finishes it.
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

  const sinks = (
    found.kind === 'found'
      ? found.settings
      : readSettingsOrDefaults(facts.rules.files.find((file) => file.path === SETTINGS_PATH)?.text ?? null).settings
  ).notifications
  const context: MergeContext = { event, requestId, facts, details, target, sinks }
  if (found.kind === 'refused') {
    const record = buildMergeRefusalRecord({
      merge,
      requester: pr.author,
      requestPath,
      title: found.title,
      reason: found.reason,
      refusedAt: deps.now(),
    })
    log.warn({ ...details, mergedBy: merge.mergedBy }, `merge refused before any decision (${found.title}); nothing granted`)
    return commitAndTell(deps, context, { record, explanation: found.reason })
  }
  const { decision, settings, now } = found
  if (found.review) return recordBreakGlassReview(deps, context, { decision, merge, review: found.review })
  const explanation = renderDecision(decision, { format: 'markdown' })
  const decided = decideMerge({ decision, settings, now, merge, log, details, namespace: nameRepositoryNamespace(event) })
  if (decided.kind === 'record') return commitAndTell(deps, context, { record: decided.record, explanation })
  return grantWrittenAhead(deps, context, { decision, merge, settings, plan: decided.plan, draft: decided.draft, explanation })
}

/**
 * Decide: refuse what is not approved, or plan the grant. A refusal (or a plan that cannot be made) is
 * one record to commit; a plan is granted written ahead (see `grantWrittenAhead`).
 */
function decideMerge(params: {
  decision: Decision
  settings: JitSettings
  now: Date
  merge: MergeFacts
  log: Logger
  details: Record<string, unknown>
  namespace: string
}): { kind: 'record'; record: AccessRecord } | { kind: 'grant'; plan: GrantPlan; draft: GrantDraft } {
  const { decision, settings, now, merge, details, log, namespace } = params
  if (decision.verdict !== 'approved') {
    log.warn(
      { ...details, verdict: decision.verdict, mergedBy: merge.mergedBy },
      `merged without approval (${decision.summary}); nothing granted`,
    )
    return { kind: 'record', record: buildRefusalRecord({ decision, merge, refusedAt: now }) }
  }
  const planning = planGrant({ decision, settings, merge, now, namespace })
  if (!planning.ok) {
    log.error({ ...details }, `not granted: ${planning.error}`)
    return { kind: 'record', record: buildFailureRecord({ decision, merge, error: planning.error, failedAt: now, dryRun: false }) }
  }
  return { kind: 'grant', plan: planning.plan, draft: planning.draft }
}

/** What the acts of one grant share: the event, the facts read, and how the pull request hears of a grant. */
export interface MergeContext {
  readonly event: Pick<ClosedPullRequest, 'owner' | 'repo' | 'number' | 'deliveryId'>
  readonly requestId: string
  readonly facts: MergedRequestFacts
  /** Where the outcome's notification goes: the sinks of the rules the merge was judged by (else the base's). */
  readonly sinks: readonly NotificationSink[]
  readonly details: Record<string, unknown>
  readonly target: { owner: string; repo: string; number: number }
  /** Tells of a granted record instead of the grant comment (break-glass makes more noise); default the grant comment. */
  readonly announceGrant?: (record: GrantRecord) => Promise<void>
  /** Writes the grant comment; default a new comment. A slow grant edits the comment that showed its progress instead. */
  readonly publishComment?: (body: string) => Promise<boolean>
}

/**
 * Grants written ahead, so git never says less than what AWS holds:
 * 1. commit the intent (`grants/pending/<id>.yaml`: every policy the grant will put, on which principal,
 *    for which window), re-checking for a record of the request whenever the branch moved;
 * 2. call AWS; an outcome that is not a plain success is read back (a put whose answer was lost but which
 *    AWS applied is found, not guessed), and whatever is in place but should not be is deleted;
 * 3. commit the outcome in place of the intent (`active/`, or `failed/` with nothing left in place). If the
 *    intent is gone from the branch by then (revoked, or undone by a sweep, meanwhile), the put is undone
 *    and nothing is committed: a revocation is final.
 * A crash or a lost commit at any point leaves the intent, which a sweep finishes (see `resolveIntent`).
 */
export async function grantWrittenAhead(
  deps: GrantOnMergeDeps,
  context: MergeContext,
  params: { decision: Decision; merge: MergeFacts; settings: JitSettings; plan: GrantPlan; draft: GrantDraft; explanation: string },
): Promise<GrantOnMergeResult> {
  const { log } = deps
  const { event, requestId, facts, details } = context
  const { plan } = params
  const provider = deps.createProvider(params.settings)
  const intent = buildIntentRecord({
    draft: params.draft,
    plan,
    policies: provider.describeGrant(plan),
    intendedAt: deps.now(),
    dryRun: false,
  })
  const intentPath = recordPath('granting', requestId)
  let intentCommit: CommitOutcome
  try {
    intentCommit = await commitFirstRecord(deps, context, intentPath, intent)
  } catch (error) {
    throw await reportFailure(
      deps,
      event,
      new GrantWorkflowError(
        requestId,
        'evaluate',
        `Could not commit ${intentPath} to ${facts.defaultBranch.name}, so nothing was written to AWS: ${describeProblem(error)}`,
        { cause: error },
      ),
    )
  }
  if (!intentCommit.committed) return { kind: 'already-recorded', paths: [intentPath] }
  log.info({ ...details, path: intentPath, commit: intentCommit.commitSha }, `recorded the intent ${intentPath}; calling AWS`)

  // A slow grant shows its progress in the grant comment (break-glass announces itself its own way).
  const progress = context.announceGrant
    ? undefined
    : createGrantProgressComment({
        api: deps.api,
        target: context.target,
        now: deps.now,
        log,
        details,
        ...(deps.progressComment ? { limits: deps.progressComment } : {}),
      })
  if (progress) context = { ...context, publishComment: progress.publish }
  const answered = await provider.grant(plan, progress ? { onProgress: progress.report } : undefined)
  const settled = await settleGrant({ provider, plan, outcome: answered, log, details })
  const { outcome } = settled
  log[outcome.ok ? 'info' : 'error'](
    { ...details, dryRun: outcome.dryRun, targets: outcome.targets.map((t) => `${t.status}: ${t.description}`) },
    outcome.summary,
  )
  if (settled.kind === 'unsettled') {
    // What AWS holds is not known (or could not be undone): the intent stays, and a sweep finishes it.
    throw await reportFailure(
      deps,
      event,
      new GrantWorkflowError(requestId, 'record', `${settled.problem}; ${intentPath} stays, and the sweep finishes the grant from it`, {
        cause: outcome.error,
        outcome,
      }),
      undefined,
      context.publishComment,
    )
  }
  const record = recordOutcome({ decision: params.decision, merge: params.merge, plan, outcome, draft: params.draft, at: deps.now() })
  const path = recordPath(record.state, requestId)
  let commit: CommitOutcome
  try {
    commit = await commitRecordChange(deps, context, {
      message: formatRecordCommitMessage(record),
      changes: [
        { path: intentPath, content: null },
        { path, content: formatRecordDocument(record) },
        // A break-glass grant's review is still to come: its marker is what the sweep reads to flag it late.
        ...withReviewDue(record),
      ],
      knownHead: { commitSha: intentCommit.commitSha },
      // Only the intent may be there: anything else (or no intent) means another writer ended it meanwhile.
      stillToDo: (records) => records.present.length === 1 && records.present[0] === intentPath,
      sameAsRead: intentCommit.commitSha,
    })
  } catch (error) {
    const granted = outcome.ok && !outcome.dryRun ? (record as GrantRecord) : undefined
    throw await reportFailure(
      deps,
      event,
      new GrantWorkflowError(requestId, 'record', `Could not commit ${path} to ${facts.defaultBranch.name}: ${describeProblem(error)}`, {
        cause: error,
        outcome,
      }),
      granted,
      context.publishComment,
    )
  }
  if (!commit.committed) {
    // Revoked (or undone by a sweep) while AWS was being written: the put must not outlive it.
    if (outcome.ok && !outcome.dryRun) {
      const undone = await provider.revoke({
        namespace: nameRepositoryNamespace(event),
        requestId,
        targets: listRevokeTargets(record as GrantRecord),
        revokedAt: deps.now(),
        cutSessions: false,
      })
      log[undone.ok ? 'warn' : 'error'](
        { ...details, undo: undone.summary },
        `${requestId} was ended on ${facts.defaultBranch.name} while AWS was being written; the put was ${undone.ok ? 'undone' : 'NOT undone (the sweep retries)'}: ${undone.summary}`,
      )
    }
    return { kind: 'already-recorded', paths: [path], outcome }
  }
  log.info({ ...details, path, commit: commit.commitSha, attempts: commit.attempts }, `recorded ${path}`)
  return tellOutcome(deps, context, { record, outcome, path, commit, explanation: params.explanation })
}

/**
 * The outcome of a grant as AWS holds it. A success is taken as it is; anything else is read back:
 * every planned policy in place means the grant took (its answer was lost); otherwise whatever is in
 * place is deleted, so a failure record never sits beside a live policy. `unsettled` when AWS could not
 * be read, or what was found could not be deleted.
 */
async function settleGrant(params: {
  provider: CloudProvider
  plan: GrantPlan
  outcome: GrantOutcome
  log: Logger
  details: Record<string, unknown>
}): Promise<{ kind: 'settled'; outcome: GrantOutcome } | { kind: 'unsettled'; outcome: GrantOutcome; problem: string }> {
  const { provider, plan, outcome } = params
  if (outcome.ok || outcome.dryRun) return { kind: 'settled', outcome }
  let inspection: GrantInspection
  try {
    inspection = await provider.inspectGrant(plan)
  } catch (error) {
    return {
      kind: 'unsettled',
      outcome,
      problem: `${outcome.summary}, and reading the grant back from AWS failed too (${describeProblem(error)})`,
    }
  }
  const found = (target: GrantTargetOutcome) =>
    inspection.targets.find((t) => t.account === target.account && t.principalArn === target.principalArn)
  if (inspection.targets.length > 0 && inspection.targets.every((target) => target.found === 'as-planned')) {
    params.log.warn(
      { ...params.details, found: inspection.targets.map((t) => t.description) },
      `${outcome.summary}; but AWS holds the grant as planned: it took`,
    )
    const targets = outcome.targets.map((target): GrantTargetOutcome => {
      const { failure: _failure, rollbackFailure: _rollbackFailure, ...rest } = target
      return {
        ...rest,
        status: 'granted',
        description: `${found(target)?.description ?? target.description} (read back: AWS's answer to the put was lost)`,
      }
    })
    return {
      kind: 'settled',
      outcome: {
        requestId: outcome.requestId,
        ok: true,
        dryRun: false,
        summary: `granted ${plan.requestId} (read back from AWS after: ${outcome.summary})`,
        targets,
      },
    }
  }
  const present = inspection.targets.filter((target) => target.found !== 'absent')
  if (present.length === 0) return { kind: 'settled', outcome }
  const undone = await provider.revoke({
    // A plan carries its namespace; cutSessions is off, so it names nothing here anyway.
    namespace: plan.namespace ?? NAMESPACE_PLACEHOLDER,
    requestId: plan.requestId,
    targets: present.map(({ account, principalArn, policyName }) => ({ account, principalArn, policyName })),
    revokedAt: plan.notBefore,
    cutSessions: false,
  })
  if (!undone.ok)
    return { kind: 'unsettled', outcome, problem: `${outcome.summary}; AWS holds part of it, and deleting that failed (${undone.summary})` }
  const targets = outcome.targets.map((target): GrantTargetOutcome => {
    const seen = found(target)
    return seen && seen.found !== 'absent'
      ? { ...target, status: 'rolled-back', description: `${seen.description}; read back and deleted` }
      : target
  })
  return { kind: 'settled', outcome: { ...outcome, targets } }
}

/** Act: one commit of a record on the default branch (a refusal, a plan that could not be made), then one comment. */
async function commitAndTell(
  deps: GrantOnMergeDeps,
  context: MergeContext,
  params: { record: AccessRecord; explanation: string },
): Promise<GrantOnMergeResult> {
  const { log } = deps
  const { event, requestId, facts, details } = context
  const { record } = params
  const path = recordPath(record.state, requestId)
  let commit: CommitOutcome
  try {
    commit = await commitFirstRecord(deps, context, path, record)
  } catch (error) {
    throw await reportFailure(
      deps,
      event,
      new GrantWorkflowError(requestId, 'record', `Could not commit ${path} to ${facts.defaultBranch.name}: ${describeProblem(error)}`, {
        cause: error,
      }),
    )
  }
  if (!commit.committed) return { kind: 'already-recorded', paths: [path] }
  log.info({ ...details, path, commit: commit.commitSha, attempts: commit.attempts }, `recorded ${path}`)
  return tellOutcome(deps, context, { record, path, commit, explanation: params.explanation })
}

/** The first record of the request, on top of the head the merge query read, unless a record appeared meanwhile. */
function commitFirstRecord(deps: GrantOnMergeDeps, context: MergeContext, path: string, record: AccessRecord): Promise<CommitOutcome> {
  const { defaultBranch } = context.facts
  return commitRecordChange(deps, context, {
    message: formatRecordCommitMessage(record),
    changes: [{ path, content: formatRecordDocument(record) }],
    knownHead: { commitSha: defaultBranch.commitSha },
    stillToDo: (records) => records.present.length === 0 && records.removed.length === 0,
    sameAsRead: defaultBranch.commitSha,
  })
}

/**
 * One commit on the default branch, the ref update as the lock. Whenever the branch is not where the
 * workflow last knew it (`sameAsRead`), the request's records are read again at the new head and the
 * change is made only if `stillToDo` says so.
 */
export async function commitRecordChange(
  deps: GrantOnMergeDeps,
  context: MergeContext,
  params: {
    message: string
    changes: { path: string; content: string | null }[]
    knownHead?: BranchHead
    stillToDo: (records: RecordsAt) => boolean
    sameAsRead: string
  },
): Promise<CommitOutcome> {
  const { api, log } = deps
  const { event, requestId, facts, details } = context
  return commitToBranch({
    api,
    owner: event.owner,
    repo: event.repo,
    branch: facts.defaultBranch.name,
    ...(deps.maxCommitAttempts === undefined ? {} : { maxAttempts: deps.maxCommitAttempts }),
    ...(params.knownHead ? { knownHead: params.knownHead } : {}),
    build: async (head) => {
      if (head.commitSha !== params.sameAsRead) {
        const records = await readRecordsAt(api, { owner: event.owner, repo: event.repo, commitSha: head.commitSha, requestId })
        if (!params.stillToDo(records)) {
          log.info({ ...details, existing: records }, 'another writer recorded this request meanwhile; not committing')
          return undefined
        }
      }
      return { message: params.message, changes: params.changes }
    },
  })
}

/** The comment that tells the pull request what was recorded. */
async function tellOutcome(
  deps: GrantOnMergeDeps,
  context: MergeContext,
  params: {
    record: AccessRecord
    outcome?: GrantOutcome
    path: string
    commit: Extract<CommitOutcome, { committed: true }>
    explanation: string
  },
): Promise<GrantOnMergeResult> {
  const { record, outcome, path, commit } = params
  const branch = context.facts.defaultBranch.name
  if (record.state === 'active' && context.announceGrant) {
    await context.announceGrant(record as GrantRecord)
    deps.log.info({ ...context.details, githubCalls: { ...deps.api.calls } }, 'grant workflow done')
    return { kind: 'recorded', record, path, commit, ...(outcome ? { outcome } : {}) }
  }
  const subject: GrantCommentSubject =
    record.state === 'refused'
      ? { kind: 'refused', record, branch, explanation: params.explanation }
      : record.state === 'failed'
        ? { kind: 'failed', record, branch, ...(outcome ? { outcome } : {}) }
        : { kind: 'granted', record: record as GrantRecord, branch }
  notifyRecord(deps.notifier ?? SILENT_NOTIFIER, {
    sinks: context.sinks,
    record,
    repository: `${context.event.owner}/${context.event.repo}`,
    at: deps.now(),
  })
  const body = renderGrantComment(subject)
  if (context.publishComment) await context.publishComment(body)
  else await postComment(deps, context.target, body, context.details)
  deps.log.info({ ...context.details, githubCalls: { ...deps.api.calls } }, 'grant workflow done')
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
  // A break-glass grant not yet reviewed: this merge is its review (judged like any merge), and grants nothing new.
  const review = facts.reviewDue ? await readUnreviewedBreakGlass(api, { ...target, facts, requestId }) : undefined
  if (facts.existingRecords.length > 0 && !review) {
    log.info({ ...details, existing: facts.existingRecords }, 'this merge was already handled; nothing to do')
    return { kind: 'already-recorded' as const, paths: facts.existingRecords }
  }
  if (!review && facts.removedRecords.length > 0) {
    // Judged from the branch's history, not its tree: deleting a revoked record must not grant it again.
    log.warn(
      { ...details, removed: facts.removedRecords },
      `this merge was handled, but its record was deleted from ${facts.defaultBranch.name} since (${facts.removedRecords.join(', ')}); nothing is granted again`,
    )
    return { kind: 'already-recorded' as const, paths: facts.removedRecords, removed: true }
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
  return { kind: 'found' as const, facts, decision, merge, settings: repository.settings, now, ...(review ? { review } : {}) }
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
      reason: `The request file merged (${requestPath} in ${shortSha(mergeCommitSha)}) is not the one at the reviewed head ${shortSha(pr.headSha)}. Nothing is granted.`,
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
export async function reportFailure(
  deps: GrantOnMergeDeps,
  event: MergeContext['event'],
  error: GrantWorkflowError,
  granted?: GrantRecord,
  /** Where the comment goes when a progress comment was shown (see `MergeContext.publishComment`). */
  publishComment?: (body: string) => Promise<boolean>,
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
  if (publishComment) await publishComment(body)
  else await postComment(deps, { owner: event.owner, repo: event.repo, number: event.number }, body, details)
  return error
}

export async function postComment(
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

export function describeProblem(error: unknown): string {
  return error instanceof Error ? error.message : describeApiError(error)
}
