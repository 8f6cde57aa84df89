import { afterEach, beforeEach, describe, expect, it } from 'vitest'
import { namePermissionSet } from '../../src/core/records/permission-set.js'
import { IDENTITY_CENTER_BLOCK } from '../support/identity-center-settings.js'
import { PROD, startE2eStack, type E2eStack } from './support/start-e2e-stack.js'

// Curated permission sets end to end (issue 13): a policy on the base branch grants ReadOnlyAccess by
// name, a request asks for it in production (on Identity Center), code owners approve, the merge copies
// the curated set into the request's own permission set with a deny outside the window, and the sweep
// removes it at expiry. The real app behind Probot, the emulated GitHub on real git, SSO Admin and
// Identity Store through the real SDK clients.
const INSTANCE_ARN = 'arn:aws:sso:::instance/ssoins-1234567890abcdef'
const STORE_ID = 'd-1234567890'
const COPY = namePermissionSet({ repository: 'acme/access', requestId: 'pr-1' })
const FILES = {
  '.github/jit.yml': ['backend: identity_center', ...IDENTITY_CENTER_BLOCK, ''].join('\n'),
  'policies/prod-read-only.yaml': [
    'name: prod-read-only',
    'description: Read production through the curated ReadOnlyAccess permission set',
    'grants:',
    `  accounts: ["${PROD}"]`,
    '  permission_sets: [ReadOnlyAccess]',
    'requesters:',
    '  teams: ["@acme/sre"]',
    'request_paths: ["requests/sre/**"]',
    'max_duration: 4h',
    'approvals:',
    '  - from: codeowners',
    '',
  ].join('\n'),
}
const request = (permissionSet: string) =>
  ['reason: read the outage logs', 'duration: 1h', 'access:', `  - account: "${PROD}"`, `    permission_set: ${permissionSet}`, ''].join(
    '\n',
  )

let stack: E2eStack

beforeEach(async () => {
  stack = await startE2eStack({ files: FILES })
  const { aws, appAccount, externalId, clock } = stack
  aws.state.seedRole({
    account: appAccount,
    roleName: 'jit-granter',
    externalId,
    trustedPrincipals: [`arn:aws:iam::${appAccount}:root`],
    now: clock.now(),
  })
  aws.state.identityCenter.seedInstance({ managementAccount: appAccount, instanceArn: INSTANCE_ARN, identityStoreId: STORE_ID })
  aws.state.identityCenter.seedUser('alice@acme.com')
  aws.state.identityCenter.seedPermissionSet({
    name: 'ReadOnlyAccess',
    managedPolicyArns: ['arn:aws:iam::aws:policy/ReadOnlyAccess'],
    inlinePolicy: JSON.stringify({ Version: '2012-10-17', Statement: [{ Effect: 'Allow', Action: 'logs:GetLogEvents', Resource: '*' }] }),
  })
})
afterEach(async () => {
  await stack.stop()
})

describe('a curated permission set granted through IAM Identity Center', { timeout: 120_000 }, () => {
  it('copies ReadOnlyAccess with a deny outside the window on merge, records what was copied, and the sweep removes it', async () => {
    const pr = await stack.requestAccess({ author: 'alice', path: 'requests/sre/read-outage.yaml', text: request('ReadOnlyAccess') })
    await stack.github.settle()
    expect(stack.latestCheck(pr.headSha).output.title).toBe(
      'Pending: 1 more approval from code owners of requests/sre/read-outage.yaml (@acme/sre-leads) (policy prod-read-only)',
    )
    expect(stack.latestCheck(pr.headSha).output.summary).toContain(
      `| permission set \`ReadOnlyAccess\` | those of the permission set | prod-read-only |`,
    )
    const comments = stack.github.comments(pr.number)
    expect(comments.at(-1)?.body).toContain(
      '| what permission set `ReadOnlyAccess` allows | its resources, until the access ends | prod-read-only |',
    )
    await stack.github.submitReview(pr.number, { login: 'bob', state: 'APPROVED' })
    stack.clock.advance(5 * 60_000)
    await stack.github.mergePullRequest(pr.number, { by: 'bob' })
    await stack.github.settle()

    expect(stack.github.comments(pr.number).at(-1)?.body).toContain('copied with a deny outside the window')
    const identityCenter = stack.aws.state.identityCenter
    const curated = identityCenter.findPermissionSetByName('ReadOnlyAccess')!
    const copy = identityCenter.findPermissionSetByName(COPY)!
    const held = copy.provisioned.get(PROD)!
    expect(held.managedPolicyArns).toEqual(['arn:aws:iam::aws:policy/ReadOnlyAccess'])
    const inline = JSON.parse(held.inlinePolicy) as { Statement: { Effect: string; Action: unknown; Condition?: unknown }[] }
    expect(inline.Statement.map((statement) => `${statement.Effect} ${JSON.stringify(statement.Action)}`)).toEqual([
      'Allow "logs:GetLogEvents"',
      'Deny "*"',
      'Deny "*"',
    ])
    expect(identityCenter.describeAssignmentsOf('alice@acme.com')).toEqual([`${PROD} ${COPY}`])

    const active = (await stack.readOnMain('grants/active/pr-1.yaml'))!
    expect(active).toContain('curated_permission_set:')
    expect(active).toContain('name: ReadOnlyAccess')
    expect(active).toContain(`arn: ${curated.arn}`)
    expect(active).toContain('- arn:aws:iam::aws:policy/ReadOnlyAccess')
    expect(active).toContain('actions: []')
    if (process.env['JIT_PRINT_RECORD']) console.log(active)

    stack.clock.advance(2 * 3_600_000)
    await stack.tickSweeper()
    expect(identityCenter.findPermissionSetByName(COPY)).toBeUndefined()
    expect(identityCenter.assignments).toEqual([])
    // The curated set is the administrator's: never assigned, never changed, never removed.
    expect(identityCenter.findPermissionSetByName('ReadOnlyAccess')?.managedPolicies.length).toBe(1)
    expect(await stack.recordsOnMain()).toEqual(['grants/revoked/pr-1.yaml'])
    expect(await stack.readOnMain('grants/revoked/pr-1.yaml')).toMatch(/reason: expired/)
    await stack.github.settle()
    expect(stack.appErrors()).toEqual([])
  })

  it('denies in the check a permission set no policy grants, with the reason', async () => {
    const pr = await stack.requestAccess({ author: 'alice', path: 'requests/sre/admin.yaml', text: request('AdministratorAccess') })
    await stack.github.settle()
    const check = stack.latestCheck(pr.headSha)
    expect(check.conclusion).toBe('failure')
    expect(check.output.title).toBe(
      `Denied: no policy grants the permission set AdministratorAccess (permission set AdministratorAccess in ${PROD}) to alice: a permission set is grantable only when a policy lists it by name in grants.permission_sets`,
    )
    expect(stack.aws.state.calls.filter((call) => call.service === 'sso')).toEqual([])
  })
})
