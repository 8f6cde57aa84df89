import type { Verdict } from '../../core/decision/decision.js'
import { describeDecisionEvent } from '../../core/notifications/describe-events.js'
import type { Notifier } from '../../core/ports/notifier.js'
import { listApproversNeeded } from '../../github/request-comment.js'
import type { CommentOutcome } from '../../github/upsert-request-comment.js'
import type { Evaluation } from '../check/evaluate-pull-request.js'

/**
 * Tells the sinks of the base's settings what an evaluation changed: a new request (its comment was
 * just created) or a request turned approved. Judged from the comment, which every replica reads, so an
 * event is told once however many deliveries re-evaluate the pull request.
 */
export function notifyEvaluation(params: {
  notifier: Notifier
  repository: string
  number: number
  url: string | undefined
  evaluation: Evaluation
  comment: CommentOutcome | 'none'
  previousVerdict: Verdict | undefined
  now: Date
}): void {
  const { decision, settings } = params.evaluation
  if (!decision || !settings || settings.notifications.length === 0) return
  if (params.comment !== 'created' && params.comment !== 'updated') return
  const event = describeDecisionEvent({
    decision,
    firstEvaluation: params.comment === 'created',
    previousVerdict: params.previousVerdict,
    approversNeeded: listApproversNeeded(decision),
    number: params.number,
    url: params.url ?? null,
    place: { repository: params.repository, at: params.now },
  })
  if (event) params.notifier.notify(settings.notifications, event)
}
