import type { GrantRecord } from '../records/grant-record.js'

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
  | (BreakGlassFacts & {
      /** The grant is still unreviewed past `reviewDue` (flagged by the sweep). */
      readonly kind: 'break-glass-review-overdue'
      readonly flaggedAt: string
    })

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

/** The event for a break-glass grant record (active or revoked: the record carries `break_glass`). */
export function buildBreakGlassNotice(
  params: { record: GrantRecord; repository: string } & (
    { kind: 'break-glass-granted'; issueUrl: string | null } | { kind: 'break-glass-review-overdue'; flaggedAt: Date }
  ),
): BreakGlassNotice {
  const { record } = params
  const use = record.break_glass
  if (!use) throw new Error(`buildBreakGlassNotice: ${record.id} is not a break-glass grant`)
  const facts: BreakGlassFacts = {
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
  }
  return params.kind === 'break-glass-granted'
    ? { ...facts, kind: params.kind, issueUrl: params.issueUrl }
    : { ...facts, kind: params.kind, flaggedAt: params.flaggedAt.toISOString() }
}
