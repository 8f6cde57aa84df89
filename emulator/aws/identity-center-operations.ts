import { randomUUID } from 'node:crypto'
import {
  snapshotPermissionSet,
  type AsyncKind,
  type AsyncRequestRecord,
  type IdentityCenterState,
  type PermissionSetRecord,
} from './identity-center-state.js'
import { JsonServiceError } from './json-service-error.js'
import { AwsQueryError } from './aws-query-error.js'
import { parsePolicyDocument } from './policy-document.js'

/** What a JSON operation is given: the Identity Center state, the request body and the time. */
export interface JsonOperationContext {
  readonly state: IdentityCenterState
  readonly input: Readonly<Record<string, unknown>>
  readonly now: Date
  /** The region the request was signed for: an instance is listed only in its own. */
  readonly region: string
}

export type JsonOperation = (context: JsonOperationContext) => Record<string, unknown>

const MAX_INLINE_POLICY = 32_768
/** AWS-managed policies, and customer-managed references, one permission set may hold (default quota). */
const MAX_MANAGED_POLICIES = 10
const PAGE_SIZE = 100

/** SSO Admin (`SWBExternalService.<Op>`): the operations the app calls, as AWS documents their shapes and errors. */
export const ssoAdminOperations: Readonly<Record<string, JsonOperation>> = {
  // Identity Center lives in one region: ListInstances elsewhere lists nothing.
  ListInstances: ({ state, region }) => ({
    Instances:
      state.instance && state.instance.region === region
        ? [{ InstanceArn: state.instance.instanceArn, IdentityStoreId: state.instance.identityStoreId, Status: 'ACTIVE' }]
        : [],
  }),
  CreatePermissionSet: ({ state, input, now }) => {
    checkInstance(state, input)
    const name = requireString(input, 'Name')
    if (!/^[\w+=,.@-]{1,32}$/.test(name))
      throw validation(
        `Value '${name}' at 'name' failed to satisfy constraint: Member must have length less than or equal to 32 and match [\\w+=,.@-]+`,
      )
    if (state.findPermissionSetByName(name))
      throw new JsonServiceError('ConflictException', `PermissionSet with name ${name} already exists.`)
    if (state.permissionSets.size >= state.maxPermissionSets) {
      throw new JsonServiceError(
        'ServiceQuotaExceededException',
        `The number of permission sets in the instance is at its quota of ${state.maxPermissionSets}.`,
      )
    }
    const sessionDuration = optionalString(input, 'SessionDuration') ?? 'PT1H'
    checkSessionDuration(sessionDuration)
    const record = state.addPermissionSet({ name, description: optionalString(input, 'Description'), sessionDuration, now })
    return { PermissionSet: renderPermissionSet(record) }
  },
  DescribePermissionSet: ({ state, input }) => ({ PermissionSet: renderPermissionSet(findPermissionSet(state, input)) }),
  UpdatePermissionSet: ({ state, input }) => {
    const record = findPermissionSet(state, input)
    const sessionDuration = optionalString(input, 'SessionDuration')
    if (sessionDuration !== undefined) {
      checkSessionDuration(sessionDuration)
      record.sessionDuration = sessionDuration
    }
    const description = optionalString(input, 'Description')
    if (description !== undefined) record.description = description
    return {}
  },
  DeletePermissionSet: ({ state, input }) => {
    const record = findPermissionSet(state, input)
    if (state.assignments.some((assignment) => assignment.permissionSetArn === record.arn)) {
      throw new JsonServiceError(
        'ConflictException',
        `PermissionSet ${record.arn} is assigned to accounts; delete its account assignments first.`,
      )
    }
    state.permissionSets.delete(record.arn)
    return {}
  },
  ListPermissionSets: ({ state, input }) => {
    checkInstance(state, input)
    return paginate([...state.permissionSets.keys()], input, 'PermissionSets')
  },
  PutInlinePolicyToPermissionSet: ({ state, input }) => {
    const record = findPermissionSet(state, input)
    const policy = requireString(input, 'InlinePolicy')
    if (policy.replace(/\s/g, '').length > MAX_INLINE_POLICY) throw validation(`The inline policy exceeds ${MAX_INLINE_POLICY} characters.`)
    try {
      parsePolicyDocument(policy, 'identity')
    } catch (error) {
      if (error instanceof AwsQueryError) throw validation(`The inline policy is not valid: ${error.message}`)
      throw error
    }
    record.inlinePolicy = policy
    return {}
  },
  GetInlinePolicyForPermissionSet: ({ state, input }) => ({ InlinePolicy: findPermissionSet(state, input).inlinePolicy }),
  DeleteInlinePolicyFromPermissionSet: ({ state, input }) => {
    findPermissionSet(state, input).inlinePolicy = ''
    return {}
  },
  AttachManagedPolicyToPermissionSet: ({ state, input }) => {
    const record = findPermissionSet(state, input)
    const arn = requireString(input, 'ManagedPolicyArn')
    if (!/^arn:aws(?:-[a-z]+)*:iam::aws:policy\/\S+$/.test(arn))
      throw validation(`The ManagedPolicyArn ${arn} is not the ARN of an AWS managed policy.`)
    // Attaching one already attached changes nothing.
    if (record.managedPolicies.some((policy) => policy.arn === arn)) return {}
    if (record.managedPolicies.length >= MAX_MANAGED_POLICIES)
      throw new JsonServiceError(
        'ServiceQuotaExceededException',
        `The permission set ${record.arn} already has ${MAX_MANAGED_POLICIES} managed policies attached.`,
      )
    record.managedPolicies.push({ arn, name: arn.split('/').pop() ?? arn })
    return {}
  },
  ListManagedPoliciesInPermissionSet: ({ state, input }) => ({
    AttachedManagedPolicies: findPermissionSet(state, input).managedPolicies.map((policy) => ({ Name: policy.name, Arn: policy.arn })),
  }),
  AttachCustomerManagedPolicyReferenceToPermissionSet: ({ state, input }) => {
    const record = findPermissionSet(state, input)
    const reference = input['CustomerManagedPolicyReference'] as { Name?: unknown; Path?: unknown } | undefined
    if (typeof reference?.Name !== 'string')
      throw validation("Value null at 'customerManagedPolicyReference.name' failed to satisfy constraint: Member must not be null")
    const path = typeof reference.Path === 'string' ? reference.Path : '/'
    if (record.customerManagedPolicies.some((policy) => policy.name === reference.Name && policy.path === path)) return {}
    if (record.customerManagedPolicies.length >= MAX_MANAGED_POLICIES)
      throw new JsonServiceError(
        'ServiceQuotaExceededException',
        `The permission set ${record.arn} already has ${MAX_MANAGED_POLICIES} customer managed policies attached.`,
      )
    record.customerManagedPolicies.push({ name: reference.Name, path })
    return {}
  },
  ListCustomerManagedPolicyReferencesInPermissionSet: ({ state, input }) => ({
    CustomerManagedPolicyReferences: findPermissionSet(state, input).customerManagedPolicies.map((policy) => ({
      Name: policy.name,
      Path: policy.path,
    })),
  }),
  PutPermissionsBoundaryToPermissionSet: ({ state, input }) => {
    const record = findPermissionSet(state, input)
    const boundary = input['PermissionsBoundary'] as
      { ManagedPolicyArn?: unknown; CustomerManagedPolicyReference?: { Name?: unknown; Path?: unknown } } | undefined
    if (typeof boundary?.ManagedPolicyArn === 'string') record.permissionsBoundary = { managedPolicyArn: boundary.ManagedPolicyArn }
    else if (typeof boundary?.CustomerManagedPolicyReference?.Name === 'string')
      record.permissionsBoundary = {
        customerManagedPolicy: {
          name: boundary.CustomerManagedPolicyReference.Name,
          path: typeof boundary.CustomerManagedPolicyReference.Path === 'string' ? boundary.CustomerManagedPolicyReference.Path : '/',
        },
      }
    else throw validation('The permissions boundary must name a ManagedPolicyArn or a CustomerManagedPolicyReference.')
    return {}
  },
  GetPermissionsBoundaryForPermissionSet: ({ state, input }) => {
    const boundary = findPermissionSet(state, input).permissionsBoundary
    if (boundary === undefined) throw new JsonServiceError('ResourceNotFoundException', 'The permissions boundary does not exist.')
    return {
      PermissionsBoundary:
        'managedPolicyArn' in boundary
          ? { ManagedPolicyArn: boundary.managedPolicyArn }
          : { CustomerManagedPolicyReference: { Name: boundary.customerManagedPolicy.name, Path: boundary.customerManagedPolicy.path } },
    }
  },
  ProvisionPermissionSet: ({ state, input, now }) => {
    const record = findPermissionSet(state, input)
    if (input['TargetType'] !== 'AWS_ACCOUNT') throw validation('Only TargetType AWS_ACCOUNT is emulated.')
    const accountId = requireAccount(input, 'TargetId')
    const request = startRequest(state, { kind: 'provision', accountId, permissionSetArn: record.arn, now })
    if (request.failureReason === undefined) record.provisioned.set(accountId, snapshotPermissionSet(record))
    return { PermissionSetProvisioningStatus: renderProvisioning(request) }
  },
  DescribePermissionSetProvisioningStatus: ({ state, input }) => ({
    PermissionSetProvisioningStatus: renderProvisioning(readRequest(state, input, 'ProvisionPermissionSetRequestId', 'provision')),
  }),
  CreateAccountAssignment: ({ state, input, now }) => {
    const target = readAssignment(state, input)
    const request = startRequest(state, { kind: 'assignment-creation', ...target, now })
    if (request.failureReason === undefined) {
      const record = state.permissionSets.get(target.permissionSetArn)!
      // Assigning provisions the permission set to the account when it is not yet there, as AWS does.
      if (!record.provisioned.has(target.accountId)) {
        record.provisioned.set(target.accountId, snapshotPermissionSet(record))
      }
      if (!state.assignments.some((assignment) => sameAssignment(assignment, target))) state.assignments.push(target)
    }
    return { AccountAssignmentCreationStatus: renderAssignmentStatus(request) }
  },
  DescribeAccountAssignmentCreationStatus: ({ state, input }) => ({
    AccountAssignmentCreationStatus: renderAssignmentStatus(
      readRequest(state, input, 'AccountAssignmentCreationRequestId', 'assignment-creation'),
    ),
  }),
  DeleteAccountAssignment: ({ state, input, now }) => {
    const target = readAssignment(state, input)
    const index = state.assignments.findIndex((assignment) => sameAssignment(assignment, target))
    if (index < 0) throw new JsonServiceError('ResourceNotFoundException', 'The account assignment does not exist.')
    const request = startRequest(state, { kind: 'assignment-deletion', ...target, now })
    if (request.failureReason === undefined) {
      state.assignments.splice(index, 1)
      // The last assignment of a set in an account takes its role out of the account.
      if (
        !state.assignments.some(
          (assignment) => assignment.permissionSetArn === target.permissionSetArn && assignment.accountId === target.accountId,
        )
      ) {
        state.permissionSets.get(target.permissionSetArn)?.provisioned.delete(target.accountId)
      }
    }
    return { AccountAssignmentDeletionStatus: renderAssignmentStatus(request) }
  },
  DescribeAccountAssignmentDeletionStatus: ({ state, input }) => ({
    AccountAssignmentDeletionStatus: renderAssignmentStatus(
      readRequest(state, input, 'AccountAssignmentDeletionRequestId', 'assignment-deletion'),
    ),
  }),
  ListAccountAssignments: ({ state, input }) => {
    checkInstance(state, input)
    const accountId = requireAccount(input, 'AccountId')
    const permissionSetArn = requireString(input, 'PermissionSetArn')
    const found = state.assignments.filter(
      (assignment) => assignment.accountId === accountId && assignment.permissionSetArn === permissionSetArn,
    )
    return paginate(found.map(renderAssignment), input, 'AccountAssignments')
  },
  ListAccountAssignmentsForPrincipal: ({ state, input }) => {
    checkInstance(state, input)
    const principalId = requireString(input, 'PrincipalId')
    const filter = input['Filter'] as { AccountId?: unknown } | undefined
    const found = state.assignments.filter(
      (assignment) =>
        assignment.principalId === principalId && (filter?.AccountId === undefined || assignment.accountId === filter.AccountId),
    )
    return paginate(found.map(renderAssignment), input, 'AccountAssignments')
  },
  ListPermissionSetsProvisionedToAccount: ({ state, input }) => {
    checkInstance(state, input)
    const accountId = requireAccount(input, 'AccountId')
    const arns = [...state.permissionSets.values()].filter((record) => provisionedAccounts(state, record).includes(accountId))
    return paginate(
      arns.map((record) => record.arn),
      input,
      'PermissionSets',
    )
  },
  ListAccountsForProvisionedPermissionSet: ({ state, input }) =>
    paginate(provisionedAccounts(state, findPermissionSet(state, input)), input, 'AccountIds'),
}

/** Identity Store (`AWSIdentityStore.<Op>`): looking users up by user name. */
export const identityStoreOperations: Readonly<Record<string, JsonOperation>> = {
  GetUserId: ({ state, input }) => {
    const storeId = checkIdentityStore(state, input)
    const unique = (input['AlternateIdentifier'] as { UniqueAttribute?: { AttributePath?: unknown; AttributeValue?: unknown } } | undefined)
      ?.UniqueAttribute
    if (unique?.AttributePath !== 'userName' || typeof unique.AttributeValue !== 'string') {
      throw validation('AlternateIdentifier.UniqueAttribute must name userName and a value (the only path emulated).')
    }
    const value = unique.AttributeValue
    // Identity Store user names are unique regardless of case.
    const user = [...state.users.values()].find((candidate) => candidate.userName.toLowerCase() === value.toLowerCase())
    if (user === undefined) throw new JsonServiceError('ResourceNotFoundException', `USER not found.`, { ResourceType: 'USER' })
    return { IdentityStoreId: storeId, UserId: user.userId }
  },
  DescribeUser: ({ state, input }) => {
    const storeId = checkIdentityStore(state, input)
    const user = state.users.get(requireString(input, 'UserId'))
    if (user === undefined) throw new JsonServiceError('ResourceNotFoundException', 'USER not found.', { ResourceType: 'USER' })
    return { IdentityStoreId: storeId, UserId: user.userId, UserName: user.userName }
  },
}

/**
 * The accounts a permission set is provisioned to. An account where it is assigned is one, as on AWS
 * (assigning provisions), even when a test seeded the assignment straight into the state.
 */
function provisionedAccounts(state: IdentityCenterState, record: PermissionSetRecord): string[] {
  const accounts = new Set(record.provisioned.keys())
  for (const assignment of state.assignments) if (assignment.permissionSetArn === record.arn) accounts.add(assignment.accountId)
  return [...accounts]
}

function startRequest(
  state: IdentityCenterState,
  params: {
    kind: AsyncKind
    accountId: string
    permissionSetArn: string
    principalType?: 'USER' | 'GROUP'
    principalId?: string
    now: Date
  },
): AsyncRequestRecord {
  const busy = state.findRequestInProgress(params.permissionSetArn, params.accountId)
  if (busy !== undefined) {
    throw new JsonServiceError(
      'ConflictException',
      `An operation on permission set ${params.permissionSetArn} in account ${params.accountId} is in progress (${busy.requestId}); try again when it completes.`,
    )
  }
  const { now, ...rest } = params
  const request: AsyncRequestRecord = {
    ...rest,
    requestId: randomUUID(),
    createdDate: now,
    pollsLeft: state.pollsToComplete,
    failureReason: state.takeAsyncFault(params.kind, params.accountId),
  }
  state.requests.set(request.requestId, request)
  return request
}

function readRequest(
  state: IdentityCenterState,
  input: Readonly<Record<string, unknown>>,
  key: string,
  kind: AsyncKind,
): AsyncRequestRecord {
  checkInstance(state, input)
  const request = state.requests.get(requireString(input, key))
  if (request === undefined || request.kind !== kind)
    throw new JsonServiceError('ResourceNotFoundException', `Request ${String(input[key])} not found.`)
  // Each read is one step of the work: the status seen is the one before the step.
  const seen = { ...request }
  if (request.pollsLeft > 0) request.pollsLeft -= 1
  return seen
}

function statusOf(request: AsyncRequestRecord): 'IN_PROGRESS' | 'FAILED' | 'SUCCEEDED' {
  if (request.pollsLeft > 0) return 'IN_PROGRESS'
  return request.failureReason === undefined ? 'SUCCEEDED' : 'FAILED'
}

function renderRequestStatus(request: AsyncRequestRecord): Record<string, unknown> {
  const status = statusOf(request)
  return {
    Status: status,
    RequestId: request.requestId,
    PermissionSetArn: request.permissionSetArn,
    CreatedDate: request.createdDate.getTime() / 1000,
    ...(status === 'FAILED' ? { FailureReason: request.failureReason } : {}),
  }
}

function renderProvisioning(request: AsyncRequestRecord): Record<string, unknown> {
  return { ...renderRequestStatus(request), AccountId: request.accountId }
}

function renderAssignmentStatus(request: AsyncRequestRecord): Record<string, unknown> {
  return {
    ...renderRequestStatus(request),
    TargetId: request.accountId,
    TargetType: 'AWS_ACCOUNT',
    PrincipalType: request.principalType,
    PrincipalId: request.principalId,
  }
}

function renderPermissionSet(record: PermissionSetRecord): Record<string, unknown> {
  return {
    Name: record.name,
    PermissionSetArn: record.arn,
    ...(record.description === undefined ? {} : { Description: record.description }),
    CreatedDate: record.createdDate.getTime() / 1000,
    SessionDuration: record.sessionDuration,
  }
}

function renderAssignment(assignment: { accountId: string; permissionSetArn: string; principalType: string; principalId: string }) {
  return {
    AccountId: assignment.accountId,
    PermissionSetArn: assignment.permissionSetArn,
    PrincipalType: assignment.principalType,
    PrincipalId: assignment.principalId,
  }
}

function readAssignment(state: IdentityCenterState, input: Readonly<Record<string, unknown>>) {
  const record = findPermissionSet(state, input)
  if (input['TargetType'] !== 'AWS_ACCOUNT')
    throw validation("Value at 'targetType' failed to satisfy constraint: Member must satisfy enum value set: [AWS_ACCOUNT]")
  const principalType = input['PrincipalType']
  if (principalType !== 'USER' && principalType !== 'GROUP')
    throw validation("Value at 'principalType' failed to satisfy constraint: Member must satisfy enum value set: [USER, GROUP]")
  const principalId = requireString(input, 'PrincipalId')
  if (principalType === 'USER' && !state.users.has(principalId))
    throw new JsonServiceError('ResourceNotFoundException', `User ${principalId} does not exist.`)
  return { accountId: requireAccount(input, 'TargetId'), permissionSetArn: record.arn, principalType, principalId } as const
}

function sameAssignment(a: { accountId: string; permissionSetArn: string; principalId: string }, b: typeof a): boolean {
  return a.accountId === b.accountId && a.permissionSetArn === b.permissionSetArn && a.principalId === b.principalId
}

/**
 * One page of a listing, as SSO Admin pages: `MaxResults` from 1 to 100 (100 when not given; outside it a
 * ValidationException), and an opaque `NextToken` while more remain (one the service did not give is refused).
 */
function paginate<T>(items: readonly T[], input: Readonly<Record<string, unknown>>, key: string): Record<string, unknown> {
  const token = input['NextToken']
  const start = token === undefined ? 0 : readPageToken(token, key)
  const maxResults = input['MaxResults']
  if (
    maxResults !== undefined &&
    !(typeof maxResults === 'number' && Number.isInteger(maxResults) && maxResults >= 1 && maxResults <= PAGE_SIZE)
  )
    throw validation(
      `1 validation error detected: Value '${String(maxResults)}' at 'maxResults' failed to satisfy constraint: Member must have value between 1 and ${PAGE_SIZE}`,
    )
  const size = typeof maxResults === 'number' ? maxResults : PAGE_SIZE
  const page = items.slice(start, start + size)
  return { [key]: page, ...(start + size < items.length ? { NextToken: pageToken(start + size, key) } : {}) }
}

/** A page token names the listing it belongs to and where the next page starts, so a token of another listing is refused. */
function pageToken(start: number, key: string): string {
  return Buffer.from(JSON.stringify({ key, start })).toString('base64url')
}

function readPageToken(token: unknown, key: string): number {
  try {
    const parsed = JSON.parse(Buffer.from(String(token), 'base64url').toString('utf8')) as { key?: unknown; start?: unknown }
    if (parsed.key === key && typeof parsed.start === 'number' && Number.isInteger(parsed.start) && parsed.start >= 0) return parsed.start
  } catch {
    // refused below
  }
  throw validation('The NextToken is not valid.')
}

function findPermissionSet(state: IdentityCenterState, input: Readonly<Record<string, unknown>>): PermissionSetRecord {
  checkInstance(state, input)
  const arn = requireString(input, 'PermissionSetArn')
  const record = state.permissionSets.get(arn)
  if (record === undefined)
    throw new JsonServiceError('ResourceNotFoundException', `Could not find PermissionSet with id ${arn.split('/').pop() ?? arn}`)
  return record
}

function checkInstance(state: IdentityCenterState, input: Readonly<Record<string, unknown>>): void {
  const instanceArn = requireString(input, 'InstanceArn')
  if (state.instance === undefined || state.instance.instanceArn !== instanceArn) {
    throw new JsonServiceError('ResourceNotFoundException', `Instance ${instanceArn} does not exist.`)
  }
}

function checkIdentityStore(state: IdentityCenterState, input: Readonly<Record<string, unknown>>): string {
  const storeId = requireString(input, 'IdentityStoreId')
  if (state.instance === undefined || state.instance.identityStoreId !== storeId) {
    throw new JsonServiceError('ResourceNotFoundException', `Identity store ${storeId} does not exist.`, { ResourceType: 'IDENTITY_STORE' })
  }
  return storeId
}

function checkSessionDuration(duration: string): void {
  const match = /^PT(?:(\d+)H)?(?:(\d+)M)?$/.exec(duration)
  const minutes = match ? Number(match[1] ?? 0) * 60 + Number(match[2] ?? 0) : NaN
  if (!(minutes >= 60 && minutes <= 720)) throw validation(`SessionDuration ${duration} must be between PT1H and PT12H.`)
}

function requireString(input: Readonly<Record<string, unknown>>, key: string): string {
  const value = input[key]
  if (typeof value !== 'string' || value === '')
    throw validation(
      `1 validation error detected: Value null at '${key.charAt(0).toLowerCase()}${key.slice(1)}' failed to satisfy constraint: Member must not be null`,
    )
  return value
}

function optionalString(input: Readonly<Record<string, unknown>>, key: string): string | undefined {
  const value = input[key]
  return typeof value === 'string' ? value : undefined
}

function requireAccount(input: Readonly<Record<string, unknown>>, key: string): string {
  const value = requireString(input, key)
  if (!/^\d{12}$/.test(value)) throw validation(`Value '${value}' at '${key}' failed to satisfy constraint: Member must match \\d{12}`)
  return value
}

function validation(message: string): JsonServiceError {
  return new JsonServiceError('ValidationException', message)
}
