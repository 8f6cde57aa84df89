import type { GrantInspection, GrantPlan, PlannedGrantPolicy } from '../ports/cloud-provider.js'
import type { FailureRecord, GrantRecord, IntentRecord } from './grant-record.js'
import { recordCopiedPermissionSet, type GrantDraft } from './plan-grant.js'
import { formatRecordTime } from './plan-sweep.js'
import { namespaceOfPolicyName } from './iam-policy-document.js'

/**
 * The intent committed before any AWS call: the draft of the grant, each target with the policy it will
 * receive. Everything the grant will be is in git before AWS holds any of it.
 */
export function buildIntentRecord(params: {
  draft: GrantDraft
  plan: GrantPlan
  policies: readonly PlannedGrantPolicy[]
  intendedAt: Date
  dryRun: boolean
}): IntentRecord {
  const { not_before, expires_at, revoke_sessions, state: _state, ...story } = params.draft
  return {
    ...story,
    state: 'granting',
    targets: params.plan.targets.map((target) => ({
      account: target.account,
      principal: target.principalArn,
      actions: target.actions,
      resources: target.resources,
      aws_policy_name:
        params.policies.find((policy) => policy.account === target.account && policy.principalArn === target.principalArn)?.policyName ??
        '(not named)',
      ...(target.permissionSet !== undefined && { curated_permission_set: { name: target.permissionSet } }),
    })),
    not_before,
    expires_at,
    revoke_sessions,
    ...(params.dryRun ? { dry_run: true } : {}),
    intended_at: formatRecordTime(params.intendedAt),
  }
}

/** The grant an intent describes, as a plan the cloud can put, read back or undo. */
export function planFromIntent(intent: IntentRecord): GrantPlan {
  return {
    // The namespace its policies were named in (none, for an intent written before namespaces).
    namespace: intent.targets[0] ? namespaceOfPolicyName(intent.targets[0].aws_policy_name) : null,
    requestId: intent.id,
    requester: intent.requester,
    notBefore: new Date(intent.not_before),
    expiresAt: new Date(intent.expires_at),
    revokeSessions: intent.revoke_sessions,
    targets: intent.targets.map((target) => ({
      account: target.account,
      principalArn: target.principal,
      actions: target.actions,
      resources: target.resources,
      ...(target.curated_permission_set && { permissionSet: target.curated_permission_set.name }),
    })),
  }
}

/**
 * The active record an intent becomes once AWS holds every planned policy. A curated permission set's copy
 * is named with what the read-back found copied (`inspection`), as a grant's record names it.
 */
export function completeIntent(intent: IntentRecord, grantedAt: Date, inspection?: GrantInspection): GrantRecord {
  const { intended_at: _intendedAt, state: _state, targets, not_before, expires_at, revoke_sessions, dry_run, ...story } = intent
  const copiedFor = (target: IntentRecord['targets'][number]) =>
    inspection?.targets.find((found) => found.account === target.account && found.principalArn === target.principal)?.copied
  return {
    ...story,
    state: 'active',
    targets: targets.map((target) => {
      const copied = target.curated_permission_set ? copiedFor(target) : undefined
      return copied ? { ...target, curated_permission_set: recordCopiedPermissionSet(copied) } : target
    }),
    not_before,
    expires_at,
    granted_at: formatRecordTime(grantedAt),
    revoke_sessions,
    ...(dry_run === undefined ? {} : { dry_run }),
  }
}

/**
 * The intent as a grant to revoke: what it planned is what may be live. `granted_at` is when the intent
 * was written (the grant, if it happened, came after); the revocation says `while_granting`.
 */
export function grantOfIntent(intent: IntentRecord): GrantRecord {
  return completeIntent(intent, new Date(intent.intended_at))
}

/**
 * The failure record an intent becomes when the grant did not take: `found` says, per target, what AWS
 * held when it was read back and what was done about it, so the record never says less than what was.
 */
export function failIntent(params: {
  intent: IntentRecord
  error: string
  failedAt: Date
  targets: readonly { account: string; principalArn: string; outcome: string; error: string | null }[]
}): FailureRecord {
  const { intent } = params
  return {
    id: intent.id,
    state: 'failed',
    request: intent.request,
    pull_request: intent.pull_request,
    requester: intent.requester,
    reason: intent.reason,
    ticket: intent.ticket,
    duration: intent.duration,
    failed_at: formatRecordTime(params.failedAt),
    error: params.error,
    ...(intent.dry_run ? { dry_run: true } : {}),
    targets: intent.targets.map((target) => {
      const found = params.targets.find((t) => t.account === target.account && t.principalArn === target.principal)
      return { ...target, outcome: found?.outcome ?? 'not-attempted', error: found?.error ?? null }
    }),
  }
}

/** What the sweep does with an intent it finds at the branch head. */
export type IntentResolution =
  /** Younger than the grace: the grant workflow may be running now. */
  | { readonly kind: 'wait'; readonly explanation: string }
  /** Every planned policy is in AWS as planned and the window is open: commit the active record. */
  | { readonly kind: 'complete'; readonly explanation: string }
  /** The window ended with the policies in place: delete them and record the grant as revoked (expired). */
  | { readonly kind: 'expire'; readonly explanation: string }
  /** Not (all) in place as planned: delete whatever is there and record the failure, with what was found. */
  | { readonly kind: 'undo'; readonly explanation: string; readonly present: readonly PlannedGrantPolicy[] }

/**
 * Decides what to do with an intent from what AWS holds (read back: see `CloudProvider.inspectGrant`).
 * Pure: the sweep reads, this decides, the sweep acts. A grant is completed only when AWS holds exactly
 * what was planned, on every target, inside the window; anything else is undone, because a part of a
 * grant, or a document nobody approved, must not stay.
 */
export function resolveIntent(params: {
  intent: IntentRecord
  /** Undefined while the intent is younger than the grace (AWS is then not read). */
  inspection: GrantInspection | undefined
  now: Date
  graceMs: number
}): IntentResolution {
  const { intent, inspection, now } = params
  const age = now.getTime() - Date.parse(intent.intended_at)
  if (inspection === undefined || age < params.graceMs) {
    return {
      kind: 'wait',
      explanation: `${intent.id} has been granting since ${intent.intended_at}, moments ago: its grant may still be running; a later sweep looks again`,
    }
  }
  const found = inspection.targets.map((target) => target.description).join('; ')
  const present = inspection.targets.filter((target) => target.found !== 'absent')
  const complete = inspection.targets.length > 0 && inspection.targets.every((target) => target.found === 'as-planned')
  const open = Date.parse(intent.expires_at) > now.getTime()
  if (complete && open)
    return { kind: 'complete', explanation: `${intent.id} was left granting since ${intent.intended_at}; read back from AWS: ${found}` }
  if (complete)
    return {
      kind: 'expire',
      explanation: `${intent.id} was left granting since ${intent.intended_at} and its window ended at ${intent.expires_at}; read back from AWS: ${found}`,
    }
  return {
    kind: 'undo',
    explanation: `${intent.id} was left granting since ${intent.intended_at} and AWS does not hold it as planned; read back from AWS: ${found}`,
    present: present.map(({ account, principalArn, policyName, policyDocument }) => ({
      account,
      principalArn,
      policyName,
      policyDocument,
    })),
  }
}
