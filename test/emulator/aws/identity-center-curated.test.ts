import {
  AttachManagedPolicyToPermissionSetCommand,
  CreateAccountAssignmentCommand,
  CreatePermissionSetCommand,
  GetPermissionsBoundaryForPermissionSetCommand,
  PutPermissionsBoundaryToPermissionSetCommand,
  SSOAdminClient,
} from '@aws-sdk/client-sso-admin'
import { afterEach, describe, expect, test } from 'vitest'
import { startIamStsEmulator, type IamStsEmulator } from '../../../emulator/aws/iam-sts-emulator.js'
import { assumeRole, baseCredentials, captureError, createStsClient } from './sdk-clients.js'

// What curated permission sets need of the emulated SSO Admin (issue 13): managed policies with AWS's
// quota, permissions boundaries, and provisioning that copies both into the account.
const management = '999999999999'
const target = '111111111111'

let emulator: IamStsEmulator | undefined
afterEach(async () => {
  await emulator?.stop()
  emulator = undefined
})

async function start() {
  emulator = await startIamStsEmulator({ credentials: [baseCredentials], granterRoleNames: ['jit-granter'] })
  emulator.state.seedRole({ account: management, roleName: 'jit-granter' })
  const instance = emulator.state.identityCenter.seedInstance({ managementAccount: management })
  const user = emulator.state.identityCenter.seedUser('alice@acme.com')
  const credentials = await assumeRole(createStsClient(emulator.url, baseCredentials), {
    roleArn: `arn:aws:iam::${management}:role/jit-granter`,
    sessionName: 'grant-pr-1',
  })
  const sso = new SSOAdminClient({ endpoint: emulator.url, region: 'eu-west-1', credentials, maxAttempts: 1 })
  const created = await sso.send(
    new CreatePermissionSetCommand({ InstanceArn: instance.instanceArn, Name: 'jit-copy', SessionDuration: 'PT1H' }),
  )
  return { emulator, sso, instanceArn: instance.instanceArn, arn: created.PermissionSet!.PermissionSetArn!, userId: user.userId }
}

describe('curated permission sets on the emulated SSO Admin', () => {
  test('at most 10 AWS-managed policies, only AWS-managed ARNs, and attaching one twice changes nothing', async () => {
    const { sso, instanceArn, arn, emulator } = await start()
    const attach = (policy: string) =>
      sso.send(new AttachManagedPolicyToPermissionSetCommand({ InstanceArn: instanceArn, PermissionSetArn: arn, ManagedPolicyArn: policy }))
    for (let index = 0; index < 10; index++) await attach(`arn:aws:iam::aws:policy/Fixture${index}`)
    await attach('arn:aws:iam::aws:policy/Fixture0')
    expect(emulator.state.identityCenter.permissionSets.get(arn)!.managedPolicies).toHaveLength(10)
    expect((await captureError(attach('arn:aws:iam::aws:policy/Fixture10'))).name).toBe('ServiceQuotaExceededException')
    expect((await captureError(attach(`arn:aws:iam::${target}:policy/mine`))).name).toBe('ValidationException')
  })

  test('a permissions boundary: none is ResourceNotFound, one put is read back and provisioned with the policies', async () => {
    const { sso, instanceArn, arn, userId, emulator } = await start()
    const get = () => sso.send(new GetPermissionsBoundaryForPermissionSetCommand({ InstanceArn: instanceArn, PermissionSetArn: arn }))
    expect((await captureError(get())).name).toBe('ResourceNotFoundException')
    await sso.send(
      new PutPermissionsBoundaryToPermissionSetCommand({
        InstanceArn: instanceArn,
        PermissionSetArn: arn,
        PermissionsBoundary: { CustomerManagedPolicyReference: { Name: 'boundary', Path: '/teams/' } },
      }),
    )
    expect((await get()).PermissionsBoundary).toEqual({ CustomerManagedPolicyReference: { Name: 'boundary', Path: '/teams/' } })
    await sso.send(
      new AttachManagedPolicyToPermissionSetCommand({
        InstanceArn: instanceArn,
        PermissionSetArn: arn,
        ManagedPolicyArn: 'arn:aws:iam::aws:policy/ReadOnlyAccess',
      }),
    )
    await sso.send(
      new CreateAccountAssignmentCommand({
        InstanceArn: instanceArn,
        PermissionSetArn: arn,
        TargetType: 'AWS_ACCOUNT',
        TargetId: target,
        PrincipalType: 'USER',
        PrincipalId: userId,
      }),
    )
    expect(emulator.state.identityCenter.permissionSets.get(arn)!.provisioned.get(target)).toMatchObject({
      managedPolicyArns: ['arn:aws:iam::aws:policy/ReadOnlyAccess'],
      permissionsBoundary: { customerManagedPolicy: { name: 'boundary', path: '/teams/' } },
    })
  })
})
