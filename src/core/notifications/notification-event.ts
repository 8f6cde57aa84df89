/**
 * What the app tells people about, outside GitHub: one event per thing that happened to a request or a
 * grant. A sink (Slack, a webhook) subscribes to event types in `.github/jit.yml`. Every field is data
 * for a message: who, what, where, until when, and the link; nothing here is I/O.
 */

/** Every event type a sink can subscribe to, in lifecycle order. */
export const NOTIFICATION_EVENT_TYPES = [
  'requested',
  'approved',
  'granted',
  'refused',
  'failed',
  'revoked',
  'expired',
  'break-glass',
  'drift',
  'tampering',
] as const

export type NotificationEventType = (typeof NOTIFICATION_EVENT_TYPES)[number]

/** One account's part of a request or grant: the principal is known once the grant is planned. */
export interface AccessLine {
  readonly account: string
  readonly actions: readonly string[]
  readonly resources: readonly string[]
  readonly principal?: string
  /** The curated Identity Center permission set asked for instead of actions (then actions and resources are empty). */
  readonly permissionSet?: string
}

/** What every event says: which repository and request, when, and where a person reads more. */
export interface EventBase {
  /** `owner/repo` of the access repository. */
  readonly repository: string
  /** `pr-42` (a request's id), or the record's id for drift. */
  readonly requestId: string
  /** The pull request (or the record) on GitHub; null when there is none to link. */
  readonly url: string | null
  /** ISO time the event happened. */
  readonly at: string
}

/** The request as its author wrote it. Free text (`reason`, `ticket`) is user-written: renderers make it inert. */
export interface RequestSummary {
  readonly requester: string
  readonly reason: string
  readonly ticket: string | null
  /** As written (`2h`). */
  readonly duration: string
  readonly access: readonly AccessLine[]
}

/** A request opened (first evaluated): who is asked to approve it, and what approving would grant. */
export interface RequestedEvent extends EventBase, RequestSummary {
  readonly type: 'requested'
  /** `@login` / `@org/team` handles whose approval is missing (empty when nothing is, e.g. auto-approved). */
  readonly approversNeeded: readonly string[]
  /** The decision's one line ("Pending: 1 more approval from @acme/security"). */
  readonly summary: string
}

/** The check turned green: merging now grants. */
export interface ApprovedEvent extends EventBase, RequestSummary {
  readonly type: 'approved'
  readonly approvedBy: readonly string[]
  readonly summary: string
}

/** Access is live in AWS (recorded under `grants/active/`). */
export interface GrantedEvent extends EventBase, RequestSummary {
  readonly type: 'granted'
  readonly approvedBy: readonly string[]
  readonly notBefore: string
  readonly expiresAt: string
  readonly dryRun: boolean
}

/** A merge that was not approved (an admin merged past the check): nothing granted, recorded under `grants/refused/`. */
export interface RefusedEvent extends EventBase, RequestSummary {
  readonly type: 'refused'
  readonly mergedBy: string | null
  readonly summary: string
}

/** AWS refused an approved grant: nothing left granted, recorded under `grants/failed/`. */
export interface FailedEvent extends EventBase, RequestSummary {
  readonly type: 'failed'
  readonly error: string
}

/** A grant ended before its expiry (`/jit revoke`, `jit revoke`, an orphan policy deleted). */
export interface RevokedEvent extends EventBase, RequestSummary {
  readonly type: 'revoked'
  readonly revokedBy: string
  readonly reason: 'early' | 'orphan' | 'superseded'
  readonly expiresAt: string
}

/** The sweep removed a grant whose window ended. */
export interface ExpiredEvent extends EventBase, RequestSummary {
  readonly type: 'expired'
  readonly expiresAt: string
}

/**
 * Access taken without approval in an emergency (`stage: 'granted'`): who took it, until when, who must
 * review it and by when; or such a grant still unreviewed past its due time (`stage: 'review-overdue'`).
 */
export type BreakGlassEvent = BreakGlassGrantedEvent | BreakGlassReviewOverdueEvent

export interface BreakGlassGrantedEvent extends EventBase, RequestSummary {
  readonly type: 'break-glass'
  readonly stage: 'granted'
  /** Who invoked break-glass (GitHub login). */
  readonly invokedBy: string
  readonly notBefore: string
  readonly expiresAt: string
  readonly policies: readonly string[]
  /** Who must review (`login`, `@org/team`), and by when. */
  readonly reviewers: readonly string[]
  readonly reviewDue: string
  /** The post-incident review issue, when it could be opened. */
  readonly issueUrl: string | null
}

export interface BreakGlassReviewOverdueEvent extends EventBase {
  readonly type: 'break-glass'
  readonly stage: 'review-overdue'
  readonly requester: string
  readonly invokedAt: string
  readonly reviewers: readonly string[]
  readonly reviewDue: string
}

/** AWS and git disagree: a policy with no record, or a record whose policy is missing. */
export interface DriftEvent extends EventBase {
  readonly type: 'drift'
  readonly explanation: string
}

/** A grant record was edited by someone other than the app; the app acted on its own last record. */
export interface TamperingEvent extends EventBase {
  readonly type: 'tampering'
  readonly path: string
  /** The commit that changed the record. */
  readonly commitSha: string
  readonly explanation: string
}

export type NotificationEvent =
  | RequestedEvent
  | ApprovedEvent
  | GrantedEvent
  | RefusedEvent
  | FailedEvent
  | RevokedEvent
  | ExpiredEvent
  | BreakGlassEvent
  | DriftEvent
  | TamperingEvent
