import { DeleteRolePolicyCommand, IAMClient } from '@aws-sdk/client-iam'
import { AssumeRoleCommand, STSClient } from '@aws-sdk/client-sts'
import { mockClient } from 'aws-sdk-client-mock'
import { describe, expect, it } from 'vitest'
import { createProvider, ProviderConfigError } from '../../src/aws/create-provider.js'
import { TEST_NAMESPACE } from '../fixtures/namespace.js'

const sleep = async () => {}
const plan = {
  namespace: TEST_NAMESPACE,
  requestId: 'pr-42',
  requester: 'alice',
  notBefore: new Date('2026-12-01T09:00:00Z'),
  expiresAt: new Date('2026-12-01T11:00:00Z'),
  revokeSessions: false,
  targets: [
    { account: '111111111111', principalArn: 'arn:aws:iam::111111111111:role/jit-alice', actions: ['ec2:StopInstances'], resources: ['*'] },
  ],
}

describe('createProvider', () => {
  it.each(['1', 'true', 'TRUE'])('JIT_DRY_RUN=%s chooses the dry run, which needs no ExternalId and calls nothing', async (flag) => {
    const choice = createProvider({ env: { JIT_DRY_RUN: flag }, sleep })
    expect(choice.dryRun).toBe(true)
    const outcome = await choice.create({ granterRole: 'arn:aws:iam::{account}:role/jit-granter' }).grant(plan)
    expect(outcome).toMatchObject({ ok: true, dryRun: true, targets: [{ status: 'would-grant' }] })
  })

  it('writes to AWS when JIT_DRY_RUN is unset or 0, given JIT_EXTERNAL_ID', () => {
    expect(createProvider({ env: { JIT_EXTERNAL_ID: 'ext-1' }, sleep }).dryRun).toBe(false)
    expect(createProvider({ env: { JIT_DRY_RUN: '0', JIT_EXTERNAL_ID: 'ext-1' }, sleep }).dryRun).toBe(false)
  })

  it('refuses to start for AWS without JIT_EXTERNAL_ID, saying what to set', () => {
    expect(() => createProvider({ env: {}, sleep })).toThrow(
      new ProviderConfigError(
        'JIT_EXTERNAL_ID is not set: the app needs the ExternalId its granter roles trust to write to AWS. Set it, or set JIT_DRY_RUN=1 to run without AWS',
      ),
    )
  })

  it('refuses a JIT_DRY_RUN value it does not understand rather than writing to AWS', () => {
    expect(() => createProvider({ env: { JIT_DRY_RUN: 'yes', JIT_EXTERNAL_ID: 'ext-1' }, sleep })).toThrow(
      /JIT_DRY_RUN=yes is not understood/,
    )
  })
})

describe('createFor', () => {
  const settings = { granterRole: 'arn:aws:iam::{account}:role/jit-granter' }
  const revocation = (id: string) => ({
    namespace: TEST_NAMESPACE,
    requestId: id,
    targets: [
      { account: '111111111111', principalArn: 'arn:aws:iam::111111111111:role/jit-alice', policyName: `jit-${id}-exp-20261201T110000Z` },
    ],
    revokedAt: new Date('2026-12-01T12:00:00Z'),
    cutSessions: false,
  })

  function recordingClients() {
    const assumed: string[] = []
    const iam = new IAMClient({ region: 'us-east-1' })
    const sts = new STSClient({ region: 'us-east-1' })
    const stsMock = mockClient(sts)
    stsMock.on(AssumeRoleCommand).callsFake((input: { RoleSessionName: string }) => {
      assumed.push(input.RoleSessionName)
      return { Credentials: { AccessKeyId: 'AK', SecretAccessKey: 'SK', SessionToken: 'T', Expiration: new Date('2026-12-01T13:00:00Z') } }
    })
    mockClient(iam).on(DeleteRolePolicyCommand).resolves({})
    return { assumed, clients: { createStsClient: () => sts, createIamClient: () => iam } }
  }

  it('shares one granter session per account across a sweep, named for the sweep', async () => {
    const { assumed, clients } = recordingClients()
    const provider = createProvider({
      env: { JIT_EXTERNAL_ID: 'ext-1' },
      sleep,
      now: () => new Date('2026-12-01T12:00:00Z'),
      clients,
    }).createFor({ settings, dryRun: false, purpose: 'sweep' })
    await provider.revoke(revocation('pr-1'))
    await provider.revoke(revocation('pr-2'))
    expect(assumed).toEqual(['jit-sweep-revoke'])
  })

  it('gives a single revocation its own session, named after its request', async () => {
    const { assumed, clients } = recordingClients()
    const provider = createProvider({ env: { JIT_EXTERNAL_ID: 'ext-1' }, sleep, clients }).createFor({
      settings,
      dryRun: false,
      purpose: 'revoke',
    })
    await provider.revoke(revocation('pr-7'))
    expect(assumed).toEqual(['jit-pr-7-revoke'])
  })

  it('is the dry run when asked, whatever the environment', async () => {
    const { assumed, clients } = recordingClients()
    const provider = createProvider({ env: { JIT_EXTERNAL_ID: 'ext-1' }, sleep, clients }).createFor({
      settings,
      dryRun: true,
      purpose: 'sweep',
    })
    const outcome = await provider.revoke(revocation('pr-1'))
    expect(outcome.dryRun).toBe(true)
    expect(assumed).toEqual([])
  })
})
