import { summarizeRevocation } from '../revocation-outcome.js'
import type { RevokeOutcome, RevokeParams, RevokeTarget, RevokeTargetOutcome, SessionCutOutcome } from '../../core/ports/cloud-provider.js'
import { parseIdentityCenterPrincipal } from '../../core/files/settings.js'
import { serializePolicyDocument } from '../../core/records/iam-policy-document.js'
import {
  buildRevokedPermissionSetPolicyDocument,
  parseManagedPermissionSet,
  parseUnassignedPermissionSet,
  permissionSetPrefix,
} from '../../core/records/permission-set.js'
import { classifyAwsError } from '../retry.js'
import { toGrantError } from '../grant-error.js'
import type { IdentityCenterBackend, IdentityCenterSession } from './identity-center-session.js'
import {
  deleteAssignment,
  deletePermissionSet,
  describePermissionSet,
  findPermissionSetByName,
  findUserId,
  provisionPermissionSet,
  putInlinePolicy,
} from './permission-set-api.js'

/**
 * Revokes through Identity Center: for each permission set named, remove its assignment to the user in
 * each target account (missing counts as revoked), then delete the set once nothing is assigned. A
 * revocation before the set's expiry (early, or with `cutSessions`) first narrows the inline policy to
 * deny everything and provisions it again in each account, so sessions already issued stop at once.
 * Targets are independent; `ok` only when every assignment is gone.
 */
export async function revokePermissionSets(backend: IdentityCenterBackend, params: RevokeParams): Promise<RevokeOutcome> {
  const first = params.targets[0]
  if (!first)
    return { requestId: params.requestId, ok: true, dryRun: false, summary: `nothing to revoke for ${params.requestId}`, targets: [] }
  const byName = new Map<string, RevokeTarget[]>()
  for (const target of params.targets) byName.set(target.policyName, [...(byName.get(target.policyName) ?? []), target])

  let session: IdentityCenterSession
  try {
    session = await backend.openSession({
      requestId: params.requestId,
      account: first.account,
      principalArn: first.principalArn,
      purpose: 'revoke',
    })
  } catch (cause) {
    const error = toGrantError(cause, {
      requestId: params.requestId,
      account: first.account,
      principalArn: first.principalArn,
      doing: 'open the Identity Center granter session',
    })
    const targets = params.targets.map((target) => failedTarget(backend, target, error.message, error.toFailure()))
    return summarizeRevocation(params, targets)
  }
  const outcomes: RevokeTargetOutcome[] = []
  for (const [name, targets] of byName) outcomes.push(...(await revokeOne(backend, session, params, name, targets)))
  return summarizeRevocation(params, outcomes)
}

async function revokeOne(
  backend: IdentityCenterBackend,
  session: IdentityCenterSession,
  params: RevokeParams,
  name: string,
  targets: readonly RevokeTarget[],
): Promise<RevokeTargetOutcome[]> {
  const first = targets[0]!
  const context = { requestId: params.requestId, account: first.account, principalArn: first.principalArn }
  if (!parseManagedPermissionSet({ repository: backend.repository, name, description: undefined })) {
    // An edited record, or a name from elsewhere: never search the instance for it, never act on it.
    const message = `request ${params.requestId}: ${name} is not the name of a permission set of ${backend.repository} (${permissionSetPrefix(backend.repository)}pr-<n>): nothing was touched`
    const failure = { code: 'InvalidPlan', message, permanent: true }
    return targets.map((target) => failedTarget(backend, target, message, failure, session))
  }
  let arn: string | undefined
  let expiresAt: Date | undefined
  try {
    const found = await locatePermissionSet(backend, session, name, targets)
    arn = found?.arn
    expiresAt = found?.expiresAt
  } catch (cause) {
    const error = toGrantError(cause, { ...context, doing: `find permission set ${name}` })
    return targets.map((target) => failedTarget(backend, target, error.message, error.toFailure(), session))
  }
  if (arn === undefined) {
    return targets.map((target) => ({
      ...baseOf(target, session),
      status: 'already-revoked',
      description: `permission set ${name} was already gone: ${target.principalArn} holds nothing of it in ${target.account}`,
    }))
  }

  const permissionSetArn = arn
  // A full pass reports a set assigned to no one under its own principal: revoking it deletes the set, nothing else.
  const users = targets.filter((target) => parseUnassignedPermissionSet(target.principalArn) === undefined)
  const unassigned = targets.filter((target) => parseUnassignedPermissionSet(target.principalArn) !== undefined)
  let sessionCut: SessionCutOutcome | undefined
  const early = expiresAt !== undefined && params.revokedAt.getTime() < expiresAt.getTime()
  if (users.length > 0 && (early || params.cutSessions)) {
    const document = serializePolicyDocument(buildRevokedPermissionSetPolicyDocument({ requestId: params.requestId }))
    try {
      await putInlinePolicy(backend, session, permissionSetArn, document)
      for (const target of users) await provisionPermissionSet(backend, session, { arn: permissionSetArn, account: target.account })
      sessionCut = { policyName: name, policyDocument: document, status: 'cut' }
    } catch (cause) {
      const failure = toGrantError(cause, { ...context, doing: `narrow permission set ${name} to deny before removing it` }).toFailure()
      sessionCut = { policyName: name, policyDocument: document, status: 'failed', failure }
    }
  }

  const outcomes: RevokeTargetOutcome[] = []
  for (const target of users) {
    const targetContext = { requestId: params.requestId, account: target.account, principalArn: target.principalArn }
    const where = `permission set ${name} for ${target.principalArn} in ${target.account}`
    try {
      const userName = parseIdentityCenterPrincipal(target.principalArn) ?? ''
      const userId = await findUserId(backend, session, userName)
      const deleted =
        userId === undefined
          ? { deleted: false as const }
          : await deleteAssignment(backend, session, { arn: permissionSetArn, account: target.account, userId })
      outcomes.push({
        ...baseOf(target, session),
        status: deleted.deleted ? 'revoked' : 'already-revoked',
        description: deleted.deleted
          ? `removed the assignment of ${where} (deletion request ${deleted.requestId})`
          : `the assignment of ${where} was already gone`,
        ...(sessionCut ? { sessionCut } : {}),
      })
    } catch (cause) {
      const error = toGrantError(cause, { ...targetContext, doing: `remove the assignment of ${where}` })
      outcomes.push({ ...failedTarget(backend, target, error.message, error.toFailure(), session), ...(sessionCut ? { sessionCut } : {}) })
    }
  }
  if (outcomes.some((outcome) => outcome.status === 'failed')) {
    const message = `permission set ${name} was not deleted: an assignment of it could not be removed`
    return [...outcomes, ...unassigned.map((target) => failedTarget(backend, target, message, undefined, session))]
  }
  let deleted: boolean
  try {
    deleted = await deletePermissionSet(backend, session, permissionSetArn)
  } catch (cause) {
    const error = toGrantError(cause, { ...context, doing: `delete permission set ${name}` })
    const failedUnassigned = unassigned.map((target) => failedTarget(backend, target, error.message, error.toFailure(), session))
    // Still assigned elsewhere (another account of the request, revoked on its own): it goes with the last one.
    // A set revoked as assigned to no one that conflicts was assigned since: a failure, never "revoked".
    if (classifyAwsError(cause).code === 'Conflict') return [...outcomes, ...failedUnassigned]
    const failedUsers = outcomes.map((outcome) => ({
      ...outcome,
      status: 'failed' as const,
      description: `${outcome.description}; ${error.message}`,
      failure: error.toFailure(),
    }))
    return [...failedUsers, ...failedUnassigned]
  }
  for (const target of unassigned) {
    outcomes.push({
      ...baseOf(target, session),
      status: deleted ? 'revoked' : 'already-revoked',
      description: deleted
        ? `deleted permission set ${name} (${permissionSetArn}), which no one was assigned`
        : `permission set ${name} (${permissionSetArn}) was already gone`,
    })
  }
  return outcomes
}

/**
 * The set a revocation (or a read of its policy) acts on: the ARN the target names (recorded, or in an
 * unassigned-set principal), else the one the last full pass listed under that name, else the set of that
 * name in the instance; each only when `DescribePermissionSet` shows it bears the name, in this
 * repository's namespace (an edited record cannot point the revocation at someone else's set).
 */
export async function locatePermissionSet(
  backend: IdentityCenterBackend,
  session: IdentityCenterSession,
  name: string,
  targets: readonly RevokeTarget[],
): Promise<{ arn: string; expiresAt: Date } | undefined> {
  if (!parseManagedPermissionSet({ repository: backend.repository, name, description: undefined })) return undefined
  const check = async (arn: string) => {
    const described = await describePermissionSet(backend, session, arn)
    if (described?.name !== name) return undefined
    const parsed = parseManagedPermissionSet({ repository: backend.repository, name, description: described.description })
    return parsed ? { arn, expiresAt: parsed.expiresAt } : undefined
  }
  const named = targets.flatMap((target) => [target.permissionSetArn, parseUnassignedPermissionSet(target.principalArn)])
  const hints = new Set([...named, backend.knownArns.get(name)].filter((arn): arn is string => arn !== undefined))
  for (const hint of hints) {
    const found = await check(hint)
    if (found) return found
  }
  const arn = await findPermissionSetByName(backend, session, name)
  return arn === undefined || hints.has(arn) ? undefined : await check(arn)
}

function baseOf(target: RevokeTarget, session?: IdentityCenterSession) {
  return {
    account: target.account,
    principalArn: target.principalArn,
    policyName: target.policyName,
    granterRoleArn: session?.granterRoleArn ?? '',
  }
}

function failedTarget(
  backend: IdentityCenterBackend,
  target: RevokeTarget,
  description: string,
  failure: RevokeTargetOutcome['failure'],
  session?: IdentityCenterSession,
): RevokeTargetOutcome {
  return {
    ...baseOf(target, session),
    granterRoleArn: session?.granterRoleArn ?? backend.settings.granterRole,
    status: 'failed',
    description,
    ...(failure ? { failure } : {}),
  }
}
