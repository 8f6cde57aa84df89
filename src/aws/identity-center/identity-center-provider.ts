import {
  GrantError,
  type CloudProvider,
  type CopiedPermissionSet,
  type GrantInspection,
  type GrantPlan,
  type ManagedPolicy,
  type RevokeTarget,
} from '../../core/ports/cloud-provider.js'
import { parseIdentityCenterPrincipal, type IdentityCenterSettings } from '../../core/files/settings.js'
import { parseManagedPermissionSet } from '../../core/records/permission-set.js'
import type { CreateIdentityStoreClient, CreateSsoAdminClient, CreateStsClient } from '../aws-clients.js'
import { RECONCILE, toGrantError } from '../grant-error.js'
import { createAssumeGranterRole } from '../granter-session.js'
import { createRetryingCall, type RetryOptions } from '../retry.js'
import { describePermissionSetGrant, grantPermissionSet } from './identity-center-grant.js'
import { holdsCuratedCopy, prepareCuratedCopy } from './curated-permission-set.js'
import { listInstanceInventory, namespaceOf } from './identity-center-inventory.js'
import { locatePermissionSet, revokePermissionSets } from './identity-center-revoke.js'
import {
  createOpenIdentityCenterSession,
  DEFAULT_POLLING,
  type IdentityCenterBackend,
  type IdentityCenterSession,
  type PollingOptions,
} from './identity-center-session.js'
import {
  describePermissionSet,
  findPermissionSetByName,
  findUserId,
  getInlinePolicy,
  isAssigned,
  listAssignedPermissionSets,
} from './permission-set-api.js'

export interface IdentityCenterProviderParams {
  readonly settings: IdentityCenterSettings
  /** `owner/repo` of the access repository: its permission sets are named `jit-<hash of it>-pr-<n>`. */
  readonly repository: string
  readonly externalId: string
  readonly createStsClient: CreateStsClient
  readonly createSsoAdminClient: CreateSsoAdminClient
  readonly createIdentityStoreClient: CreateIdentityStoreClient
  readonly sleep: (ms: number) => Promise<void>
  readonly now?: () => Date
  readonly random?: () => number
  readonly retry?: RetryOptions
  readonly polling?: PollingOptions
}

/**
 * The IAM Identity Center implementation of CloudProvider: per request one permission set in the app's
 * namespace, with the approved actions and resources and the window as its inline policy, assigned to the
 * requester's Identity Center user in each target account. Calls go through the Identity Center granter
 * role (one role, in the management or delegated administrator account), under a session named after the request.
 */
export function createIdentityCenterProvider(params: IdentityCenterProviderParams): CloudProvider {
  const random = params.random ?? Math.random
  const call = createRetryingCall({ sleep: params.sleep, random, options: params.retry })
  const callRetryingConflicts = createRetryingCall({
    sleep: params.sleep,
    random,
    // One operation per permission set and account at a time: a conflict is worth a few waits.
    options: { maxAttempts: 6, baseDelayMs: 500, ...params.retry, retryCodes: ['Conflict'] },
  })
  const assumeGranterRole = createAssumeGranterRole({
    granterRole: params.settings.granterRole,
    externalId: params.externalId,
    createStsClient: params.createStsClient,
    call,
  })
  const backend: IdentityCenterBackend = {
    settings: params.settings,
    repository: params.repository,
    call,
    callRetryingConflicts,
    openSession: createOpenIdentityCenterSession({
      settings: params.settings,
      assumeGranterRole,
      createSsoAdminClient: params.createSsoAdminClient,
      createIdentityStoreClient: params.createIdentityStoreClient,
    }),
    sleep: params.sleep,
    now: params.now ?? (() => new Date()),
    polling: params.polling ?? DEFAULT_POLLING,
    knownArns: new Map(),
  }
  return {
    grant: (plan, options) => grantPermissionSet(backend, plan, options),
    revoke: (request) => revokePermissionSets(backend, request),
    describeGrant: (plan) => describePermissionSetGrant(backend, plan),
    inspectGrant: (plan) => inspectPermissionSet(backend, plan),
    listManagedPolicies: (request) => listManagedPermissionSets(backend, request),
    listAllManagedPolicies: (request) => listInstanceInventory(backend, request),
    readManagedPolicy: (target) => readPermissionSetPolicy(backend, target),
  }
}

/**
 * Whether the request's set holds what copying its curated set now would write. A curated set that is
 * gone (or can no longer be copied) makes the copy `different`: it is undone, not taken for the grant.
 */
async function readsAsCopy(
  backend: IdentityCenterBackend,
  session: IdentityCenterSession,
  params: { plan: GrantPlan; arn: string; policy: string | undefined },
): Promise<{ readonly holds: boolean; readonly copied?: CopiedPermissionSet }> {
  let copy
  try {
    copy = await prepareCuratedCopy(backend, session, params.plan)
  } catch (error) {
    if (error instanceof GrantError && error.permanent) return { holds: false }
    throw error
  }
  const holds = await holdsCuratedCopy(backend, session, { arn: params.arn, inlinePolicy: params.policy, copy })
  return holds ? { holds, copied: copy.copied } : { holds }
}

/** Reads a grant back: the set of its name, its inline policy, and whether each user is assigned it in each account. Throws GrantError. */
async function inspectPermissionSet(backend: IdentityCenterBackend, plan: GrantPlan): Promise<GrantInspection> {
  const planned = describePermissionSetGrant(backend, plan)
  const first = plan.targets[0]
  if (!first) return { requestId: plan.requestId, dryRun: false, targets: [] }
  const context = { requestId: plan.requestId, account: first.account, principalArn: first.principalArn }
  const name = planned[0]!.policyName
  try {
    const session = await backend.openSession({ ...context, purpose: 'list' })
    const arn = await findPermissionSetByName(backend, session, name)
    const policy = arn === undefined ? undefined : await getInlinePolicy(backend, session, arn)
    // A curated set's copy is compared with what copying the curated set now would write: policies and inline document.
    const curated =
      arn !== undefined && first.permissionSet !== undefined ? await readsAsCopy(backend, session, { plan, arn, policy }) : undefined
    const targets = []
    for (const target of planned) {
      const userId =
        arn === undefined ? undefined : await findUserId(backend, session, parseIdentityCenterPrincipal(target.principalArn) ?? '')
      const assigned =
        arn !== undefined && userId !== undefined && (await isAssigned(backend, session, { arn, account: target.account, userId }))
      const asPlanned = curated?.holds ?? policy === target.policyDocument
      const found = !assigned ? 'absent' : asPlanned ? 'as-planned' : 'different'
      const where = `permission set ${name} for ${target.principalArn} in ${target.account}`
      const description =
        found === 'absent'
          ? `${where} is not assigned`
          : found === 'as-planned'
            ? `${where} is assigned with the planned policy`
            : `${where} is assigned with another policy`
      targets.push({ ...target, found, description, ...(found === 'as-planned' && curated?.copied && { copied: curated.copied }) } as const)
    }
    return { requestId: plan.requestId, dryRun: false, targets }
  } catch (cause) {
    throw toGrantError(cause, { ...context, doing: `read back permission set ${name}` })
  }
}

/** The permission sets of this repository assigned to the principal's user in the account. Throws GrantError. */
async function listManagedPermissionSets(
  backend: IdentityCenterBackend,
  request: { account: string; principalArn: string },
): Promise<ManagedPolicy[]> {
  const context = { requestId: RECONCILE, ...request }
  try {
    const session = await backend.openSession({ ...context, purpose: 'list' })
    const userId = await findUserId(backend, session, parseIdentityCenterPrincipal(request.principalArn) ?? '')
    if (userId === undefined) return []
    const policies: ManagedPolicy[] = []
    for (const arn of await listAssignedPermissionSets(backend, session, { account: request.account, userId })) {
      const described = await describePermissionSet(backend, session, arn)
      if (!described) continue
      const parsed = parseManagedPermissionSet({ repository: backend.repository, name: described.name, description: described.description })
      // Its name already says it is this repository's (parseManagedPermissionSet): it is in this repository's namespace.
      if (parsed) policies.push({ kind: 'grant', namespace: namespaceOf(backend.repository), policyName: described.name, ...parsed })
    }
    return policies
  } catch (cause) {
    throw toGrantError(cause, { ...context, doing: `list the permission sets assigned to ${request.principalArn} in ${request.account}` })
  }
}

/**
 * The inline policy of the permission set a target names (its recorded ARN, the set an unassigned-set
 * principal names, else the set of that name), so an orphan's record keeps what it allowed; null when
 * the set is gone. Only a set bearing the target's name in this repository's namespace is read. Throws GrantError.
 */
async function readPermissionSetPolicy(backend: IdentityCenterBackend, target: RevokeTarget): Promise<string | null> {
  const context = { requestId: RECONCILE, account: target.account, principalArn: target.principalArn }
  try {
    const session = await backend.openSession({ ...context, purpose: 'list' })
    const found = await locatePermissionSet(backend, session, target.policyName, [target])
    if (!found) return null
    return (await getInlinePolicy(backend, session, found.arn)) ?? null
  } catch (cause) {
    throw toGrantError(cause, { ...context, doing: `read the inline policy of permission set ${target.policyName}` })
  }
}
