import { ListRolesCommand, ListUsersCommand, paginateListRoles, type IAMClient } from '@aws-sdk/client-iam'
import { afterEach, beforeEach, describe, expect, test } from 'vitest'
import { startIamStsEmulator, type IamStsEmulator } from '../../../emulator/aws/iam-sts-emulator.js'
import { assumeRole, baseCredentials, captureError, createIamClient, createStsClient } from './sdk-clients.js'

const targetAccount = '111111111111'
const otherAccount = '222222222222'

let emulator: IamStsEmulator
let iam: IAMClient

beforeEach(async () => {
  emulator = await startIamStsEmulator({ credentials: [baseCredentials] })
  for (const account of [targetAccount, otherAccount]) emulator.state.seedRole({ account, roleName: 'jit-granter', externalId: 'x' })
  for (const roleName of ['jit-carol', 'Jit-Alice', 'jit-bob', 'app-server']) emulator.state.seedRole({ account: targetAccount, roleName })
  emulator.state.seedRole({ account: targetAccount, roleName: 'ops-dave', path: '/team/ops/' })
  emulator.state.seedRole({ account: otherAccount, roleName: 'jit-erin' })
  emulator.state.seedUser({ account: targetAccount, userName: 'grace', path: '/people/' })
  const sts = createStsClient(emulator.url, baseCredentials)
  const granter = await assumeRole(sts, {
    roleArn: `arn:aws:iam::${targetAccount}:role/jit-granter`,
    sessionName: 'reconcile-list',
    externalId: 'x',
  })
  iam = createIamClient(emulator.url, granter)
})

afterEach(async () => {
  await emulator.stop()
})

describe('ListRoles and ListUsers through the real IAM client', () => {
  test('pages in name order with MaxItems, Marker and IsTruncated, in the caller’s account only', async () => {
    const first = await iam.send(new ListRolesCommand({ MaxItems: 2 }))
    expect(first.Roles?.map((role) => role.RoleName)).toEqual(['app-server', 'Jit-Alice'])
    expect(first.IsTruncated).toBe(true)
    const second = await iam.send(new ListRolesCommand({ MaxItems: 2, Marker: first.Marker }))
    expect(second.Roles?.map((role) => role.RoleName)).toEqual(['jit-bob', 'jit-carol'])
    const third = await iam.send(new ListRolesCommand({ MaxItems: 2, Marker: second.Marker }))
    expect(third.Roles?.map((role) => role.RoleName)).toEqual(['jit-granter', 'ops-dave'])
    expect(third.IsTruncated).toBe(false)
    expect(third.Marker).toBeUndefined()
    // The SDK's own paginator reads the same shape.
    const names: string[] = []
    for await (const page of paginateListRoles({ client: iam, pageSize: 4 }, {}))
      names.push(...(page.Roles ?? []).map((role) => role.RoleName ?? ''))
    expect(names).toEqual(['app-server', 'Jit-Alice', 'jit-bob', 'jit-carol', 'jit-granter', 'ops-dave'])
    expect(first.Roles?.[1]?.Arn).toBe(`arn:aws:iam::${targetAccount}:role/Jit-Alice`)
  })

  test('PathPrefix keeps the entities under a path; a bad prefix, marker or page size is refused as IAM does', async () => {
    const ops = await iam.send(new ListRolesCommand({ PathPrefix: '/team/' }))
    expect(ops.Roles?.map((role) => [role.Path, role.Arn])).toEqual([
      ['/team/ops/', `arn:aws:iam::${targetAccount}:role/team/ops/ops-dave`],
    ])
    const users = await iam.send(new ListUsersCommand({ PathPrefix: '/people/' }))
    expect(users.Users?.map((user) => user.UserName)).toEqual(['grace'])
    expect((await iam.send(new ListUsersCommand({ PathPrefix: '/robots/' }))).Users).toEqual([])
    expect(await captureError(iam.send(new ListRolesCommand({ PathPrefix: 'team' })))).toMatchObject({ name: 'ValidationError' })
    expect(await captureError(iam.send(new ListRolesCommand({ Marker: 'not a marker' })))).toMatchObject({ name: 'InvalidInputException' })
    expect(await captureError(iam.send(new ListRolesCommand({ MaxItems: 1001 })))).toMatchObject({ name: 'ValidationError' })
  })
})
