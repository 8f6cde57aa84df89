import { GrantError, type CopiedPermissionSet, type GrantOutcome, type GrantPlan } from '../../core/ports/cloud-provider.js'
import { measurePolicySize } from '../../core/records/inline-policy-size.js'
import {
  buildCuratedPermissionSetPolicy,
  describeCuratedFitProblem,
  permissionSetPrefix,
  type CuratedPermissionSetContents,
} from '../../core/records/permission-set.js'
import type { IdentityCenterBackend, IdentityCenterSession } from './identity-center-session.js'
import {
  attachCustomerManagedPolicyReference,
  attachManagedPolicy,
  findPermissionSetByName,
  getInlinePolicy,
  getPermissionsBoundary,
  listCustomerManagedPolicyReferences,
  listManagedPolicies,
  putPermissionsBoundary,
} from './permission-set-api.js'

/**
 * Curated permission sets (issue 13): a request approved for an existing permission set gets a copy of it
 * in its own permission set (the AWS-managed policies, the customer-managed references and the inline
 * policy), with an explicit deny of everything outside the window added to the inline policy. The copy,
 * not the curated set, is assigned: so the access ends inside AWS at expiry, sweep or no sweep.
 */

/** A curated set as read from the instance, ready to copy: what is copied and the copy's inline policy. */
export interface CuratedCopy {
  readonly copied: CopiedPermissionSet
  /** The copy's inline policy: the curated set's inline statements, then the window's deny. */
  readonly document: string
}

/**
 * Finds the curated set a plan names and reads what the copy will hold; a GrantError (permanent) when
 * the plan is not one curated set, the set is missing or one of the app's own, or the copy cannot fit.
 * Nothing is written: a set that cannot be copied costs no write.
 */
export async function prepareCuratedCopy(
  backend: IdentityCenterBackend,
  session: IdentityCenterSession,
  plan: GrantPlan,
): Promise<CuratedCopy> {
  const first = plan.targets[0]!
  const name = first.permissionSet!
  const context = { requestId: plan.requestId, account: first.account, principalArn: first.principalArn }
  const refuse = (code: string, message: string): GrantError =>
    new GrantError({ message: `request ${plan.requestId}: ${message}`, code, permanent: true, ...context })
  if (plan.targets.some((target) => target.permissionSet !== name || target.actions.length > 0))
    throw refuse('InvalidPlan', `the plan mixes permission set ${name} with other access; one permission set per request holds it`)
  if (name.startsWith(permissionSetPrefix(backend.repository)))
    throw refuse('InvalidPlan', `${name} is one of the app's own per-request permission sets, not a curated one`)
  const arn = await findPermissionSetByName(backend, session, name)
  if (arn === undefined)
    throw refuse(
      'NoSuchPermissionSet',
      `there is no permission set ${name} in ${backend.settings.instanceArn}; create it in IAM Identity Center, or remove it from grants.permission_sets`,
    )
  const curated: CuratedPermissionSetContents = {
    name,
    managedPolicyArns: await listManagedPolicies(backend, session, arn),
    customerManagedPolicies: await listCustomerManagedPolicyReferences(backend, session, arn),
    inlinePolicy: (await getInlinePolicy(backend, session, arn)) ?? '',
  }
  const built = buildCuratedPermissionSetPolicy({
    requestId: plan.requestId,
    notBefore: plan.notBefore,
    expiresAt: plan.expiresAt,
    curated,
  })
  if (!built.ok) throw refuse('InvalidCuratedPermissionSet', built.reason)
  const problem = describeCuratedFitProblem({ curated, size: measurePolicySize(built.document) })
  if (problem) throw refuse('PolicyTooLarge', problem)
  // A boundary limits what the curated set's policies allow: a copy without it would allow more than the set.
  const permissionsBoundary = await getPermissionsBoundary(backend, session, arn)
  return { copied: { ...curated, arn, ...(permissionsBoundary && { permissionsBoundary }) }, document: built.document }
}

/**
 * Attaches the curated set's managed policies and customer-managed references to the request's set.
 * A set just created holds none; one found on a re-run is listed first, and only what it lacks is attached.
 */
export async function copyCuratedPolicies(
  backend: IdentityCenterBackend,
  session: IdentityCenterSession,
  params: { arn: string; copy: CuratedCopy; created: boolean },
): Promise<void> {
  const { arn, copy } = params
  const held = params.created ? [] : await listManagedPolicies(backend, session, arn)
  for (const policyArn of copy.copied.managedPolicyArns)
    if (!held.includes(policyArn)) await attachManagedPolicy(backend, session, { arn, policyArn })
  const referenced = params.created ? [] : await listCustomerManagedPolicyReferences(backend, session, arn)
  for (const reference of copy.copied.customerManagedPolicies)
    if (!referenced.some((other) => other.name === reference.name && other.path === reference.path))
      await attachCustomerManagedPolicyReference(backend, session, { arn, reference })
  // Put again on a re-run: putting a boundary replaces it, so the copy ends with the curated set's.
  if (copy.copied.permissionsBoundary) await putPermissionsBoundary(backend, session, { arn, boundary: copy.copied.permissionsBoundary })
}

/**
 * Whether the request's set holds exactly the copy: the inline policy, and the same managed policies and
 * customer-managed references (in any order), so reading a grant back sees a copy that drifted.
 */
export async function holdsCuratedCopy(
  backend: IdentityCenterBackend,
  session: IdentityCenterSession,
  params: { arn: string; inlinePolicy: string | undefined; copy: CuratedCopy },
): Promise<boolean> {
  if (params.inlinePolicy !== params.copy.document) return false
  const sameItems = (a: readonly string[], b: readonly string[]): boolean =>
    a.length === b.length && [...a].sort().join('\n') === [...b].sort().join('\n')
  const managed = await listManagedPolicies(backend, session, params.arn)
  if (!sameItems(managed, params.copy.copied.managedPolicyArns)) return false
  const references = await listCustomerManagedPolicyReferences(backend, session, params.arn)
  const boundary = await getPermissionsBoundary(backend, session, params.arn)
  if (JSON.stringify(boundary) !== JSON.stringify(params.copy.copied.permissionsBoundary)) return false
  const key = (reference: { name: string; path: string }): string => `${reference.path}${reference.name}`
  return sameItems(references.map(key), params.copy.copied.customerManagedPolicies.map(key))
}

/** The outcome with what was copied named on each target, for the record. */
export function nameCopiedPermissionSet(outcome: GrantOutcome, copy: CuratedCopy | undefined): GrantOutcome {
  if (!copy) return outcome
  return { ...outcome, targets: outcome.targets.map((target) => ({ ...target, copied: copy.copied })) }
}
