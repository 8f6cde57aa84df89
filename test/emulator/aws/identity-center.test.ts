import { DescribeUserCommand, GetUserIdCommand, IdentitystoreClient } from '@aws-sdk/client-identitystore'
import {
  CreateAccountAssignmentCommand,
  CreatePermissionSetCommand,
  DeleteAccountAssignmentCommand,
  DeletePermissionSetCommand,
  DescribeAccountAssignmentCreationStatusCommand,
  DescribePermissionSetCommand,
  GetInlinePolicyForPermissionSetCommand,
  ListAccountAssignmentsCommand,
  ListInstancesCommand,
  ListAccountAssignmentsForPrincipalCommand,
  ListAccountsForProvisionedPermissionSetCommand,
  ListPermissionSetsCommand,
  ListPermissionSetsProvisionedToAccountCommand,
  ProvisionPermissionSetCommand,
  PutInlinePolicyToPermissionSetCommand,
  SSOAdminClient,
} from '@aws-sdk/client-sso-admin'
import { afterEach, describe, expect, test } from 'vitest'
import { startIamStsEmulator, type IamStsEmulator } from '../../../emulator/aws/iam-sts-emulator.js'
import { assumeRole, baseCredentials, captureError, createStsClient, type ClientCredentials } from './sdk-clients.js'

const management = '999999999999'
const target = '111111111111'
const policy = JSON.stringify({ Version: '2012-10-17', Statement: [{ Effect: 'Allow', Action: 's3:GetObject', Resource: '*' }] })

let emulator: IamStsEmulator | undefined
afterEach(async () => {
  await emulator?.stop()
  emulator = undefined
})

async function start(): Promise<{
  emulator: IamStsEmulator
  sso: SSOAdminClient
  store: IdentitystoreClient
  instanceArn: string
  storeId: string
  userId: string
}> {
  emulator = await startIamStsEmulator({ credentials: [baseCredentials], granterRoleNames: ['jit-granter'] })
  emulator.state.seedRole({ account: management, roleName: 'jit-granter' })
  const instance = emulator.state.identityCenter.seedInstance({ managementAccount: management })
  const user = emulator.state.identityCenter.seedUser('alice@acme.com')
  const credentials = await assumeRole(createStsClient(emulator.url, baseCredentials), {
    roleArn: `arn:aws:iam::${management}:role/jit-granter`,
    sessionName: 'grant-pr-1',
  })
  return {
    emulator,
    sso: ssoClient(emulator.url, credentials),
    store: new IdentitystoreClient({ endpoint: emulator.url, region: 'eu-west-1', credentials, maxAttempts: 1 }),
    instanceArn: instance.instanceArn,
    storeId: instance.identityStoreId,
    userId: user.userId,
  }
}

function ssoClient(url: string, credentials: ClientCredentials): SSOAdminClient {
  return new SSOAdminClient({ endpoint: url, region: 'eu-west-1', credentials, maxAttempts: 1 })
}

describe('SSO Admin and the Identity Store on the emulator, through the real SDK clients', () => {
  test('a permission set is created, given its inline policy, provisioned and assigned; the assignment completes asynchronously', async () => {
    const { sso, store, instanceArn, storeId, emulator: started } = await start()
    const { UserId } = await store.send(
      new GetUserIdCommand({
        IdentityStoreId: storeId,
        AlternateIdentifier: { UniqueAttribute: { AttributePath: 'userName', AttributeValue: 'Alice@acme.com' } },
      }),
    )
    const created = await sso.send(
      new CreatePermissionSetCommand({ InstanceArn: instanceArn, Name: 'jit-1a2b3c4d-pr-1', Description: 'test', SessionDuration: 'PT2H' }),
    )
    const arn = created.PermissionSet!.PermissionSetArn!
    expect(arn).toMatch(/^arn:aws:sso:::permissionSet\/ssoins-[0-9a-f]{16}\/ps-[0-9a-f]{16}$/)
    expect(created.PermissionSet?.CreatedDate).toBeInstanceOf(Date)
    await sso.send(new PutInlinePolicyToPermissionSetCommand({ InstanceArn: instanceArn, PermissionSetArn: arn, InlinePolicy: policy }))
    expect(
      (await sso.send(new GetInlinePolicyForPermissionSetCommand({ InstanceArn: instanceArn, PermissionSetArn: arn }))).InlinePolicy,
    ).toBe(policy)

    const provisioned = await sso.send(
      new ProvisionPermissionSetCommand({ InstanceArn: instanceArn, PermissionSetArn: arn, TargetType: 'AWS_ACCOUNT', TargetId: target }),
    )
    expect(provisioned.PermissionSetProvisioningStatus?.Status).toBe('IN_PROGRESS')

    // One operation per permission set and account at a time: the provisioning is still in progress.
    const assignment = {
      InstanceArn: instanceArn,
      PermissionSetArn: arn,
      TargetType: 'AWS_ACCOUNT',
      TargetId: target,
      PrincipalType: 'USER',
      PrincipalId: UserId,
    } as const
    const conflict = await captureError(sso.send(new CreateAccountAssignmentCommand(assignment)))
    expect(conflict.name).toBe('ConflictException')
    started.state.identityCenter.requests.get(provisioned.PermissionSetProvisioningStatus!.RequestId!)!.pollsLeft = 0

    const creation = await sso.send(new CreateAccountAssignmentCommand(assignment))
    const requestId = creation.AccountAssignmentCreationStatus!.RequestId!
    expect(creation.AccountAssignmentCreationStatus?.Status).toBe('IN_PROGRESS')
    const first = await sso.send(
      new DescribeAccountAssignmentCreationStatusCommand({ InstanceArn: instanceArn, AccountAssignmentCreationRequestId: requestId }),
    )
    expect(first.AccountAssignmentCreationStatus?.Status).toBe('IN_PROGRESS')
    const second = await sso.send(
      new DescribeAccountAssignmentCreationStatusCommand({ InstanceArn: instanceArn, AccountAssignmentCreationRequestId: requestId }),
    )
    expect(second.AccountAssignmentCreationStatus).toMatchObject({ Status: 'SUCCEEDED', TargetId: target, PrincipalId: UserId })

    const listed = await sso.send(
      new ListAccountAssignmentsForPrincipalCommand({
        InstanceArn: instanceArn,
        PrincipalId: UserId,
        PrincipalType: 'USER',
        Filter: { AccountId: target },
      }),
    )
    expect(listed.AccountAssignments).toEqual([{ AccountId: target, PermissionSetArn: arn, PrincipalId: UserId, PrincipalType: 'USER' }])
    expect(
      (await sso.send(new ListPermissionSetsProvisionedToAccountCommand({ InstanceArn: instanceArn, AccountId: target }))).PermissionSets,
    ).toEqual([arn])

    // A set still assigned cannot be deleted; once its assignment is gone, it can, and is gone.
    expect((await captureError(sso.send(new DeletePermissionSetCommand({ InstanceArn: instanceArn, PermissionSetArn: arn })))).name).toBe(
      'ConflictException',
    )
    await sso.send(new DeleteAccountAssignmentCommand(assignment))
    await sso.send(new DeletePermissionSetCommand({ InstanceArn: instanceArn, PermissionSetArn: arn }))
    expect((await captureError(sso.send(new DescribePermissionSetCommand({ InstanceArn: instanceArn, PermissionSetArn: arn })))).name).toBe(
      'ResourceNotFoundException',
    )
    expect(started.state.calls.map((call) => `${call.service} ${call.action}${call.error ? ` ${call.error}` : ''}`)).toContain(
      'sso CreateAccountAssignment ConflictException',
    )
  })

  test('an unknown user, a duplicate name, an over-long name and a bad session duration are refused as AWS refuses them', async () => {
    const { sso, store, instanceArn, storeId } = await start()
    const missing = await captureError(
      store.send(
        new GetUserIdCommand({
          IdentityStoreId: storeId,
          AlternateIdentifier: { UniqueAttribute: { AttributePath: 'userName', AttributeValue: 'nobody@acme.com' } },
        }),
      ),
    )
    expect(missing.name).toBe('ResourceNotFoundException')
    await sso.send(new CreatePermissionSetCommand({ InstanceArn: instanceArn, Name: 'jit-x-pr-1' }))
    expect((await captureError(sso.send(new CreatePermissionSetCommand({ InstanceArn: instanceArn, Name: 'jit-x-pr-1' })))).name).toBe(
      'ConflictException',
    )
    expect((await captureError(sso.send(new CreatePermissionSetCommand({ InstanceArn: instanceArn, Name: 'x'.repeat(33) })))).name).toBe(
      'ValidationException',
    )
    expect(
      (
        await captureError(
          sso.send(new CreatePermissionSetCommand({ InstanceArn: instanceArn, Name: 'jit-x-pr-2', SessionDuration: 'PT13H' })),
        )
      ).name,
    ).toBe('ValidationException')
  })

  test('injected throttling and an assignment that ends FAILED surface as the SDK reports them', async () => {
    const { sso, instanceArn, userId, emulator: started } = await start()
    const { PermissionSet } = await sso.send(new CreatePermissionSetCommand({ InstanceArn: instanceArn, Name: 'jit-x-pr-3' }))
    started.injectFault({ action: 'CreateAccountAssignment', code: 'ThrottlingException' })
    const assignment = {
      InstanceArn: instanceArn,
      PermissionSetArn: PermissionSet!.PermissionSetArn!,
      TargetType: 'AWS_ACCOUNT',
      TargetId: target,
      PrincipalType: 'USER',
      PrincipalId: userId,
    } as const
    const throttled = await captureError(sso.send(new CreateAccountAssignmentCommand(assignment)))
    expect(throttled.name).toBe('ThrottlingException')
    expect(throttled['$metadata']).toMatchObject({ httpStatusCode: 400 })

    started.state.identityCenter.addAsyncFault({
      kind: 'assignment-creation',
      failureReason: 'Received a 404 status error: No role exists',
    })
    const creation = await sso.send(new CreateAccountAssignmentCommand(assignment))
    const status = await sso.send(
      new DescribeAccountAssignmentCreationStatusCommand({
        InstanceArn: instanceArn,
        AccountAssignmentCreationRequestId: creation.AccountAssignmentCreationStatus!.RequestId!,
      }),
    )
    expect(status.AccountAssignmentCreationStatus?.Status).toBe('IN_PROGRESS')
    const ended = await sso.send(
      new DescribeAccountAssignmentCreationStatusCommand({
        InstanceArn: instanceArn,
        AccountAssignmentCreationRequestId: creation.AccountAssignmentCreationStatus!.RequestId!,
      }),
    )
    expect(ended.AccountAssignmentCreationStatus).toMatchObject({
      Status: 'FAILED',
      FailureReason: 'Received a 404 status error: No role exists',
    })
    expect(started.state.identityCenter.assignments).toEqual([])
  })

  test('only the granter role in the management account may call, and every call is SigV4-verified', async () => {
    const { emulator: started, instanceArn } = await start()
    started.state.seedRole({ account: target, roleName: 'jit-granter' })
    const elsewhere = await assumeRole(createStsClient(started.url, baseCredentials), {
      roleArn: `arn:aws:iam::${target}:role/jit-granter`,
      sessionName: 'other-account',
    })
    const denied = await captureError(
      ssoClient(started.url, elsewhere).send(new CreatePermissionSetCommand({ InstanceArn: instanceArn, Name: 'jit-x-pr-4' })),
    )
    expect(denied.name).toBe('AccessDeniedException')
    const forged = await captureError(
      ssoClient(started.url, { ...baseCredentials, secretAccessKey: 'wrong' }).send(
        new CreatePermissionSetCommand({ InstanceArn: instanceArn, Name: 'jit-x-pr-4' }),
      ),
    )
    expect(forged.name).toBe('InvalidSignatureException')
    expect(started.state.identityCenter.permissionSets.size).toBe(0)
  })

  test('listings page as SSO Admin pages: MaxResults from 1 to 100, a NextToken while more remain, a foreign token refused', async () => {
    const { sso, instanceArn, emulator: started } = await start()
    for (let index = 0; index < 5; index++) started.state.identityCenter.seedPermissionSet({ name: `Team${index}` })
    const seen: string[] = []
    let token: string | undefined
    let pages = 0
    do {
      const page = await sso.send(new ListPermissionSetsCommand({ InstanceArn: instanceArn, MaxResults: 2, NextToken: token }))
      seen.push(...page.PermissionSets!)
      token = page.NextToken
      pages++
    } while (token)
    expect(pages).toBe(3)
    expect(seen).toEqual([...started.state.identityCenter.permissionSets.keys()])

    const tooMany = await captureError(sso.send(new ListPermissionSetsCommand({ InstanceArn: instanceArn, MaxResults: 101 })))
    expect(tooMany.name).toBe('ValidationException')
    const first = await sso.send(new ListPermissionSetsCommand({ InstanceArn: instanceArn, MaxResults: 2 }))
    const arn = first.PermissionSets![0]!
    const foreign = await captureError(
      sso.send(
        new ListAccountsForProvisionedPermissionSetCommand({ InstanceArn: instanceArn, PermissionSetArn: arn, NextToken: first.NextToken }),
      ),
    )
    expect(foreign.name).toBe('ValidationException')
    expect(foreign.message).toBe('The NextToken is not valid.')
  })

  test('the accounts of a provisioned set, its assignments per account and the user behind an id; a fault can name the account listed', async () => {
    const { sso, store, instanceArn, storeId, userId, emulator: started } = await start()
    const { PermissionSet } = await sso.send(new CreatePermissionSetCommand({ InstanceArn: instanceArn, Name: 'jit-x-pr-5' }))
    const permissionSetArn = PermissionSet!.PermissionSetArn!
    await sso.send(
      new CreateAccountAssignmentCommand({
        InstanceArn: instanceArn,
        PermissionSetArn: permissionSetArn,
        TargetType: 'AWS_ACCOUNT',
        TargetId: target,
        PrincipalType: 'USER',
        PrincipalId: userId,
      }),
    )
    const accounts = await sso.send(
      new ListAccountsForProvisionedPermissionSetCommand({ InstanceArn: instanceArn, PermissionSetArn: permissionSetArn }),
    )
    expect(accounts.AccountIds).toEqual([target])
    const listing = { InstanceArn: instanceArn, PermissionSetArn: permissionSetArn, AccountId: target }
    expect((await sso.send(new ListAccountAssignmentsCommand(listing))).AccountAssignments).toEqual([
      { AccountId: target, PermissionSetArn: permissionSetArn, PrincipalType: 'USER', PrincipalId: userId },
    ])
    expect((await store.send(new DescribeUserCommand({ IdentityStoreId: storeId, UserId: userId }))).UserName).toBe('alice@acme.com')

    // A fault for another account leaves the listing of this one alone, and fails that account's.
    started.injectFault({ action: 'ListAccountAssignments', code: 'ThrottlingException', account: '222222222222' })
    expect((await sso.send(new ListAccountAssignmentsCommand(listing))).AccountAssignments).toHaveLength(1)
    const throttled = await captureError(sso.send(new ListAccountAssignmentsCommand({ ...listing, AccountId: '222222222222' })))
    expect(throttled.name).toBe('ThrottlingException')
  })

  test('ListInstances lists the instance only in the region it lives in (the SigV4 scope of the request)', async () => {
    const { emulator, instanceArn, storeId } = await start()
    const credentials = await assumeRole(createStsClient(emulator.url, baseCredentials), {
      roleArn: `arn:aws:iam::${management}:role/jit-granter`,
      sessionName: 'doctor',
    })
    const inRegion = await ssoClient(emulator.url, credentials).send(new ListInstancesCommand({}))
    expect(inRegion.Instances).toEqual([])
    emulator.state.identityCenter.seedInstance({
      managementAccount: management,
      instanceArn,
      identityStoreId: storeId,
      region: 'eu-west-1',
    })
    const listed = await ssoClient(emulator.url, credentials).send(new ListInstancesCommand({}))
    expect(listed.Instances).toEqual([{ InstanceArn: instanceArn, IdentityStoreId: storeId, Status: 'ACTIVE' }])
  })
})
