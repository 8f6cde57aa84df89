import { AssumeRoleCommand, GetCallerIdentityCommand, STSClient } from '@aws-sdk/client-sts'
import { mockClient } from 'aws-sdk-client-mock'
import { afterEach, describe, expect, it } from 'vitest'
import { cacheAssumeRole } from '../../src/aws/assume-role-cache.js'

const sts = mockClient(STSClient)
afterEach(() => sts.reset())

const assume = (client: STSClient, account: string, session: string) =>
  client.send(new AssumeRoleCommand({ RoleArn: `arn:aws:iam::${account}:role/jit-granter`, RoleSessionName: session, ExternalId: 'ext' }))

describe('cacheAssumeRole', () => {
  it('assumes each granter role once per sweep, under the sweep session name', async () => {
    sts.on(AssumeRoleCommand).resolves({
      Credentials: { AccessKeyId: 'A', SecretAccessKey: 'S', SessionToken: 'T', Expiration: new Date('2026-12-01T12:15:00Z') },
    })
    sts.on(GetCallerIdentityCommand).resolves({ Account: '1' })
    const create = cacheAssumeRole({
      createStsClient: (config) => new STSClient(config),
      sessionName: 'jit-sweep-revoke',
      now: () => new Date('2026-12-01T12:00:00Z'),
    })
    const client = create({ region: 'us-east-1', maxAttempts: 1 })
    await Promise.all([
      assume(client, '111111111111', 'jit-pr-1-revoke'),
      assume(client, '111111111111', 'jit-pr-2-revoke'),
      assume(client, '222222222222', 'jit-pr-3-revoke'),
    ])
    await client.send(new GetCallerIdentityCommand({}))
    const calls = sts.commandCalls(AssumeRoleCommand).map((call) => [call.args[0].input.RoleArn, call.args[0].input.RoleSessionName])
    expect(calls).toEqual([
      ['arn:aws:iam::111111111111:role/jit-granter', 'jit-sweep-revoke'],
      ['arn:aws:iam::222222222222:role/jit-granter', 'jit-sweep-revoke'],
    ])
    expect(sts.commandCalls(GetCallerIdentityCommand)).toHaveLength(1)
  })

  it('assumes again when the cached session is about to expire, and never caches a failure', async () => {
    let now = new Date('2026-12-01T12:00:00Z')
    sts
      .on(AssumeRoleCommand)
      .rejectsOnce(Object.assign(new Error('throttled'), { name: 'Throttling' }))
      .resolves({
        Credentials: { AccessKeyId: 'A', SecretAccessKey: 'S', SessionToken: 'T', Expiration: new Date('2026-12-01T12:15:00Z') },
      })
    const client = cacheAssumeRole({ createStsClient: (config) => new STSClient(config), sessionName: 'jit-sweep-revoke', now: () => now })(
      { region: 'us-east-1', maxAttempts: 1 },
    )
    await expect(assume(client, '111111111111', 'a')).rejects.toThrow('throttled')
    await assume(client, '111111111111', 'a')
    await assume(client, '111111111111', 'a')
    expect(sts.commandCalls(AssumeRoleCommand)).toHaveLength(2)
    now = new Date('2026-12-01T12:14:30Z') // within a minute of expiry
    await assume(client, '111111111111', 'a')
    expect(sts.commandCalls(AssumeRoleCommand)).toHaveLength(3)
  })
})
