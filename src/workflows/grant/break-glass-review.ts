import type { Decision } from '../../core/decision/decision.js'
import { recordPath, type GrantRecord } from '../../core/records/grant-record.js'
import type { MergeFacts } from '../../core/records/plan-grant.js'
import { formatRecordDocument, formatReviewCommitMessage, parseRecordDocument } from '../../core/records/record-document.js'
import { formatRecordTime } from '../../core/records/plan-sweep.js'
import { reviewDuePath } from '../../core/records/review-due.js'
import { escapeMarkdown, formatCode } from '../../core/text/inert-text.js'
import type { GitHubApi } from '../../github/github-api.js'
import { readFromGitHub } from '../../github/github-read-error.js'
import type { MergedRequestFacts } from '../../github/merged-request-facts.js'
import { commitRecordChange, postComment, type GrantOnMergeDeps, type GrantOnMergeResult, type MergeContext } from './grant-on-merge.js'

/** A break-glass grant whose review is still to come: its record (active or revoked) and where it is. */
export interface UnreviewedBreakGlass {
  readonly record: GrantRecord
  readonly path: string
}

export const RECORD_TEXT_QUERY = `query jitRecordText($owner: String!, $repo: String!, $expression: String!) {
  repository(owner: $owner, name: $repo) { object(expression: $expression) { ... on Blob { text } } }
}`

/**
 * The request's grant record at the default branch head when it is a break-glass grant not yet reviewed
 * (one query, only when the request already has a record). Anything else, a record that does not read
 * included, is a merge already handled.
 */
export async function readUnreviewedBreakGlass(
  api: GitHubApi,
  params: { owner: string; repo: string; facts: MergedRequestFacts; requestId: string },
): Promise<UnreviewedBreakGlass | undefined> {
  const { facts, requestId } = params
  // Only a break-glass grant has the marker: any other record costs no read here.
  const path = [recordPath('active', requestId), recordPath('revoked', requestId)].find((p) => facts.existingRecords.includes(p))
  if (path === undefined || !facts.reviewDue) return undefined
  const commitSha = facts.defaultBranch.commitSha
  const data = await readFromGitHub(`${path} at ${commitSha.slice(0, 7)}`, () =>
    api.graphql<{ repository: { object: { text?: string | null } | null } | null }>(RECORD_TEXT_QUERY, {
      owner: params.owner,
      repo: params.repo,
      expression: `${commitSha}:${path}`,
    }),
  )
  const text = data.repository?.object?.text
  if (typeof text !== 'string') return undefined
  const parsed = parseRecordDocument({ file: path, text })
  if (!parsed.ok) return undefined
  const record = parsed.value
  if ((record.state !== 'active' && record.state !== 'revoked') || !record.break_glass || record.break_glass.reviewed_at !== null)
    return undefined
  return { record, path }
}

/**
 * The merge of a request that was granted by break-glass: nothing new is granted. Approved at the merge
 * (the same judgement as any merge), it is the review: the record gains `reviewed_at` and `reviewed_by`,
 * in place, in one commit (`Jit-Action: review`). Not approved, the grant stays unreviewed (the sweep
 * flags it past its `review_due`) and the pull request is told.
 */
export async function recordBreakGlassReview(
  deps: GrantOnMergeDeps,
  context: MergeContext,
  params: { decision: Decision; merge: MergeFacts; review: UnreviewedBreakGlass },
): Promise<GrantOnMergeResult> {
  const { decision, merge, review } = params
  const { record, path } = review
  const use = record.break_glass
  if (!use) return { kind: 'already-recorded', paths: [path] }
  if (decision.verdict !== 'approved') {
    deps.log.warn(
      { ...context.details, verdict: decision.verdict },
      `break-glass ${record.id} merged without approval; it stays unreviewed`,
    )
    await postComment(
      deps,
      context.target,
      `## ⚠️ Break-glass ${record.id} is still unreviewed\n\nThis pull request was merged while the access check said: **${escapeMarkdown(decision.summary)}**\n\n` +
        `Nothing new was granted. The break-glass grant stays unreviewed in ${formatCode(path)}; past ${use.review_due} the sweeper flags it.\n`,
      context.details,
    )
    return { kind: 'ignored', reason: `break-glass ${record.id} merged without approval (${decision.summary}); it stays unreviewed` }
  }
  const reviewers = [...new Set(decision.policies.flatMap((result) => result.rules.flatMap((rule) => rule.counted.map((a) => a.login))))]
  const reviewed: GrantRecord = {
    ...record,
    break_glass: { ...use, reviewed_at: formatRecordTime(merge.mergedAt), reviewed_by: reviewers },
  }
  const { facts } = context
  const commit = await commitRecordChange(deps, context, {
    message: formatReviewCommitMessage(reviewed),
    changes: [
      { path, content: formatRecordDocument(reviewed) },
      // The marker goes with the review; one deleted by hand is not deleted again (GitHub refuses that).
      ...(facts.reviewDue ? [{ path: reviewDuePath(record.id), content: null }] : []),
    ],
    knownHead: { commitSha: facts.defaultBranch.commitSha },
    // The record must still be where it was read (a sweep may have moved it to revoked/ meanwhile: then it is reviewed next time).
    stillToDo: (records) => records.present.includes(path),
    sameAsRead: facts.defaultBranch.commitSha,
  })
  if (!commit.committed) return { kind: 'already-recorded', paths: [path] }
  deps.log.info({ ...context.details, path, reviewers }, `recorded the review of break-glass ${record.id}`)
  await postComment(
    deps,
    context.target,
    `## ✅ Break-glass ${record.id} reviewed\n\nApproved by ${reviewers.map((login) => formatCode(`@${login}`)).join(', ')} at the merge: ` +
      `the review of the break-glass grant is recorded in ${formatCode(path)} on ${formatCode(facts.defaultBranch.name)}. Nothing new was granted.\n`,
    context.details,
  )
  return { kind: 'recorded', record: reviewed, path, commit }
}
