import { runSimulation, type Simulation } from '@cloud-copilot/iam-simulate'
import { afterEach, beforeEach, describe, expect, it } from 'vitest'
import type { IamStsEmulator } from '../../../emulator/aws/iam-sts-emulator.js'
import type { IdentityCenterSettings } from '../../../src/core/files/settings.js'
import type { CloudProvider, GrantPlan } from '../../../src/core/ports/cloud-provider.js'
import { namePermissionSet } from '../../../src/core/records/permission-set.js'
import { createTestProvider, REPOSITORY, revokeEarlyHoldingRemoval, startIdentityCenter } from './support/start-identity-center.js'

// Curated permission sets (issue 13): the request's own permission set gets a copy of the curated set and
// an explicit deny outside the window. The proof evaluates what an account holds after provisioning (the
// copied managed policies, the customer-managed policy, the copied inline policy and the deny) with an
// IAM evaluator: allowed only inside the window, whatever the curated set allows and whether a sweep runs.
const ACCOUNT = '111111111111'
const NOW = new Date('2026-12-01T09:00:00Z')
const NAME = namePermissionSet({ repository: REPOSITORY, requestId: 'pr-42' })

/** Small stand-ins for the managed policies the emulator references by ARN (it holds no documents). */
const MANAGED_DOCUMENTS: Record<string, object> = {
  'arn:aws:iam::aws:policy/ReadOnlyAccess': {
    Version: '2012-10-17',
    Statement: [{ Effect: 'Allow', Action: ['ec2:Describe*', 's3:GetObject'], Resource: '*' }],
  },
  [`arn:aws:iam::${ACCOUNT}:policy/teams/jit-fixture-logs`]: {
    Version: '2012-10-17',
    Statement: [{ Effect: 'Allow', Action: 'logs:GetLogEvents', Resource: '*' }],
  },
}
const CURATED_INLINE = JSON.stringify({
  Version: '2012-10-17',
  Statement: [{ Sid: 'Metrics', Effect: 'Allow', Action: 'cloudwatch:GetMetricData', Resource: '*' }],
})

let emulator: IamStsEmulator
let settings: IdentityCenterSettings

beforeEach(async () => {
  ;({ emulator, settings } = await startIdentityCenter(NOW))
  emulator.state.identityCenter.seedPermissionSet({
    name: 'ReadOnlyAccess',
    inlinePolicy: CURATED_INLINE,
    managedPolicyArns: ['arn:aws:iam::aws:policy/ReadOnlyAccess'],
    customerManagedPolicies: [{ name: 'jit-fixture-logs', path: '/teams/' }],
  })
})
afterEach(async () => {
  await emulator.stop()
})

function createProvider(): CloudProvider {
  return createTestProvider({ emulator, settings, now: NOW })
}

const plan = (permissionSet = 'ReadOnlyAccess'): GrantPlan => ({
  requestId: 'pr-42',
  namespace: 'bb0610eed9',
  requester: 'alice',
  notBefore: NOW,
  expiresAt: new Date('2026-12-01T11:00:00Z'),
  revokeSessions: false,
  targets: [{ account: ACCOUNT, principalArn: 'identity-center-user:alice@acme.com', actions: [], resources: [], permissionSet }],
})

function ssoCalls(): string[] {
  return emulator.state.calls.filter((call) => call.service === 'sso').map((call) => call.action)
}

/** What the request's set holds in the account as of its provisioning: every identity policy of its role. */
function effectivePolicies(): { name: string; policy: object }[] {
  const held = emulator.state.identityCenter.findPermissionSetByName(NAME)!.provisioned.get(ACCOUNT)!
  return [
    ...held.managedPolicyArns.map((arn) => ({ name: arn, policy: MANAGED_DOCUMENTS[arn]! })),
    ...held.customerManagedPolicies.map((reference) => {
      const arn = `arn:aws:iam::${ACCOUNT}:policy${reference.path}${reference.name}`
      return { name: arn, policy: MANAGED_DOCUMENTS[arn]! }
    }),
    { name: 'AwsSSOInlinePolicy', policy: JSON.parse(held.inlinePolicy) as object },
  ]
}

async function evaluate(policies: { name: string; policy: object }[], action: string, at: string) {
  const simulation: Simulation = {
    identityPolicies: policies,
    serviceControlPolicies: [],
    resourceControlPolicies: [],
    request: {
      action,
      principal: `arn:aws:iam::${ACCOUNT}:role/aws-reserved/sso.amazonaws.com/AWSReservedSSO_${NAME}_0123456789abcdef`,
      resource: { accountId: ACCOUNT, resource: '*' },
      contextVariables: { 'aws:CurrentTime': at, 'aws:PrincipalAccount': ACCOUNT },
    },
  }
  const response = await runSimulation(simulation, {})
  if (response.resultType === 'error') throw new Error(JSON.stringify(response.errors))
  return response.overallResult
}

describe('granting a curated permission set', () => {
  it('copies its managed policies, customer-managed reference and inline policy, adds the deny, and names the copy', async () => {
    const outcome = await createProvider().grant(plan())
    expect(outcome.ok).toBe(true)
    const curated = emulator.state.identityCenter.findPermissionSetByName('ReadOnlyAccess')!
    const held = emulator.state.identityCenter.findPermissionSetByName(NAME)!.provisioned.get(ACCOUNT)!
    expect(held.managedPolicyArns).toEqual(['arn:aws:iam::aws:policy/ReadOnlyAccess'])
    expect(held.customerManagedPolicies).toEqual([{ name: 'jit-fixture-logs', path: '/teams/' }])
    expect(JSON.parse(held.inlinePolicy)).toEqual({
      Version: '2012-10-17',
      Statement: [
        { Sid: 'Metrics', Effect: 'Allow', Action: 'cloudwatch:GetMetricData', Resource: '*' },
        {
          Sid: 'JitPr42DenyBefore',
          Effect: 'Deny',
          Action: '*',
          Resource: '*',
          Condition: { DateLessThanEquals: { 'aws:CurrentTime': '2026-12-01T09:00:00Z' } },
        },
        {
          Sid: 'JitPr42DenyAfter',
          Effect: 'Deny',
          Action: '*',
          Resource: '*',
          Condition: { DateGreaterThanEquals: { 'aws:CurrentTime': '2026-12-01T11:00:00Z' } },
        },
      ],
    })
    // The curated set itself is never assigned, and keeps what it had.
    expect(emulator.state.identityCenter.describeAssignmentsOf('alice@acme.com')).toEqual([`${ACCOUNT} ${NAME}`])
    expect(curated.managedPolicies.map((policy) => policy.arn)).toEqual(['arn:aws:iam::aws:policy/ReadOnlyAccess'])
    expect(outcome.targets[0]!.copied).toEqual({
      name: 'ReadOnlyAccess',
      arn: curated.arn,
      managedPolicyArns: ['arn:aws:iam::aws:policy/ReadOnlyAccess'],
      customerManagedPolicies: [{ name: 'jit-fixture-logs', path: '/teams/' }],
      inlinePolicy: CURATED_INLINE,
    })
    expect(ssoCalls()).toEqual([
      'ListPermissionSets',
      'DescribePermissionSet',
      'ListManagedPoliciesInPermissionSet',
      'ListCustomerManagedPolicyReferencesInPermissionSet',
      'GetInlinePolicyForPermissionSet',
      'GetPermissionsBoundaryForPermissionSet',
      'CreatePermissionSet',
      'PutInlinePolicyToPermissionSet',
      'AttachManagedPolicyToPermissionSet',
      'AttachCustomerManagedPolicyReferenceToPermissionSet',
      'CreateAccountAssignment',
      'DescribeAccountAssignmentCreationStatus',
      'DescribeAccountAssignmentCreationStatus',
    ])
  })

  it('copies a permissions boundary too, so the copy never allows more than the curated set', async () => {
    const boundary = { customerManagedPolicy: { name: 'jit-fixture-boundary', path: '/' } }
    emulator.state.identityCenter.seedPermissionSet({
      name: 'Bounded',
      managedPolicyArns: ['arn:aws:iam::aws:policy/AdministratorAccess'],
      permissionsBoundary: boundary,
    })
    const provider = createProvider()
    const outcome = await provider.grant(plan('Bounded'))
    expect(outcome.ok).toBe(true)
    expect(emulator.state.identityCenter.findPermissionSetByName(NAME)!.provisioned.get(ACCOUNT)!.permissionsBoundary).toEqual(boundary)
    expect(outcome.targets[0]!.copied?.permissionsBoundary).toEqual(boundary)
    expect((await provider.inspectGrant(plan('Bounded'))).targets.map((target) => target.found)).toEqual(['as-planned'])
    emulator.state.identityCenter.findPermissionSetByName(NAME)!.permissionsBoundary = undefined
    expect((await provider.inspectGrant(plan('Bounded'))).targets.map((target) => target.found)).toEqual(['different'])
  })

  it('reads the copy back as planned, and as different once it drifted', async () => {
    const provider = createProvider()
    await provider.grant(plan())
    const read = await provider.inspectGrant(plan())
    expect(read.targets.map((target) => target.found)).toEqual(['as-planned'])
    expect(read.targets[0]!.copied?.managedPolicyArns).toEqual(['arn:aws:iam::aws:policy/ReadOnlyAccess'])
    const copy = emulator.state.identityCenter.findPermissionSetByName(NAME)!
    copy.managedPolicies.push({ arn: 'arn:aws:iam::aws:policy/AdministratorAccess', name: 'AdministratorAccess' })
    expect((await provider.inspectGrant(plan())).targets.map((target) => target.found)).toEqual(['different'])
  })

  it('reads a copy whose curated set is gone as different, so it is undone rather than taken for the grant', async () => {
    const provider = createProvider()
    await provider.grant(plan())
    const curated = emulator.state.identityCenter.findPermissionSetByName('ReadOnlyAccess')!
    emulator.state.identityCenter.permissionSets.delete(curated.arn)
    expect((await provider.inspectGrant(plan())).targets.map((target) => target.found)).toEqual(['different'])
  })

  it('re-running the grant attaches nothing twice', async () => {
    const provider = createProvider()
    await provider.grant(plan())
    const again = await provider.grant(plan())
    expect(again.ok).toBe(true)
    const copy = emulator.state.identityCenter.findPermissionSetByName(NAME)!
    expect(copy.managedPolicies.map((policy) => policy.arn)).toEqual(['arn:aws:iam::aws:policy/ReadOnlyAccess'])
    expect(copy.customerManagedPolicies).toEqual([{ name: 'jit-fixture-logs', path: '/teams/' }])
  })

  it.each([
    {
      name: 'a curated set the instance does not have',
      setUp: () => {},
      permissionSet: 'ViewOnlyAccess',
      code: 'NoSuchPermissionSet',
      message:
        /there is no permission set ViewOnlyAccess in arn:aws:sso:::instance\/.*; create it in IAM Identity Center, or remove it from grants.permission_sets/,
    },
    {
      name: 'more AWS-managed policies than a permission set may hold',
      setUp: () =>
        void emulator.state.identityCenter.seedPermissionSet({
          name: 'Wide',
          managedPolicyArns: Array.from({ length: 11 }, (_, index) => `arn:aws:iam::aws:policy/Fixture${index}`),
        }),
      permissionSet: 'Wide',
      code: 'PolicyTooLarge',
      message: /permission set Wide has 11 AWS-managed policies; a permission set may hold 10/,
    },
    {
      name: 'an inline policy that leaves no room for the deny',
      setUp: () =>
        void emulator.state.identityCenter.seedPermissionSet({
          name: 'Big',
          inlinePolicy: JSON.stringify({
            Version: '2012-10-17',
            Statement: [
              {
                Effect: 'Allow',
                Action: 's3:GetObject',
                Resource: Array.from({ length: 600 }, (_, i) => `arn:aws:s3:::bucket-${i}/${'x'.repeat(30)}`),
              },
            ],
          }),
        }),
      permissionSet: 'Big',
      code: 'PolicyTooLarge',
      message:
        /the copy of permission set Big would have an inline policy of [0-9,]+ characters \(its own inline policy and the window's deny\); Identity Center allows 10,240/,
    },
  ])('fails permanently, writing nothing, for $name', async ({ setUp, permissionSet, code, message }) => {
    setUp()
    const outcome = await createProvider().grant(plan(permissionSet))
    expect(outcome.ok).toBe(false)
    expect(outcome.error?.code).toBe(code)
    expect(outcome.error?.permanent).toBe(true)
    expect(outcome.summary).toMatch(message)
    expect(ssoCalls().filter((action) => !/^(List|Describe|Get)/.test(action))).toEqual([])
  })
})

describe('proof of expiry: a curated set`s copy, as IAM evaluates it', () => {
  const actions = ['ec2:DescribeInstances', 's3:GetObject', 'logs:GetLogEvents', 'cloudwatch:GetMetricData']
  it.each([
    ['before the start', '2026-12-01T08:59:59Z', 'ExplicitlyDenied'],
    ['at the start', '2026-12-01T09:00:00Z', 'ExplicitlyDenied'],
    ['inside the window', '2026-12-01T10:00:00Z', 'Allowed'],
    ['one second before the end', '2026-12-01T10:59:59Z', 'Allowed'],
    ['at the end', '2026-12-01T11:00:00Z', 'ExplicitlyDenied'],
    ['a day after the end, with no sweep having run', '2026-12-02T11:00:00Z', 'ExplicitlyDenied'],
  ])('every copied permission %s (%s) is %s', async (_label, at, expected) => {
    await createProvider().grant(plan())
    const policies = effectivePolicies()
    for (const action of actions) expect(`${action}: ${await evaluate(policies, action, at)}`).toBe(`${action}: ${expected}`)
  })

  it('is the deny that ends it: without it the copied managed policies would still allow after the window', async () => {
    await createProvider().grant(plan())
    const withoutDeny = effectivePolicies().map(({ name, policy }) =>
      name === 'AwsSSOInlinePolicy'
        ? {
            name,
            policy: {
              ...policy,
              Statement: (policy as { Statement: { Sid?: string }[] }).Statement.filter((s) => !s.Sid?.startsWith('JitPr42Deny')),
            },
          }
        : { name, policy },
    )
    expect(await evaluate(withoutDeny, 'ec2:DescribeInstances', '2026-12-02T11:00:00Z')).toBe('Allowed')
  })

  it('ends inside the window once an early revoke narrowed the copy, whatever its managed policies allow', async () => {
    const provider = createProvider()
    const granted = await provider.grant(plan())
    const { revoking, release } = await revokeEarlyHoldingRemoval({ emulator, provider, granted })
    const policies = effectivePolicies()
    expect(policies.map((policy) => policy.name)).toContain('arn:aws:iam::aws:policy/ReadOnlyAccess')
    expect(await evaluate(policies, 'ec2:DescribeInstances', '2026-12-01T10:00:01Z')).toBe('ExplicitlyDenied')
    release()
    expect((await revoking).ok).toBe(true)
    expect(emulator.state.identityCenter.findPermissionSetByName(NAME)).toBeUndefined()
    expect(emulator.state.identityCenter.findPermissionSetByName('ReadOnlyAccess')).toBeDefined()
  })
})
