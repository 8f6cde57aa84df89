import { type CloudProvider, GrantError, type ManagedPolicy, type RevokeTarget } from '../../core/ports/cloud-provider.js'
import type { CreateIamClient, CreateStsClient } from '../aws-clients.js'
import { RECONCILE, toGrantError } from '../grant-error.js'
import { createAssumeGranterRole } from '../granter-session.js'
import { classifyAwsError, createRetryingCall, type RetryOptions } from '../retry.js'
import { grantInlinePolicies } from './iam-grant.js'
import { describeGrantPolicies, inspectInlinePolicies } from './iam-inspect.js'
import { listAllInlinePolicies, recogniseManagedPolicies } from './iam-inventory.js'
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
    ...createOpenIamSession({ assumeGranterRole, createIamClient: params.createIamClient }),
  }
  const measureExisting = params.measureExistingPolicies ?? true
  return {
    grant: (plan) => grantInlinePolicies({ ...backend, measureExisting }, plan),
    revoke: (request) => revokeInlinePolicies(backend, request),
    describeGrant: (plan) => describeGrantPolicies(plan, params.granterRole),
    inspectGrant: (plan) => inspectInlinePolicies(backend, plan),
    listManagedPolicies: (request) => listManagedInlinePolicies(backend, request),
    listAllManagedPolicies: (request) => listAllInlinePolicies(backend, request),
    readManagedPolicy: (target) => readInlinePolicy(backend, target),
  }
}

/** The document of one inline policy, URL-decoded as it was put; null when it is not there. Throws GrantError. */
async function readInlinePolicy(backend: IamBackend, target: RevokeTarget): Promise<string | null> {
  const context = { requestId: RECONCILE, account: target.account, principalArn: target.principalArn }
  const principal = openablePrincipal(context)
  const session = await backend.openSession({ ...context, principal, purpose: 'list' })
  try {
    return decodeURIComponent(await backend.call(() => session.policies.get(target.policyName)))
  } catch (cause) {
    if (classifyAwsError(cause).code === 'NoSuchEntity') return null
    throw toGrantError(cause, {
      ...context,
      doing: `read ${target.policyName} on ${principal.kind} ${principal.name} in ${target.account}`,
    })
  }
}

/** The principal of a listing or a read, checked to be an IAM role or user of the account. Throws GrantError. */
function openablePrincipal(context: { requestId: string; account: string; principalArn: string }) {
  const principal = parsePrincipalArn(context.principalArn)
  if (!principal || principal.account !== context.account) {
    throw new GrantError({
      message: `${context.principalArn} is not an IAM role or user in ${context.account}`,
      code: 'InvalidPlan',
      permanent: true,
      ...context,
    })
  }
  return principal
}

/** The inline policies on the principal whose names this app recognises. Throws GrantError. */
async function listManagedInlinePolicies(
  backend: IamBackend,
  request: { account: string; principalArn: string },
): Promise<ManagedPolicy[]> {
  const context = { requestId: RECONCILE, ...request }
  const principal = openablePrincipal(context)
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
  return recogniseManagedPolicies(names)
}
