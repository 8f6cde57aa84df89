/**
 * The IAM Identity Center shape of a grant, pure: one permission set per request, named in the app's
 * namespace of the access repository, holding the grant's inline policy (the window in its
 * `aws:CurrentTime` condition, as on the IAM backend), described so that Identity Center alone tells
 * a sweeper which request it belongs to and when it ends.
 */
import { buildGrantPolicyDocument, formatIsoSeconds, type PolicyDocument, type PolicyStatement } from './iam-policy-document.js'

/** Identity Center's limits that a grant must fit (AWS SSO Admin API reference, and the quotas of the Identity Center user guide). */
export const PERMISSION_SET_LIMITS = {
  /** `Name` of a permission set: 1 to 32 characters of `[\w+=,.@-]`. */
  nameLength: 32,
  /**
   * The inline policy of a permission set, in characters without white space: 10,240 (the quota says
   * 32,768 bytes in all, of which at most 10,240 non-white-space; it becomes an inline policy of the
   * role Identity Center provisions in each account, which IAM caps at 10,240).
   */
  inlinePolicySize: 10_240,
  /** AWS-managed policies attached to one permission set (default quota). */
  managedPolicies: 10,
  /** Customer-managed policy references attached to one permission set (default quota). */
  customerManagedPolicies: 10,
  /** `SessionDuration`: PT1H to PT12H. */
  minSessionMs: 3_600_000,
  maxSessionMs: 12 * 3_600_000,
  /** Permission sets an instance may hold by default (a quota AWS can raise): `jit doctor` counts them. */
  instancePermissionSets: 2_000,
  /** Outstanding `CreateAccountAssignment` requests Identity Center allows at a time (its throttle limits). */
  outstandingAssignments: 10,
} as const

/** Identity Center user names it reserves: no user can bear them (Identity Store API reference, `UserName`). */
const RESERVED_USER_NAMES = ['administrator', 'awsadministrators']

/**
 * Why Identity Center would refuse a user name (1 to 128 characters of letters, digits, symbols and
 * punctuation; not a reserved name), or undefined when it accepts it.
 */
export function checkUserName(userName: string): string | undefined {
  if (userName.length < 1 || userName.length > 128) return 'Identity Center user names have 1 to 128 characters'
  if (/[\s\p{C}]/u.test(userName)) return 'Identity Center user names have no spaces or control characters'
  if (RESERVED_USER_NAMES.includes(userName.toLowerCase())) return `Identity Center reserves the name ${userName}: no user can have it`
  return undefined
}

const NAME_PREFIX = 'jit-'

/**
 * FNV-1a (32 bits) of the repository's full name, lower-cased, in 8 hex digits: short enough for
 * Identity Center's 32-character names, and separate per access repository sharing one instance.
 */
export function hashRepository(repository: string): string {
  let hash = 0x811c9dc5
  for (const character of repository.toLowerCase()) {
    hash ^= character.codePointAt(0)!
    hash = Math.imul(hash, 0x01000193) >>> 0
  }
  return hash.toString(16).padStart(8, '0')
}

/** The prefix of every permission set the app writes for one access repository: `jit-1a2b3c4d-`. */
export function permissionSetPrefix(repository: string): string {
  return `${NAME_PREFIX}${hashRepository(repository)}-`
}

/** The permission set of one request, e.g. `jit-1a2b3c4d-pr-42` (at most 32 characters for PR numbers below 10^18). */
export function namePermissionSet(params: { repository: string; requestId: string }): string {
  return permissionSetPrefix(params.repository) + params.requestId
}

/** Why Identity Center would refuse a permission set name, or undefined when it accepts it. */
export function checkPermissionSetName(name: string): string | undefined {
  if (name.length > PERMISSION_SET_LIMITS.nameLength) {
    return `the permission set name ${name} is ${name.length} characters; Identity Center allows ${PERMISSION_SET_LIMITS.nameLength}`
  }
  if (!/^[\w+=,.@-]+$/.test(name)) return `the permission set name ${name} has characters Identity Center refuses`
  return undefined
}

/** The description of a request's permission set: who it is for and when it ends, read back by the sweep. */
export function describePermissionSet(params: { repository: string; requestId: string; expiresAt: Date }): string {
  return `jit-access ${params.requestId} of ${params.repository} until ${formatIsoSeconds(params.expiresAt)}`
}

/** A permission set of ours, recognised from its name (in the repository's namespace) and its description. */
export interface ManagedPermissionSet {
  readonly requestId: string
  readonly expiresAt: Date
}

/** Reads back a permission set's name and description; undefined when it is not one of this repository's grants. */
export function parseManagedPermissionSet(params: {
  repository: string
  name: string
  description: string | undefined
}): ManagedPermissionSet | undefined {
  const prefix = permissionSetPrefix(params.repository)
  if (!params.name.startsWith(prefix)) return undefined
  const requestId = params.name.slice(prefix.length)
  if (!/^pr-[0-9]+$/.test(requestId)) return undefined
  const match = / until ([0-9]{4}-[0-9]{2}-[0-9]{2}T[0-9]{2}:[0-9]{2}:[0-9]{2}Z)$/.exec(params.description ?? '')
  const expiresAt = match ? new Date(match[1]!) : undefined
  // A set of ours whose description was changed still belongs to the request; it reads as already expired, so it is revoked.
  return { requestId, expiresAt: expiresAt && !Number.isNaN(expiresAt.getTime()) ? expiresAt : new Date(0) }
}

/**
 * The session duration of a request's permission set: what is left of the window at `now`, within
 * Identity Center's bounds (at least one hour, at most twelve), whole minutes, as ISO 8601 (`PT1H30M`).
 * A session outliving the window holds nothing: the policy's `aws:CurrentTime` condition ends it.
 */
export function chooseSessionDuration(params: { now: Date; expiresAt: Date }): string {
  const left = params.expiresAt.getTime() - params.now.getTime()
  const bounded = Math.min(PERMISSION_SET_LIMITS.maxSessionMs, Math.max(PERMISSION_SET_LIMITS.minSessionMs, left))
  const minutes = Math.floor(bounded / 60_000)
  const hours = Math.floor(minutes / 60)
  const rest = minutes % 60
  return `PT${hours}H${rest > 0 ? `${rest}M` : ''}`
}

/** One account's share of a request, as the permission set's inline policy holds it. */
export interface PermissionSetGrant {
  readonly account: string
  readonly actions: readonly string[]
  readonly resources: readonly string[]
}

/**
 * The inline policy of a request's permission set: one Allow statement per account, with exactly that
 * account's approved actions and resources, the window as an `aws:CurrentTime` condition (as on the IAM
 * backend), and `aws:PrincipalAccount` so a statement holds only in its own account (one permission set is
 * provisioned to every target account of the request).
 */
export function buildPermissionSetPolicyDocument(params: {
  requestId: string
  notBefore: Date
  expiresAt: Date
  grants: readonly PermissionSetGrant[]
}): PolicyDocument {
  const statements = [...params.grants]
    .sort((a, b) => a.account.localeCompare(b.account))
    .map((grant): PolicyStatement => {
      const [statement] = buildGrantPolicyDocument({ ...params, actions: grant.actions, resources: grant.resources }).Statement
      return {
        ...statement!,
        Sid: `${statement!.Sid}${grant.account}`,
        Condition: { ...statement!.Condition, StringEquals: { 'aws:PrincipalAccount': grant.account } },
      }
    })
  return { Version: '2012-10-17', Statement: statements }
}

/**
 * What a permission set holds once its request is revoked early, before its assignments go: deny
 * everything, so the sessions already issued in each account lose their access as soon as the set is
 * provisioned again, whatever is left of their session duration.
 */
export function buildRevokedPermissionSetPolicyDocument(params: { requestId: string }): PolicyDocument {
  const sid = buildGrantPolicyDocument({
    requestId: params.requestId,
    notBefore: new Date(0),
    expiresAt: new Date(0),
    actions: ['*'],
    resources: ['*'],
  }).Statement[0]!.Sid.replace(/Grant$/, 'Revoked')
  return { Version: '2012-10-17', Statement: [{ Sid: sid, Effect: 'Deny', Action: '*', Resource: '*', Condition: {} }] }
}

/**
 * The principal under which a full reconcile pass reports a permission set of this repository that no
 * user is assigned (`identity-center-permission-set:<permission set ARN>`): it holds no access but uses the
 * instance's permission-set quota, and nothing else would ever delete it. Revoking a target with this
 * principal deletes the set itself, and only while nothing is assigned it.
 */
export const UNASSIGNED_PERMISSION_SET_PREFIX = 'identity-center-permission-set:'

/** The principal of an unassigned permission set (see UNASSIGNED_PERMISSION_SET_PREFIX). */
export function nameUnassignedPermissionSet(permissionSetArn: string): string {
  return UNASSIGNED_PERMISSION_SET_PREFIX + permissionSetArn
}

/** The permission set ARN an unassigned-set principal names, or undefined for any other principal. */
export function parseUnassignedPermissionSet(principal: string): string | undefined {
  if (!principal.startsWith(UNASSIGNED_PERMISSION_SET_PREFIX)) return undefined
  const arn = principal.slice(UNASSIGNED_PERMISSION_SET_PREFIX.length)
  return /^arn:aws[\w-]*:sso:::permissionSet\/[\w-]+\/ps-[\w-]+$/.test(arn) ? arn : undefined
}

/**
 * The explicit deny a curated permission set's copy carries: everything (`Action: *`, `Resource: *`) at or
 * before the window's start and at or after its end, by `aws:CurrentTime`. An explicit deny overrides
 * every allow, the copied managed policies' included, so the copy grants nothing outside the window even
 * when no sweep ever runs. Times are rounded as the grant's own allow rounds them: the window never widens.
 */
export function buildCuratedWindowDeny(params: { requestId: string; notBefore: Date; expiresAt: Date }): PolicyStatement[] {
  const [allow] = buildGrantPolicyDocument({ ...params, actions: ['*'], resources: ['*'] }).Statement
  const sid = allow!.Sid.replace(/Grant$/, '')
  const start = allow!.Condition['DateGreaterThan']!['aws:CurrentTime']!
  const end = allow!.Condition['DateLessThan']!['aws:CurrentTime']!
  return [
    {
      Sid: `${sid}DenyBefore`,
      Effect: 'Deny',
      Action: '*',
      Resource: '*',
      Condition: { DateLessThanEquals: { 'aws:CurrentTime': start } },
    },
    {
      Sid: `${sid}DenyAfter`,
      Effect: 'Deny',
      Action: '*',
      Resource: '*',
      Condition: { DateGreaterThanEquals: { 'aws:CurrentTime': end } },
    },
  ]
}

/** A curated permission set as Identity Center describes it: what the grant copies. */
export interface CuratedPermissionSetContents {
  readonly name: string
  readonly managedPolicyArns: readonly string[]
  readonly customerManagedPolicies: readonly { readonly name: string; readonly path: string }[]
  /** Its inline policy document as Identity Center returns it; empty when it has none. */
  readonly inlinePolicy: string
}

/**
 * The inline policy of a curated set's copy: the curated set's own inline statements as they are, then
 * the window's explicit deny. Or why it cannot be built: an inline policy that is not a policy document,
 * or whose statement ids collide with the deny's (IAM wants them unique).
 */
export function buildCuratedPermissionSetPolicy(params: {
  requestId: string
  notBefore: Date
  expiresAt: Date
  curated: CuratedPermissionSetContents
}): { readonly ok: true; readonly document: string } | { readonly ok: false; readonly reason: string } {
  const deny = buildCuratedWindowDeny(params)
  const inline = params.curated.inlinePolicy.trim()
  let statements: unknown[] = []
  if (inline !== '') {
    let parsed: unknown
    try {
      parsed = JSON.parse(inline)
    } catch {
      return { ok: false, reason: `the inline policy of permission set ${params.curated.name} is not JSON` }
    }
    const statement = typeof parsed === 'object' && parsed !== null ? (parsed as { Statement?: unknown }).Statement : undefined
    if (statement === undefined || (typeof statement !== 'object' && !Array.isArray(statement)) || statement === null)
      return { ok: false, reason: `the inline policy of permission set ${params.curated.name} has no Statement` }
    statements = Array.isArray(statement) ? statement : [statement]
  }
  const ours = new Set(deny.map((statement) => statement.Sid))
  const clash = statements.find(
    (statement) => typeof statement === 'object' && statement !== null && ours.has(String((statement as { Sid?: unknown }).Sid)),
  )
  if (clash)
    return {
      ok: false,
      reason: `the inline policy of permission set ${params.curated.name} has a statement id ${String((clash as { Sid?: unknown }).Sid)}, which the window's deny uses`,
    }
  return { ok: true, document: JSON.stringify({ Version: '2012-10-17', Statement: [...statements, ...deny] }) }
}

/**
 * Why a curated set's copy cannot fit in a permission set (Identity Center's quotas), or undefined: its
 * combined inline policy, and the number of managed policies and customer-managed references.
 */
export function describeCuratedFitProblem(params: { curated: CuratedPermissionSetContents; size: number }): string | undefined {
  const { curated } = params
  if (params.size > PERMISSION_SET_LIMITS.inlinePolicySize)
    return `the copy of permission set ${curated.name} would have an inline policy of ${params.size.toLocaleString('en-US')} characters (its own inline policy and the window's deny); Identity Center allows ${PERMISSION_SET_LIMITS.inlinePolicySize.toLocaleString('en-US')}`
  if (curated.managedPolicyArns.length > PERMISSION_SET_LIMITS.managedPolicies)
    return `permission set ${curated.name} has ${curated.managedPolicyArns.length} AWS-managed policies; a permission set may hold ${PERMISSION_SET_LIMITS.managedPolicies}`
  if (curated.customerManagedPolicies.length > PERMISSION_SET_LIMITS.customerManagedPolicies)
    return `permission set ${curated.name} has ${curated.customerManagedPolicies.length} customer-managed policy references; a permission set may hold ${PERMISSION_SET_LIMITS.customerManagedPolicies}`
  return undefined
}
