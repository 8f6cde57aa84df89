import { randomBytes, randomUUID } from 'node:crypto'

/** An Identity Store user. */
export interface IdentityStoreUser {
  readonly identityStoreId: string
  readonly userId: string
  readonly userName: string
}

/** A permission set as Identity Center holds it. */
export interface PermissionSetRecord {
  readonly arn: string
  readonly name: string
  description: string | undefined
  sessionDuration: string
  readonly createdDate: Date
  inlinePolicy: string
  readonly managedPolicies: { readonly name: string; readonly arn: string }[]
  readonly customerManagedPolicies: { readonly name: string; readonly path: string }[]
  /** The permissions boundary, as `PutPermissionsBoundaryToPermissionSet` sets it; undefined when there is none. */
  permissionsBoundary: PermissionsBoundary | undefined
  /** What each account holds, as of its last provisioning (what AWS evaluates there). */
  readonly provisioned: Map<string, ProvisionedPermissionSet>
}

/** A permissions boundary: an AWS-managed policy, or a customer-managed policy referenced by name and path. */
export type PermissionsBoundary =
  { readonly managedPolicyArn: string } | { readonly customerManagedPolicy: { readonly name: string; readonly path: string } }

/** A permission set as provisioned to one account: its inline policy, session duration and attached policies then. */
export interface ProvisionedPermissionSet {
  readonly inlinePolicy: string
  readonly sessionDuration: string
  readonly managedPolicyArns: readonly string[]
  readonly customerManagedPolicies: readonly { readonly name: string; readonly path: string }[]
  readonly permissionsBoundary: PermissionsBoundary | undefined
}

/** What provisioning copies into an account: the set's current policies and session duration. */
export function snapshotPermissionSet(record: PermissionSetRecord): ProvisionedPermissionSet {
  return {
    inlinePolicy: record.inlinePolicy,
    sessionDuration: record.sessionDuration,
    managedPolicyArns: record.managedPolicies.map((policy) => policy.arn),
    customerManagedPolicies: record.customerManagedPolicies.map((reference) => ({ ...reference })),
    permissionsBoundary: record.permissionsBoundary,
  }
}

/** A user (or group) assigned a permission set in an account. */
export interface AccountAssignmentRecord {
  readonly accountId: string
  readonly permissionSetArn: string
  readonly principalType: 'USER' | 'GROUP'
  readonly principalId: string
}

export type AsyncKind = 'provision' | 'assignment-creation' | 'assignment-deletion'

/** One asynchronous request: a provisioning, or the creation or deletion of an assignment. */
export interface AsyncRequestRecord {
  readonly requestId: string
  readonly kind: AsyncKind
  readonly accountId: string
  readonly permissionSetArn: string
  readonly principalType?: 'USER' | 'GROUP'
  readonly principalId?: string
  readonly createdDate: Date
  /** Status reads left before it ends; it is IN_PROGRESS until then. */
  pollsLeft: number
  /** Set when it is to end in failure; its effect was then never applied. */
  readonly failureReason: string | undefined
}

/** A failure an asynchronous request will end in, for the next `times` requests of its kind. */
export interface AsyncFaultSpec {
  readonly kind: AsyncKind
  readonly failureReason: string
  readonly times?: number
  readonly account?: string
}

/** An Identity Center instance, its identity store, and the account it is administered from. */
export interface IdentityCenterInstance {
  readonly instanceArn: string
  readonly identityStoreId: string
  /** Only callers in this account (the management account, or the delegated administrator) may call SSO Admin. */
  readonly managementAccount: string
  /** The region it lives in (ListInstances lists it only there). Default us-east-1. */
  readonly region: string
}

/**
 * Everything the Identity Center emulation holds: one instance, its users, its permission sets, the
 * assignments and the asynchronous requests, open to tests to seed and inspect.
 */
export class IdentityCenterState {
  instance: IdentityCenterInstance | undefined
  readonly users = new Map<string, IdentityStoreUser>()
  readonly permissionSets = new Map<string, PermissionSetRecord>()
  readonly assignments: AccountAssignmentRecord[] = []
  readonly requests = new Map<string, AsyncRequestRecord>()
  readonly asyncFaults: { spec: AsyncFaultSpec; remaining: number }[] = []
  /** How many status reads an asynchronous request stays IN_PROGRESS for; 1 by default (the first read says IN_PROGRESS). */
  pollsToComplete = 1
  /** Permission sets the instance may hold (AWS's default quota is 2,000). */
  maxPermissionSets = 2_000

  /** Creates the instance (once) and returns it. */
  seedInstance(params: {
    managementAccount: string
    instanceArn?: string
    identityStoreId?: string
    region?: string
  }): IdentityCenterInstance {
    this.instance = {
      region: params.region ?? 'us-east-1',
      instanceArn: params.instanceArn ?? `arn:aws:sso:::instance/ssoins-${randomBytes(8).toString('hex')}`,
      identityStoreId: params.identityStoreId ?? `d-${randomBytes(5).toString('hex')}`,
      managementAccount: params.managementAccount,
    }
    return this.instance
  }

  /** Creates an Identity Store user. */
  seedUser(userName: string): IdentityStoreUser {
    const instance = this.requireInstance()
    const user = {
      identityStoreId: instance.identityStoreId,
      userId: `${randomBytes(4).toString('hex')}-${randomUUID().slice(9)}`,
      userName,
    }
    this.users.set(user.userId, user)
    return user
  }

  /** Creates a permission set directly (a curated one an administrator made), for test setup. */
  seedPermissionSet(params: {
    name: string
    inlinePolicy?: string
    managedPolicyArns?: readonly string[]
    customerManagedPolicies?: readonly { name: string; path?: string }[]
    permissionsBoundary?: PermissionsBoundary
    now?: Date
  }): PermissionSetRecord {
    const record = this.addPermissionSet({
      name: params.name,
      description: undefined,
      sessionDuration: 'PT1H',
      now: params.now ?? new Date(),
    })
    record.inlinePolicy = params.inlinePolicy ?? ''
    record.permissionsBoundary = params.permissionsBoundary
    for (const arn of params.managedPolicyArns ?? []) record.managedPolicies.push({ arn, name: arn.split('/').pop() ?? arn })
    for (const reference of params.customerManagedPolicies ?? []) {
      record.customerManagedPolicies.push({ name: reference.name, path: reference.path ?? '/' })
    }
    return record
  }

  addPermissionSet(params: { name: string; description: string | undefined; sessionDuration: string; now: Date }): PermissionSetRecord {
    const instance = this.requireInstance()
    const instanceId = instance.instanceArn.split('/').pop() ?? ''
    const record: PermissionSetRecord = {
      arn: `arn:aws:sso:::permissionSet/${instanceId}/ps-${randomBytes(8).toString('hex')}`,
      name: params.name,
      description: params.description,
      sessionDuration: params.sessionDuration,
      createdDate: params.now,
      inlinePolicy: '',
      managedPolicies: [],
      customerManagedPolicies: [],
      permissionsBoundary: undefined,
      provisioned: new Map(),
    }
    this.permissionSets.set(record.arn, record)
    return record
  }

  findPermissionSetByName(name: string): PermissionSetRecord | undefined {
    return [...this.permissionSets.values()].find((record) => record.name === name)
  }

  /** The assignments of a user, for tests: `account permission-set-name`. */
  describeAssignmentsOf(userName: string): string[] {
    const user = [...this.users.values()].find((candidate) => candidate.userName === userName)
    return this.assignments
      .filter((assignment) => assignment.principalId === user?.userId)
      .map(
        (assignment) =>
          `${assignment.accountId} ${this.permissionSets.get(assignment.permissionSetArn)?.name ?? assignment.permissionSetArn}`,
      )
  }

  /** Makes the next asynchronous requests of a kind end in FAILED (their effect never applied). */
  addAsyncFault(spec: AsyncFaultSpec): void {
    this.asyncFaults.push({ spec, remaining: spec.times ?? 1 })
  }

  takeAsyncFault(kind: AsyncKind, accountId: string): string | undefined {
    const fault = this.asyncFaults.find(
      (candidate) =>
        candidate.remaining > 0 &&
        candidate.spec.kind === kind &&
        (candidate.spec.account === undefined || candidate.spec.account === accountId),
    )
    if (fault === undefined) return undefined
    fault.remaining -= 1
    return fault.spec.failureReason
  }

  /** The request in progress on a (permission set, account), if any: Identity Center runs one at a time. */
  findRequestInProgress(permissionSetArn: string, accountId: string): AsyncRequestRecord | undefined {
    return [...this.requests.values()].find(
      (request) => request.pollsLeft > 0 && request.permissionSetArn === permissionSetArn && request.accountId === accountId,
    )
  }

  requireInstance(): IdentityCenterInstance {
    if (this.instance === undefined) throw new Error('the Identity Center emulation has no instance: call seedInstance first')
    return this.instance
  }
}
