import { ListInstancesCommand } from '@aws-sdk/client-sso-admin'
import type { CreateIdentityStoreClient, CreateSsoAdminClient, CreateStsClient } from '../../aws/aws-clients.js'
import { createAssumeGranterRole } from '../../aws/granter-session.js'
import {
  createOpenIdentityCenterSession,
  DEFAULT_POLLING,
  type IdentityCenterBackend,
} from '../../aws/identity-center/identity-center-session.js'
import { describePermissionSet, findUserId, listPermissionSets } from '../../aws/identity-center/permission-set-api.js'
import { identityCenterUserNameFor, type IdentityCenterSettings } from '../../core/files/settings.js'
import type { IdentityCenterFacts } from '../../core/doctor/identity-center-checklist.js'
import type { Fact } from '../../core/doctor/installation-checklist.js'
import { PERMISSION_SET_LIMITS, permissionSetPrefix } from '../../core/records/permission-set.js'

/**
 * What the doctor asks of Identity Center, through its granter role, one attempt per call (a doctor reports
 * what it finds now): the role, the instance in the settings' region, the instance's permission sets (how
 * many, how many are this repository's: one `DescribePermissionSet` each), and each requester's user.
 */
export async function probeIdentityCenter(params: {
  settings: IdentityCenterSettings
  /** `owner/repo`: its permission sets are named `jit-<hash of it>-pr-<n>`. */
  repository: string
  externalId: string | undefined
  logins: readonly string[]
  createStsClient: CreateStsClient
  createSsoAdminClient: CreateSsoAdminClient
  createIdentityStoreClient: CreateIdentityStoreClient
}): Promise<IdentityCenterFacts> {
  const { settings } = params
  const users = params.logins.map((login) => ({ login, userName: identityCenterUserNameFor(settings, login) }))
  const base = {
    instanceArn: settings.instanceArn,
    identityStoreId: settings.identityStoreId,
    region: settings.region,
    granterRoleArn: settings.granterRole,
    quota: PERMISSION_SET_LIMITS.instancePermissionSets,
  }
  const unchecked = (problem: string) => users.map((user) => ({ ...user, result: { ok: false, problem } as const }))
  if (!params.externalId) {
    const problem = 'JIT_EXTERNAL_ID is not set'
    return { ...base, session: { ok: false, problem }, users: unchecked(problem) }
  }
  const call: IdentityCenterBackend['call'] = (operation) => operation()
  const openSession = createOpenIdentityCenterSession({
    settings,
    assumeGranterRole: createAssumeGranterRole({
      granterRole: settings.granterRole,
      externalId: params.externalId,
      createStsClient: params.createStsClient,
      call,
    }),
    createSsoAdminClient: params.createSsoAdminClient,
    createIdentityStoreClient: params.createIdentityStoreClient,
  })
  const backend: IdentityCenterBackend = {
    settings,
    repository: params.repository,
    call,
    callRetryingConflicts: call,
    openSession,
    sleep: () => Promise.resolve(),
    now: () => new Date(),
    polling: DEFAULT_POLLING,
    knownArns: new Map(),
  }
  const account = /^arn:[\w-]+:iam::(\d{12}):/.exec(settings.granterRole)?.[1] ?? ''
  let session
  try {
    session = await openSession({ requestId: 'doctor', account, principalArn: settings.granterRole, purpose: 'list' })
  } catch (error) {
    const problem = describe(error)
    return { ...base, session: { ok: false, problem }, users: unchecked('no granter session') }
  }
  const instances = await attempt(async () => {
    const output = await session.ssoAdmin.send(new ListInstancesCommand({}))
    return (output.Instances ?? []).map((instance) => ({
      instanceArn: instance.InstanceArn ?? '',
      identityStoreId: instance.IdentityStoreId ?? '',
    }))
  })
  const prefix = permissionSetPrefix(params.repository)
  const permissionSets = await attempt(async () => {
    const arns = await listPermissionSets(backend, session)
    let ours = 0
    for (const arn of arns) if ((await describePermissionSet(backend, session, arn))?.name.startsWith(prefix)) ours += 1
    return { total: arns.length, ours }
  })
  const found = []
  for (const user of users)
    found.push({ ...user, result: await attempt(async () => (await findUserId(backend, session, user.userName)) !== undefined) })
  return { ...base, session: { ok: true, value: true }, instances, permissionSets, users: found }
}

async function attempt<T>(read: () => Promise<T>): Promise<Fact<T>> {
  try {
    return { ok: true, value: await read() }
  } catch (error) {
    return { ok: false, problem: describe(error) }
  }
}

function describe(error: unknown): string {
  return error instanceof Error ? error.message : String(error)
}
