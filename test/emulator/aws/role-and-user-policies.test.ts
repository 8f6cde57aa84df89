import {
  CreateRoleCommand,
  CreateUserCommand,
  DeleteRolePolicyCommand,
  DeleteUserPolicyCommand,
  EntityAlreadyExistsException,
  GetRoleCommand,
  GetRolePolicyCommand,
  GetUserCommand,
  GetUserPolicyCommand,
  LimitExceededException,
  ListRolePoliciesCommand,
  ListUserPoliciesCommand,
  MalformedPolicyDocumentException,
  NoSuchEntityException,
  PutRolePolicyCommand,
  PutUserPolicyCommand,
  paginateListRolePolicies,
  type IAMClient,
} from '@aws-sdk/client-iam'
import { afterEach, beforeEach, describe, expect, test } from 'vitest'
import { startIamStsEmulator, type IamStsEmulator } from '../../../emulator/aws/iam-sts-emulator.js'
import { assumeRole, baseCredentials, captureError, createIamClient, createStsClient } from './sdk-clients.js'

const targetAccount = '111111111111'
const otherAccount = '222222222222'

function allowPolicy(action: string, resource = '*'): string {
  return JSON.stringify({ Version: '2012-10-17', Statement: [{ Effect: 'Allow', Action: action, Resource: resource }] })
}

let emulator: IamStsEmulator
let iam: IAMClient

beforeEach(async () => {
  emulator = await startIamStsEmulator({ credentials: [baseCredentials] })
  for (const account of [targetAccount, otherAccount]) {
    emulator.state.seedRole({ account, roleName: 'jit-granter', externalId: 'jit-external' })
    emulator.state.seedRole({ account, roleName: 'developer' })
    emulator.state.seedUser({ account, userName: 'alice' })
  }
  const sts = createStsClient(emulator.url, baseCredentials)
  const granter = await assumeRole(sts, {
    roleArn: `arn:aws:iam::${targetAccount}:role/jit-granter`,
    sessionName: 'grant-pr-42',
    externalId: 'jit-external',
  })
  iam = createIamClient(emulator.url, granter)
})

afterEach(async () => {
  await emulator.stop()
})

describe('role inline policies through the real IAM client', () => {
  test('put, get, list and delete act on the assumed role’s account only', async () => {
    const document = allowPolicy('s3:GetObject', 'arn:aws:s3:::reports/*')
    await iam.send(new PutRolePolicyCommand({ RoleName: 'developer', PolicyName: 'jit-42', PolicyDocument: document }))

    expect(emulator.state.listRoleInlinePolicies(targetAccount, 'developer')).toEqual({ 'jit-42': document })
    expect(emulator.state.listRoleInlinePolicies(otherAccount, 'developer')).toEqual({})

    const fetched = await iam.send(new GetRolePolicyCommand({ RoleName: 'developer', PolicyName: 'jit-42' }))
    expect(fetched.RoleName).toBe('developer')
    expect(fetched.PolicyDocument).not.toBe(document)
    expect(decodeURIComponent(fetched.PolicyDocument ?? '')).toBe(document)

    const listed = await iam.send(new ListRolePoliciesCommand({ RoleName: 'developer' }))
    expect(listed.PolicyNames).toEqual(['jit-42'])
    expect(listed.IsTruncated).toBe(false)

    await iam.send(new DeleteRolePolicyCommand({ RoleName: 'developer', PolicyName: 'jit-42' }))
    expect(emulator.state.listRoleInlinePolicies(targetAccount, 'developer')).toEqual({})

    const putCall = emulator.state.calls.find((call) => call.action === 'PutRolePolicy')
    expect(putCall).toMatchObject({
      service: 'iam',
      account: targetAccount,
      sessionName: 'grant-pr-42',
      params: { RoleName: 'developer', PolicyName: 'jit-42', PolicyDocument: document },
      error: undefined,
    })
  })

  test('putting a policy under an existing name replaces its document', async () => {
    await iam.send(new PutRolePolicyCommand({ RoleName: 'developer', PolicyName: 'p', PolicyDocument: allowPolicy('s3:GetObject') }))
    await iam.send(new PutRolePolicyCommand({ RoleName: 'developer', PolicyName: 'p', PolicyDocument: allowPolicy('s3:PutObject') }))
    expect(emulator.state.listRoleInlinePolicies(targetAccount, 'developer')).toEqual({ p: allowPolicy('s3:PutObject') })
  })

  test('a missing role or policy raises NoSuchEntityException with a 404 and AWS’s wording', async () => {
    const missingRole = await captureError(
      iam.send(new PutRolePolicyCommand({ RoleName: 'ghost', PolicyName: 'p', PolicyDocument: allowPolicy('s3:GetObject') })),
    )
    expect(missingRole).toBeInstanceOf(NoSuchEntityException)
    expect(missingRole.message).toBe('The role with name ghost cannot be found.')
    expect(missingRole['$metadata']).toMatchObject({ httpStatusCode: 404 })

    const missingPolicy = await captureError(iam.send(new GetRolePolicyCommand({ RoleName: 'developer', PolicyName: 'absent' })))
    expect(missingPolicy).toBeInstanceOf(NoSuchEntityException)
    expect(missingPolicy.message).toBe('The role policy with name absent cannot be found.')

    const deleteMissing = await captureError(iam.send(new DeleteRolePolicyCommand({ RoleName: 'developer', PolicyName: 'absent' })))
    expect(deleteMissing).toBeInstanceOf(NoSuchEntityException)
    expect(emulator.state.calls.at(-1)?.error).toBe('NoSuchEntity')
  })

  test('ListRolePolicies pages with MaxItems and Marker, in name order', async () => {
    for (const name of ['e', 'c', 'a', 'd', 'b']) {
      await iam.send(new PutRolePolicyCommand({ RoleName: 'developer', PolicyName: name, PolicyDocument: allowPolicy(`s3:${name}`) }))
    }
    const first = await iam.send(new ListRolePoliciesCommand({ RoleName: 'developer', MaxItems: 2 }))
    expect(first.PolicyNames).toEqual(['a', 'b'])
    expect(first.IsTruncated).toBe(true)
    expect(first.Marker).toEqual(expect.any(String))

    const second = await iam.send(new ListRolePoliciesCommand({ RoleName: 'developer', MaxItems: 2, Marker: first.Marker }))
    expect(second.PolicyNames).toEqual(['c', 'd'])
    expect(second.IsTruncated).toBe(true)

    const third = await iam.send(new ListRolePoliciesCommand({ RoleName: 'developer', MaxItems: 2, Marker: second.Marker }))
    expect(third.PolicyNames).toEqual(['e'])
    expect(third.IsTruncated).toBe(false)
    expect(third.Marker).toBeUndefined()

    const viaPaginator: string[] = []
    for await (const page of paginateListRolePolicies({ client: iam, pageSize: 3 }, { RoleName: 'developer' })) {
      viaPaginator.push(...(page.PolicyNames ?? []))
    }
    expect(viaPaginator).toEqual(['a', 'b', 'c', 'd', 'e'])
  })

  test('inline policies of one role may total 10,240 characters, whitespace excluded, and no more', async () => {
    // {"Version":"2012-10-17","Statement":[{"Effect":"Allow","Action":"s3:X","Resource":"…"}]}
    const policyOfSize = (size: number): string => {
      const skeleton = allowPolicy('s3:GetObject', 'arn:aws:s3:::')
      return allowPolicy('s3:GetObject', `arn:aws:s3:::${'r'.repeat(size - skeleton.length)}`)
    }
    await iam.send(new PutRolePolicyCommand({ RoleName: 'developer', PolicyName: 'a', PolicyDocument: policyOfSize(6000) }))
    // Indentation does not count: this document is far longer than 4,240 characters with its spaces.
    const padded = policyOfSize(4240).replace(/,/g, `,\n${' '.repeat(3000)}`)
    expect(padded.length).toBeGreaterThan(10_240)
    await iam.send(new PutRolePolicyCommand({ RoleName: 'developer', PolicyName: 'b', PolicyDocument: padded }))

    const over = await captureError(
      iam.send(new PutRolePolicyCommand({ RoleName: 'developer', PolicyName: 'c', PolicyDocument: policyOfSize(120) })),
    )
    expect(over).toBeInstanceOf(LimitExceededException)
    expect(over.message).toBe('Maximum policy size of 10240 bytes exceeded for role developer')
    expect(over['$metadata']).toMatchObject({ httpStatusCode: 409 })
    expect(Object.keys(emulator.state.listRoleInlinePolicies(targetAccount, 'developer'))).toEqual(['a', 'b'])

    // Replacing a policy counts its new size, not old plus new.
    await iam.send(new PutRolePolicyCommand({ RoleName: 'developer', PolicyName: 'a', PolicyDocument: policyOfSize(5000) }))
  })

  test('a document that is not valid JSON, or not a policy, is MalformedPolicyDocumentException', async () => {
    const notJson = await captureError(
      iam.send(new PutRolePolicyCommand({ RoleName: 'developer', PolicyName: 'p', PolicyDocument: '{"Version": "2012-10-17",' })),
    )
    expect(notJson).toBeInstanceOf(MalformedPolicyDocumentException)
    expect(notJson.message).toBe('Syntax errors in policy.')

    const noResource = JSON.stringify({ Version: '2012-10-17', Statement: [{ Effect: 'Allow', Action: 's3:GetObject' }] })
    const missingResource = await captureError(
      iam.send(new PutRolePolicyCommand({ RoleName: 'developer', PolicyName: 'p', PolicyDocument: noResource })),
    )
    expect(missingResource).toBeInstanceOf(MalformedPolicyDocumentException)
    expect(missingResource.message).toBe('Policy statement must contain resources.')
    expect(emulator.state.listRoleInlinePolicies(targetAccount, 'developer')).toEqual({})
  })
})

describe('user inline policies through the real IAM client', () => {
  test('put, get, list and delete a user policy', async () => {
    const document = allowPolicy('logs:GetLogEvents')
    await iam.send(new PutUserPolicyCommand({ UserName: 'alice', PolicyName: 'jit-7', PolicyDocument: document }))
    expect(emulator.state.listUserInlinePolicies(targetAccount, 'alice')).toEqual({ 'jit-7': document })

    const fetched = await iam.send(new GetUserPolicyCommand({ UserName: 'alice', PolicyName: 'jit-7' }))
    expect(fetched.UserName).toBe('alice')
    expect(decodeURIComponent(fetched.PolicyDocument ?? '')).toBe(document)

    const listed = await iam.send(new ListUserPoliciesCommand({ UserName: 'alice', MaxItems: 1 }))
    expect(listed).toMatchObject({ PolicyNames: ['jit-7'], IsTruncated: false })

    await iam.send(new DeleteUserPolicyCommand({ UserName: 'alice', PolicyName: 'jit-7' }))
    const gone = await captureError(iam.send(new GetUserPolicyCommand({ UserName: 'alice', PolicyName: 'jit-7' })))
    expect(gone).toBeInstanceOf(NoSuchEntityException)
    expect(gone.message).toBe('The user policy with name jit-7 cannot be found.')
  })

  test('a user’s inline policies are capped at 2,048 characters', async () => {
    const big = allowPolicy('s3:GetObject', `arn:aws:s3:::${'r'.repeat(2048)}`)
    const error = await captureError(iam.send(new PutUserPolicyCommand({ UserName: 'alice', PolicyName: 'big', PolicyDocument: big })))
    expect(error).toBeInstanceOf(LimitExceededException)
    expect(error.message).toBe('Maximum policy size of 2048 bytes exceeded for user alice')
  })

  test('a missing user raises NoSuchEntityException', async () => {
    const error = await captureError(iam.send(new ListUserPoliciesCommand({ UserName: 'bob' })))
    expect(error).toBeInstanceOf(NoSuchEntityException)
    expect(error.message).toBe('The user with name bob cannot be found.')
  })
})

describe('roles and users created through the real IAM client', () => {
  test('CreateRole stores the role in the caller’s account and GetRole returns it', async () => {
    const trust = JSON.stringify({
      Version: '2012-10-17',
      Statement: [{ Effect: 'Allow', Principal: { AWS: `arn:aws:iam::${targetAccount}:root` }, Action: 'sts:AssumeRole' }],
    })
    const created = await iam.send(
      new CreateRoleCommand({
        RoleName: 'auditor',
        Path: '/jit/',
        AssumeRolePolicyDocument: trust,
        Tags: [{ Key: 'owner', Value: 'team <a&b>' }],
      }),
    )
    expect(created.Role?.Arn).toBe(`arn:aws:iam::${targetAccount}:role/jit/auditor`)

    const fetched = await iam.send(new GetRoleCommand({ RoleName: 'auditor' }))
    expect(fetched.Role).toMatchObject({ RoleName: 'auditor', Path: '/jit/', Tags: [{ Key: 'owner', Value: 'team <a&b>' }] })
    expect(fetched.Role?.CreateDate).toBeInstanceOf(Date)
    expect(decodeURIComponent(fetched.Role?.AssumeRolePolicyDocument ?? '')).toBe(trust)
    expect(emulator.state.findRole(otherAccount, 'auditor')).toBeUndefined()

    const again = await captureError(iam.send(new CreateRoleCommand({ RoleName: 'AUDITOR', AssumeRolePolicyDocument: trust })))
    expect(again).toBeInstanceOf(EntityAlreadyExistsException)
  })

  test('CreateUser and GetUser', async () => {
    const created = await iam.send(new CreateUserCommand({ UserName: 'carol' }))
    expect(created.User?.Arn).toBe(`arn:aws:iam::${targetAccount}:user/carol`)
    const fetched = await iam.send(new GetUserCommand({ UserName: 'carol' }))
    expect(fetched.User?.UserId).toBe(created.User?.UserId)
  })
})
