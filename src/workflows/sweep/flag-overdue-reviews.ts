import type { Logger } from '../../core/ports/logger.js'
import type { NotificationSink } from '../../core/files/settings.js'
import { describeReviewOverdueEvent } from '../../core/notifications/describe-events.js'
import type { Notifier } from '../../core/ports/notifier.js'
import { formatRecordTime } from '../../core/records/plan-sweep.js'
import { findOverdueReviews, formatReviewDue, reviewDuePath, type ReviewDue } from '../../core/records/review-due.js'
import { renderReviewOverdueComment } from '../../github/break-glass-comment.js'
import { commitToBranch } from '../../github/commit-to-branch.js'
import type { GitHubApi } from '../../github/github-api.js'
import { describeApiError } from '../../github/github-read-error.js'
import { readRecordSnapshot } from './read-grant-records.js'

/** A break-glass review the sweep found late and flagged. */
export interface FlaggedReview {
  readonly id: string
  readonly reviewDue: string
}

/**
 * Flags each break-glass grant whose review is late (`grants/review-due/<id>.yaml` past `review_due`,
 * not flagged before): one commit sets `flagged_at` on every such marker (`Jit-Action: flag`), then each
 * pull request gets a comment mentioning its reviewers and the notifier an event. Flagged once: the
 * commit is the proof. Costs nothing when no review is late (the markers come with the records' query).
 */
export async function flagOverdueReviews(params: {
  api: GitHubApi
  owner: string
  repo: string
  branch: string
  readAt: string
  markers: readonly ReviewDue[]
  now: Date
  notifier: Notifier
  sinks: readonly NotificationSink[]
  log: Logger
  dryRun: boolean
}): Promise<FlaggedReview[]> {
  const { api, owner, repo, now, log } = params
  const overdue = findOverdueReviews(params.markers, now)
  if (overdue.length === 0) return []
  const flagged = (list: readonly ReviewDue[]) => list.map((marker) => ({ id: marker.id, reviewDue: marker.review_due }))
  if (params.dryRun) return flagged(overdue)
  let flagging = overdue
  const commit = await commitToBranch({
    api,
    owner,
    repo,
    branch: params.branch,
    build: async (head) => {
      if (head.commitSha !== params.readAt) {
        // The branch moved: flag only what is still there unflagged (a review may have landed meanwhile).
        const again = await readRecordSnapshot({ api, owner, repo, commitSha: head.commitSha })
        flagging = findOverdueReviews(again.reviewsDue, now)
      }
      if (flagging.length === 0) return undefined
      const at = formatRecordTime(now)
      return {
        message:
          `Flag unreviewed break-glass: ${flagging.map((marker) => marker.id).join(', ')}\n\n` +
          flagging.map((marker) => `${marker.id}: review was due ${marker.review_due}; nobody reviewed it.`).join('\n') +
          `\n\n${flagging.map((marker) => `Jit-Request: ${marker.id}`).join('\n')}\nJit-Action: flag\n`,
        changes: flagging.map((marker) => ({ path: reviewDuePath(marker.id), content: formatReviewDue({ ...marker, flagged_at: at }) })),
      }
    },
  })
  if (!commit.committed) return []
  for (const marker of flagging) {
    log.warn({ requestId: marker.id, reviewDue: marker.review_due }, `break-glass ${marker.id} is unreviewed past ${marker.review_due}`)
    try {
      await api.request('POST /repos/{owner}/{repo}/issues/{issue_number}/comments', {
        owner,
        repo,
        issue_number: marker.pull_request,
        body: renderReviewOverdueComment(marker),
      })
    } catch (error) {
      log.error({ requestId: marker.id, err: error }, `could not flag ${marker.id} on its pull request: ${describeApiError(error)}`)
    }
    if (params.sinks.length > 0)
      params.notifier.notify(
        params.sinks,
        describeReviewOverdueEvent({ marker, url: null, place: { repository: `${owner}/${repo}`, at: now } }),
      )
  }
  return flagged(flagging)
}
