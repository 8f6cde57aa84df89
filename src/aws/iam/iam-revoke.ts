import {
  GrantError,
  type RevokeOutcome,
  type RevokeParams,
  type RevokeTarget,
  type RevokeTargetOutcome,
  type SessionCutOutcome,
} from '../../core/ports/cloud-provider.js'
import { toGrantError } from '../grant-error.js'
import { formatGranterRoleArn } from '../granter-session.js'
import { buildSessionCutPolicyDocument, nameSessionCutPolicy, serializePolicyDocument } from '../../core/records/iam-policy-document.js'
import { describePolicyPlacement } from './grant-steps.js'
import { summarizeRevocation } from '../revocation-outcome.js'
import type { IamBackend, IamSession } from './iam-session.js'
import { deleteInlinePolicy } from './inline-policy-api.js'
import { parsePrincipalArn } from '../../core/records/principal-arn.js'

/** Deletes each target's policy and, when asked, cuts earlier sessions once per principal; targets fail on their own. */
export async function revokeInlinePolicies(backend: IamBackend, request: RevokeParams): Promise<RevokeOutcome> {
  const cutDone = new Set<string>()
  const targets: RevokeTargetOutcome[] = []
  for (const target of request.targets) targets.push(await revokeTarget(backend, request, target, cutDone))
  return summarizeRevocation(request, targets)
}

async function revokeTarget(
  backend: IamBackend,
  request: RevokeParams,
  target: RevokeTarget,
  cutDone: Set<string>,
): Promise<RevokeTargetOutcome> {
  const granterRoleArn = formatGranterRoleArn(backend.granterRole, target.account)
  const context = { requestId: request.requestId, account: target.account, principalArn: target.principalArn }
  const base = { account: target.account, principalArn: target.principalArn, policyName: target.policyName, granterRoleArn }
  const principal = parsePrincipalArn(target.principalArn)
  const placement = describePolicyPlacement({ policyName: target.policyName, target, ...(principal ? { principal } : {}) })
  const principalKey = `${target.account} ${target.principalArn}`
  const wantsCut = request.cutSessions && !cutDone.has(principalKey)
  const cutName = nameSessionCutPolicy({ namespace: request.namespace, requestId: request.requestId, revokedAt: request.revokedAt })
  const cutDocument = serializePolicyDocument(buildSessionCutPolicyDocument({ requestId: request.requestId, revokedAt: request.revokedAt }))
  const failedCut = (failure: GrantError): SessionCutOutcome => ({
    policyName: cutName,
    policyDocument: cutDocument,
    status: 'failed',
    failure: failure.toFailure(),
  })
  /** The target failed before its delete: the cut, if wanted, fails with it. */
  const failTarget = (error: GrantError): RevokeTargetOutcome => ({
    ...base,
    status: 'failed',
    description: error.message,
    failure: error.toFailure(),
    ...(wantsCut ? { sessionCut: failedCut(error) } : {}),
  })
  cutDone.add(principalKey)

  if (!principal || principal.account !== target.account) {
    const error = new GrantError({
      message: `request ${request.requestId}: ${target.principalArn} is not an IAM role or user in ${target.account}`,
      code: 'InvalidPlan',
      permanent: true,
      ...context,
    })
    return failTarget(error)
  }
  let session: IamSession
  try {
    session = await backend.openSession({ ...context, principal, purpose: 'revoke' })
  } catch (cause) {
    const error = toGrantError(cause, { ...context, doing: `connect to ${target.account}` })
    return failTarget(error)
  }

  let outcome: RevokeTargetOutcome
  try {
    const deleted = await deleteInlinePolicy(session.policies, backend.call, target.policyName)
    outcome = deleted
      ? { ...base, status: 'revoked', description: `deleted ${placement}, as ${session.sessionName} via ${granterRoleArn}` }
      : { ...base, status: 'already-revoked', description: `${placement} was already gone` }
  } catch (cause) {
    const error = toGrantError(cause, { ...context, doing: `delete ${placement}` })
    outcome = { ...base, status: 'failed', description: error.message, failure: error.toFailure() }
  }
  if (!wantsCut) return outcome
  // Cut even when the delete failed: sessions issued before the revocation must stop either way.
  try {
    await backend.call(() => session.policies.put(cutName, cutDocument))
    return {
      ...outcome,
      description: `${outcome.description}; cut sessions of ${principal.kind} ${principal.name} issued before the revocation with inline policy ${cutName}`,
      sessionCut: { policyName: cutName, policyDocument: cutDocument, status: 'cut' },
    }
  } catch (cause) {
    const error = toGrantError(cause, {
      ...context,
      doing: `put session-cut policy ${cutName} on ${principal.kind} ${principal.name} in ${target.account}`,
    })
    return { ...outcome, description: `${outcome.description}; ${error.message}`, sessionCut: failedCut(error) }
  }
}
