import { IAMClient } from '@aws-sdk/client-iam'
import { STSClient } from '@aws-sdk/client-sts'
import { afterEach, beforeEach, describe, expect, it } from 'vitest'
import { startIamStsEmulator, type IamStsEmulator } from '../../../emulator/aws/iam-sts-emulator.js'
import { createIamProvider } from '../../../src/aws/iam/iam-provider.js'
import type { CloudProvider } from '../../../src/core/ports/cloud-provider.js'
import { TEST_NAMESPACE } from '../../fixtures/namespace.js'

// The full pass of the IAM backend over the real protocol: ListRoles/ListUsers pages, then each match's policies.
const baseCredentials = { accessKeyId: 'AKIAEMULATORTEST0001', secretAccessKey: 'base-secret-key' } as const
const PROD = '111111111111'
const STAGING = '222222222222'
const OURS = `jit-${TEST_NAMESPACE}-pr-77-exp-20261201T110000Z`
const THEIRS = 'jit-0123456789-pr-77-exp-20261201T110000Z'
const ALLOW_ALL = '{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Action":"*","Resource":"*"}]}'

let emulator: IamStsEmulator
let provider: CloudProvider

beforeEach(async () => {
  emulator = await startIamStsEmulator({ credentials: [baseCredentials], granterRoleNames: ['jit-granter'] })
  for (const account of [PROD, STAGING]) emulator.state.seedRole({ account, roleName: 'jit-granter', externalId: 'ext-7d1f' })
  // 120 roles: ListRoles answers 100 a page, so the pass must follow the marker to find the last ones.
  for (let index = 0; index < 120; index++)
    emulator.state.seedRole({ account: PROD, roleName: `jit-user${String(index).padStart(3, '0')}` })
  emulator.state.seedRole({ account: PROD, roleName: 'app-server' }).inlinePolicies.set(OURS, ALLOW_ALL)
  emulator.state.findRole(PROD, 'jit-user119')!.inlinePolicies.set(OURS, ALLOW_ALL)
  emulator.state.findRole(PROD, 'jit-user119')!.inlinePolicies.set(THEIRS, ALLOW_ALL)
  emulator.state.findRole(PROD, 'jit-user007')!.inlinePolicies.set('hand-written', ALLOW_ALL)
  emulator.state.seedUser({ account: PROD, userName: 'grace', path: '/people/' }).inlinePolicies.set(OURS, ALLOW_ALL)
  provider = createIamProvider({
    granterRole: 'arn:aws:iam::{account}:role/jit-granter',
    externalId: 'ext-7d1f',
    createStsClient: (config) => new STSClient({ ...config, endpoint: emulator.url, credentials: baseCredentials }),
    createIamClient: (config) => new IAMClient({ ...config, endpoint: emulator.url }),
    sleep: async () => undefined,
    random: () => 0,
  })
})

afterEach(async () => {
  await emulator.stop()
})

describe('the IAM full pass against the emulator', () => {
  it("finds this namespace's policies on every matching principal, across pages, and nothing else", async () => {
    const inventory = await provider.listAllManagedPolicies({
      namespace: TEST_NAMESPACE,
      accounts: { [PROD]: [`arn:aws:iam::${PROD}:role/jit-*`, `arn:aws:iam::${PROD}:user/people/grace`] },
    })
    expect(inventory.problems).toEqual([])
    // 120 jit-user roles and grace; app-server matches no pattern, and the granter role (it matches jit-*) is left out.
    expect(inventory.principalsListed).toBe(121)
    expect(
      inventory.principals.map((principal) => [principal.principalArn, principal.policies.map((policy) => policy.policyName)]),
    ).toEqual([
      [`arn:aws:iam::${PROD}:role/jit-user119`, [OURS]],
      [`arn:aws:iam::${PROD}:user/people/grace`, [OURS]],
    ])
    const listCalls = emulator.state.calls.filter((call) => call.action === 'ListRoles' || call.action === 'ListUsers')
    expect(listCalls.map((call) => [call.action, call.params['PathPrefix'], call.params['Marker'] === undefined])).toEqual([
      ['ListRoles', '/', true],
      ['ListRoles', '/', false],
      ['ListUsers', '/people/', true],
    ])
    expect(emulator.state.calls.filter((call) => call.action === 'ListRolePolicies')).toHaveLength(120)
  })

  it('reports an account it cannot enter as a problem and still looks through the others', async () => {
    emulator.state.addFault({ action: 'ListRoles', code: 'AccessDenied', account: STAGING })
    emulator.state.seedRole({ account: STAGING, roleName: 'jit-alice' }).inlinePolicies.set(OURS, ALLOW_ALL)
    const inventory = await provider.listAllManagedPolicies({
      namespace: TEST_NAMESPACE,
      accounts: { [STAGING]: [`arn:aws:iam::${STAGING}:role/jit-*`], [PROD]: [`arn:aws:iam::${PROD}:user/people/*`] },
    })
    expect(inventory.problems).toEqual([
      expect.stringMatching(/^reconcile: could not list the roles under \/ in 222222222222 \(AccessDenied: /u),
    ])
    expect(inventory.principals.map((principal) => principal.principalArn)).toEqual([`arn:aws:iam::${PROD}:user/people/grace`])
  })

  it('reads a policy document as it was put, and null once it is gone', async () => {
    const target = { account: PROD, principalArn: `arn:aws:iam::${PROD}:role/jit-user119`, policyName: OURS }
    expect(await provider.readManagedPolicy(target)).toBe(ALLOW_ALL)
    expect(await provider.readManagedPolicy({ ...target, policyName: `jit-${TEST_NAMESPACE}-pr-78-exp-20261201T110000Z` })).toBeNull()
  })
})
