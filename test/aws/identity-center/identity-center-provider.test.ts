import { runSimulation, type Simulation } from '@cloud-copilot/iam-simulate'
import { afterEach, beforeEach, describe, expect, it } from 'vitest'
import type { IamStsEmulator } from '../../../emulator/aws/iam-sts-emulator.js'
import type { IdentityCenterSettings } from '../../../src/core/files/settings.js'
import type { CloudProvider, GrantPlan } from '../../../src/core/ports/cloud-provider.js'
import { namePermissionSet } from '../../../src/core/records/permission-set.js'
import { createTestProvider, REPOSITORY, revokeEarlyHoldingRemoval, startIdentityCenter } from './support/start-identity-center.js'

const ACCOUNTS = ['111111111111', '222222222222'] as const
const NOW = new Date('2026-12-01T09:00:00Z')

let emulator: IamStsEmulator
let settings: IdentityCenterSettings
let sleeps: number[]

beforeEach(async () => {
  ;({ emulator, settings } = await startIdentityCenter(NOW))
  sleeps = []
})
afterEach(async () => {
  await emulator.stop()
})

function createProvider(polling = { maxPolls: 5, firstDelayMs: 100, maxDelayMs: 400 }): CloudProvider {
  return createTestProvider({ emulator, settings, now: NOW, sleeps, polling })
}

const plan: GrantPlan = {
  requestId: 'pr-42',
  namespace: 'bb0610eed9',
  requester: 'alice',
  notBefore: NOW,
  expiresAt: new Date('2026-12-01T11:00:00Z'),
  revokeSessions: false,
  targets: ACCOUNTS.map((account) => ({
    account,
    principalArn: 'identity-center-user:alice@acme.com',
    actions: ['ec2:StopInstances'],
    resources: [`arn:aws:ec2:us-east-1:${account}:instance/i-0abc123`],
  })),
}
const NAME = namePermissionSet({ repository: REPOSITORY, requestId: 'pr-42' })

/** The calls the emulator saw since `from`, as `service Action [error]`. */
function callsSince(from: number): string[] {
  return emulator.state.calls.slice(from).map((call) => `${call.service} ${call.action}${call.error ? ` ${call.error}` : ''}`)
}

describe('the Identity Center backend over the real SDK clients and the emulator', () => {
  it('grants one permission set with the window in its inline policy, assigned in every account, and names it all in the outcome', async () => {
    const outcome = await createProvider().grant(plan)
    expect(outcome.ok, outcome.summary).toBe(true)
    const set = emulator.state.identityCenter.findPermissionSetByName(NAME)!
    expect(set.sessionDuration).toBe('PT2H')
    expect(set.description).toBe('jit-access pr-42 of acme/access until 2026-12-01T11:00:00Z')
    const document = JSON.parse(set.inlinePolicy) as { Statement: { Condition: Record<string, Record<string, string>> }[] }
    expect(document.Statement.map((statement) => statement.Condition)).toEqual(
      ACCOUNTS.map((account) => ({
        DateGreaterThan: { 'aws:CurrentTime': '2026-12-01T09:00:00Z' },
        DateLessThan: { 'aws:CurrentTime': '2026-12-01T11:00:00Z' },
        StringEquals: { 'aws:PrincipalAccount': account },
      })),
    )
    expect(emulator.state.identityCenter.describeAssignmentsOf('alice@acme.com')).toEqual(ACCOUNTS.map((account) => `${account} ${NAME}`))
    expect(outcome.targets.map((target) => [target.status, target.policyName, target.permissionSet?.permissionSetArn])).toEqual(
      ACCOUNTS.map(() => ['granted', NAME, set.arn]),
    )
    // Every call went through the granter session named after the request.
    expect(new Set(emulator.state.calls.filter((call) => call.service === 'sso').map((call) => call.sessionName))).toEqual(
      new Set(['jit-pr-42-grant']),
    )
  })

  it('is all or nothing: an assignment that ends FAILED in the second account undoes the first and deletes the set', async () => {
    emulator.state.identityCenter.addAsyncFault({
      kind: 'assignment-creation',
      account: ACCOUNTS[1],
      failureReason: 'No role exists in the account',
    })
    const outcome = await createProvider().grant(plan)
    expect(outcome.ok).toBe(false)
    expect(outcome.targets.map((target) => target.status)).toEqual(['rolled-back', 'failed'])
    expect(outcome.error?.message).toContain('No role exists in the account')
    expect(emulator.state.identityCenter.assignments).toEqual([])
    expect(emulator.state.identityCenter.permissionSets.size).toBe(0)
  })

  it('retries ConflictException and throttling with bounded backoff, and gives up an assignment that never completes', async () => {
    emulator.injectFault({ action: 'CreateAccountAssignment', code: 'ConflictException', times: 2 })
    emulator.injectFault({ action: 'DescribeAccountAssignmentCreationStatus', code: 'ThrottlingException' })
    const granted = await createProvider().grant(plan)
    expect(granted.ok, granted.summary).toBe(true)
    expect(callsSince(0).filter((call) => call.includes('CreateAccountAssignment'))).toEqual([
      'sso CreateAccountAssignment ConflictException',
      'sso CreateAccountAssignment ConflictException',
      'sso CreateAccountAssignment',
      'sso CreateAccountAssignment',
    ])

    emulator.state.identityCenter.pollsToComplete = 50
    const stuck = await createProvider({ maxPolls: 3, firstDelayMs: 100, maxDelayMs: 400 }).grant({ ...plan, requestId: 'pr-43' })
    expect(stuck.ok).toBe(false)
    expect(stuck.error?.message).toContain('was still in progress after 3 status reads')
    expect(stuck.error?.permanent).toBe(false)
    // The assignment may still complete: removing it conflicts while it runs, so it is reported, not hidden.
    expect(stuck.targets.map((target) => target.status)).toEqual(['rollback-failed', 'not-attempted'])
    expect(stuck.summary).toContain('stays until a sweep removes it')
    // The waits between status reads are bounded and grow: 100, 200, 400 ms.
    expect(sleeps.join(',')).toContain('100,200,400')
  })

  it('refuses a user the Identity Store does not know before writing anything', async () => {
    const outcome = await createProvider().grant({
      ...plan,
      targets: plan.targets.map((target) => ({ ...target, principalArn: 'identity-center-user:mallory@acme.com' })),
    })
    expect(outcome.ok).toBe(false)
    expect(outcome.error?.message).toContain('there is no Identity Center user mallory@acme.com')
    expect(callsSince(0).filter((call) => call.startsWith('sso '))).toEqual([])
  })

  it('revokes early: narrows the set to deny and re-provisions it, then removes the assignments and the set', async () => {
    const provider = createProvider()
    const granted = await provider.grant(plan)
    const arn = granted.targets[0]!.permissionSet!.permissionSetArn
    const from = emulator.state.calls.length
    const revoked = await provider.revoke({
      requestId: 'pr-42',
      namespace: 'bb0610eed9',
      targets: granted.targets.map((target) => ({
        account: target.account,
        principalArn: target.principalArn,
        policyName: target.policyName,
        permissionSetArn: arn,
      })),
      revokedAt: new Date('2026-12-01T10:00:00Z'),
      cutSessions: false,
    })
    expect(revoked.ok, revoked.summary).toBe(true)
    expect(revoked.targets.map((target) => [target.status, target.sessionCut?.status])).toEqual([
      ['revoked', 'cut'],
      ['revoked', 'cut'],
    ])
    expect(callsSince(from).filter((call) => !call.startsWith('sts'))).toEqual([
      'sso DescribePermissionSet',
      'sso PutInlinePolicyToPermissionSet',
      ...ACCOUNTS.flatMap(() => [
        'sso ProvisionPermissionSet',
        'sso DescribePermissionSetProvisioningStatus',
        'sso DescribePermissionSetProvisioningStatus',
      ]),
      ...ACCOUNTS.flatMap(() => [
        'identitystore GetUserId',
        'sso DeleteAccountAssignment',
        'sso DescribeAccountAssignmentDeletionStatus',
        'sso DescribeAccountAssignmentDeletionStatus',
      ]),
      'sso DeletePermissionSet',
    ])
    expect(emulator.state.identityCenter.permissionSets.size).toBe(0)

    // Again: nothing is left, which counts as revoked.
    const again = await provider.revoke({
      requestId: 'pr-42',
      namespace: 'bb0610eed9',
      targets: revoked.targets,
      revokedAt: new Date('2026-12-01T10:05:00Z'),
      cutSessions: false,
    })
    expect(again.ok).toBe(true)
    expect(again.targets.map((target) => target.status)).toEqual(['already-revoked', 'already-revoked'])
  })

  it('revokes at expiry without the deny step, and never acts on a permission set the record names that is not the request’s', async () => {
    const provider = createProvider()
    const granted = await provider.grant(plan)
    const curated = emulator.state.identityCenter.seedPermissionSet({ name: 'AdministratorAccess' })
    const revoked = await provider.revoke({
      requestId: 'pr-42',
      namespace: 'bb0610eed9',
      // An edited record points at the administrators' set: it is checked by name and ignored.
      targets: granted.targets.map((target) => ({
        account: target.account,
        principalArn: target.principalArn,
        policyName: target.policyName,
        permissionSetArn: curated.arn,
      })),
      revokedAt: new Date('2026-12-01T11:00:00Z'),
      cutSessions: false,
    })
    expect(revoked.ok, revoked.summary).toBe(true)
    expect(revoked.targets.map((target) => [target.status, target.sessionCut])).toEqual([
      ['revoked', undefined],
      ['revoked', undefined],
    ])
    expect([...emulator.state.identityCenter.permissionSets.values()].map((set) => set.name)).toEqual(['AdministratorAccess'])
  })

  it('reads a grant back and lists the sets of its repository on a user, for reconcile', async () => {
    const provider = createProvider()
    expect((await provider.inspectGrant(plan)).targets.map((target) => target.found)).toEqual(['absent', 'absent'])
    await provider.grant(plan)
    expect((await provider.inspectGrant(plan)).targets.map((target) => target.found)).toEqual(['as-planned', 'as-planned'])
    const other = emulator.state.identityCenter.seedPermissionSet({
      name: namePermissionSet({ repository: 'acme/other', requestId: 'pr-7' }),
    })
    emulator.state.identityCenter.assignments.push({
      accountId: ACCOUNTS[0],
      permissionSetArn: other.arn,
      principalType: 'USER',
      principalId: [...emulator.state.identityCenter.users.values()][0]!.userId,
    })
    expect(await provider.listManagedPolicies({ account: ACCOUNTS[0], principalArn: 'identity-center-user:alice@acme.com' })).toEqual([
      { kind: 'grant', namespace: 'bb0610eed9', policyName: NAME, requestId: 'pr-42', expiresAt: new Date('2026-12-01T11:00:00Z') },
    ])
  })
})

/** Evaluates a request as IAM would for the permission set's role in `account`, with `policy` as its only identity policy. */
async function evaluate(params: {
  policy: string
  account: string
  action: string
  resource: string
  at: string
  principalAccount?: string
}) {
  const principalAccount = params.principalAccount ?? params.account
  const simulation: Simulation = {
    identityPolicies: [{ name: 'AwsSSOInlinePolicy', policy: JSON.parse(params.policy) as object }],
    serviceControlPolicies: [],
    resourceControlPolicies: [],
    request: {
      action: params.action,
      principal: `arn:aws:iam::${principalAccount}:role/aws-reserved/sso.amazonaws.com/AWSReservedSSO_${NAME}_0123456789abcdef`,
      resource: { accountId: params.account, resource: params.resource },
      contextVariables: { 'aws:CurrentTime': params.at, 'aws:PrincipalAccount': principalAccount },
    },
  }
  const response = await runSimulation(simulation, {})
  if (response.resultType === 'error') throw new Error(JSON.stringify(response.errors))
  return response.overallResult
}

describe('proof of expiry: what each account evaluates, as IAM evaluates it', () => {
  const instance = (account: string) => `arn:aws:ec2:us-east-1:${account}:instance/i-0abc123`

  it.each([
    ['inside the window', '2026-12-01T10:00:00Z', 'Allowed'],
    ['one second before the end', '2026-12-01T10:59:59Z', 'Allowed'],
    ['at the end', '2026-12-01T11:00:00Z', 'ImplicitlyDenied'],
    ['a day after the end, with no sweep having run', '2026-12-02T11:00:00Z', 'ImplicitlyDenied'],
    ['before the start', '2026-12-01T08:59:59Z', 'ImplicitlyDenied'],
  ])('the provisioned permission set %s (%s) is %s', async (_label, at, expected) => {
    await createProvider().grant(plan)
    const set = emulator.state.identityCenter.findPermissionSetByName(NAME)!
    for (const account of ACCOUNTS) {
      const policy = set.provisioned.get(account)!.inlinePolicy
      expect(await evaluate({ policy, account, action: 'ec2:StopInstances', resource: instance(account), at })).toBe(expected)
    }
  })

  it('grants each account only its own statement, and nothing once an early revoke narrowed it', async () => {
    const provider = createProvider()
    const granted = await provider.grant(plan)
    const set = emulator.state.identityCenter.findPermissionSetByName(NAME)!
    const policy = set.provisioned.get(ACCOUNTS[0])!.inlinePolicy
    // The statement for 222222222222 does not hold for a session of the set's role in 111111111111.
    expect(
      await evaluate({
        policy,
        account: ACCOUNTS[1],
        principalAccount: ACCOUNTS[0],
        action: 'ec2:StopInstances',
        resource: instance(ACCOUNTS[1]),
        at: '2026-12-01T10:00:00Z',
      }),
    ).toBe('ImplicitlyDenied')

    const { revoking, release } = await revokeEarlyHoldingRemoval({ emulator, provider, granted })
    const narrowed = set.provisioned.get(ACCOUNTS[0])!.inlinePolicy
    expect(
      await evaluate({
        policy: narrowed,
        account: ACCOUNTS[0],
        action: 'ec2:StopInstances',
        resource: instance(ACCOUNTS[0]),
        at: '2026-12-01T10:00:01Z',
      }),
    ).toBe('ExplicitlyDenied')
    release()
    expect((await revoking).ok).toBe(true)
  })
})

describe('the full reconcile pass on Identity Center: the instance, not the principals', () => {
  const identityCenter = () => emulator.state.identityCenter
  const ours = (requestId: string) => namePermissionSet({ repository: REPOSITORY, requestId })
  const until = '2026-12-01T11:00:00Z'
  /** A permission set made outside a grant, with the description a grant writes (when `requestId` is given). */
  function seedSet(name: string, requestId?: string) {
    const set = identityCenter().seedPermissionSet({ name, inlinePolicy: ALLOW_ALL })
    if (requestId !== undefined) set.description = `jit-access ${requestId} of ${REPOSITORY} until ${until}`
    return set
  }
  function assign(set: { arn: string; provisioned: Map<string, unknown> }, account: string, userName: string) {
    const user = [...identityCenter().users.values()].find((candidate) => candidate.userName === userName)!
    identityCenter().assignments.push({ accountId: account, permissionSetArn: set.arn, principalType: 'USER', principalId: user.userId })
    set.provisioned.set(account, {
      inlinePolicy: ALLOW_ALL,
      sessionDuration: 'PT1H',
      managedPolicyArns: [],
      customerManagedPolicies: [],
      permissionsBoundary: undefined,
    })
  }
  const request = { namespace: 'bb0610eed9', accounts: { [ACCOUNTS[0]]: [], [ACCOUNTS[1]]: [] } }
  const grantOf = (requestId: string) =>
    ({ kind: 'grant', namespace: 'bb0610eed9', policyName: ours(requestId), requestId, expiresAt: new Date(until) }) as const

  it('lists a set of this repository assigned to a user no record names, and neither another repository’s set nor one of no namespace', async () => {
    identityCenter().seedUser('bob@acme.com')
    const rogue = seedSet(ours('pr-7'), 'pr-7')
    assign(rogue, ACCOUNTS[0], 'bob@acme.com')
    assign(rogue, ACCOUNTS[1], 'bob@acme.com')
    assign(rogue, ACCOUNTS[1], 'alice@acme.com')
    assign(seedSet(namePermissionSet({ repository: 'acme/other', requestId: 'pr-7' })), ACCOUNTS[0], 'bob@acme.com')
    assign(seedSet('AdministratorAccess'), ACCOUNTS[0], 'bob@acme.com')
    assign(seedSet('jit-pr-8-exp-20261201T110000Z'), ACCOUNTS[0], 'bob@acme.com')

    const inventory = await createProvider().listAllManagedPolicies(request)
    expect(inventory.problems).toEqual([])
    expect(inventory.principals).toEqual([
      { account: ACCOUNTS[0], principalArn: 'identity-center-user:bob@acme.com', policies: [grantOf('pr-7')] },
      { account: ACCOUNTS[1], principalArn: 'identity-center-user:alice@acme.com', policies: [grantOf('pr-7')] },
      { account: ACCOUNTS[1], principalArn: 'identity-center-user:bob@acme.com', policies: [grantOf('pr-7')] },
    ])
    expect(inventory.principalsListed).toBe(3)
    // One listing, a describe per set of the instance; for the set of ours its accounts, their assignments, and each user once.
    expect(
      callsSince(0)
        .filter((call) => !call.startsWith('sts'))
        .sort(),
    ).toEqual(
      [
        'sso ListPermissionSets',
        ...Array<string>(4).fill('sso DescribePermissionSet'),
        'sso ListAccountsForProvisionedPermissionSet',
        'sso ListAccountAssignments',
        'sso ListAccountAssignments',
        'identitystore DescribeUser',
        'identitystore DescribeUser',
      ].sort(),
    )
    expect(new Set(emulator.state.calls.filter((call) => call.service === 'sso').map((call) => call.sessionName))).toEqual(
      new Set(['jit-reconcile-list']),
    )
  })

  it('lists a set of this repository assigned to no one, and revoking it as the sweep revokes an orphan deletes it', async () => {
    const provisionedOnly = seedSet(ours('pr-8'), 'pr-8')
    provisionedOnly.provisioned.set(ACCOUNTS[1], {
      inlinePolicy: ALLOW_ALL,
      sessionDuration: 'PT1H',
      managedPolicyArns: [],
      customerManagedPolicies: [],
      permissionsBoundary: undefined,
    })
    const nowhere = seedSet(ours('pr-9'), 'pr-9')
    const provider = createProvider()
    const inventory = await provider.listAllManagedPolicies(request)
    expect(inventory.principals).toEqual([
      { account: ACCOUNTS[0], principalArn: `identity-center-permission-set:${nowhere.arn}`, policies: [grantOf('pr-9')] },
      { account: ACCOUNTS[1], principalArn: `identity-center-permission-set:${provisionedOnly.arn}`, policies: [grantOf('pr-8')] },
    ])

    const from = emulator.state.calls.length
    for (const principal of inventory.principals) {
      const [policy] = principal.policies
      // Exactly what the sweep's orphan path sends: account, principal and policy name, no ARN.
      const outcome = await provider.revoke({
        namespace: 'bb0610eed9',
        requestId: policy!.requestId,
        targets: [{ account: principal.account, principalArn: principal.principalArn, policyName: policy!.policyName }],
        revokedAt: NOW,
        cutSessions: false,
      })
      expect(outcome.ok, outcome.summary).toBe(true)
      expect(outcome.targets.map((target) => target.status)).toEqual(['revoked'])
      expect(outcome.targets[0]!.description).toContain('which no one was assigned')
    }
    expect(identityCenter().permissionSets.size).toBe(0)
    // No deny step and no search of the instance: the principal names the set.
    expect(callsSince(from).filter((call) => !call.startsWith('sts'))).toEqual([
      'sso DescribePermissionSet',
      'sso DeletePermissionSet',
      'sso DescribePermissionSet',
      'sso DeletePermissionSet',
    ])
  })

  it('never deletes a set through an unassigned-set principal once it is assigned, nor a set outside the namespace', async () => {
    const set = seedSet(ours('pr-8'), 'pr-8')
    const provider = createProvider()
    const [listed] = (await provider.listAllManagedPolicies(request)).principals
    // Assigned between the pass and the revocation: the deletion conflicts, which is a failure, not "revoked".
    assign(set, ACCOUNTS[0], 'alice@acme.com')
    const revoked = await provider.revoke({
      namespace: 'bb0610eed9',
      requestId: 'pr-8',
      targets: [{ account: listed!.account, principalArn: listed!.principalArn, policyName: ours('pr-8') }],
      revokedAt: NOW,
      cutSessions: false,
    })
    expect(revoked.ok).toBe(false)
    expect(revoked.targets.map((target) => [target.status, target.failure?.code])).toEqual([['failed', 'Conflict']])
    expect(identityCenter().describeAssignmentsOf('alice@acme.com')).toEqual([`${ACCOUNTS[0]} ${ours('pr-8')}`])

    // An unassigned-set principal naming the administrators' set, under their name or ours: nothing is touched.
    const curated = seedSet('AdministratorAccess')
    for (const policyName of ['AdministratorAccess', ours('pr-10')]) {
      const outcome = await provider.revoke({
        namespace: 'bb0610eed9',
        requestId: 'pr-10',
        targets: [{ account: ACCOUNTS[0], principalArn: `identity-center-permission-set:${curated.arn}`, policyName }],
        revokedAt: NOW,
        cutSessions: false,
      })
      expect(outcome.targets.map((target) => target.status)).not.toContain('revoked')
    }
    expect(identityCenter().permissionSets.has(curated.arn)).toBe(true)
  })

  it('reports an account that stays throttled, or a user it cannot read, as a problem and still lists the rest', async () => {
    identityCenter().seedUser('bob@acme.com')
    const set = seedSet(ours('pr-7'), 'pr-7')
    assign(set, ACCOUNTS[0], 'alice@acme.com')
    assign(set, ACCOUNTS[1], 'alice@acme.com')
    const other = seedSet(ours('pr-11'), 'pr-11')
    assign(other, ACCOUNTS[0], 'bob@acme.com')
    emulator.injectFault({ action: 'ListAccountAssignments', code: 'ThrottlingException', account: ACCOUNTS[1], times: 5 })

    const inventory = await createProvider().listAllManagedPolicies(request)
    expect(inventory.principals).toEqual([
      { account: ACCOUNTS[0], principalArn: 'identity-center-user:alice@acme.com', policies: [grantOf('pr-7')] },
      { account: ACCOUNTS[0], principalArn: 'identity-center-user:bob@acme.com', policies: [grantOf('pr-11')] },
    ])
    expect(inventory.problems).toEqual([
      `reconcile: could not list the assignments of permission set ${ours('pr-7')} in ${ACCOUNTS[1]} (ThrottlingException: Injected fault: ThrottlingException for ListAccountAssignments)`,
    ])
    // Retried with backoff before it was given up (5 attempts, as every call).
    expect(callsSince(0).filter((call) => call === 'sso ListAccountAssignments ThrottlingException')).toHaveLength(5)

    emulator.injectFault({ action: 'DescribeUser', code: 'AccessDeniedException', times: 1 })
    const denied = await createProvider().listAllManagedPolicies({ ...request, accounts: { [ACCOUNTS[0]]: [] } })
    expect(denied.principals).toHaveLength(1)
    expect(denied.problems.filter((problem) => problem.includes('could not describe user'))).toEqual([
      expect.stringMatching(/^reconcile: could not describe user .*, assigned permission set .* in 111111111111 \(AccessDenied/),
    ])
  })

  it('reports what the app cannot reconcile: an assignment in an account no policy names, a group, a user the store does not know', async () => {
    const set = seedSet(ours('pr-7'), 'pr-7')
    assign(set, '333333333333', 'alice@acme.com')
    identityCenter().assignments.push({ accountId: ACCOUNTS[0], permissionSetArn: set.arn, principalType: 'GROUP', principalId: 'g-1' })
    identityCenter().assignments.push({ accountId: ACCOUNTS[0], permissionSetArn: set.arn, principalType: 'USER', principalId: 'u-gone' })
    set.provisioned.set(ACCOUNTS[0], {
      inlinePolicy: ALLOW_ALL,
      sessionDuration: 'PT1H',
      managedPolicyArns: [],
      customerManagedPolicies: [],
      permissionsBoundary: undefined,
    })
    const inventory = await createProvider().listAllManagedPolicies(request)
    // Assigned to someone somewhere: never reported as assigned to no one (its deletion would fail anyway).
    expect(inventory.principals).toEqual([])
    expect([...inventory.problems].sort()).toEqual([
      `reconcile: permission set ${ours('pr-7')} is assigned in 111111111111 to user u-gone, whom the identity store does not know: remove that assignment by hand`,
      `reconcile: permission set ${ours('pr-7')} is assigned in 333333333333, which no policy of this repository names: it is not reconciled there; remove its assignments by hand`,
      `reconcile: permission set ${ours('pr-7')} is assigned to group g-1 in 111111111111; the app assigns only users, so it is not reconciled: remove that assignment by hand`,
    ])
  })

  it('reads every page: more permission sets, and more assignments, than one page holds', async () => {
    for (let index = 0; index < 230; index++) seedSet(`Team${index}`)
    const set = seedSet(ours('pr-7'), 'pr-7')
    const users = Array.from({ length: 120 }, (_, index) => identityCenter().seedUser(`user${String(index).padStart(3, '0')}@acme.com`))
    for (const user of users) assign(set, ACCOUNTS[0], user.userName)

    const inventory = await createProvider().listAllManagedPolicies(request)
    expect(inventory.problems).toEqual([])
    expect(inventory.principals.map((principal) => principal.principalArn)).toEqual(
      users.map((user) => `identity-center-user:${user.userName}`),
    )
    const calls = callsSince(0)
    expect(calls.filter((call) => call === 'sso ListPermissionSets')).toHaveLength(3)
    expect(calls.filter((call) => call === 'sso ListAccountAssignments')).toHaveLength(2)
    expect(calls.filter((call) => call === 'identitystore DescribeUser')).toHaveLength(120)
  })

  it('reads the inline policy of a set for an orphan’s record: by its ARN, by its name, or through its unassigned-set principal; null once gone', async () => {
    const provider = createProvider()
    const granted = await provider.grant(plan)
    const arn = granted.targets[0]!.permissionSet!.permissionSetArn
    const document = granted.targets[0]!.policyDocument
    const target = { account: ACCOUNTS[0], principalArn: 'identity-center-user:alice@acme.com', policyName: NAME }
    expect(await provider.readManagedPolicy({ ...target, permissionSetArn: arn })).toBe(document)
    expect(await provider.readManagedPolicy(target)).toBe(document)
    expect(await provider.readManagedPolicy({ ...target, principalArn: `identity-center-permission-set:${arn}` })).toBe(document)
    // A name outside this repository's namespace is never read, whatever ARN the target names.
    const curated = seedSet('AdministratorAccess')
    expect(await provider.readManagedPolicy({ ...target, policyName: 'AdministratorAccess', permissionSetArn: curated.arn })).toBeNull()

    const targets = ACCOUNTS.map((account) => ({ ...target, account }))
    await provider.revoke({ namespace: 'bb0610eed9', requestId: 'pr-42', targets, revokedAt: new Date(until), cutSessions: false })
    expect(await provider.readManagedPolicy({ ...target, permissionSetArn: arn })).toBeNull()
  })

  it('refuses to revoke a permission set whose name is not of this repository, as an edited record would ask', async () => {
    const curated = seedSet('AdministratorAccess')
    assign(curated, ACCOUNTS[0], 'alice@acme.com')
    const outcome = await createProvider().revoke({
      namespace: 'bb0610eed9',
      requestId: 'pr-42',
      targets: [{ account: ACCOUNTS[0], principalArn: 'identity-center-user:alice@acme.com', policyName: 'AdministratorAccess' }],
      revokedAt: NOW,
      cutSessions: false,
    })
    expect(outcome.ok).toBe(false)
    expect(outcome.targets[0]!.description).toContain('AdministratorAccess is not the name of a permission set of acme/access')
    expect(identityCenter().describeAssignmentsOf('alice@acme.com')).toEqual([`${ACCOUNTS[0]} AdministratorAccess`])
    expect(identityCenter().permissionSets.has(curated.arn)).toBe(true)
  })
})

const ALLOW_ALL = JSON.stringify({ Version: '2012-10-17', Statement: [{ Effect: 'Allow', Action: '*', Resource: '*' }] })
