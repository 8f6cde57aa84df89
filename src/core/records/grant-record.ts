/**
 * The audit records the app commits to the access repository (`grants/<state>/<id>.yaml`). An auditor
 * must be able to answer from git alone: who asked for what and why, who approved, what was written in
 * AWS, when it started and when (and how) it ended. Keys are snake_case in YAML; this is a public
 * contract with a JSON Schema in `schemas/grant-record.schema.json`.
 *
 * Lifecycle, written ahead: `pending/` (state `granting`: the grant about to be written to AWS, committed
 * before any AWS call) → `active/` (granted) → `revoked/` (the same record plus `revocation`), or
 * `pending/` → `failed/` (AWS refused, and nothing was left in place). A merge that was not approved
 * leaves `refused/`. The record's existence is the proof the step happened, which is what makes every
 * step idempotent; a `granting` record left behind (a crash, a lost commit) says what may be live, and
 * the sweep finishes the job from it.
 */

export type RecordState = 'granting' | 'active' | 'revoked' | 'refused' | 'failed'

/** The folder under `grants/` of each state. */
const FOLDERS: Record<RecordState, string> = {
  granting: 'pending',
  active: 'active',
  revoked: 'revoked',
  refused: 'refused',
  failed: 'failed',
}

/** `grants/<folder>`: where the records of a state live. */
export function recordFolder(state: RecordState): string {
  return `grants/${FOLDERS[state]}`
}

/** Where each kind of record lives. */
export function recordPath(state: RecordState, id: string): string {
  return `${recordFolder(state)}/${id}.yaml`
}

/** Every state a record can be in; a record of a request in any of them means its merge was handled. */
export const RECORD_STATES: readonly RecordState[] = ['granting', 'active', 'revoked', 'refused', 'failed']

/** Whether a value read from a file names one of the record states. */
export function isRecordState(value: unknown): value is RecordState {
  return RECORD_STATES.some((state) => state === value)
}

/** Request ids are derived from the pull request: `pr-42`. */
export function requestIdFor(pullNumber: number): string {
  return `pr-${pullNumber}`
}

export interface RecordedApproval {
  readonly login: string
  readonly review_id: number | null
  /** Commit the approval was given on (the head at merge). */
  readonly commit: string
  readonly submitted_at: string
  /** Which rule it counted for: `<policy> rule <n>: <source>`. */
  readonly rule: string
}

export interface RecordedPolicy {
  readonly name: string
  readonly file: string
  /** Blob SHA of the policy file at the base commit the decision read. */
  readonly blob_sha: string
  /** True when the request met the policy's `auto_approve` limits, so it needed no approval. */
  readonly auto_approved?: boolean
}

/** One principal in one account, and what was (or would be) written there. */
export interface RecordedTarget {
  readonly account: string
  readonly principal: string
  readonly actions: readonly string[]
  readonly resources: readonly string[]
  /** Name of the inline policy in AWS, e.g. `jit-pr-42-exp-20261201T110000Z`, or of the permission set on Identity Center. */
  readonly aws_policy_name: string
  /** Identity Center only: the permission set granted, the user it is assigned to, and the assignment request. */
  readonly permission_set?: {
    readonly arn: string
    readonly user_id: string
    readonly assignment_request_id: string
  }
  /**
   * Identity Center only: the curated permission set approved instead of actions, and (once granted) what
   * was copied from it into the request's own set. The intent names only the set; AWS tells the rest.
   */
  readonly curated_permission_set?: RecordedCuratedPermissionSet
}

/** A curated permission set as a record names it: by name, and once granted, its ARN and what was copied. */
export interface RecordedCuratedPermissionSet {
  readonly name: string
  readonly arn?: string
  readonly managed_policies?: readonly string[]
  readonly customer_managed_policies?: readonly { readonly name: string; readonly path: string }[]
  /** The curated set's inline policy as copied (empty when it had none). */
  readonly inline_policy?: string
  /** The curated set's permissions boundary as copied: one of the two keys; absent when it had none. */
  readonly permissions_boundary?: {
    readonly managed_policy_arn?: string
    readonly customer_managed_policy?: { readonly name: string; readonly path: string }
  }
}

/** Fields every record shares. */
export interface RecordBase {
  readonly id: string
  readonly state: RecordState
  readonly request: { readonly path: string; readonly blob_sha: string }
  readonly pull_request: {
    readonly number: number
    readonly url: string
    readonly merge_commit_sha: string | null
    readonly merged_by: string | null
  }
  readonly requester: string
  readonly reason: string
  readonly ticket: string | null
  readonly duration: string
}

/**
 * A grant made by break-glass (`/jit break-glass` on the open request pull request): no approval was
 * waited for. The policy's ordinary approvals on the pull request later are the review; merging the
 * approved pull request records them here. Unreviewed past `review_due`, the sweep flags it.
 */
export interface BreakGlassUse {
  /** The requester, who commented `/jit break-glass` (GitHub's authenticated sender of the comment). */
  readonly invoked_by: string
  readonly invoked_at: string
  /** The comment that broke the glass. */
  readonly comment_url: string
  /** The head commit the request was read at. */
  readonly head_sha: string
  /** The policy's `break_glass.review_within`, and when the review is due. */
  readonly review_within: string
  readonly review_due: string
  /** Who was asked to review: the policies' approvers and `notify` (`login`, `@org/team`). */
  readonly reviewers: readonly string[]
  /** Set when the approved pull request was merged: the review. */
  readonly reviewed_at: string | null
  readonly reviewed_by: readonly string[]
}

/** `grants/active/<id>.yaml`: a grant in force. */
export interface GrantRecord extends RecordBase {
  readonly state: 'active' | 'revoked'
  /** The grant this one extends (`extends:` in the request), if any. */
  readonly extends: string | null
  readonly approvals: readonly RecordedApproval[]
  readonly policies: readonly RecordedPolicy[]
  readonly targets: readonly RecordedTarget[]
  readonly not_before: string
  readonly expires_at: string
  readonly granted_at: string
  /** Whether revocation also cuts sessions issued before it (from the policy's `revoke_sessions`). */
  readonly revoke_sessions: boolean
  /** True when the app ran with `JIT_DRY_RUN=1`: nothing was written to AWS, the record says what would have been. */
  readonly dry_run?: boolean
  /** Set when the grant was made by break-glass, without waiting for approvals. */
  readonly break_glass?: BreakGlassUse
  /** Set once revoked (then the record lives in `grants/revoked/`). */
  readonly revocation?: Revocation
}

/**
 * `grants/pending/<id>.yaml`: a grant about to be written to AWS, committed before the first AWS call.
 * It names everything the grant will be (principals, accounts, actions, resources, policy names, the
 * window), so whatever happens next, git says what may be live. The grant workflow replaces it with the
 * outcome (`active/` or `failed/`); a sweep finishes one left behind, and a revocation undoes it.
 */
export interface IntentRecord extends Omit<GrantRecord, 'state' | 'granted_at' | 'revocation'> {
  readonly state: 'granting'
  /** When the app committed the intent, just before calling AWS. */
  readonly intended_at: string
}

/** A grant as it is written to `grants/revoked/`: the revocation is always there. */
export interface RevokedGrantRecord extends GrantRecord {
  readonly state: 'revoked'
  readonly revocation: Revocation
}

export type RevocationReason = 'expired' | 'early' | 'orphan' | 'superseded'

export interface Revocation {
  readonly revoked_at: string
  /** Login of who revoked (`/jit revoke`), or `jit-sweeper` for the scheduled sweep. */
  readonly revoked_by: string
  readonly reason: RevocationReason
  /** Set when the grant was still being written (`grants/pending/`) when it was revoked: `aws` then says whether its policy was in place. */
  readonly while_granting?: boolean
  /** What AWS said for each target: `revoked`, `already-revoked` (NoSuchEntity), plus a session cut if any. */
  readonly aws: readonly {
    readonly account: string
    readonly principal: string
    readonly aws_policy_name: string
    readonly outcome: string
    /** The document deleted, when the record did not say what the policy allowed (an orphan, an unreadable record). */
    readonly document?: RemovedPolicyDocument
  }[]
  /** Set when the active record could not be read and the sweep revoked from what AWS held. */
  readonly unreadable_record?: {
    readonly path: string
    /** The unreadable file's blob: git keeps it. */
    readonly blob_sha: string
    /** What the parser said. */
    readonly error: string
  }
}

/** The longest removed document a record keeps (IAM's own limit on a role's inline policies). */
export const REMOVED_DOCUMENT_MAX_CHARS = 10_240

/** A policy document AWS held when the app deleted it, bounded so the record stays readable. */
export interface RemovedPolicyDocument {
  /** The document, or its first characters when `truncated`. */
  readonly text: string
  /** SHA-256 (hex) of the whole document. */
  readonly sha256: string
  /** Characters in the whole document. */
  readonly length: number
  readonly truncated: boolean
}

/** `grants/refused/<id>.yaml`: a request PR merged without an approved verdict; nothing was granted. */
export interface RefusalRecord extends RecordBase {
  readonly state: 'refused'
  readonly refused_at: string
  /** The verdict at merge (`pending`, `denied`, `invalid`) and its one-line summary. */
  readonly verdict: 'pending' | 'denied' | 'invalid'
  readonly summary: string
  /** The full explanation, as the check run showed it. */
  readonly explanation: string
}

/** `grants/failed/<id>.yaml`: an approved grant that AWS refused; nothing was left granted. */
export interface FailureRecord extends RecordBase {
  readonly state: 'failed'
  readonly failed_at: string
  readonly error: string
  /** True when the app ran with `JIT_DRY_RUN=1` (the dry run found a problem AWS would have had too). */
  readonly dry_run?: boolean
  readonly targets: readonly (RecordedTarget & { readonly outcome: string; readonly error: string | null })[]
}

export type AccessRecord = IntentRecord | GrantRecord | RefusalRecord | FailureRecord
