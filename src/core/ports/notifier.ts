import type { GrantRecord } from '../records/grant-record.js'
import type { ReviewDue } from '../records/review-due.js'

/**
 * What the notification sinks are told about break-glass: an event object, built by the core from the
 * record, so every sink (Slack, e-mail, a webhook) says the same thing. Plain data: logins, times as
 * ISO strings, addresses.
 */
export type BreakGlassNotice =
  | (BreakGlassFacts & {
      /** A grant was made by break-glass just now, without approvals. */
      readonly kind: 'break-glass-granted'
      /** The post-incident review issue, when it could be created. */
      readonly issueUrl: string | null
    })
  | ReviewOverdueNotice

/** A break-glass grant still unreviewed past its `reviewDue`, flagged once by the sweep. */
export interface ReviewOverdueNotice {
  readonly kind: 'break-glass-review-overdue'
  readonly repository: string
  readonly requestId: string
  readonly pullNumber: number
  readonly requester: string
  readonly invokedAt: string
  readonly reviewDue: string
  readonly reviewers: readonly string[]
  readonly flaggedAt: string
}

interface BreakGlassFacts {
  /** `owner/repo` of the access repository. */
  readonly repository: string
  readonly requestId: string
  readonly pullNumber: number
  readonly pullUrl: string
  readonly requester: string
  readonly reason: string
  readonly ticket: string | null
  readonly policies: readonly string[]
  readonly accounts: readonly string[]
  readonly actions: readonly string[]
  readonly notBefore: string
  readonly expiresAt: string
  readonly reviewDue: string
  /** Who must review (`login`, `@org/team`). */
  readonly reviewers: readonly string[]
}

/** Where break-glass events go. A sink that fails throws; the caller logs it and carries on (the record and the PR already say it). */
export interface Notifier {
  notify(notice: BreakGlassNotice): Promise<void>
}

/** No sink configured: events are only logged by the caller. Named so that nobody mistakes it for delivery. */
export const NOTIFICATIONS_NOT_CONFIGURED: Notifier = { notify: async () => undefined }

/** The event for a break-glass grant record just granted. */
export function buildBreakGlassNotice(params: { record: GrantRecord; repository: string; issueUrl: string | null }): BreakGlassNotice {
  const { record } = params
  const use = record.break_glass
  if (!use) throw new Error(`buildBreakGlassNotice: ${record.id} is not a break-glass grant`)
  return {
    kind: 'break-glass-granted',
    repository: params.repository,
    requestId: record.id,
    pullNumber: record.pull_request.number,
    pullUrl: record.pull_request.url,
    requester: record.requester,
    reason: record.reason,
    ticket: record.ticket,
    policies: record.policies.map((policy) => policy.name),
    accounts: [...new Set(record.targets.map((target) => target.account))],
    actions: [...new Set(record.targets.flatMap((target) => target.actions))],
    notBefore: record.not_before,
    expiresAt: record.expires_at,
    reviewDue: use.review_due,
    reviewers: use.reviewers,
    issueUrl: params.issueUrl,
  }
}

/** The event for a review the sweep found late. */
export function buildReviewOverdueNotice(params: { marker: ReviewDue; repository: string; flaggedAt: Date }): ReviewOverdueNotice {
  const { marker } = params
  return {
    kind: 'break-glass-review-overdue',
    repository: params.repository,
    requestId: marker.id,
    pullNumber: marker.pull_request,
    requester: marker.requester,
    invokedAt: marker.invoked_at,
    reviewDue: marker.review_due,
    reviewers: marker.reviewers,
    flaggedAt: params.flaggedAt.toISOString(),
  }
}
