import { CreateRoleCommand, GetRoleCommand, IAMClient, PutRolePolicyCommand } from '@aws-sdk/client-iam'
import { AssumeRoleCommand, GetCallerIdentityCommand, STSClient } from '@aws-sdk/client-sts'
import { afterEach, describe, expect, test } from 'vitest'
import { startIamStsEmulator, type IamStsEmulator } from '../../../emulator/aws/iam-sts-emulator.js'
import { assumeRole, baseCredentials, captureError, createIamClient, createStsClient } from './sdk-clients.js'

const account = '333333333333'
const granterArn = `arn:aws:iam::${account}:role/jit-granter`
const policy = JSON.stringify({ Version: '2012-10-17', Statement: [{ Effect: 'Allow', Action: 's3:GetObject', Resource: '*' }] })

let emulator: IamStsEmulator | undefined

afterEach(async () => {
  await emulator?.stop()
  emulator = undefined
})

async function startWithGranter(options: { granterRoleNames?: string[]; clock?: () => Date } = {}): Promise<IamStsEmulator> {
  emulator = await startIamStsEmulator({ credentials: [baseCredentials], ...options })
  emulator.state.seedRole({ account, roleName: 'jit-granter', externalId: 'expected-id' })
  emulator.state.seedRole({ account, roleName: 'developer' })
  return emulator
}

describe('AssumeRole', () => {
  test('issues credentials that act as the role, in the role’s account, and records the assumption', async () => {
    const started = await startWithGranter()
    const sts = createStsClient(started.url, baseCredentials)
    const output = await sts.send(
      new AssumeRoleCommand({
        RoleArn: granterArn,
        RoleSessionName: 'grant-pr-9',
        ExternalId: 'expected-id',
        DurationSeconds: 1800,
      }),
    )
    expect(output.AssumedRoleUser?.Arn).toBe(`arn:aws:sts::${account}:assumed-role/jit-granter/grant-pr-9`)
    expect(output.Credentials?.AccessKeyId).toMatch(/^ASIA/)
    const expiresInMs = (output.Credentials?.Expiration?.getTime() ?? 0) - Date.now()
    expect(expiresInMs).toBeGreaterThan(1790_000)
    expect(expiresInMs).toBeLessThanOrEqual(1800_000)

    const assumed = createStsClient(started.url, {
      accessKeyId: output.Credentials?.AccessKeyId ?? '',
      secretAccessKey: output.Credentials?.SecretAccessKey ?? '',
      sessionToken: output.Credentials?.SessionToken ?? '',
    })
    const identity = await assumed.send(new GetCallerIdentityCommand({}))
    expect(identity).toMatchObject({
      Account: account,
      Arn: `arn:aws:sts::${account}:assumed-role/jit-granter/grant-pr-9`,
      UserId: `${started.state.findRole(account, 'jit-granter')?.roleId}:grant-pr-9`,
    })

    expect(started.state.assumptions).toEqual([
      expect.objectContaining({
        account,
        roleName: 'jit-granter',
        sessionName: 'grant-pr-9',
        externalId: 'expected-id',
        durationSeconds: 1800,
        callerArn: 'arn:aws:iam::123456789012:user/emulator-user',
      }),
    ])
  })

  test('base credentials are the configured user in its own account', async () => {
    const started = await startWithGranter()
    const sts = createStsClient(started.url, baseCredentials)
    const identity = await sts.send(new GetCallerIdentityCommand({}))
    expect(identity).toMatchObject({ Account: '123456789012', Arn: 'arn:aws:iam::123456789012:user/emulator-user' })
  })

  test.each([
    { case: 'a wrong external id', externalId: 'guessed-id' },
    { case: 'no external id', externalId: undefined },
  ])('is AccessDenied with $case, and records nothing', async ({ externalId }) => {
    const started = await startWithGranter()
    const sts = createStsClient(started.url, baseCredentials)
    const error = await captureError(assumeRole(sts, { roleArn: granterArn, sessionName: 'attempt', externalId }))
    expect(error.name).toBe('AccessDenied')
    expect(error.message).toBe(
      `User: arn:aws:iam::123456789012:user/emulator-user is not authorized to perform: sts:AssumeRole on resource: ${granterArn}`,
    )
    expect(error['$metadata']).toMatchObject({ httpStatusCode: 403 })
    expect(started.state.assumptions).toEqual([])
    expect(started.state.calls.at(-1)).toMatchObject({ action: 'AssumeRole', error: 'AccessDenied' })
  })

  test('is AccessDenied for a role that does not exist, as AWS answers', async () => {
    const started = await startWithGranter()
    const sts = createStsClient(started.url, baseCredentials)
    const error = await captureError(assumeRole(sts, { roleArn: `arn:aws:iam::${account}:role/ghost`, sessionName: 's1' }))
    expect(error.name).toBe('AccessDenied')
  })

  test('honours the Principal of a trust policy written through CreateRole', async () => {
    const started = await startWithGranter()
    const sts = createStsClient(started.url, baseCredentials)
    const granter = await assumeRole(sts, { roleArn: granterArn, sessionName: 'setup', externalId: 'expected-id' })
    const iam = createIamClient(started.url, granter)
    await iam.send(
      new CreateRoleCommand({
        RoleName: 'only-granter',
        AssumeRolePolicyDocument: JSON.stringify({
          Version: '2012-10-17',
          Statement: [{ Effect: 'Allow', Principal: { AWS: granterArn }, Action: 'sts:AssumeRole' }],
        }),
      }),
    )
    const onlyGranterArn = `arn:aws:iam::${account}:role/only-granter`
    const byUser = await captureError(assumeRole(sts, { roleArn: onlyGranterArn, sessionName: 'user' }))
    expect(byUser.name).toBe('AccessDenied')

    const chained = await assumeRole(createStsClient(started.url, granter), { roleArn: onlyGranterArn, sessionName: 'chained' })
    expect(chained.accessKeyId).toMatch(/^ASIA/)
  })

  test('temporary credentials stop working once they expire on the emulator’s clock', async () => {
    let now = new Date()
    const started = await startWithGranter({ clock: () => now })
    const sts = createStsClient(started.url, baseCredentials)
    const granter = await assumeRole(sts, { roleArn: granterArn, sessionName: 'short', externalId: 'expected-id', durationSeconds: 900 })
    const iam = createIamClient(started.url, granter)
    await iam.send(new GetRoleCommand({ RoleName: 'developer' }))

    now = new Date(now.getTime() + 901_000)
    const error = await captureError(iam.send(new GetRoleCommand({ RoleName: 'developer' })))
    expect(error.name).toBe('ExpiredToken')
    expect(error.message).toBe('The security token included in the request is expired')
  })
})

describe('clock skew', () => {
  test('a request signed 15+ minutes away from the emulator’s clock is rejected; the SDK then corrects its clock from the Date header', async () => {
    const started = await startWithGranter({ clock: () => new Date(Date.now() + 3_600_000) })
    const sts = createStsClient(started.url, baseCredentials)
    const error = await captureError(sts.send(new GetCallerIdentityCommand({})))
    expect(error.name).toBe('SignatureDoesNotMatch')
    expect(error.message).toMatch(/^Signature expired: \d{8}T\d{6}Z is now earlier than \d{8}T\d{6}Z/)

    const identity = await sts.send(new GetCallerIdentityCommand({}))
    expect(identity.Account).toBe('123456789012')
  })
})

describe('granter requirement', () => {
  test('IAM calls with the user’s own keys are AccessDenied; through the granter role they succeed', async () => {
    const started = await startWithGranter({ granterRoleNames: ['jit-granter'] })
    const direct = createIamClient(started.url, baseCredentials)
    const denied = await captureError(
      direct.send(new PutRolePolicyCommand({ RoleName: 'developer', PolicyName: 'p', PolicyDocument: policy })),
    )
    expect(denied.name).toBe('AccessDenied')
    expect(denied.message).toBe(
      'User: arn:aws:iam::123456789012:user/emulator-user is not authorized to perform: iam:PutRolePolicy on resource: arn:aws:iam::123456789012:role/developer because no identity-based policy allows the iam:PutRolePolicy action',
    )
    expect(denied['$metadata']).toMatchObject({ httpStatusCode: 403 })

    const sts = createStsClient(started.url, baseCredentials)
    const asDeveloper = await assumeRole(sts, { roleArn: `arn:aws:iam::${account}:role/developer`, sessionName: 'dev' })
    const byOtherRole = await captureError(
      createIamClient(started.url, asDeveloper).send(
        new PutRolePolicyCommand({ RoleName: 'developer', PolicyName: 'p', PolicyDocument: policy }),
      ),
    )
    expect(byOtherRole.name).toBe('AccessDenied')

    const granter = await assumeRole(sts, { roleArn: granterArn, sessionName: 'grant', externalId: 'expected-id' })
    await createIamClient(started.url, granter).send(
      new PutRolePolicyCommand({ RoleName: 'developer', PolicyName: 'p', PolicyDocument: policy }),
    )
    expect(started.state.listRoleInlinePolicies(account, 'developer')).toEqual({ p: policy })
  })
})

describe('endpoint configuration', () => {
  test('clients built without an endpoint reach the emulator through AWS_ENDPOINT_URL_IAM and AWS_ENDPOINT_URL_STS', async () => {
    const started = await startWithGranter()
    const saved = { iam: process.env['AWS_ENDPOINT_URL_IAM'], sts: process.env['AWS_ENDPOINT_URL_STS'] }
    process.env['AWS_ENDPOINT_URL_IAM'] = started.url
    process.env['AWS_ENDPOINT_URL_STS'] = started.url
    try {
      const sts = new STSClient({ region: 'us-east-1', credentials: baseCredentials, maxAttempts: 1 })
      const granter = await assumeRole(sts, { roleArn: granterArn, sessionName: 'env', externalId: 'expected-id' })
      const iam = new IAMClient({ region: 'us-east-1', credentials: granter, maxAttempts: 1 })
      const role = await iam.send(new GetRoleCommand({ RoleName: 'developer' }))
      expect(role.Role?.Arn).toBe(`arn:aws:iam::${account}:role/developer`)
      expect(started.state.calls.map((call) => call.action)).toEqual(['AssumeRole', 'GetRole'])
    } finally {
      restoreEnv('AWS_ENDPOINT_URL_IAM', saved.iam)
      restoreEnv('AWS_ENDPOINT_URL_STS', saved.sts)
    }
  })
})

function restoreEnv(name: string, value: string | undefined): void {
  if (value === undefined) delete process.env[name]
  else process.env[name] = value
}
