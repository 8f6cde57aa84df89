import {
  DeleteRolePolicyCommand,
  DeleteUserPolicyCommand,
  GetRolePolicyCommand,
  IAMClient,
  IAMServiceException,
  ListRolePoliciesCommand,
  ListUserPoliciesCommand,
  NoSuchEntityException,
  PutRolePolicyCommand,
  PutUserPolicyCommand,
} from '@aws-sdk/client-iam'
import { AssumeRoleCommand, STSClient } from '@aws-sdk/client-sts'
import { mockClient } from 'aws-sdk-client-mock'
import { beforeEach, describe, expect, it } from 'vitest'
import type { AwsClientConfig, TemporaryCredentials } from '../../../src/aws/aws-clients.js'
import { createIamProvider } from '../../../src/aws/iam/iam-provider.js'
import { GrantError, type GrantPlan } from '../../../src/core/ports/cloud-provider.js'
import { TEST_NAMESPACE } from '../../fixtures/namespace.js'

const sts = mockClient(STSClient)
const iam = mockClient(IAMClient)

const ALICE_ROLE = 'arn:aws:iam::111111111111:role/people/jit-alice'
const ALICE_ROLE_B = 'arn:aws:iam::222222222222:role/jit-alice'
const POLICY_NAME = `jit-${TEST_NAMESPACE}-pr-42-exp-20261201T110000Z`

function awsError(name: string, status: number, message: string): IAMServiceException {
  return new IAMServiceException({ name, $fault: status >= 500 ? 'server' : 'client', $metadata: { httpStatusCode: status }, message })
}

function planFor(targets: GrantPlan['targets'], overrides: Partial<GrantPlan> = {}): GrantPlan {
  return {
    namespace: TEST_NAMESPACE,
    requestId: 'pr-42',
    requester: 'alice',
    notBefore: new Date('2026-12-01T10:00:00Z'),
    expiresAt: new Date('2026-12-01T11:00:00Z'),
    revokeSessions: false,
    targets,
    ...overrides,
  }
}

const target111 = {
  account: '111111111111',
  principalArn: ALICE_ROLE,
  actions: ['ec2:StopInstances', 'ec2:DescribeInstances'],
  resources: ['*'],
}
const target222 = { account: '222222222222', principalArn: ALICE_ROLE_B, actions: ['ec2:StopInstances'], resources: ['*'] }

/** A provider wired to the mocked SDK clients, recording the configs it builds clients with and the delays it sleeps. */
function setUp(options: { maxAttempts?: number; measureExistingPolicies?: boolean } = {}) {
  const stsConfigs: AwsClientConfig[] = []
  const iamConfigs = new Map<unknown, AwsClientConfig & { credentials: TemporaryCredentials }>()
  const sleeps: number[] = []
  const provider = createIamProvider({
    granterRole: 'arn:aws:iam::{account}:role/jit-granter',
    externalId: 'ext-7d1f',
    createStsClient: (config) => {
      stsConfigs.push(config)
      return new STSClient(config)
    },
    createIamClient: (config) => {
      const client = new IAMClient(config)
      iamConfigs.set(client, config)
      return client
    },
    sleep: async (ms) => {
      sleeps.push(ms)
    },
    random: () => 0.5,
    ...(options.maxAttempts ? { retry: { maxAttempts: options.maxAttempts } } : {}),
    ...(options.measureExistingPolicies === undefined ? {} : { measureExistingPolicies: options.measureExistingPolicies }),
  })
  /** The access key of the session an IAM call was made with: tells which account's granter made it. */
  const keyOf = (call: { thisValue: unknown }): string | undefined => iamConfigs.get(call.thisValue)?.credentials.accessKeyId
  return { provider, stsConfigs, iamConfigs, sleeps, keyOf }
}

beforeEach(() => {
  sts.reset()
  iam.reset()
  sts.on(AssumeRoleCommand).callsFake((input: { RoleArn: string }) => ({
    Credentials: {
      AccessKeyId: `ASIA-${input.RoleArn.split(':')[4]}`,
      SecretAccessKey: 'secret',
      SessionToken: 'token',
      Expiration: new Date('2026-12-01T10:15:00Z'),
    },
  }))
  iam.on(ListRolePoliciesCommand).resolves({ PolicyNames: [] })
  iam.on(ListUserPoliciesCommand).resolves({ PolicyNames: [] })
  iam.on(PutRolePolicyCommand).resolves({})
  iam.on(PutUserPolicyCommand).resolves({})
  iam.on(DeleteRolePolicyCommand).resolves({})
})

describe('grant', () => {
  it('assumes the granter role with the ExternalId and a session named after the request, then puts the policy on the role', async () => {
    const { provider, stsConfigs, iamConfigs, keyOf } = setUp()

    const outcome = await provider.grant(planFor([target111]))

    expect(stsConfigs).toEqual([{ region: 'us-east-1', maxAttempts: 1 }])
    expect(sts.commandCalls(AssumeRoleCommand).map((call) => call.args[0].input)).toEqual([
      {
        RoleArn: 'arn:aws:iam::111111111111:role/jit-granter',
        RoleSessionName: 'jit-pr-42-grant',
        ExternalId: 'ext-7d1f',
        DurationSeconds: 900,
      },
    ])
    expect([...iamConfigs.values()]).toEqual([
      {
        region: 'us-east-1',
        maxAttempts: 1,
        credentials: {
          accessKeyId: 'ASIA-111111111111',
          secretAccessKey: 'secret',
          sessionToken: 'token',
          expiration: new Date('2026-12-01T10:15:00Z'),
        },
      },
    ])
    expect(iam.commandCalls(ListRolePoliciesCommand).map((call) => call.args[0].input)).toEqual([{ RoleName: 'jit-alice' }])
    const puts = iam.commandCalls(PutRolePolicyCommand)
    expect(puts).toHaveLength(1)
    const put = puts[0]!
    expect(keyOf(put)).toBe('ASIA-111111111111')
    expect(put.args[0].input.RoleName).toBe('jit-alice')
    expect(put.args[0].input.PolicyName).toBe(POLICY_NAME)
    expect(JSON.parse(put.args[0].input.PolicyDocument!)).toEqual({
      Version: '2012-10-17',
      Statement: [
        {
          Sid: 'JitPr42Grant',
          Effect: 'Allow',
          Action: ['ec2:DescribeInstances', 'ec2:StopInstances'],
          Resource: ['*'],
          Condition: {
            DateGreaterThan: { 'aws:CurrentTime': '2026-12-01T10:00:00Z' },
            DateLessThan: { 'aws:CurrentTime': '2026-12-01T11:00:00Z' },
          },
        },
      ],
    })
    expect(iam.commandCalls(PutUserPolicyCommand)).toHaveLength(0)
    expect(outcome.ok).toBe(true)
    expect(outcome.summary).toBe('granted pr-42 on 1 target from 2026-12-01T10:00:00Z to 2026-12-01T11:00:00Z')
    expect(outcome.targets).toEqual([
      {
        account: '111111111111',
        principalArn: ALICE_ROLE,
        policyName: POLICY_NAME,
        policyDocument: put.args[0].input.PolicyDocument,
        granterRoleArn: 'arn:aws:iam::111111111111:role/jit-granter',
        status: 'granted',
        description:
          `put inline policy ${POLICY_NAME} on role jit-alice in 111111111111, as jit-pr-42-grant via arn:aws:iam::111111111111:role/jit-granter, ` +
          'allowing 2 actions on 1 resource from 2026-12-01T10:00:00Z to 2026-12-01T11:00:00Z',
      },
    ])
  })

  it('puts the policy on a user with PutUserPolicy', async () => {
    const { provider } = setUp()

    const outcome = await provider.grant(
      planFor([
        {
          account: '111111111111',
          principalArn: 'arn:aws:iam::111111111111:user/eng/alice',
          actions: ['s3:GetObject'],
          resources: ['arn:aws:s3:::logs/*'],
        },
      ]),
    )

    expect(outcome.ok).toBe(true)
    expect(iam.commandCalls(ListUserPoliciesCommand).map((call) => call.args[0].input)).toEqual([{ UserName: 'alice' }])
    const puts = iam.commandCalls(PutUserPolicyCommand).map((call) => call.args[0].input)
    expect(puts).toHaveLength(1)
    expect(puts[0]!.UserName).toBe('alice')
    expect(puts[0]!.PolicyName).toBe(POLICY_NAME)
    expect(JSON.parse(puts[0]!.PolicyDocument!).Statement[0]).toMatchObject({ Action: ['s3:GetObject'], Resource: ['arn:aws:s3:::logs/*'] })
    expect(iam.commandCalls(PutRolePolicyCommand)).toHaveLength(0)
    expect(iam.commandCalls(ListRolePoliciesCommand)).toHaveLength(0)
  })

  it('retries throttling with growing delays, then succeeds', async () => {
    const { provider, sleeps } = setUp()
    iam
      .on(PutRolePolicyCommand)
      .rejectsOnce(awsError('Throttling', 400, 'Rate exceeded'))
      .rejectsOnce(awsError('Throttling', 400, 'Rate exceeded'))
      .resolves({})

    const outcome = await provider.grant(planFor([target111]))

    expect(outcome.ok).toBe(true)
    expect(iam.commandCalls(PutRolePolicyCommand)).toHaveLength(3)
    // random() = 0.5 with the default 200 ms base: 3/4 of 200, then 3/4 of 400.
    expect(sleeps).toEqual([150, 300])
  })

  it('reports a transient failure as not permanent once the attempts run out', async () => {
    const { provider, sleeps } = setUp({ maxAttempts: 3 })
    iam.on(PutRolePolicyCommand).rejects(awsError('ServiceUnavailable', 503, 'Service is unavailable'))

    const outcome = await provider.grant(planFor([target111]))

    expect(iam.commandCalls(PutRolePolicyCommand)).toHaveLength(3)
    expect(sleeps).toHaveLength(2)
    expect(outcome.ok).toBe(false)
    expect(outcome.targets[0]?.failure).toEqual({
      code: 'ServiceUnavailable',
      message: `request pr-42: could not put inline policy ${POLICY_NAME} on role jit-alice in 111111111111 (ServiceUnavailable: Service is unavailable)`,
      permanent: false,
    })
  })

  it('fails at once on AccessDenied, keeping the SDK error as the cause', async () => {
    const { provider, sleeps } = setUp()
    const denied = awsError(
      'AccessDenied',
      403,
      'User: arn:aws:sts::111111111111:assumed-role/jit-granter/jit-pr-42-grant is not authorized to perform: iam:PutRolePolicy',
    )
    iam.on(PutRolePolicyCommand).rejects(denied)

    const outcome = await provider.grant(planFor([target111]))

    expect(iam.commandCalls(PutRolePolicyCommand)).toHaveLength(1)
    expect(sleeps).toEqual([])
    expect(outcome.ok).toBe(false)
    expect(outcome.targets.map((target) => target.status)).toEqual(['failed'])
    expect(outcome.targets[0]?.failure).toMatchObject({ code: 'AccessDenied', permanent: true })
    expect(outcome.error).toBeInstanceOf(GrantError)
    expect(outcome.error?.cause).toBe(denied)
    expect(outcome.summary).toBe(
      `did not grant pr-42: request pr-42: could not put inline policy ${POLICY_NAME} on role jit-alice in 111111111111 (AccessDenied: ${denied.message})`,
    )
  })

  it('rolls back the first account when the second fails', async () => {
    const { provider, keyOf } = setUp()
    let putCount = 0
    iam.on(PutRolePolicyCommand).callsFake(async () => {
      putCount++
      if (putCount === 2) throw awsError('AccessDenied', 403, 'not authorized to perform: iam:PutRolePolicy')
      return {}
    })

    const outcome = await provider.grant(planFor([target111, target222]))

    const puts = iam.commandCalls(PutRolePolicyCommand)
    expect(puts.map(keyOf)).toEqual(['ASIA-111111111111', 'ASIA-222222222222'])
    const deletes = iam.commandCalls(DeleteRolePolicyCommand)
    expect(deletes.map((call) => call.args[0].input)).toEqual([{ RoleName: 'jit-alice', PolicyName: POLICY_NAME }])
    expect(deletes.map(keyOf)).toEqual(['ASIA-111111111111'])
    expect(outcome.ok).toBe(false)
    expect(outcome.targets.map((target) => [target.account, target.status])).toEqual([
      ['111111111111', 'rolled-back'],
      ['222222222222', 'failed'],
    ])
    expect(outcome.targets[0]?.description).toBe(
      `put inline policy ${POLICY_NAME} on role jit-alice in 111111111111, then deleted it because role jit-alice in 222222222222 failed`,
    )
    expect(outcome.summary).toBe(
      `did not grant pr-42: request pr-42: could not put inline policy ${POLICY_NAME} on role jit-alice in 222222222222 ` +
        '(AccessDenied: not authorized to perform: iam:PutRolePolicy); rolled back 1 target',
    )
  })

  it('reports a rollback that fails, so the leftover policy is known', async () => {
    const { provider } = setUp()
    let putCount = 0
    iam.on(PutRolePolicyCommand).callsFake(async () => {
      if (++putCount === 2) throw awsError('AccessDenied', 403, 'denied')
      return {}
    })
    iam.on(DeleteRolePolicyCommand).rejects(awsError('AccessDenied', 403, 'not authorized to perform: iam:DeleteRolePolicy'))

    const outcome = await provider.grant(planFor([target111, target222]))

    expect(outcome.targets.map((target) => target.status)).toEqual(['rollback-failed', 'failed'])
    expect(outcome.targets[0]?.rollbackFailure).toMatchObject({ code: 'AccessDenied', permanent: true })
    expect(outcome.summary).toMatch(/; rollback failed in 111111111111$/)
  })

  it('puts nothing when the granter role cannot be assumed in a later account', async () => {
    const { provider } = setUp()
    sts
      .on(AssumeRoleCommand, { RoleArn: 'arn:aws:iam::222222222222:role/jit-granter' })
      .rejects(
        Object.assign(new Error('not authorized to perform: sts:AssumeRole'), { name: 'AccessDenied', $metadata: { httpStatusCode: 403 } }),
      )

    const outcome = await provider.grant(planFor([target111, target222]))

    expect(iam.commandCalls(PutRolePolicyCommand)).toHaveLength(0)
    expect(iam.commandCalls(DeleteRolePolicyCommand)).toHaveLength(0)
    expect(outcome.targets.map((target) => target.status)).toEqual(['not-attempted', 'failed'])
    expect(outcome.targets[1]?.failure?.message).toBe(
      'request pr-42: could not assume arn:aws:iam::222222222222:role/jit-granter as jit-pr-42-grant in 222222222222 (AccessDenied: not authorized to perform: sts:AssumeRole)',
    )
  })

  it('makes no AWS call when the policy alone exceeds the inline quota', async () => {
    const { provider } = setUp()
    const resources = Array.from({ length: 400 }, (_, index) => `arn:aws:s3:::bucket-${String(index).padStart(3, '0')}/*`)

    const outcome = await provider.grant(planFor([target111, { ...target222, resources }]))

    expect(sts.calls()).toHaveLength(0)
    expect(iam.calls()).toHaveLength(0)
    expect(outcome.ok).toBe(false)
    expect(outcome.targets.map((target) => target.status)).toEqual(['not-attempted', 'failed'])
    expect(outcome.error?.code).toBe('PolicyTooLarge')
    const size = outcome.targets[1]!.policyDocument.length
    expect(size).toBeGreaterThan(10_240)
    expect(outcome.error?.message).toBe(
      `request pr-42 needs ${size.toLocaleString('en-US')} characters of inline policy on role jit-alice in 222222222222; ` +
        'IAM allows 10,240 per role: split the request or use wildcards the policy allows',
    )
  })

  it("counts the principal's other inline policies, but not the one it replaces, against the quota", async () => {
    const { provider } = setUp()
    const big = JSON.stringify({
      Version: '2012-10-17',
      Statement: [{ Effect: 'Allow', Action: 's3:GetObject', Resource: `arn:aws:s3:::${'x'.repeat(10_000)}` }],
    })
    iam.on(ListRolePoliciesCommand).resolves({ PolicyNames: [POLICY_NAME, 'team-baseline'] })
    iam.on(GetRolePolicyCommand).resolves({ PolicyDocument: encodeURIComponent(big) })

    const outcome = await provider.grant(planFor([target111]))

    expect(iam.commandCalls(GetRolePolicyCommand).map((call) => call.args[0].input)).toEqual([
      { RoleName: 'jit-alice', PolicyName: 'team-baseline' },
    ])
    expect(iam.commandCalls(PutRolePolicyCommand)).toHaveLength(0)
    expect(outcome.error?.code).toBe('PolicyTooLarge')
    expect(outcome.error?.message).toContain(
      `(${outcome.targets[0]!.policyDocument.length} for this request plus ${big.length.toLocaleString('en-US')} already on it)`,
    )
  })

  it('skips reading other inline policies when told to', async () => {
    const { provider } = setUp({ measureExistingPolicies: false })

    const outcome = await provider.grant(planFor([target111]))

    expect(outcome.ok).toBe(true)
    expect(iam.commandCalls(ListRolePoliciesCommand)).toHaveLength(0)
    expect(iam.commandCalls(PutRolePolicyCommand)).toHaveLength(1)
  })

  it('refuses a principal outside the target account without calling AWS', async () => {
    const { provider } = setUp()

    const outcome = await provider.grant(planFor([{ ...target111, principalArn: ALICE_ROLE_B }]))

    expect(sts.calls()).toHaveLength(0)
    expect(outcome.error?.message).toBe(`request pr-42: principal ${ALICE_ROLE_B} is not in target account 111111111111`)
  })
})

describe('revoke', () => {
  const revokedAt = new Date('2026-12-01T10:20:00Z')

  it('deletes the policy with a session named after the request', async () => {
    const { provider } = setUp()

    const outcome = await provider.revoke({
      namespace: TEST_NAMESPACE,
      requestId: 'pr-42',
      targets: [{ account: '111111111111', principalArn: ALICE_ROLE, policyName: POLICY_NAME }],
      revokedAt,
      cutSessions: false,
    })

    expect(sts.commandCalls(AssumeRoleCommand)[0]?.args[0].input).toMatchObject({
      RoleSessionName: 'jit-pr-42-revoke',
      ExternalId: 'ext-7d1f',
    })
    expect(iam.commandCalls(DeleteRolePolicyCommand).map((call) => call.args[0].input)).toEqual([
      { RoleName: 'jit-alice', PolicyName: POLICY_NAME },
    ])
    expect(iam.commandCalls(PutRolePolicyCommand)).toHaveLength(0)
    expect(outcome).toMatchObject({ ok: true, summary: 'revoked pr-42 on 1 target' })
    expect(outcome.targets[0]?.status).toBe('revoked')
  })

  it('treats a missing policy as already revoked', async () => {
    const { provider } = setUp()
    iam.on(DeleteRolePolicyCommand).rejects(
      new NoSuchEntityException({
        message: `The role policy with name ${POLICY_NAME} cannot be found.`,
        $metadata: { httpStatusCode: 404 },
      }),
    )

    const outcome = await provider.revoke({
      namespace: TEST_NAMESPACE,
      requestId: 'pr-42',
      targets: [{ account: '111111111111', principalArn: ALICE_ROLE, policyName: POLICY_NAME }],
      revokedAt,
      cutSessions: false,
    })

    expect(iam.commandCalls(DeleteRolePolicyCommand)).toHaveLength(1)
    expect(outcome.ok).toBe(true)
    expect(outcome.targets[0]).toMatchObject({
      status: 'already-revoked',
      description: `inline policy ${POLICY_NAME} on role jit-alice in 111111111111 was already gone`,
    })
  })

  it('deletes from a user with DeleteUserPolicy', async () => {
    const { provider } = setUp()
    iam.on(DeleteUserPolicyCommand).resolves({})

    await provider.revoke({
      namespace: TEST_NAMESPACE,
      requestId: 'pr-42',
      targets: [{ account: '111111111111', principalArn: 'arn:aws:iam::111111111111:user/alice', policyName: POLICY_NAME }],
      revokedAt,
      cutSessions: false,
    })

    expect(iam.commandCalls(DeleteUserPolicyCommand).map((call) => call.args[0].input)).toEqual([
      { UserName: 'alice', PolicyName: POLICY_NAME },
    ])
    expect(iam.commandCalls(DeleteRolePolicyCommand)).toHaveLength(0)
  })

  it('cuts earlier sessions once per principal with a deny on aws:TokenIssueTime', async () => {
    const { provider } = setUp()
    const other = `jit-${TEST_NAMESPACE}-pr-40-exp-20261201T120000Z`

    const outcome = await provider.revoke({
      namespace: TEST_NAMESPACE,
      requestId: 'pr-42',
      targets: [
        { account: '111111111111', principalArn: ALICE_ROLE, policyName: POLICY_NAME },
        { account: '111111111111', principalArn: ALICE_ROLE, policyName: other },
      ],
      revokedAt,
      cutSessions: true,
    })

    expect(iam.commandCalls(DeleteRolePolicyCommand).map((call) => call.args[0].input.PolicyName)).toEqual([POLICY_NAME, other])
    const puts = iam.commandCalls(PutRolePolicyCommand).map((call) => call.args[0].input)
    expect(puts).toHaveLength(1)
    expect(puts[0]!.RoleName).toBe('jit-alice')
    expect(puts[0]!.PolicyName).toBe(`jit-${TEST_NAMESPACE}-pr-42-revoked-20261201T102000Z`)
    expect(JSON.parse(puts[0]!.PolicyDocument!)).toEqual({
      Version: '2012-10-17',
      Statement: [
        {
          Sid: 'JitPr42Revoked',
          Effect: 'Deny',
          Action: '*',
          Resource: '*',
          Condition: { DateLessThan: { 'aws:TokenIssueTime': '2026-12-01T10:20:00Z' } },
        },
      ],
    })
    expect(outcome.ok).toBe(true)
    expect(outcome.targets[0]?.sessionCut?.status).toBe('cut')
    expect(outcome.targets[1]?.sessionCut).toBeUndefined()
  })

  it('keeps revoking other targets when one fails', async () => {
    const { provider } = setUp()
    sts.on(AssumeRoleCommand, { RoleArn: 'arn:aws:iam::111111111111:role/jit-granter' }).rejects(awsError('AccessDenied', 403, 'denied'))

    const outcome = await provider.revoke({
      namespace: TEST_NAMESPACE,
      requestId: 'pr-42',
      targets: [
        { account: '111111111111', principalArn: ALICE_ROLE, policyName: POLICY_NAME },
        { account: '222222222222', principalArn: ALICE_ROLE_B, policyName: POLICY_NAME },
      ],
      revokedAt,
      cutSessions: false,
    })

    expect(outcome.ok).toBe(false)
    expect(outcome.targets.map((target) => target.status)).toEqual(['failed', 'revoked'])
    expect(outcome.summary).toMatch(/^revocation of pr-42 failed on 1 target of 2: request pr-42: could not assume/)
  })
})

describe('listManagedPolicies', () => {
  it('pages through the inline policies and keeps only the ones this app wrote', async () => {
    const { provider } = setUp()
    iam
      .on(ListRolePoliciesCommand)
      .resolvesOnce({ PolicyNames: [POLICY_NAME, 'AdminBaseline'], IsTruncated: true, Marker: 'page-2' })
      .resolvesOnce({ PolicyNames: [`jit-${TEST_NAMESPACE}-pr-7-revoked-20261130T235959Z`, 'jit-not-ours'], IsTruncated: false })

    const policies = await provider.listManagedPolicies({ account: '111111111111', principalArn: ALICE_ROLE })

    expect(sts.commandCalls(AssumeRoleCommand)[0]?.args[0].input.RoleSessionName).toBe('jit-reconcile-list')
    expect(iam.commandCalls(ListRolePoliciesCommand).map((call) => call.args[0].input)).toEqual([
      { RoleName: 'jit-alice' },
      { RoleName: 'jit-alice', Marker: 'page-2' },
    ])
    expect(policies).toEqual([
      {
        kind: 'grant',
        namespace: TEST_NAMESPACE,
        policyName: POLICY_NAME,
        requestId: 'pr-42',
        expiresAt: new Date('2026-12-01T11:00:00Z'),
      },
      {
        kind: 'session-cut',
        policyName: `jit-${TEST_NAMESPACE}-pr-7-revoked-20261130T235959Z`,
        namespace: TEST_NAMESPACE,
        requestId: 'pr-7',
        revokedAt: new Date('2026-11-30T23:59:59Z'),
      },
    ])
  })

  it('throws a GrantError naming the principal when listing is denied', async () => {
    const { provider } = setUp()
    iam.on(ListRolePoliciesCommand).rejects(awsError('AccessDenied', 403, 'denied'))

    const error = await provider
      .listManagedPolicies({ account: '111111111111', principalArn: ALICE_ROLE })
      .catch((caught: unknown) => caught)

    expect(error).toBeInstanceOf(GrantError)
    expect((error as GrantError).message).toBe(
      'reconcile: could not list the inline policies of role jit-alice in 111111111111 (AccessDenied: denied)',
    )
  })
})
