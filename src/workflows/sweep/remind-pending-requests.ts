import type { Logger } from '../../core/ports/logger.js'
import type { GitHubApi } from '../../github/github-api.js'
import { describeApiError } from '../../github/github-read-error.js'
import { applyReminder } from '../../github/request-comment.js'
import { readRequestComment } from '../../github/upsert-request-comment.js'
import type { PendingRequest } from './close-stale-requests.js'

/** A pending request the sweep reminded about, or would have (dry run), or could not. */
export interface Reminder {
  readonly number: number
  readonly status: 'reminded' | 'would-remind' | 'failed'
  readonly explanation: string
}

/** Reminders read at most this many comments lists per sweep; the rest wait for the next sweep. */
export const MAX_REMINDER_READS = 20

/**
 * Reminds the approvers of each pending request open longer than `remindAfterMs`, once per
 * `remindAfterMs`, in the app's own comment: the comment keeps the last reminder's time (and since when
 * it is pending), so the judgement needs no memory and survives restarts and replicas. The comment is
 * re-rendered by every evaluation with the reminder kept while the request stays pending; an approved
 * or closed request is never reminded about (its check is not pending, or it is not listed open).
 * Costs one read per candidate (the comments list) and one write per reminder.
 */
export async function remindPendingRequests(params: {
  api: GitHubApi
  owner: string
  repo: string
  now: Date
  remindAfterMs: number
  pending: readonly PendingRequest[]
  dryRun: boolean
  log: Logger
}): Promise<Reminder[]> {
  const { api, owner, repo, now } = params
  const candidates = params.pending
    .filter((request) => now.getTime() - Date.parse(request.openedAt) >= params.remindAfterMs)
    .slice(0, MAX_REMINDER_READS)
  const reminders: Reminder[] = []
  for (const request of candidates) {
    try {
      const comment = await readRequestComment(api, { owner, repo, number: request.number })
      const body = comment ? applyReminder(comment.body, { now, remindAfterMs: params.remindAfterMs }) : undefined
      if (!comment || body === undefined) continue
      if (params.dryRun) {
        reminders.push({
          number: request.number,
          status: 'would-remind',
          explanation: `#${request.number} is still pending; a sweep would remind its approvers`,
        })
        continue
      }
      await api.request('PATCH /repos/{owner}/{repo}/issues/comments/{comment_id}', { owner, repo, comment_id: comment.id, body })
      reminders.push({
        number: request.number,
        status: 'reminded',
        explanation: `#${request.number} is still pending; its approvers were reminded`,
      })
      params.log.info({ number: request.number }, 'reminded the approvers of a pending request')
    } catch (error) {
      reminders.push({
        number: request.number,
        status: 'failed',
        explanation: `#${request.number}: could not remind: ${describeApiError(error)}`,
      })
    }
  }
  return reminders
}
