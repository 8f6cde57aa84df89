/**
 * The contract between the grant workflow and a cloud: what to grant, what to revoke, what is there.
 * Provider-neutral and pure (types and one error class); the backends and the dry run live in `src/aws`.
 *
 * Every grant is one inline policy per (account, principal) named after its request and expiry, so the
 * cloud alone tells a sweeper what belongs to which request and when it ends, and revoking one request
 * never touches another request's access on the same principal.
 */

/** One principal in one account that receives the approved actions on the approved resources. */
export interface GrantTarget {
  /** 12-digit AWS account id. */
  readonly account: string
  /** IAM role or user ARN (paths allowed), e.g. `arn:aws:iam::111111111111:role/jit-alice`. */
  readonly principalArn: string
  /** IAM actions or patterns exactly as approved, e.g. `ec2:StopInstances`, `ec2:Describe*`. */
  readonly actions: readonly string[]
  /** Resource ARNs or patterns exactly as approved (`*` allowed). */
  readonly resources: readonly string[]
  /**
   * Identity Center only: the curated permission set approved instead of actions (then `actions` and
   * `resources` are empty), copied into the request's own permission set with a deny outside the window.
   */
  readonly permissionSet?: string
}

/** An approved request, ready to be written to the cloud. */
export interface GrantPlan {
  /**
   * The access repository's namespace (ten hex digits): every grant of one repository carries it, and a
   * reconcile only ever claims the grants of its own namespace. Null only for a plan rebuilt from a
   * record written before namespaces, so that it names the grant as it was then written.
   */
  readonly namespace: string | null
  /** Stable id of the request, e.g. `pr-42`; it names the policies and the sessions that write them. */
  readonly requestId: string
  /** GitHub login of the requester, for explanations. */
  readonly requester: string
  /** Access starts strictly after this instant. */
  readonly notBefore: Date
  /** Access ends strictly before this instant; the cloud itself stops honouring the grant then. */
  readonly expiresAt: Date
  /** Whether revoking this grant should also cut sessions issued before the revocation. */
  readonly revokeSessions: boolean
  /** At most one target per (account, principal). */
  readonly targets: readonly GrantTarget[]
}

/** Why an operation on one target failed, in a form a reviewer and a retry loop can both use. */
export interface TargetFailure {
  /** The cloud's error code (`AccessDenied`, `LimitExceeded`, ...) or ours (`PolicyTooLarge`, `InvalidPlan`). */
  readonly code: string
  readonly message: string
  /** True when trying again later cannot help (bad plan, denied, limit); false for throttling and outages. */
  readonly permanent: boolean
}

export type GrantTargetStatus =
  /** The policy is in place. */
  | 'granted'
  /** Dry run: the policy would have been put. */
  | 'would-grant'
  /** This target failed; see `failure`. */
  | 'failed'
  /** The policy was put, then deleted because another target failed. */
  | 'rolled-back'
  /** The policy was put, another target failed, and deleting it failed too: it stays until it expires or a sweep removes it. */
  | 'rollback-failed'
  /** Nothing was done on this target because another target failed first. */
  | 'not-attempted'

/**
 * Where a grant lives on IAM Identity Center, beside the permission set's name (`policyName`): what a
 * record keeps so an auditor finds it in CloudTrail and a revocation acts on exactly it.
 */
export interface PermissionSetPlacement {
  readonly permissionSetArn: string
  /** The Identity Store id of the user the set is assigned to. */
  readonly userId: string
  /** The id of the account assignment's creation request. */
  readonly assignmentRequestId: string
}

/**
 * What a grant copied from a curated permission set into the request's own: exactly what the user could
 * use inside the window, for the record (an auditor reads it) and for reading the grant back.
 */
export interface CopiedPermissionSet {
  readonly name: string
  readonly arn: string
  readonly managedPolicyArns: readonly string[]
  readonly customerManagedPolicies: readonly { readonly name: string; readonly path: string }[]
  /** The curated set's inline policy as read (empty when it has none). */
  readonly inlinePolicy: string
  /** The curated set's permissions boundary, copied too (so the copy never allows more than the set); absent when it has none. */
  readonly permissionsBoundary?: CopiedPermissionsBoundary
}

/** A permissions boundary: an AWS-managed policy, or a customer-managed policy referenced by name and path. */
export type CopiedPermissionsBoundary =
  { readonly managedPolicyArn: string } | { readonly customerManagedPolicy: { readonly name: string; readonly path: string } }

/** What happened on one target of a grant. */
export interface GrantTargetOutcome {
  readonly account: string
  readonly principalArn: string
  /** Name of the inline policy, e.g. `jit-pr-42-exp-20261201T110000Z`. */
  readonly policyName: string
  /** The exact policy document put (or that would have been put), as sent to the cloud. */
  readonly policyDocument: string
  /** The role assumed to write the policy. */
  readonly granterRoleArn: string
  readonly status: GrantTargetStatus
  /** One sentence a reviewer understands, e.g. "put inline policy jit-pr-42-exp-... on role jit-alice in 111111111111". */
  readonly description: string
  readonly failure?: TargetFailure
  /** Set when status is `rollback-failed`. */
  readonly rollbackFailure?: TargetFailure
  /** Set by the Identity Center backend on a target granted. */
  readonly permissionSet?: PermissionSetPlacement
  /** Set by the Identity Center backend when the target's curated permission set was read (and copied, when granted). */
  readonly copied?: CopiedPermissionSet
}

/** The result of a grant: every target granted, or none left granted (barring a failed rollback). */
export interface GrantOutcome {
  readonly requestId: string
  readonly ok: boolean
  readonly dryRun: boolean
  /** One line, e.g. "granted pr-42 on 2 targets until 2026-12-01T11:00:00Z". */
  readonly summary: string
  readonly targets: readonly GrantTargetOutcome[]
  /** The failure that stopped the grant, when `ok` is false. */
  readonly error?: GrantError
}

/** One policy to remove: a grant policy, or a session-cut policy that is no longer needed. */
export interface RevokeTarget {
  readonly account: string
  readonly principalArn: string
  readonly policyName: string
  /**
   * The permission set's ARN when the record names one (Identity Center): the backend then checks that it
   * still bears `policyName` and acts on it without searching the instance.
   */
  readonly permissionSetArn?: string
}

export interface RevokeParams {
  /** The access repository's namespace: a session cut is written in it, so its reconcile can remove it once spent. */
  readonly namespace: string
  readonly requestId: string
  readonly targets: readonly RevokeTarget[]
  /** The revocation instant; sessions issued before it are cut when `cutSessions` is set. */
  readonly revokedAt: Date
  /** Also deny everything to sessions of the principal issued before `revokedAt` (see the AWS provider for the trade-off). */
  readonly cutSessions: boolean
}

export type RevokeTargetStatus =
  | 'revoked'
  /** The policy was not there: someone or something removed it already. Counts as success. */
  | 'already-revoked'
  | 'would-revoke'
  | 'failed'

export interface SessionCutOutcome {
  /** Name of the deny policy, e.g. `jit-pr-42-revoked-20261201T100000Z`. */
  readonly policyName: string
  readonly policyDocument: string
  readonly status: 'cut' | 'would-cut' | 'failed'
  readonly failure?: TargetFailure
}

export interface RevokeTargetOutcome {
  readonly account: string
  readonly principalArn: string
  readonly policyName: string
  readonly granterRoleArn: string
  readonly status: RevokeTargetStatus
  readonly description: string
  readonly failure?: TargetFailure
  /** Present when sessions were to be cut. */
  readonly sessionCut?: SessionCutOutcome
}

/**
 * The result of a revocation. Targets are independent: one failing does not stop the others, since
 * removing access is always safe. `ok` only when every policy is gone and every requested cut is in place.
 */
export interface RevokeOutcome {
  readonly requestId: string
  readonly ok: boolean
  readonly dryRun: boolean
  readonly summary: string
  readonly targets: readonly RevokeTargetOutcome[]
}

/** The policy a grant writes on one target, known before any AWS call. */
export interface PlannedGrantPolicy {
  readonly account: string
  readonly principalArn: string
  readonly policyName: string
  /** The exact document a grant puts, as sent to the cloud. */
  readonly policyDocument: string
}

/** What AWS holds under a planned policy's name: the planned document, another one, or nothing. */
export type PolicyFound = 'as-planned' | 'different' | 'absent'

/** One target of a grant, read back from the cloud. */
export interface InspectedGrantTarget extends PlannedGrantPolicy {
  readonly found: PolicyFound
  /** One sentence, e.g. "jit-pr-42-exp-... is on role jit-alice in 111111111111 with the planned document". */
  readonly description: string
  /** Identity Center: what the copy of a curated permission set holds, when it reads as planned (for the record). */
  readonly copied?: CopiedPermissionSet
}

/** A grant read back from the cloud: what is there under each planned policy's name. */
export interface GrantInspection {
  readonly requestId: string
  /** Dry run: nothing was read; every target reads as absent. */
  readonly dryRun: boolean
  readonly targets: readonly InspectedGrantTarget[]
}

/**
 * A grant (or session cut) this app wrote, recognised from its name alone. `namespace` says which access
 * repository wrote it; null for one written before namespaces, which no repository claims.
 */
export type ManagedPolicy =
  | {
      readonly kind: 'grant'
      readonly namespace: string | null
      readonly policyName: string
      readonly requestId: string
      readonly expiresAt: Date
    }
  /** A deny-all put by a revocation with `cutSessions`; it may be deleted once every session it targets has expired. */
  | {
      readonly kind: 'session-cut'
      readonly namespace: string | null
      readonly policyName: string
      readonly requestId: string
      readonly revokedAt: Date
    }

/**
 * What a full reconcile pass looks through: every principal the settings can map a login to, in every
 * account the policies name, whether or not a record names it (an orphan on a principal no record names
 * is found only this way).
 */
export interface InventoryRequest {
  /** This repository's namespace: only its grants and session cuts are reported. */
  readonly namespace: string
  /**
   * Per account (12 digits), the principals the settings can map a login to, as ARN patterns: the
   * `principal` template and each per-login override with `{account}` filled in and `{login}` replaced by
   * `*` (which matches one or more of the characters a GitHub login may hold). For an Identity Center
   * account the backend lists the instance instead (its permission sets in the namespace and their
   * assignments), and the patterns may be ignored.
   */
  readonly accounts: Readonly<Record<string, readonly string[]>>
}

/**
 * One principal a full pass found, with this namespace's policies on it (only principals holding one are
 * listed). On Identity Center a permission set of the namespace that no user is assigned anywhere (it holds
 * no access, but uses the instance's quota) is listed on its own, under the principal
 * `identity-center-permission-set:<permission set ARN>` and an account of the request: revoking that target
 * (`{ account, principalArn, policyName }`, as for any orphan) deletes the set, and only while no one is assigned it.
 */
export interface InventoriedPrincipal {
  readonly account: string
  readonly principalArn: string
  readonly policies: readonly ManagedPolicy[]
}

/** What a full pass found; it never throws for one account or principal that could not be read. */
export interface Inventory {
  readonly principals: readonly InventoriedPrincipal[]
  /** One line per account or principal that could not be listed: it is reported and looked at next pass. */
  readonly problems: readonly string[]
  /** How many principals were looked at, for the report. */
  readonly principalsListed: number
  /** Set by the dry run, which looks at nothing: such a pass is not recorded as done. */
  readonly dryRun?: boolean
}

/** Where one target of a grant stands while the grant is under way. */
export type GrantTargetProgress =
  /** Its turn has not come yet. */
  | { readonly stage: 'waiting' }
  /** The cloud is still applying it (an Identity Center assignment still provisioning), since `since`. */
  | { readonly stage: 'provisioning'; readonly since: Date }
  /** In place. */
  | { readonly stage: 'granted' }

/** How far a slow grant has got, for the people waiting on it: one entry per target of the plan, in its order. */
export interface GrantProgress {
  readonly requestId: string
  /** When the grant started, by the provider's clock. */
  readonly startedAt: Date
  readonly targets: readonly (GrantTargetProgress & { readonly account: string; readonly principalArn: string })[]
}

/** What a caller may ask of one grant besides its plan. */
export interface GrantOptions {
  /**
   * Told how the grant stands while it waits on the cloud past the backend's threshold (Identity Center:
   * an account assignment still provisioning after 10 s), at most once per status read. Awaited, so it
   * should be quick; a callback that throws is ignored, since progress is never worth failing a grant for.
   * Backends whose grants do not wait (IAM, the dry run) never call it.
   */
  readonly onProgress?: (progress: GrantProgress) => Promise<void> | void
}

/** A cloud that can hold time-bound grants. */
export interface CloudProvider {
  /**
   * Puts one policy per target. All or nothing: when a target fails, the policies already put on the
   * others are deleted and the outcome reports both. Never throws for cloud or limit failures: they
   * are in the outcome.
   */
  grant(plan: GrantPlan, options?: GrantOptions): Promise<GrantOutcome>
  /** Deletes the named policies (a missing one is already revoked) and optionally cuts sessions. Never throws for cloud failures. */
  revoke(params: RevokeParams): Promise<RevokeOutcome>
  /** The policy each target of a grant would receive (names and documents), without calling the cloud. */
  describeGrant(plan: GrantPlan): readonly PlannedGrantPolicy[]
  /**
   * Reads back what the cloud holds under each planned policy's name, so an outcome is found, not
   * guessed (a put whose answer was lost, a grant whose record was never committed). Throws GrantError
   * when the cloud cannot be read.
   */
  inspectGrant(plan: GrantPlan): Promise<GrantInspection>
  /** The policies on a principal whose names this app recognises; others are ignored. Throws GrantError on failure. */
  listManagedPolicies(params: { account: string; principalArn: string }): Promise<ManagedPolicy[]>
  /** A full reconcile pass: this namespace's policies on every principal the settings can map to (see InventoryRequest). */
  listAllManagedPolicies(request: InventoryRequest): Promise<Inventory>
  /**
   * The document of one of this app's policies as AWS holds it now (an Identity Center set: its inline
   * policy), so the record of an orphan keeps what it allowed; null when it is not there. Throws GrantError.
   */
  readManagedPolicy(target: RevokeTarget): Promise<string | null>
}

/** A provider operation that failed on one target, with the cloud's error as `cause`. */
export class GrantError extends Error {
  override readonly name = 'GrantError'
  readonly requestId: string
  readonly account: string
  readonly principalArn: string
  readonly code: string
  readonly permanent: boolean

  constructor(params: {
    message: string
    requestId: string
    account: string
    principalArn: string
    code: string
    permanent: boolean
    cause?: unknown
  }) {
    super(params.message, { cause: params.cause })
    this.requestId = params.requestId
    this.account = params.account
    this.principalArn = params.principalArn
    this.code = params.code
    this.permanent = params.permanent
  }

  /** The failure as carried in outcomes. */
  toFailure(): TargetFailure {
    return { code: this.code, message: this.message, permanent: this.permanent }
  }
}
