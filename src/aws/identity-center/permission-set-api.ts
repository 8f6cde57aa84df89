import { DescribeUserCommand, GetUserIdCommand } from '@aws-sdk/client-identitystore'
import {
  AttachCustomerManagedPolicyReferenceToPermissionSetCommand,
  AttachManagedPolicyToPermissionSetCommand,
  CreateAccountAssignmentCommand,
  CreatePermissionSetCommand,
  DeleteAccountAssignmentCommand,
  DeletePermissionSetCommand,
  DescribeAccountAssignmentCreationStatusCommand,
  DescribeAccountAssignmentDeletionStatusCommand,
  DescribePermissionSetCommand,
  DescribePermissionSetProvisioningStatusCommand,
  GetInlinePolicyForPermissionSetCommand,
  GetPermissionsBoundaryForPermissionSetCommand,
  ListAccountAssignmentsCommand,
  ListAccountAssignmentsForPrincipalCommand,
  ListAccountsForProvisionedPermissionSetCommand,
  ListCustomerManagedPolicyReferencesInPermissionSetCommand,
  ListManagedPoliciesInPermissionSetCommand,
  ListPermissionSetsCommand,
  ProvisionPermissionSetCommand,
  PutInlinePolicyToPermissionSetCommand,
  PutPermissionsBoundaryToPermissionSetCommand,
} from '@aws-sdk/client-sso-admin'
import type { CopiedPermissionsBoundary } from '../../core/ports/cloud-provider.js'
import { classifyAwsError } from '../retry.js'
import type { IdentityCenterBackend, IdentityCenterSession } from './identity-center-session.js'

/**
 * The SSO Admin and Identity Store calls of the Identity Center backend, one small function each. They
 * throw the SDK's errors (the caller says what it was doing); the asynchronous ones wait for their
 * request to end, within the backend's polling bound.
 */

/** An asynchronous request that ended, or did not end within the bound. */
export type RequestEnd =
  | { readonly status: 'SUCCEEDED'; readonly requestId: string }
  | { readonly status: 'FAILED'; readonly requestId: string; readonly reason: string }
  | { readonly status: 'TIMED_OUT'; readonly requestId: string; readonly polls: number }

/** An error naming an asynchronous request that failed or never ended; permanent when it failed, transient when it timed out. */
export class AsyncRequestError extends Error {
  override readonly name = 'AsyncRequestError'
  readonly code: string
  readonly $fault: 'client' | 'server'
  constructor(end: Exclude<RequestEnd, { status: 'SUCCEEDED' }>, what: string) {
    super(
      end.status === 'FAILED'
        ? `${what} (request ${end.requestId}) failed: ${end.reason}`
        : `${what} (request ${end.requestId}) was still in progress after ${end.polls} status reads`,
    )
    this.code = end.status === 'FAILED' ? 'AsyncRequestFailed' : 'AsyncRequestTimedOut'
    this.$fault = end.status === 'FAILED' ? 'client' : 'server'
  }
}

/** The Identity Store user id of a user name; undefined when there is no such user. */
export async function findUserId(
  backend: IdentityCenterBackend,
  session: IdentityCenterSession,
  userName: string,
): Promise<string | undefined> {
  try {
    const output = await backend.call(() =>
      session.identityStore.send(
        new GetUserIdCommand({
          IdentityStoreId: backend.settings.identityStoreId,
          AlternateIdentifier: { UniqueAttribute: { AttributePath: 'userName', AttributeValue: userName } },
        }),
      ),
    )
    return output.UserId
  } catch (error) {
    if (isNotFound(error)) return undefined
    throw error
  }
}

/** The user name of an Identity Store user id; undefined when there is no such user. */
export async function findUserName(
  backend: IdentityCenterBackend,
  session: IdentityCenterSession,
  userId: string,
): Promise<string | undefined> {
  try {
    const output = await backend.call(() =>
      session.identityStore.send(new DescribeUserCommand({ IdentityStoreId: backend.settings.identityStoreId, UserId: userId })),
    )
    return output.UserName
  } catch (error) {
    if (isNotFound(error)) return undefined
    throw error
  }
}

/** Creates the permission set; undefined when one of that name exists already (a re-run). */
export async function createPermissionSet(
  backend: IdentityCenterBackend,
  session: IdentityCenterSession,
  params: { name: string; description: string; sessionDuration: string },
): Promise<string | undefined> {
  try {
    const output = await backend.call(() =>
      session.ssoAdmin.send(
        new CreatePermissionSetCommand({
          InstanceArn: backend.settings.instanceArn,
          Name: params.name,
          Description: params.description,
          SessionDuration: params.sessionDuration,
        }),
      ),
    )
    return output.PermissionSet?.PermissionSetArn
  } catch (error) {
    if (classifyAwsError(error).code === 'Conflict') return undefined
    throw error
  }
}

/** Name and description of a permission set; undefined when it is gone. */
export async function describePermissionSet(
  backend: IdentityCenterBackend,
  session: IdentityCenterSession,
  arn: string,
): Promise<{ readonly name: string; readonly description: string | undefined } | undefined> {
  try {
    const output = await backend.call(() =>
      session.ssoAdmin.send(new DescribePermissionSetCommand({ InstanceArn: backend.settings.instanceArn, PermissionSetArn: arn })),
    )
    return { name: output.PermissionSet?.Name ?? '', description: output.PermissionSet?.Description }
  } catch (error) {
    if (isNotFound(error)) return undefined
    throw error
  }
}

/**
 * Finds a permission set by name among the instance's (`ListPermissionSets`, then `DescribePermissionSet`
 * of each whose name could match): the slow path, for a grant whose ARN no record holds (an intent, a lost answer).
 */
export async function findPermissionSetByName(
  backend: IdentityCenterBackend,
  session: IdentityCenterSession,
  name: string,
): Promise<string | undefined> {
  for (const arn of await listPermissionSets(backend, session)) {
    if ((await describePermissionSet(backend, session, arn))?.name === name) return arn
  }
  return undefined
}

/** Every permission set of the instance (at most 2,000 by AWS's quota), 100 to a page. */
export async function listPermissionSets(backend: IdentityCenterBackend, session: IdentityCenterSession): Promise<string[]> {
  return await readAllPages(async (NextToken) => {
    const output = await backend.call(() =>
      session.ssoAdmin.send(new ListPermissionSetsCommand({ InstanceArn: backend.settings.instanceArn, NextToken, MaxResults: 100 })),
    )
    return { items: output.PermissionSets ?? [], nextToken: output.NextToken }
  })
}

export async function putInlinePolicy(
  backend: IdentityCenterBackend,
  session: IdentityCenterSession,
  arn: string,
  policy: string,
): Promise<void> {
  await backend.callRetryingConflicts(() =>
    session.ssoAdmin.send(
      new PutInlinePolicyToPermissionSetCommand({ InstanceArn: backend.settings.instanceArn, PermissionSetArn: arn, InlinePolicy: policy }),
    ),
  )
}

export async function getInlinePolicy(
  backend: IdentityCenterBackend,
  session: IdentityCenterSession,
  arn: string,
): Promise<string | undefined> {
  try {
    const output = await backend.call(() =>
      session.ssoAdmin.send(
        new GetInlinePolicyForPermissionSetCommand({ InstanceArn: backend.settings.instanceArn, PermissionSetArn: arn }),
      ),
    )
    return output.InlinePolicy ?? ''
  } catch (error) {
    if (isNotFound(error)) return undefined
    throw error
  }
}

/** The ARNs of the AWS-managed policies attached to a permission set. */
export async function listManagedPolicies(backend: IdentityCenterBackend, session: IdentityCenterSession, arn: string): Promise<string[]> {
  const arns: string[] = []
  let nextToken: string | undefined
  do {
    const output = await backend.call(() =>
      session.ssoAdmin.send(
        new ListManagedPoliciesInPermissionSetCommand({
          InstanceArn: backend.settings.instanceArn,
          PermissionSetArn: arn,
          NextToken: nextToken,
        }),
      ),
    )
    for (const policy of output.AttachedManagedPolicies ?? []) if (policy.Arn) arns.push(policy.Arn)
    nextToken = output.NextToken
  } while (nextToken)
  return arns
}

/** The customer-managed policy references of a permission set (name and path; `/` when AWS gives none). */
export async function listCustomerManagedPolicyReferences(
  backend: IdentityCenterBackend,
  session: IdentityCenterSession,
  arn: string,
): Promise<{ name: string; path: string }[]> {
  const references: { name: string; path: string }[] = []
  let nextToken: string | undefined
  do {
    const output = await backend.call(() =>
      session.ssoAdmin.send(
        new ListCustomerManagedPolicyReferencesInPermissionSetCommand({
          InstanceArn: backend.settings.instanceArn,
          PermissionSetArn: arn,
          NextToken: nextToken,
        }),
      ),
    )
    for (const reference of output.CustomerManagedPolicyReferences ?? [])
      if (reference.Name) references.push({ name: reference.Name, path: reference.Path ?? '/' })
    nextToken = output.NextToken
  } while (nextToken)
  return references
}

export async function attachManagedPolicy(
  backend: IdentityCenterBackend,
  session: IdentityCenterSession,
  params: { arn: string; policyArn: string },
): Promise<void> {
  await backend.callRetryingConflicts(() =>
    session.ssoAdmin.send(
      new AttachManagedPolicyToPermissionSetCommand({
        InstanceArn: backend.settings.instanceArn,
        PermissionSetArn: params.arn,
        ManagedPolicyArn: params.policyArn,
      }),
    ),
  )
}

export async function attachCustomerManagedPolicyReference(
  backend: IdentityCenterBackend,
  session: IdentityCenterSession,
  params: { arn: string; reference: { name: string; path: string } },
): Promise<void> {
  await backend.callRetryingConflicts(() =>
    session.ssoAdmin.send(
      new AttachCustomerManagedPolicyReferenceToPermissionSetCommand({
        InstanceArn: backend.settings.instanceArn,
        PermissionSetArn: params.arn,
        CustomerManagedPolicyReference: { Name: params.reference.name, Path: params.reference.path },
      }),
    ),
  )
}

/** A permission set's permissions boundary; undefined when it has none (Identity Center answers ResourceNotFound). */
export async function getPermissionsBoundary(
  backend: IdentityCenterBackend,
  session: IdentityCenterSession,
  arn: string,
): Promise<CopiedPermissionsBoundary | undefined> {
  try {
    const output = await backend.call(() =>
      session.ssoAdmin.send(
        new GetPermissionsBoundaryForPermissionSetCommand({ InstanceArn: backend.settings.instanceArn, PermissionSetArn: arn }),
      ),
    )
    const boundary = output.PermissionsBoundary
    if (boundary?.ManagedPolicyArn) return { managedPolicyArn: boundary.ManagedPolicyArn }
    const reference = boundary?.CustomerManagedPolicyReference
    if (reference?.Name) return { customerManagedPolicy: { name: reference.Name, path: reference.Path ?? '/' } }
    return undefined
  } catch (error) {
    if (isNotFound(error)) return undefined
    throw error
  }
}

export async function putPermissionsBoundary(
  backend: IdentityCenterBackend,
  session: IdentityCenterSession,
  params: { arn: string; boundary: CopiedPermissionsBoundary },
): Promise<void> {
  const { boundary } = params
  await backend.callRetryingConflicts(() =>
    session.ssoAdmin.send(
      new PutPermissionsBoundaryToPermissionSetCommand({
        InstanceArn: backend.settings.instanceArn,
        PermissionSetArn: params.arn,
        PermissionsBoundary:
          'managedPolicyArn' in boundary
            ? { ManagedPolicyArn: boundary.managedPolicyArn }
            : { CustomerManagedPolicyReference: { Name: boundary.customerManagedPolicy.name, Path: boundary.customerManagedPolicy.path } },
      }),
    ),
  )
}

/** Re-provisions a permission set in an account, so what the account evaluates is its current policy. */
export async function provisionPermissionSet(
  backend: IdentityCenterBackend,
  session: IdentityCenterSession,
  params: { arn: string; account: string },
): Promise<string> {
  const { instanceArn } = backend.settings
  const started = await backend.callRetryingConflicts(() =>
    session.ssoAdmin.send(
      new ProvisionPermissionSetCommand({
        InstanceArn: instanceArn,
        PermissionSetArn: params.arn,
        TargetType: 'AWS_ACCOUNT',
        TargetId: params.account,
      }),
    ),
  )
  return await waitFor(
    backend,
    `provisioning ${params.arn} in ${params.account}`,
    started.PermissionSetProvisioningStatus,
    async (requestId) => {
      const output = await backend.call(() =>
        session.ssoAdmin.send(
          new DescribePermissionSetProvisioningStatusCommand({ InstanceArn: instanceArn, ProvisionPermissionSetRequestId: requestId }),
        ),
      )
      return output.PermissionSetProvisioningStatus
    },
  )
}

/** Assigns the permission set to the user in the account and waits for it; returns the request id. */
export async function createAssignment(
  backend: IdentityCenterBackend,
  session: IdentityCenterSession,
  params: { arn: string; account: string; userId: string },
): Promise<string> {
  const { instanceArn } = backend.settings
  const started = await backend.callRetryingConflicts(() =>
    session.ssoAdmin.send(new CreateAccountAssignmentCommand(assignmentOf(instanceArn, params))),
  )
  return await waitFor(
    backend,
    `assigning ${params.arn} in ${params.account}`,
    started.AccountAssignmentCreationStatus,
    async (requestId) => {
      const output = await backend.call(() =>
        session.ssoAdmin.send(
          new DescribeAccountAssignmentCreationStatusCommand({ InstanceArn: instanceArn, AccountAssignmentCreationRequestId: requestId }),
        ),
      )
      return output.AccountAssignmentCreationStatus
    },
  )
}

/** Removes the user's assignment in the account and waits for it; `absent` when there was none. */
export async function deleteAssignment(
  backend: IdentityCenterBackend,
  session: IdentityCenterSession,
  params: { arn: string; account: string; userId: string },
): Promise<{ readonly deleted: true; readonly requestId: string } | { readonly deleted: false }> {
  const { instanceArn } = backend.settings
  let started
  try {
    started = await backend.callRetryingConflicts(() =>
      session.ssoAdmin.send(new DeleteAccountAssignmentCommand(assignmentOf(instanceArn, params))),
    )
  } catch (error) {
    if (isNotFound(error)) return { deleted: false }
    throw error
  }
  const requestId = await waitFor(
    backend,
    `removing the assignment of ${params.arn} in ${params.account}`,
    started.AccountAssignmentDeletionStatus,
    async (id) => {
      const output = await backend.call(() =>
        session.ssoAdmin.send(
          new DescribeAccountAssignmentDeletionStatusCommand({ InstanceArn: instanceArn, AccountAssignmentDeletionRequestId: id }),
        ),
      )
      return output.AccountAssignmentDeletionStatus
    },
  )
  return { deleted: true, requestId }
}

/** Whether the user is assigned the permission set in the account. */
export async function isAssigned(
  backend: IdentityCenterBackend,
  session: IdentityCenterSession,
  params: { arn: string; account: string; userId: string },
): Promise<boolean> {
  const assigned = await listAssignments(backend, session, params)
  return assigned.some((principal) => principal.type === 'USER' && principal.id === params.userId)
}

/** The accounts a permission set is provisioned to (where its role exists), 100 to a page. */
export async function listProvisionedAccounts(
  backend: IdentityCenterBackend,
  session: IdentityCenterSession,
  arn: string,
): Promise<string[]> {
  return await readAllPages(async (NextToken) => {
    const input = { InstanceArn: backend.settings.instanceArn, PermissionSetArn: arn, NextToken, MaxResults: 100 }
    const output = await backend.call(() => session.ssoAdmin.send(new ListAccountsForProvisionedPermissionSetCommand(input)))
    return { items: output.AccountIds ?? [], nextToken: output.NextToken }
  })
}

/** One principal assigned a permission set in an account. */
export interface AssignedPrincipal {
  readonly type: 'USER' | 'GROUP'
  readonly id: string
}

/** Everyone assigned the permission set in the account, 100 to a page. */
export async function listAssignments(
  backend: IdentityCenterBackend,
  session: IdentityCenterSession,
  params: { arn: string; account: string },
): Promise<AssignedPrincipal[]> {
  return await readAllPages(async (NextToken) => {
    const input = {
      InstanceArn: backend.settings.instanceArn,
      AccountId: params.account,
      PermissionSetArn: params.arn,
      NextToken,
      MaxResults: 100,
    }
    const output = await backend.call(() => session.ssoAdmin.send(new ListAccountAssignmentsCommand(input)))
    const items: AssignedPrincipal[] = []
    for (const { PrincipalId: id, PrincipalType: type } of output.AccountAssignments ?? []) {
      if (id && (type === 'USER' || type === 'GROUP')) items.push({ type, id })
    }
    return { items, nextToken: output.NextToken }
  })
}

/** The permission sets assigned to the user in the account. */
export async function listAssignedPermissionSets(
  backend: IdentityCenterBackend,
  session: IdentityCenterSession,
  params: { account: string; userId: string },
): Promise<string[]> {
  return await readAllPages(async (NextToken) => {
    const input = {
      InstanceArn: backend.settings.instanceArn,
      PrincipalId: params.userId,
      PrincipalType: 'USER',
      Filter: { AccountId: params.account },
      NextToken,
    } as const
    const output = await backend.call(() => session.ssoAdmin.send(new ListAccountAssignmentsForPrincipalCommand(input)))
    return {
      items: (output.AccountAssignments ?? []).flatMap((assignment) => assignment.PermissionSetArn ?? []),
      nextToken: output.NextToken,
    }
  })
}

/** Deletes the permission set; false when it was gone already. */
export async function deletePermissionSet(backend: IdentityCenterBackend, session: IdentityCenterSession, arn: string): Promise<boolean> {
  try {
    await backend.callRetryingConflicts(() =>
      session.ssoAdmin.send(new DeletePermissionSetCommand({ InstanceArn: backend.settings.instanceArn, PermissionSetArn: arn })),
    )
    return true
  } catch (error) {
    if (isNotFound(error)) return false
    throw error
  }
}

/** Every item of a paged listing: `readPage` reads the page a token names (the first for undefined). */
async function readAllPages<T>(
  readPage: (nextToken: string | undefined) => Promise<{ readonly items: readonly T[]; readonly nextToken: string | undefined }>,
): Promise<T[]> {
  const items: T[] = []
  let nextToken: string | undefined
  do {
    const page = await readPage(nextToken)
    items.push(...page.items)
    nextToken = page.nextToken
  } while (nextToken)
  return items
}

function assignmentOf(instanceArn: string, params: { arn: string; account: string; userId: string }) {
  return {
    InstanceArn: instanceArn,
    PermissionSetArn: params.arn,
    TargetType: 'AWS_ACCOUNT',
    TargetId: params.account,
    PrincipalType: 'USER',
    PrincipalId: params.userId,
  } as const
}

interface RequestStatus {
  readonly Status?: string | undefined
  readonly RequestId?: string | undefined
  readonly FailureReason?: string | undefined
}

/**
 * Reads an asynchronous request's status until it ends, at most `maxPolls` times with a doubling wait;
 * throws AsyncRequestError when it failed (permanent) or did not end in time (transient: it may still
 * succeed, which a later read-back or sweep finds). Returns the request id.
 */
async function waitFor(
  backend: IdentityCenterBackend,
  what: string,
  first: RequestStatus | undefined,
  read: (requestId: string) => Promise<RequestStatus | undefined>,
): Promise<string> {
  const requestId = first?.RequestId ?? ''
  let status = first
  let delay = backend.polling.firstDelayMs
  for (let polls = 0; ; polls++) {
    if (status?.Status === 'SUCCEEDED') return requestId
    if (status?.Status === 'FAILED')
      throw new AsyncRequestError({ status: 'FAILED', requestId, reason: status.FailureReason ?? 'no reason given' }, what)
    if (polls >= backend.polling.maxPolls) throw new AsyncRequestError({ status: 'TIMED_OUT', requestId, polls }, what)
    await backend.whileWaiting?.()
    await backend.sleep(delay)
    delay = Math.min(backend.polling.maxDelayMs, delay * 2)
    status = await read(requestId)
  }
}

function isNotFound(error: unknown): boolean {
  return classifyAwsError(error).code === 'ResourceNotFound'
}
