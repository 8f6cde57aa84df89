import { MalformedPolicyDocumentException, PutRolePolicyCommand, type IAMClient } from '@aws-sdk/client-iam'
import { afterEach, beforeEach, describe, expect, test } from 'vitest'
import { startIamStsEmulator, type IamStsEmulator } from '../../../emulator/aws/iam-sts-emulator.js'
import { assumeRole, baseCredentials, captureError, createIamClient, createStsClient } from './sdk-clients.js'

// What IAM refuses in an identity policy, as AWS answers it, so that the grant step meets the same
// refusals against the emulator as against AWS.
const account = '111111111111'
let emulator: IamStsEmulator
let iam: IAMClient

beforeEach(async () => {
  emulator = await startIamStsEmulator({ credentials: [baseCredentials] })
  emulator.state.seedRole({ account, roleName: 'jit-granter', externalId: 'jit-external' })
  emulator.state.seedRole({ account, roleName: 'developer' })
  const sts = createStsClient(emulator.url, baseCredentials)
  const granter = await assumeRole(sts, {
    roleArn: `arn:aws:iam::${account}:role/jit-granter`,
    sessionName: 'grant',
    externalId: 'jit-external',
  })
  iam = createIamClient(emulator.url, granter)
})

afterEach(async () => {
  await emulator.stop()
})

function statement(fields: Record<string, unknown>): string {
  return JSON.stringify({ Version: '2012-10-17', Statement: [{ Effect: 'Allow', Action: 'ec2:StopInstances', Resource: '*', ...fields }] })
}

async function put(document: string, roleName = 'developer'): Promise<unknown> {
  return captureError(iam.send(new PutRolePolicyCommand({ RoleName: roleName, PolicyName: 'jit-pr-1', PolicyDocument: document })))
}

describe('PutRolePolicy refuses what IAM refuses', () => {
  test.each([
    ['a resource that is not an ARN', statement({ Resource: 'arn:x' }), 'Resource arn:x must be in ARN format or "*".'],
    ['an unknown partition', statement({ Resource: 'arn:awz:ec2:us-east-1:111111111111:instance/i-1' }), 'Partition "awz" is not valid'],
    ['an action without a vendor', statement({ Action: 'StopInstances' }), 'Actions/Conditions must be prefaced by a vendor'],
    ['a wildcard vendor', statement({ Action: '*:Get*' }), 'Vendor * is not valid'],
    [
      'a date IAM cannot read',
      statement({ Condition: { DateLessThan: { 'aws:CurrentTime': '+010000-03-30T00:00:00Z' } } }),
      'needs a date',
    ],
  ])('%s: MalformedPolicyDocument', async (_label, document, message) => {
    const error = await put(document)
    expect(error).toBeInstanceOf(MalformedPolicyDocumentException)
    expect((error as Error).message).toContain(message)
    expect(emulator.state.listRoleInlinePolicies(account, 'developer')).toEqual({})
  })

  test('a character outside tab, line breaks and U+0020 to U+00FF: ValidationError', async () => {
    const error = await put(statement({ Resource: 'arn:aws:s3:::bucket/\u20ac' }))
    expect(error).toMatchObject({ name: 'ValidationError', message: expect.stringContaining("at 'policyDocument'") })
  })

  test('accepts Latin-1, upper-case vendors and "*"', async () => {
    const document = statement({ Action: ['*', 'EC2:StopInstances'], Resource: 'arn:aws:s3:::caf\u00e9/*' })
    await iam.send(new PutRolePolicyCommand({ RoleName: 'developer', PolicyName: 'jit-pr-1', PolicyDocument: document }))
    expect(emulator.state.listRoleInlinePolicies(account, 'developer')).toEqual({ 'jit-pr-1': document })
  })

  test('a role name over 64 characters: ValidationError', async () => {
    const error = await put(statement({}), `jit-${'a'.repeat(61)}`)
    expect(error).toMatchObject({ name: 'ValidationError', message: expect.stringContaining('length less than or equal to 64') })
  })
})
