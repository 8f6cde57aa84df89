import { afterEach, beforeEach, describe, expect, it } from 'vitest'
import { namePermissionSet } from '../../src/core/records/permission-set.js'
import { INCIDENT_REQUEST_PATH, PROD, STAGING, startE2eStack, type E2eStack } from './support/start-e2e-stack.js'

// The same lifecycle as request-lifecycle.test.ts, on IAM Identity Center: the app behind Probot's
// middleware, the emulated GitHub on real git, and the emulated SSO Admin and Identity Store through the
// real SDK clients (SigV4, JSON 1.1). Production is on Identity Center; staging stays on IAM roles.
const INSTANCE_ARN = 'arn:aws:sso:::instance/ssoins-1234567890abcdef'
const STORE_ID = 'd-1234567890'
const PERMISSION_SET = namePermissionSet({ repository: 'acme/access', requestId: 'pr-1' })
const SETTINGS = (managementAccount: string) =>
  [
    'backend: identity_center',
    'identity_center:',
    `  instance_arn: "${INSTANCE_ARN}"`,
    `  identity_store_id: ${STORE_ID}`,
    '  region: eu-west-1',
    `  granter_role: "arn:aws:iam::${managementAccount}:role/jit-granter"`,
    '  user_name: "{login}@acme.com"',
    'accounts:',
    `  "${STAGING}": { backend: iam }`,
    '',
  ].join('\n')

let stack: E2eStack

beforeEach(async () => {
  // The app's own account administers Identity Center in this stack (999999999999, see start-local-stack).
  stack = await startE2eStack({ files: { '.github/jit.yml': SETTINGS('999999999999') } })
  const { aws, appAccount, externalId, clock } = stack
  aws.state.seedRole({
    account: appAccount,
    roleName: 'jit-granter',
    externalId,
    trustedPrincipals: [`arn:aws:iam::${appAccount}:root`],
    now: clock.now(),
  })
  aws.state.identityCenter.seedInstance({ managementAccount: appAccount, instanceArn: INSTANCE_ARN, identityStoreId: STORE_ID })
  for (const login of ['alice', 'bob', 'carol']) aws.state.identityCenter.seedUser(`${login}@acme.com`)
})
afterEach(async () => {
  await stack.stop()
})

function ssoCalls(from = 0): string[] {
  return stack.aws.state.calls
    .slice(from)
    .filter((call) => call.service === 'sso' || call.service === 'identitystore')
    .map((call) => `${call.action}${call.error ? ` ${call.error}` : ''}`)
}

describe('a request granted through IAM Identity Center', { timeout: 120_000 }, () => {
  it('assigns a per-request permission set on merge, records it, and the sweeper removes it at expiry', async () => {
    const { clock } = stack
    const merged = await stack.mergeApprovedIncidentRequest()
    expect(merged.mergeStatus).toBe(200)

    const identityCenter = stack.aws.state.identityCenter
    const set = identityCenter.findPermissionSetByName(PERMISSION_SET)!
    expect(set.sessionDuration).toBe('PT2H')
    expect(JSON.parse(set.provisioned.get(PROD)!.inlinePolicy)).toEqual({
      Version: '2012-10-17',
      Statement: [
        {
          Sid: `JitPr1Grant${PROD}`,
          Effect: 'Allow',
          Action: ['ec2:StopInstances', 'ec2:TerminateInstances'],
          Resource: ['arn:aws:ec2:us-east-1:111111111111:instance/i-0abc123'],
          Condition: {
            DateGreaterThan: { 'aws:CurrentTime': '2027-03-02T09:05:00Z' },
            DateLessThan: { 'aws:CurrentTime': '2027-03-02T11:05:00Z' },
            StringEquals: { 'aws:PrincipalAccount': PROD },
          },
        },
      ],
    })
    expect(identityCenter.describeAssignmentsOf('alice@acme.com')).toEqual([`${PROD} ${PERMISSION_SET}`])
    // No IAM role was touched: production is on Identity Center.
    expect(stack.policiesOf('alice')).toEqual({})
    const grantCalls = ssoCalls()
    expect(grantCalls).toEqual([
      'GetUserId',
      'CreatePermissionSet',
      'PutInlinePolicyToPermissionSet',
      'CreateAccountAssignment',
      'DescribeAccountAssignmentCreationStatus',
      'DescribeAccountAssignmentCreationStatus',
    ])
    const sessions = new Set(stack.aws.state.calls.filter((call) => call.service === 'sso').map((call) => call.callerArn))
    expect(sessions).toEqual(new Set([`arn:aws:sts::${stack.appAccount}:assumed-role/jit-granter/jit-pr-1-grant`]))

    const active = (await stack.readOnMain('grants/active/pr-1.yaml'))!
    expect(active).toContain('principal: identity-center-user:alice@acme.com')
    expect(active).toContain(`aws_policy_name: ${PERMISSION_SET}`)
    expect(active).toContain(`arn: ${set.arn}`)
    expect(active).toMatch(/assignment_request_id: [0-9a-f-]{36}/)
    expect(stack.github.comments(merged.number).at(-1)?.body).toContain('## ✅ Access granted: pr-1')
    // Reviewers and auditors are told what holds the access: a permission set, not an inline policy.
    expect(stack.github.comments(merged.number).at(-1)?.body).toContain(`| permission set \`${PERMISSION_SET}\` |`)
    if (process.env['JIT_PRINT_RECORD']) console.log(`${active}\nAWS calls of the grant: ${grantCalls.join(', ')}`)

    // Within the window the sweeper leaves it; past the expiry it removes the assignment and the set.
    clock.set(new Date('2027-03-02T10:05:00Z'))
    await stack.tickSweeper()
    expect(identityCenter.permissionSets.size).toBe(1)
    clock.set(new Date('2027-03-02T11:06:00Z'))
    const before = stack.aws.state.calls.length
    await stack.tickSweeper()
    const revokeCalls = ssoCalls(before)
    if (process.env['JIT_PRINT_RECORD']) console.log(`AWS calls of the sweep at expiry: ${revokeCalls.join(', ')}`)
    expect(revokeCalls).toEqual([
      // reconcile: what is assigned to alice in production
      'GetUserId',
      'ListAccountAssignmentsForPrincipal',
      'DescribePermissionSet',
      // the revocation, on the permission set the record names: no deny step at expiry
      'DescribePermissionSet',
      'GetUserId',
      'DeleteAccountAssignment',
      'DescribeAccountAssignmentDeletionStatus',
      'DescribeAccountAssignmentDeletionStatus',
      'DeletePermissionSet',
    ])
    expect(identityCenter.permissionSets.size).toBe(0)
    expect(identityCenter.assignments).toEqual([])
    expect(await stack.recordsOnMain()).toEqual(['grants/revoked/pr-1.yaml'])
    expect(await stack.readOnMain('grants/revoked/pr-1.yaml')).toMatch(/reason: expired/)
    await stack.github.settle()
    expect(stack.appErrors()).toEqual([])
  })

  it('revokes early on `/jit revoke`: the set is narrowed to deny and provisioned again before it goes', async () => {
    const merged = await stack.mergeApprovedIncidentRequest()
    const identityCenter = stack.aws.state.identityCenter
    const set = identityCenter.findPermissionSetByName(PERMISSION_SET)!
    stack.clock.advance(10 * 60_000)
    const before = stack.aws.state.calls.length
    await stack.github.comment(merged.number, { login: 'alice', body: '/jit revoke' })
    await stack.github.settle()
    expect(ssoCalls(before).slice(0, 5)).toEqual([
      'DescribePermissionSet',
      'PutInlinePolicyToPermissionSet',
      'ProvisionPermissionSet',
      'DescribePermissionSetProvisioningStatus',
      'DescribePermissionSetProvisioningStatus',
    ])
    // What production evaluated last, before the set was removed, was a deny of everything.
    const narrowed = stack.aws.state.calls.slice(before).find((call) => call.action === 'PutInlinePolicyToPermissionSet')
    expect(JSON.parse(narrowed!.params['InlinePolicy']!)).toMatchObject({ Statement: [{ Effect: 'Deny', Action: '*', Resource: '*' }] })
    expect(identityCenter.permissionSets.has(set.arn)).toBe(false)
    expect(identityCenter.assignments).toEqual([])
    expect(await stack.recordsOnMain()).toEqual(['grants/revoked/pr-1.yaml'])
    const revoked = (await stack.readOnMain('grants/revoked/pr-1.yaml'))!
    expect(revoked).toMatch(/reason: early/)
    expect(revoked).toContain('outcome: revoked')
    expect(stack.github.comments(merged.number).at(-1)?.body).toContain('revoked')
    expect(stack.appErrors()).toEqual([])
  })

  it('refuses at check time a request whose permission set Identity Center could not provision, naming the limit and the line', async () => {
    // 200 instances make an inline policy of 13,521 characters: CreatePermissionSet would take it, and the
    // role Identity Center provisions in the account could not hold it (10,240 characters, white space aside).
    const instances = Array.from({ length: 200 }, (_, i) => `"arn:aws:ec2:us-east-1:${PROD}:instance/i-${String(i).padStart(17, '0')}"`)
    const text = [
      'reason: Stop the web fleet from INC-4822',
      'ticket: INC-4822',
      'duration: 2h',
      'access:',
      `  - account: "${PROD}"`,
      '    actions: [ec2:StopInstances]',
      `    resources: [${instances.join(', ')}]`,
      '',
    ].join('\n')
    const pr = await stack.requestAccess({ author: 'alice', path: 'requests/sre/inc-4822-stop-fleet.yaml', text })
    await stack.github.settle()
    const check = stack.latestCheck(pr.headSha)
    expect(check.conclusion).toBe('failure')
    expect(check.output.summary).toContain(
      '- `requests/sre/inc-4822-stop-fleet.yaml:5`: the grant would be a permission set whose inline policy has 13,521 characters',
    )
    expect(check.output.summary).toContain('Identity Center allows 10,240 \\(white space aside\\)')
    expect(ssoCalls()).toEqual([])
    expect(stack.appErrors()).toEqual([])
  })

  it('grants on `/jit break-glass` through the permission set as a merge does', async () => {
    const policy = (await stack.readOnMain('policies/prod-ec2-incident.yaml'))!
    await stack.github.commitToDefaultBranch({
      files: { 'policies/prod-ec2-incident.yaml': `${policy}break_glass:\n  max_duration: 2h\n  review_within: 24h\n` },
      message: 'Allow break-glass',
    })
    const text = (await stack.readOnMain(INCIDENT_REQUEST_PATH)) ?? stack.example.requests[INCIDENT_REQUEST_PATH]!
    const pr = await stack.requestAccess({ author: 'alice', path: INCIDENT_REQUEST_PATH, text, title: 'INC-4821' })
    await stack.github.comment(pr.number, { login: 'alice', body: '/jit break-glass' })
    await stack.github.settle()
    expect(stack.aws.state.identityCenter.describeAssignmentsOf('alice@acme.com')).toEqual([`${PROD} ${PERMISSION_SET}`])
    expect(stack.policiesOf('alice')).toEqual({})
    expect(await stack.readOnMain('grants/active/pr-1.yaml')).toContain('principal: identity-center-user:alice@acme.com')
    expect(stack.appErrors()).toEqual([])
  })

  it('reconciles: a permission set of this repository with no record is removed and recorded as an orphan', async () => {
    await stack.mergeApprovedIncidentRequest()
    const identityCenter = stack.aws.state.identityCenter
    // A crash between the assignment and the record of pr-77, long ago: AWS holds it, git does not.
    const orphanName = namePermissionSet({ repository: 'acme/access', requestId: 'pr-77' })
    const orphan = identityCenter.seedPermissionSet({ name: orphanName })
    orphan.description = 'jit-access pr-77 of acme/access until 2027-03-01T10:00:00Z'
    const alice = [...identityCenter.users.values()].find((user) => user.userName === 'alice@acme.com')!
    identityCenter.assignments.push({ accountId: PROD, permissionSetArn: orphan.arn, principalType: 'USER', principalId: alice.userId })
    // Another repository's set on the same user is not ours to touch.
    const foreign = identityCenter.seedPermissionSet({ name: namePermissionSet({ repository: 'acme/other', requestId: 'pr-77' }) })
    identityCenter.assignments.push({ accountId: PROD, permissionSetArn: foreign.arn, principalType: 'USER', principalId: alice.userId })

    stack.clock.advance(20 * 60_000)
    await stack.tickSweeper()
    expect(identityCenter.findPermissionSetByName(orphanName)).toBeUndefined()
    expect(identityCenter.describeAssignmentsOf('alice@acme.com').sort()).toEqual(
      [`${PROD} ${PERMISSION_SET}`, `${PROD} ${foreign.name}`].sort(),
    )
    expect(await stack.recordsOnMain()).toEqual(['grants/active/pr-1.yaml', 'grants/revoked/pr-77.yaml'])
    expect(await stack.readOnMain('grants/revoked/pr-77.yaml')).toMatch(/reason: orphan/)
  })

  it('reconciles the whole instance: a set on a user no record names and a set assigned to no one are deleted, the first recorded with its policy', async () => {
    const identityCenter = stack.aws.state.identityCenter
    // Nobody asked for anything; carol holds a set of this repository's namespace that allows everything.
    const ALLOW_ALL = '{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Action":"*","Resource":"*"}]}'
    const rogueName = namePermissionSet({ repository: 'acme/access', requestId: 'pr-78' })
    const rogue = identityCenter.seedPermissionSet({ name: rogueName, inlinePolicy: ALLOW_ALL })
    rogue.description = 'jit-access pr-78 of acme/access until 2027-03-01T10:00:00Z'
    const carol = [...identityCenter.users.values()].find((user) => user.userName === 'carol@acme.com')!
    identityCenter.assignments.push({ accountId: PROD, permissionSetArn: rogue.arn, principalType: 'USER', principalId: carol.userId })
    // A set of the namespace that no one is assigned: no access, but it fills the instance's quota forever.
    const idleName = namePermissionSet({ repository: 'acme/access', requestId: 'pr-79' })
    const idle = identityCenter.seedPermissionSet({ name: idleName })
    idle.description = 'jit-access pr-79 of acme/access until 2027-03-01T10:00:00Z'
    // Another repository's set on carol stays.
    const foreign = identityCenter.seedPermissionSet({ name: namePermissionSet({ repository: 'acme/other', requestId: 'pr-78' }) })
    identityCenter.assignments.push({ accountId: PROD, permissionSetArn: foreign.arn, principalType: 'USER', principalId: carol.userId })

    await stack.tickSweeper()
    expect(identityCenter.findPermissionSetByName(rogueName)).toBeUndefined()
    expect(identityCenter.findPermissionSetByName(idleName)).toBeUndefined()
    expect(identityCenter.describeAssignmentsOf('carol@acme.com')).toEqual([`${PROD} ${foreign.name}`])
    const record = await stack.readOnMain('grants/revoked/pr-78.yaml')
    expect(record).toMatch(/reason: orphan/)
    expect(record).toContain('principal: identity-center-user:carol@acme.com')
    expect(record).toContain('\\"Action\\":\\"*\\"')
    expect(await stack.readOnMain('.jit/reconcile.yaml')).toMatch(/last_full_pass: /)
  })
})
