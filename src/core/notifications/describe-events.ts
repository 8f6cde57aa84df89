import type { Decision } from '../decision/decision.js'
import type { AccessRecord, GrantRecord, RecordBase, RevokedGrantRecord } from '../records/grant-record.js'
import type { ReviewDue } from '../records/review-due.js'
import type {
  AccessLine,
  ApprovedEvent,
  BreakGlassGrantedEvent,
  BreakGlassReviewOverdueEvent,
  DriftEvent,
  ExpiredEvent,
  FailedEvent,
  GrantedEvent,
  RefusedEvent,
  RequestedEvent,
  RequestSummary,
  RevokedEvent,
  TamperingEvent,
} from './notification-event.js'

/** Where an event happened: `owner/repo`, and when. */
export interface EventPlace {
  readonly repository: string
  readonly at: Date
}

function summaryOfRecord(record: RecordBase, access: readonly AccessLine[]): RequestSummary {
  return { requester: record.requester, reason: record.reason, ticket: record.ticket, duration: record.duration, access }
}

function accessOfTargets(targets: GrantRecord['targets']): AccessLine[] {
  return targets.map((target) => ({
    account: target.account,
    actions: target.actions,
    resources: target.resources,
    principal: target.principal,
    ...(target.curated_permission_set && { permissionSet: target.curated_permission_set.name }),
  }))
}

/**
 * The event a committed outcome of a merge is: granted (active), refused or failed. An intent is no
 * outcome: undefined.
 */
export function describeRecordEvent(record: AccessRecord, place: EventPlace): GrantedEvent | RefusedEvent | FailedEvent | undefined {
  const base = { repository: place.repository, requestId: record.id, url: record.pull_request.url, at: place.at.toISOString() }
  switch (record.state) {
    case 'active':
    case 'revoked':
      return {
        type: 'granted',
        ...base,
        ...summaryOfRecord(record, accessOfTargets(record.targets)),
        approvedBy: [...new Set(record.approvals.map((approval) => approval.login))],
        notBefore: record.not_before,
        expiresAt: record.expires_at,
        dryRun: record.dry_run === true,
      }
    case 'refused':
      return { type: 'refused', ...base, ...summaryOfRecord(record, []), mergedBy: record.pull_request.merged_by, summary: record.summary }
    case 'failed':
      return { type: 'failed', ...base, ...summaryOfRecord(record, accessOfTargets(record.targets)), error: record.error }
    case 'granting':
      return undefined
  }
}

/** The event a committed revocation is: expired when its window ended, revoked when it was ended early. */
export function describeRevocationEvent(record: RevokedGrantRecord, place: EventPlace): RevokedEvent | ExpiredEvent {
  const base = {
    repository: place.repository,
    requestId: record.id,
    url: record.pull_request.url.startsWith('http') ? record.pull_request.url : null,
    at: place.at.toISOString(),
    ...summaryOfRecord(record, accessOfTargets(record.targets)),
    expiresAt: record.expires_at,
  }
  const { reason } = record.revocation
  if (reason === 'expired') return { type: 'expired', ...base }
  return { type: 'revoked', ...base, revokedBy: record.revocation.revoked_by, reason }
}

/** What the requester asked for, from the decision's parsed request. */
function summaryOfDecision(decision: Decision): RequestSummary {
  const request = decision.request
  return {
    requester: decision.author,
    reason: request?.reason ?? '',
    ticket: request?.ticket ?? null,
    duration: request?.durationText ?? '',
    access: (request?.access ?? []).map((entry) => ({
      account: entry.account,
      actions: entry.actions,
      resources: entry.resources,
      ...(entry.permissionSet !== undefined && { permissionSet: entry.permissionSet }),
    })),
  }
}

/**
 * The event an evaluation is: `requested` the first time a request is evaluated (its comment created)
 * as pending, `approved` when the verdict turns approved (from what the comment showed before).
 * Otherwise none: the same verdict again, or a request nobody can approve (denied, invalid), tells
 * nobody anything new.
 */
export function describeDecisionEvent(params: {
  decision: Decision
  firstEvaluation: boolean
  previousVerdict: Decision['verdict'] | undefined
  approversNeeded: readonly string[]
  number: number
  url: string | null
  place: EventPlace
}): RequestedEvent | ApprovedEvent | undefined {
  const { decision } = params
  const base = { repository: params.place.repository, requestId: `pr-${params.number}`, url: params.url, at: params.place.at.toISOString() }
  if (decision.verdict === 'approved' && (params.firstEvaluation || params.previousVerdict !== 'approved')) {
    const approvedBy = [...new Set(decision.policies.flatMap((policy) => policy.rules.flatMap((rule) => rule.counted.map((c) => c.login))))]
    return { type: 'approved', ...base, ...summaryOfDecision(decision), approvedBy, summary: decision.summary }
  }
  if (decision.verdict === 'pending' && params.firstEvaluation) {
    return {
      type: 'requested',
      ...base,
      ...summaryOfDecision(decision),
      approversNeeded: params.approversNeeded,
      summary: decision.summary,
    }
  }
  return undefined
}

/** A policy in AWS with no record was deleted, or an active grant's policy is missing in AWS. */
export function describeDriftEvent(params: { id: string; explanation: string; url: string | null; place: EventPlace }): DriftEvent {
  return {
    type: 'drift',
    repository: params.place.repository,
    requestId: params.id,
    url: params.url,
    at: params.place.at.toISOString(),
    explanation: params.explanation,
  }
}

/** A grant record edited by someone other than the app. */
export function describeTamperingEvent(params: {
  id: string
  path: string
  commitSha: string | null
  explanation: string
  url: string | null
  place: EventPlace
}): TamperingEvent {
  return {
    type: 'tampering',
    repository: params.place.repository,
    requestId: params.id,
    url: params.url,
    at: params.place.at.toISOString(),
    path: params.path,
    commitSha: params.commitSha ?? 'unknown',
    explanation: params.explanation,
  }
}

/** The event of a break-glass grant just committed: granted without approval, to be reviewed by `reviewers` by its due time. */
export function describeBreakGlassEvent(params: {
  record: GrantRecord
  issueUrl: string | null
  place: EventPlace
}): BreakGlassGrantedEvent {
  const { record, place } = params
  const use = record.break_glass
  if (!use) throw new Error(`describeBreakGlassEvent: ${record.id} is not a break-glass grant`)
  return {
    type: 'break-glass',
    stage: 'granted',
    repository: place.repository,
    requestId: record.id,
    url: record.pull_request.url,
    at: place.at.toISOString(),
    ...summaryOfRecord(record, accessOfTargets(record.targets)),
    invokedBy: use.invoked_by,
    notBefore: record.not_before,
    expiresAt: record.expires_at,
    policies: record.policies.map((policy) => policy.name),
    reviewers: use.reviewers,
    reviewDue: use.review_due,
    issueUrl: params.issueUrl,
  }
}

/** The event of a break-glass grant the sweep found unreviewed past its due time. */
export function describeReviewOverdueEvent(params: {
  marker: ReviewDue
  url: string | null
  place: EventPlace
}): BreakGlassReviewOverdueEvent {
  const { marker, place } = params
  return {
    type: 'break-glass',
    stage: 'review-overdue',
    repository: place.repository,
    requestId: marker.id,
    url: params.url,
    at: place.at.toISOString(),
    requester: marker.requester,
    invokedAt: marker.invoked_at,
    reviewers: marker.reviewers,
    reviewDue: marker.review_due,
  }
}
