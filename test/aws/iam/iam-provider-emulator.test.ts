import { IAMClient } from '@aws-sdk/client-iam'
import { STSClient } from '@aws-sdk/client-sts'
import { afterEach, beforeEach, describe, expect, it } from 'vitest'
import { startIamStsEmulator, type IamStsEmulator } from '../../../emulator/aws/iam-sts-emulator.js'
import { createIamProvider } from '../../../src/aws/iam/iam-provider.js'
import type { CloudProvider, GrantPlan } from '../../../src/core/ports/cloud-provider.js'
import { TEST_NAMESPACE } from '../../fixtures/namespace.js'

// The AWS provider over the real protocol: real SDK clients, SigV4 and AWS Query on loopback.
const baseCredentials = { accessKeyId: 'AKIAEMULATORTEST0001', secretAccessKey: 'base-secret-key' } as const
const accounts = ['111111111111', '222222222222']
const POLICY_NAME = `jit-${TEST_NAMESPACE}-pr-42-exp-20261201T110000Z`

let emulator: IamStsEmulator
let provider: CloudProvider
let sleeps: number[]

function planFor(accountIds: readonly string[]): GrantPlan {
  return {
    namespace: TEST_NAMESPACE,
    requestId: 'pr-42',
    requester: 'alice',
    notBefore: new Date('2026-12-01T10:00:00Z'),
    expiresAt: new Date('2026-12-01T11:00:00Z'),
    revokeSessions: true,
    targets: accountIds.map((account) => ({
      account,
      principalArn: `arn:aws:iam::${account}:role/people/jit-alice`,
      actions: ['ec2:StopInstances'],
      resources: ['*'],
    })),
  }
}

function inlinePolicies(account: string): Record<string, string> {
  return Object.fromEntries(emulator.state.findRole(account, 'jit-alice')?.inlinePolicies ?? [])
}

beforeEach(async () => {
  emulator = await startIamStsEmulator({ credentials: [baseCredentials], granterRoleNames: ['jit-granter'] })
  for (const account of accounts) {
    emulator.state.seedRole({ account, roleName: 'jit-granter', externalId: 'ext-7d1f' })
    emulator.state.seedRole({ account, roleName: 'jit-alice', path: '/people/' })
  }
  sleeps = []
  provider = createIamProvider({
    granterRole: 'arn:aws:iam::{account}:role/jit-granter',
    externalId: 'ext-7d1f',
    createStsClient: (config) => new STSClient({ ...config, endpoint: emulator.url, credentials: baseCredentials }),
    createIamClient: (config) => new IAMClient({ ...config, endpoint: emulator.url }),
    sleep: async (ms) => void sleeps.push(ms),
    random: () => 0,
  })
})

afterEach(async () => {
  await emulator.stop()
})

describe('the AWS provider against the IAM/STS emulator', () => {
  it('grants, lists, revokes with a session cut, and revokes again idempotently', async () => {
    const granted = await provider.grant(planFor(accounts))
    expect(granted.summary).toBe('granted pr-42 on 2 targets from 2026-12-01T10:00:00Z to 2026-12-01T11:00:00Z')
    for (const [index, account] of accounts.entries()) {
      expect(inlinePolicies(account)).toEqual({ [POLICY_NAME]: granted.targets[index]?.policyDocument })
    }
    const puts = emulator.state.calls.filter((call) => call.action === 'PutRolePolicy')
    expect(puts.map((call) => [call.account, call.sessionName])).toEqual([
      ['111111111111', 'jit-pr-42-grant'],
      ['222222222222', 'jit-pr-42-grant'],
    ])

    expect(
      await provider.listManagedPolicies({ account: '111111111111', principalArn: planFor(accounts).targets[0]!.principalArn }),
    ).toEqual([
      {
        kind: 'grant',
        namespace: TEST_NAMESPACE,
        policyName: POLICY_NAME,
        requestId: 'pr-42',
        expiresAt: new Date('2026-12-01T11:00:00Z'),
      },
    ])

    const revokeParams = {
      namespace: TEST_NAMESPACE,
      requestId: 'pr-42',
      targets: planFor(['111111111111']).targets.map((target) => ({
        account: target.account,
        principalArn: target.principalArn,
        policyName: POLICY_NAME,
      })),
      revokedAt: new Date('2026-12-01T10:20:00Z'),
      cutSessions: true,
    }
    const revoked = await provider.revoke(revokeParams)
    expect(revoked.ok).toBe(true)
    expect(revoked.targets[0]?.status).toBe('revoked')
    expect(Object.keys(inlinePolicies('111111111111'))).toEqual([`jit-${TEST_NAMESPACE}-pr-42-revoked-20261201T102000Z`])
    expect(Object.keys(inlinePolicies('222222222222'))).toEqual([POLICY_NAME])

    const again = await provider.revoke({ ...revokeParams, cutSessions: false })
    expect(again.ok).toBe(true)
    expect(again.targets[0]?.status).toBe('already-revoked')
  })

  it('retries injected throttling and rolls back when a later account is denied', async () => {
    emulator.injectFault({ action: 'PutRolePolicy', code: 'Throttling', times: 2, account: '111111111111' })
    emulator.injectFault({ action: 'PutRolePolicy', code: 'AccessDenied', account: '222222222222' })

    const outcome = await provider.grant(planFor(accounts))

    expect(sleeps).toEqual([100, 200])
    expect(outcome.targets.map((target) => target.status)).toEqual(['rolled-back', 'failed'])
    expect(outcome.targets[1]?.failure).toMatchObject({ code: 'AccessDenied', permanent: true })
    expect(inlinePolicies('111111111111')).toEqual({})
    expect(inlinePolicies('222222222222')).toEqual({})
  })

  it('refuses to grant when the ExternalId is wrong, without touching IAM', async () => {
    const wrong = createIamProvider({
      granterRole: 'arn:aws:iam::{account}:role/jit-granter',
      externalId: 'not-the-one',
      createStsClient: (config) => new STSClient({ ...config, endpoint: emulator.url, credentials: baseCredentials }),
      createIamClient: (config) => new IAMClient({ ...config, endpoint: emulator.url }),
      sleep: async () => {},
    })

    const outcome = await wrong.grant(planFor(['111111111111']))

    expect(outcome.targets[0]?.failure).toMatchObject({ code: 'AccessDenied', permanent: true })
    expect(emulator.state.calls.filter((call) => call.service === 'iam')).toEqual([])
  })
})
