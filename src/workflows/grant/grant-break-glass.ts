import { nameRepositoryNamespace } from '../../aws/repository-namespace.js'
import { judgeBreakGlass } from '../../core/decision/break-glass.js'
import { renderDecision } from '../../core/decision/render-decision.js'
import type { UsersAndTeams } from '../../core/files/policy.js'
import { describeCommitViolations } from '../../core/merges/judge-request-commits.js'
import type { NotificationSink } from '../../core/files/settings.js'
import { describeBreakGlassEvent } from '../../core/notifications/describe-events.js'
import type { Notifier } from '../../core/ports/notifier.js'
import { requestIdFor, type GrantRecord } from '../../core/records/grant-record.js'
import { planGrant, type MergeFacts } from '../../core/records/plan-grant.js'
import { formatRecordTime } from '../../core/records/plan-sweep.js'
import { renderBreakGlassComment, renderReviewIssue } from '../../github/break-glass-comment.js'
import { classifyPullRequest } from '../../github/classify-pull-request.js'
import { findCommitViolations } from '../../github/commit-changes.js'
import { createIssue } from '../../github/create-issue.js'
import { describeApiError } from '../../github/github-read-error.js'
import { createFilesCache } from '../../github/files-at-commit.js'
import { readMergedRequest, readRulesAt } from '../../github/merged-request-facts.js'
import { establishPushes, readPullRequest } from '../../github/pull-request-facts.js'
import { CORE_ENGINE, prepareDecision } from '../check/prepare-decision.js'
import { grantWrittenAhead, postComment, type GrantOnMergeDeps, type GrantOnMergeResult, type MergeContext } from './grant-on-merge.js'

export interface BreakGlassDeps extends GrantOnMergeDeps {
  /** Where break-glass events go (the notification sinks). */
  readonly notifier: Notifier
}

/** `/jit break-glass` on a pull request, as GitHub authenticated it. */
export interface BreakGlassCommand {
  readonly owner: string
  readonly repo: string
  readonly number: number
  /** The comment's author: GitHub's authenticated sender. */
  readonly commenter: string
  readonly commentUrl: string
  readonly deliveryId: string
}

export type BreakGlassResult =
  { readonly kind: 'refused'; readonly reason: string } | { readonly kind: 'granted'; readonly result: GrantOnMergeResult }

/**
 * Break-glass: grants an open request pull request at once, without its approvals, when a policy
 * covering it allows `break_glass` (see `judgeBreakGlass`). It is judged as a merge would be: the
 * pull request must change exactly its request file (every commit of it too), the rules are those at the
 * default branch's head now, the request is the one at the pull request's head. The grant is the merge's
 * grant, written ahead (`grantWrittenAhead`): intent, AWS, record (with `break_glass`), then the noise: a
 * comment mentioning the reviewers, a post-incident review issue assigned to them, and the notifiers.
 * The pull request stays open; its approved merge later is the review (`recordBreakGlassReview`).
 */
export async function grantBreakGlass(deps: BreakGlassDeps, command: BreakGlassCommand): Promise<BreakGlassResult> {
  const { api, log } = deps
  const requestId = requestIdFor(command.number)
  const target = { owner: command.owner, repo: command.repo, number: command.number }
  const details = { delivery: command.deliveryId, requestId, breakGlass: command.commenter }
  const refuse = (reason: string): BreakGlassResult => {
    log.warn(details, `break-glass refused: ${reason}`)
    return { kind: 'refused', reason }
  }
  const invokedAt = deps.now()

  const pr = await readPullRequest(api, target)
  const kind = classifyPullRequest(pr)
  if (kind.kind !== 'request')
    return refuse(`this pull request is not a request pull request (${'title' in kind ? kind.title : kind.kind})`)
  const facts = await readMergedRequest(api, { ...target, headSha: pr.headSha, requestPath: kind.path, requestId })
  if (facts.state !== 'OPEN') return refuse(`the pull request is ${facts.state.toLowerCase()}: break-glass works only on an open request`)
  if (facts.baseRefName !== facts.defaultBranch.name)
    return refuse(`the pull request targets ${facts.baseRefName}, not the default branch ${facts.defaultBranch.name}`)
  if (facts.existingRecords.length > 0 || facts.removedRecords.length > 0)
    return refuse(
      `${requestId} already has a record (${(facts.existingRecords.length > 0 ? facts.existingRecords : facts.removedRecords).join(', ')}): it is granted once`,
    )
  if (!facts.request) return refuse(`${kind.path} could not be read at ${pr.headSha.slice(0, 7)}`)
  const cache = deps.cache ?? createFilesCache()
  const violations = await findCommitViolations(api, cache, { ...target, commits: pr.commits, requestPath: kind.path })
  if (violations.length > 0) return refuse(describeCommitViolations({ violations, requestPath: kind.path }).reason)

  // The rules a merge now would be judged by: the default branch's head.
  const rules = await readRulesAt(api, { ...target, commitSha: facts.defaultBranch.commitSha })
  const { decision, repository, now } = await prepareDecision({
    api,
    engine: deps.engine ?? CORE_ENGINE,
    catalogue: deps.catalogue,
    rules,
    requestFile: facts.request.file,
    pullRequest: pr,
    reviews: pr.reviews,
    pushes: establishPushes(pr),
    repositoryName: { owner: command.owner, repo: command.repo },
    now: () => invokedAt,
    log,
    logFields: details,
  })
  const judged = judgeBreakGlass({ decision, repository, commenter: command.commenter, contributors: pr.contributors })
  if (!judged.ok) return refuse(judged.reason)

  const merge: MergeFacts = {
    pullNumber: command.number,
    pullUrl: facts.url,
    mergeCommitSha: null,
    mergedBy: null,
    // The window starts at the break-glass (or the request's start), as a merge's starts at the merge.
    mergedAt: invokedAt,
    requestBlobSha: facts.request.blobSha,
    policyBlobShas: rules.policyBlobShas,
  }
  const planning = planGrant({
    decision: judged.decision,
    settings: repository.settings,
    merge,
    now,
    namespace: nameRepositoryNamespace({ owner: command.owner, repo: command.repo }),
  })
  if (!planning.ok) return refuse(planning.error)
  const reviewers = [...judged.reviewers.users, ...judged.reviewers.teams]
  const draft = {
    ...planning.draft,
    break_glass: {
      invoked_by: command.commenter.toLowerCase(),
      invoked_at: formatRecordTime(invokedAt),
      comment_url: command.commentUrl,
      head_sha: pr.headSha,
      review_within: judged.reviewWithinText,
      review_due: formatRecordTime(new Date(invokedAt.getTime() + judged.reviewWithinMs)),
      reviewers,
      reviewed_at: null,
      reviewed_by: [],
    },
  }
  const context: MergeContext = {
    event: { owner: command.owner, repo: command.repo, number: command.number, deliveryId: command.deliveryId },
    requestId,
    facts,
    details,
    target,
    sinks: repository.settings.notifications,
    announceGrant: (record) =>
      announceBreakGlass(deps, {
        command,
        record,
        reviewers: judged.reviewers,
        branch: facts.defaultBranch.name,
        sinks: repository.settings.notifications,
      }),
  }
  const result = await grantWrittenAhead(deps, context, {
    decision: judged.decision,
    merge,
    settings: repository.settings,
    plan: planning.plan,
    draft,
    explanation: renderDecision(judged.decision, { format: 'markdown' }),
  })
  return { kind: 'granted', result }
}

/** The noise of a break-glass: the review issue (assigned to the reviewers), the comment mentioning them, the notifiers. */
async function announceBreakGlass(
  deps: BreakGlassDeps,
  params: { command: BreakGlassCommand; record: GrantRecord; reviewers: UsersAndTeams; branch: string; sinks: readonly NotificationSink[] },
): Promise<void> {
  const { command, record, reviewers } = params
  const details = { delivery: command.deliveryId, requestId: record.id }
  let issue: { number: number; url: string } | undefined
  try {
    issue = await createIssue(deps.api, {
      owner: command.owner,
      repo: command.repo,
      ...renderReviewIssue({ record, reviewers }),
      assignees: reviewers.users,
    })
  } catch (error) {
    // The record and the comment carry the review too; a lost issue is logged where an operator looks.
    deps.log.error({ ...details, err: error }, `could not open the post-incident review issue of ${record.id}: ${describeApiError(error)}`)
  }
  await postComment(
    deps,
    { owner: command.owner, repo: command.repo, number: command.number },
    renderBreakGlassComment({ record, branch: params.branch, reviewers, issue }),
    details,
  )
  const event = describeBreakGlassEvent({
    record,
    issueUrl: issue?.url ?? null,
    place: { repository: `${command.owner}/${command.repo}`, at: deps.now() },
  })
  // Fire and forget: the notifier logs and retries its deliveries, and never throws.
  if (params.sinks.length > 0) deps.notifier.notify(params.sinks, event)
  deps.log.warn({ ...details, event }, `break-glass: ${record.requester} was granted ${record.id} without approval`)
}
