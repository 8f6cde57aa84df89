import type { ManagedPolicy } from '../ports/cloud-provider.js'
import {
  requestIdFor,
  type GrantRecord,
  type IntentRecord,
  type RecordedTarget,
  type Revocation,
  type RevokedGrantRecord,
} from './grant-record.js'
import { formatRecordTime } from './plan-sweep.js'

/** A principal in one account whose policies a reconcile lists. */
export interface InspectedPrincipal {
  readonly account: string
  readonly principalArn: string
}

/** One principal and the policies of ours that AWS listed on it. */
export interface ListedPrincipal extends InspectedPrincipal {
  readonly policies: readonly ManagedPolicy[]
}

/** A grant policy in AWS that no active record accounts for: deleted, then recorded as `orphan`. */
export interface OrphanPolicy {
  readonly account: string
  readonly principalArn: string
  readonly policyName: string
  readonly requestId: string
  readonly expiresAt: Date
  readonly explanation: string
}

/** An active record whose policy AWS does not have: reported for a person, the record is left alone. */
export interface DriftedGrant {
  readonly id: string
  readonly account: string
  readonly principalArn: string
  readonly policyName: string
  readonly explanation: string
}

/** A session-cut deny policy old enough that every session it targets has expired. */
export interface SpentSessionCut {
  readonly account: string
  readonly principalArn: string
  readonly policyName: string
  readonly requestId: string
  readonly explanation: string
}

export interface Reconciliation {
  readonly orphans: readonly OrphanPolicy[]
  /**
   * Policies of requests whose active record is there but cannot be read (`unreadableIds`): not orphans
   * (a record says they are granted), revoked at their expiry from what AWS holds.
   */
  readonly ofUnreadableRecords: readonly OrphanPolicy[]
  /** Policies of requests whose active record the app did not write (`heldIds`): nothing is revoked for them; a person decides. */
  readonly held: readonly OrphanPolicy[]
  readonly drift: readonly DriftedGrant[]
  readonly spentSessionCuts: readonly SpentSessionCut[]
}

/** The longest an STS role session can last (12 hours): a cut older than this has nothing left to cut. */
export const MAX_SESSION_MS = 12 * 3_600_000

/** The principals whose policies a reconcile lists: every (account, principal) an active record (or an intent) names, once. */
export function listPrincipalsToInspect(records: readonly { readonly targets: readonly RecordedTarget[] }[]): InspectedPrincipal[] {
  const seen = new Map<string, InspectedPrincipal>()
  for (const record of records) {
    for (const target of record.targets)
      seen.set(`${target.account} ${target.principal}`, { account: target.account, principalArn: target.principal })
  }
  return [...seen.values()]
}

/**
 * Compares the records with what AWS holds on the principals they name:
 * - a grant policy of this repository's namespace with no active record naming it on that principal is
 *   an orphan (a crash between the AWS put and the grant commit, or a rollback that failed): delete it
 *   and record it. A policy of another namespace is another access repository's; one without a namespace
 *   (written before namespaces) cannot be told apart: neither is ever claimed, deleted or recorded here;
 * - an active record whose policy is missing is drift, unless the record is being revoked in this
 *   sweep anyway (`revoking`): someone removed access by hand, which a person should know about;
 * - a session-cut policy older than the longest session is spent and can go.
 */
export function reconcileGrants(params: {
  /** This repository's namespace: only its policies can be orphans or spent session cuts. */
  namespace: string
  records: readonly GrantRecord[]
  listed: readonly ListedPrincipal[]
  /** Ids of the records this sweep revokes; their missing policies are not drift. */
  revoking: ReadonlySet<string>
  now: Date
  /** Grants being written (`grants/pending/`): their policies are accounted for, not orphans; whether they are there is for the intent's settling. */
  intents?: readonly IntentRecord[]
  /** Ids whose `grants/active/<id>.yaml` is there but does not parse. */
  unreadableIds?: ReadonlySet<string>
  /** Ids whose active record was tampered with and has no version the app wrote: their policies are left as they are. */
  heldIds?: ReadonlySet<string>
}): Reconciliation {
  const { records, listed, revoking, now } = params
  const owners = new Map<string, string>()
  for (const record of [...records, ...(params.intents ?? [])]) {
    for (const target of record.targets) owners.set(policyKey(target.account, target.principal, target.aws_policy_name), record.id)
  }
  const present = new Set<string>()
  const orphans: OrphanPolicy[] = []
  const ofUnreadableRecords: OrphanPolicy[] = []
  const held: OrphanPolicy[] = []
  const spentSessionCuts: SpentSessionCut[] = []
  for (const principal of listed) {
    for (const policy of principal.policies) {
      const key = policyKey(principal.account, principal.principalArn, policy.policyName)
      present.add(key)
      if (policy.namespace !== params.namespace) continue
      if (policy.kind === 'session-cut') {
        if (now.getTime() - policy.revokedAt.getTime() > MAX_SESSION_MS) {
          spentSessionCuts.push({
            account: principal.account,
            principalArn: principal.principalArn,
            policyName: policy.policyName,
            requestId: policy.requestId,
            explanation: `${policy.policyName} on ${principal.principalArn} cut sessions at ${policy.revokedAt.toISOString()}; every session it targets has expired`,
          })
        }
        continue
      }
      if (owners.has(key)) continue
      const expired = policy.expiresAt.getTime() <= now.getTime()
      const unreadable = params.unreadableIds?.has(policy.requestId) ?? false
      const found = params.heldIds?.has(policy.requestId) ? held : unreadable ? ofUnreadableRecords : orphans
      found.push({
        account: principal.account,
        principalArn: principal.principalArn,
        policyName: policy.policyName,
        requestId: policy.requestId,
        expiresAt: policy.expiresAt,
        explanation:
          `${policy.policyName} on ${principal.principalArn} has no ${unreadable ? 'readable' : 'active'} record` +
          (expired
            ? ` and expired at ${policy.expiresAt.toISOString()}`
            : ` (it would have lasted until ${policy.expiresAt.toISOString()})`),
      })
    }
  }

  const inspected = new Set(listed.map((principal) => `${principal.account} ${principal.principalArn}`))
  const drift: DriftedGrant[] = []
  for (const record of records) {
    if (revoking.has(record.id)) continue
    for (const target of record.targets) {
      if (!inspected.has(`${target.account} ${target.principal}`)) continue
      if (present.has(policyKey(target.account, target.principal, target.aws_policy_name))) continue
      drift.push({
        id: record.id,
        account: target.account,
        principalArn: target.principal,
        policyName: target.aws_policy_name,
        explanation: `${record.id} is active until ${record.expires_at} but ${target.aws_policy_name} is missing on ${target.principal}: access was removed outside the app; the record is left as it is`,
      })
    }
  }
  return { orphans, ofUnreadableRecords, held, drift, spentSessionCuts }
}

/** The orphans a sweep deletes now, those it leaves for a later sweep, and those its heal accounts for. */
export interface OrphanConfirmation {
  readonly confirmed: OrphanPolicy[]
  readonly deferred: OrphanPolicy[]
  readonly healing: OrphanPolicy[]
}

/**
 * A grant is committed a moment after its policy is put. An unexpired orphan whose pull request merged
 * within `graceMs` may be that moment, not a crash, so it is left for a later sweep. Expired orphans
 * and those of requests merged long ago (or never) are confirmed.
 *
 * An unexpired orphan of a request this sweep heals (`healing`: its merge has no record, see
 * `findUnrecordedMerges`) is neither: the heal puts the same-named policy again and records it, which
 * accounts for it. An expired one is confirmed as usual; the orphan record then is the request's record.
 */
export function confirmOrphans(params: {
  orphans: readonly OrphanPolicy[]
  /** When each orphan's request was merged, if it was; absent when unknown. */
  mergedAt: ReadonlyMap<string, Date | null>
  now: Date
  graceMs: number
  /** Ids of the requests whose merge this sweep handles again. */
  healing?: ReadonlySet<string>
}): OrphanConfirmation {
  const confirmed: OrphanPolicy[] = []
  const deferred: OrphanPolicy[] = []
  const healing: OrphanPolicy[] = []
  for (const orphan of params.orphans) {
    if (isHealedBy(orphan, params.healing, params.now)) {
      healing.push(orphan)
      continue
    }
    const merged = params.mergedAt.get(orphan.requestId)
    const recent = merged !== undefined && merged !== null && params.now.getTime() - merged.getTime() < params.graceMs
    const unknown = merged === undefined
    if (orphan.expiresAt.getTime() > params.now.getTime() && (recent || unknown)) deferred.push(orphan)
    else confirmed.push(orphan)
  }
  return { confirmed, deferred, healing }
}

/** Whether this sweep's heal of the orphan's request accounts for it: only while the policy is unexpired. */
export function isHealedBy(orphan: OrphanPolicy, healing: ReadonlySet<string> | undefined, now: Date): boolean {
  return healing !== undefined && healing.has(orphan.requestId) && orphan.expiresAt.getTime() > now.getTime()
}

/** A pull request merged into the default branch, as the sweep lists them. */
export interface MergedPullRequest {
  readonly number: number
  readonly mergedAt: Date
  /** Whether it is a request pull request (the shape the grant workflow acts on), judged from its files. */
  readonly isRequest: boolean
}

/** A merged request with no record: its webhook was lost, or the app stopped before committing the record. */
export interface UnrecordedMerge {
  readonly id: string
  readonly number: number
  readonly mergedAt: Date
  readonly explanation: string
}

/** The merges with no record: those due a heal now, those over this sweep's bound, and those too recent to judge. */
export interface UnrecordedMerges {
  readonly due: UnrecordedMerge[]
  readonly overLimit: UnrecordedMerge[]
  readonly recent: UnrecordedMerge[]
}

/**
 * The merged request pull requests that have no record in any of `grants/{active,revoked,refused,failed}/`:
 * each is a merge the grant workflow never finished. Those merged within `graceMs` are left alone (their
 * webhook may be running now); of the others, the newest `limit` are due (the newest are the likeliest
 * to be still inside their window), the rest wait for a later sweep.
 */
export function findUnrecordedMerges(params: {
  merges: readonly MergedPullRequest[]
  /** Ids that have a record of any state at the commit the sweep read. */
  recordedIds: ReadonlySet<string>
  now: Date
  graceMs: number
  limit: number
}): UnrecordedMerges {
  const unrecorded = params.merges
    .filter((merge) => merge.isRequest && !params.recordedIds.has(requestIdFor(merge.number)))
    .sort((a, b) => b.mergedAt.getTime() - a.mergedAt.getTime() || b.number - a.number)
  const recent: UnrecordedMerge[] = []
  const old: UnrecordedMerge[] = []
  for (const merge of unrecorded) {
    const id = requestIdFor(merge.number)
    const at = formatRecordTime(merge.mergedAt)
    if (params.now.getTime() - merge.mergedAt.getTime() < params.graceMs) {
      recent.push({
        id,
        number: merge.number,
        mergedAt: merge.mergedAt,
        explanation: `${id} merged at ${at}, moments ago: its grant may still be running; a later sweep looks again`,
      })
    } else {
      old.push({
        id,
        number: merge.number,
        mergedAt: merge.mergedAt,
        explanation: `${id} merged at ${at} but has no record (its webhook was lost, or the app stopped before committing the record)`,
      })
    }
  }
  return { due: old.slice(0, params.limit), overLimit: old.slice(params.limit), recent }
}

/** Git's all-zero object id: "no such object", for a request blob the orphan cannot tell. */
const NO_OBJECT = '0'.repeat(40)

/**
 * The record an orphan leaves in `grants/revoked/`, built from what AWS said: the id and expiry in the
 * policy's name, the principal it was on, and (in `aws`) the document it held. What AWS cannot tell
 * (requester, approvals, policies, the actions) is written as unknown or left empty, never guessed.
 */
export function buildOrphanRecord(params: {
  orphan: OrphanPolicy
  revokedAt: Date
  revokedBy: string
  aws: Revocation['aws']
  repositoryUrl: string
}): RevokedGrantRecord {
  const { orphan } = params
  return rebuildFromAws({
    ...params,
    id: orphan.requestId,
    reason: orphan.explanation,
    policies: [orphan],
    expiresAt: orphan.expiresAt,
    revocation: { reason: 'orphan' },
  })
}

/**
 * The record of a grant whose active record could not be read, revoked at its expiry from what AWS held:
 * the same shape as an orphan's, with `revocation.unreadable_record` naming the file (its blob, which git
 * keeps) and what the parser said. `expiresAt` is the latest expiry among the policies removed.
 */
export function buildUnreadableRecordRevocation(params: {
  id: string
  unreadable: NonNullable<Revocation['unreadable_record']>
  policies: readonly OrphanPolicy[]
  expiresAt: Date
  revokedAt: Date
  revokedBy: string
  aws: Revocation['aws']
  repositoryUrl: string
}): RevokedGrantRecord {
  return rebuildFromAws({
    ...params,
    reason: `${params.unreadable.path} could not be read (${params.unreadable.error}); revoked at its expiry from the policies AWS held`,
    revocation: { reason: 'expired', unreadable_record: params.unreadable },
  })
}

function rebuildFromAws(params: {
  id: string
  reason: string
  policies: readonly Pick<OrphanPolicy, 'account' | 'principalArn' | 'policyName'>[]
  expiresAt: Date
  revokedAt: Date
  revokedBy: string
  aws: Revocation['aws']
  repositoryUrl: string
  revocation: Pick<Revocation, 'reason' | 'unreadable_record'>
}): RevokedGrantRecord {
  const number = Number(/^pr-(\d+)$/.exec(params.id)?.[1] ?? 0)
  const unknown = 'unknown: rebuilt from an orphan policy in AWS'
  const expiresAt = formatRecordTime(params.expiresAt)
  return {
    id: params.id,
    state: 'revoked',
    request: { path: unknown, blob_sha: NO_OBJECT },
    pull_request: { number, url: number > 0 ? `${params.repositoryUrl}/pull/${number}` : unknown, merge_commit_sha: null, merged_by: null },
    requester: 'unknown',
    reason: params.reason,
    ticket: null,
    duration: 'unknown',
    extends: null,
    approvals: [],
    policies: [],
    targets: params.policies.map((policy) => ({
      account: policy.account,
      principal: policy.principalArn,
      actions: [],
      resources: [],
      aws_policy_name: policy.policyName,
    })),
    // When it was granted is unknown; the policy's expiry is the one instant AWS told.
    not_before: expiresAt,
    expires_at: expiresAt,
    granted_at: expiresAt,
    revoke_sessions: false,
    revocation: {
      revoked_at: formatRecordTime(params.revokedAt),
      revoked_by: params.revokedBy,
      reason: params.revocation.reason,
      aws: params.aws,
      ...(params.revocation.unreadable_record ? { unreadable_record: params.revocation.unreadable_record } : {}),
    },
  }
}

function policyKey(account: string, principalArn: string, policyName: string): string {
  return `${account} ${principalArn} ${policyName}`
}
