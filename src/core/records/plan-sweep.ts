import type { RevokeOutcome, RevokeTarget } from '../ports/cloud-provider.js'
import type { GrantRecord, Revocation, RevocationReason, RevokedGrantRecord } from './grant-record.js'

/** The login a scheduled sweep records as `revoked_by`. */
export const SWEEPER_LOGIN = 'jit-sweeper'

/** An active grant the sweep will revoke, and why, in words. */
export interface DueGrant {
  readonly record: GrantRecord
  readonly explanation: string
}

/** An active grant left in force, and why. */
export interface KeptGrant {
  readonly id: string
  readonly expiresAt: string
  readonly explanation: string
}

/** A record the sweep cannot reason about (its expiry does not parse); it is reported and left alone. */
export interface UnplannableGrant {
  readonly id: string
  readonly explanation: string
}

/** What one sweep will do, decided before anything touches AWS or GitHub. */
export interface SweepPlan {
  readonly now: Date
  readonly due: readonly DueGrant[]
  readonly kept: readonly KeptGrant[]
  readonly problems: readonly UnplannableGrant[]
}

/**
 * Decides which active grants are due: those whose `expires_at` is at or before `now` (IAM's own
 * condition is `DateLessThan expires_at`, so at that instant AWS already denies).
 *
 * Extensions: a request with `extends: pr-42` is a grant of its own, with its own inline policy named
 * after its own id and its own record. Each record is judged only by its own expiry, so revoking the
 * extended grant never removes the extension's access and the other way round; the explanation names
 * the grant that carries on.
 */
export function planSweep(params: { records: readonly GrantRecord[]; now: Date }): SweepPlan {
  const { records, now } = params
  const due: DueGrant[] = []
  const kept: KeptGrant[] = []
  const problems: UnplannableGrant[] = []
  const extendedBy = new Map<string, GrantRecord[]>()
  for (const record of records) {
    if (record.extends) extendedBy.set(record.extends, [...(extendedBy.get(record.extends) ?? []), record])
  }

  for (const record of [...records].sort((a, b) => compareIds(a.id, b.id))) {
    const expiresAt = Date.parse(record.expires_at)
    if (Number.isNaN(expiresAt)) {
      problems.push({
        id: record.id,
        explanation: `${record.id}: expires_at "${record.expires_at}" is not a date; left active for a person to look at`,
      })
      continue
    }
    if (expiresAt <= now.getTime()) {
      const carriers = (extendedBy.get(record.id) ?? []).filter((other) => Date.parse(other.expires_at) > now.getTime())
      const carryOn = carriers.map((other) => `; ${other.id} extends it and keeps its own policy until ${other.expires_at}`).join('')
      due.push({ record, explanation: `${record.id} expired at ${record.expires_at}${carryOn}` })
    } else {
      kept.push({ id: record.id, expiresAt: record.expires_at, explanation: `${record.id} is in force until ${record.expires_at}` })
    }
  }
  return { now, due, kept, problems }
}

/** The inline policies a grant's revocation removes: exactly the ones its record says were written. */
export function listRevokeTargets(record: GrantRecord): RevokeTarget[] {
  return record.targets.map((target) => ({
    account: target.account,
    principalArn: target.principal,
    policyName: target.aws_policy_name,
    ...(target.permission_set ? { permissionSetArn: target.permission_set.arn } : {}),
  }))
}

/**
 * What AWS said for each target, as the record keeps it. A session cut is its own entry (the deny
 * policy it left on the principal), so an auditor sees every policy the revocation wrote or removed.
 */
export function summariseAwsOutcome(outcome: RevokeOutcome): Revocation['aws'] {
  return outcome.targets.flatMap((target) => [
    { account: target.account, principal: target.principalArn, aws_policy_name: target.policyName, outcome: target.status },
    ...(target.sessionCut
      ? [
          {
            account: target.account,
            principal: target.principalArn,
            aws_policy_name: target.sessionCut.policyName,
            outcome: `sessions-${target.sessionCut.status}`,
          },
        ]
      : []),
  ])
}

/**
 * The record as it moves to `grants/revoked/`: unchanged but for `state` and `revocation`. Only call
 * it with an outcome AWS confirmed (`ok`): nothing is recorded as revoked before that.
 */
export function buildRevokedRecord(params: {
  record: GrantRecord
  revokedAt: Date
  revokedBy: string
  reason: RevocationReason
  outcome: RevokeOutcome
  /** The record was an intent (`grants/pending/`): the grant was still being written. */
  whileGranting?: boolean
}): RevokedGrantRecord {
  const { record, outcome } = params
  if (!outcome.ok) throw new Error(`${record.id}: refusing to record a revocation AWS did not confirm (${outcome.summary})`)
  return {
    ...record,
    state: 'revoked',
    revocation: {
      revoked_at: formatRecordTime(params.revokedAt),
      revoked_by: params.revokedBy,
      reason: params.reason,
      ...(params.whileGranting ? { while_granting: true } : {}),
      aws: summariseAwsOutcome(outcome),
    },
  }
}

/** Whether a login may revoke a grant early, and why (shown to them). */
export interface EarlyRevokeDecision {
  readonly allowed: boolean
  readonly explanation: string
}

/**
 * `/jit revoke` may be used by the requester and by anyone whose approval the grant recorded: the
 * people who asked for or agreed to the access may end it. Logins compare case-insensitively.
 */
export function decideEarlyRevoke(params: { record: GrantRecord; login: string }): EarlyRevokeDecision {
  const { record } = params
  const login = params.login.toLowerCase()
  if (record.requester.toLowerCase() === login) return { allowed: true, explanation: `@${params.login} requested ${record.id}` }
  if (record.approvals.some((approval) => approval.login.toLowerCase() === login)) {
    return { allowed: true, explanation: `@${params.login} approved ${record.id}` }
  }
  const approvers = record.approvals.map((approval) => approval.login)
  return {
    allowed: false,
    explanation:
      `only the requester (${record.requester})` +
      (approvers.length > 0 ? ` or an approver recorded in the grant (${approvers.join(', ')})` : '') +
      ` may revoke ${record.id} early`,
  }
}

/** `2026-12-01T12:00:00Z`: instants in records are written to the second, like every other time there. */
export function formatRecordTime(time: Date): string {
  return time.toISOString().replace(/\.\d{3}Z$/, 'Z')
}

/** `pr-9` before `pr-10`: ids sort by their number when they have one. */
function compareIds(a: string, b: string): number {
  return a.localeCompare(b, 'en', { numeric: true })
}
