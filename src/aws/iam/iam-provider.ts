import { type CloudProvider, GrantError, type ManagedPolicy } from '../../core/ports/cloud-provider.js'
import type { CreateIamClient, CreateStsClient } from '../aws-clients.js'
import { RECONCILE, toGrantError } from '../grant-error.js'
import { createAssumeGranterRole } from '../granter-session.js'
import { parseManagedPolicyName } from '../../core/records/iam-policy-document.js'
import { createRetryingCall, type RetryOptions } from '../retry.js'
import { grantInlinePolicies } from './iam-grant.js'
import { describeGrantPolicies, inspectInlinePolicies } from './iam-inspect.js'
import { revokeInlinePolicies } from './iam-revoke.js'
import { createOpenIamSession, type IamBackend } from './iam-session.js'
import { listInlinePolicyNames } from './inline-policy-api.js'
import { parsePrincipalArn } from '../../core/records/principal-arn.js'

export interface IamProviderParams {
  /** ARN template of the role assumed in each target account, `{account}` substituted (`JitSettings.granterRole`). */
  readonly granterRole: string
  /** The ExternalId the granter roles' trust policies require (from the app's environment). */
  readonly externalId: string
  readonly createStsClient: CreateStsClient
  readonly createIamClient: CreateIamClient
  /** Waits between retries; tests pass one that records and returns at once. */
  readonly sleep: (ms: number) => Promise<void>
  /** Jitter source in [0, 1). Default Math.random. */
  readonly random?: () => number
  readonly retry?: RetryOptions
  /**
   * Read the principal's other inline policies (ListRolePolicies + GetRolePolicy) so the aggregate
   * quota is checked before putting anything. Default true; the granter role then needs
   * `iam:List{Role,User}Policies` and `iam:Get{Role,User}Policy`. When false, only the new policy's
   * own size is checked and IAM reports an overflow as LimitExceeded at put time.
   */
  readonly measureExistingPolicies?: boolean
  /** Lifetime of each granter session. Default 900 s, the minimum: every operation is short. */
  readonly sessionDurationSeconds?: number
}

/**
 * The IAM implementation of CloudProvider: for each target account it assumes the granter role
 * (ExternalId, a session name carrying the request id, so CloudTrail ties every IAM change to the
 * request) and writes inline policies on the target role or user.
 */
export function createIamProvider(params: IamProviderParams): CloudProvider {
  const call = createRetryingCall({ sleep: params.sleep, random: params.random ?? Math.random, options: params.retry })
  const assumeGranterRole = createAssumeGranterRole({
    granterRole: params.granterRole,
    externalId: params.externalId,
    createStsClient: params.createStsClient,
    call,
    sessionDurationSeconds: params.sessionDurationSeconds,
  })
  const backend: IamBackend = {
    granterRole: params.granterRole,
    call,
    openSession: createOpenIamSession({ assumeGranterRole, createIamClient: params.createIamClient }),
  }
  const measureExisting = params.measureExistingPolicies ?? true
  return {
    grant: (plan) => grantInlinePolicies({ ...backend, measureExisting }, plan),
    revoke: (request) => revokeInlinePolicies(backend, request),
    describeGrant: (plan) => describeGrantPolicies(plan, params.granterRole),
    inspectGrant: (plan) => inspectInlinePolicies(backend, plan),
    listManagedPolicies: (request) => listManagedInlinePolicies(backend, request),
    // Implemented by the full reconcile pass (issue 11, item 4), which nothing calls yet.
    listAllManagedPolicies: () => Promise.reject(new Error('listAllManagedPolicies: not yet implemented for this backend')),
    readManagedPolicy: () => Promise.reject(new Error('readManagedPolicy: not yet implemented for this backend')),
  }
}

/** The inline policies on the principal whose names this app recognises. Throws GrantError. */
async function listManagedInlinePolicies(
  backend: IamBackend,
  request: { account: string; principalArn: string },
): Promise<ManagedPolicy[]> {
  const context = { requestId: RECONCILE, ...request }
  const principal = parsePrincipalArn(request.principalArn)
  if (!principal || principal.account !== request.account) {
    throw new GrantError({
      message: `${request.principalArn} is not an IAM role or user in ${request.account}`,
      code: 'InvalidPlan',
      permanent: true,
      ...context,
    })
  }
  const session = await backend.openSession({ ...context, principal, purpose: 'list' })
  let names: string[]
  try {
    names = await listInlinePolicyNames(session.policies, backend.call)
  } catch (cause) {
    throw toGrantError(cause, {
      ...context,
      doing: `list the inline policies of ${principal.kind} ${principal.name} in ${request.account}`,
    })
  }
  return names.flatMap((policyName): ManagedPolicy[] => {
    const parsed = parseManagedPolicyName(policyName)
    return parsed ? [{ ...parsed, policyName }] : []
  })
}
