import { mkdtemp, rm } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { fileURLToPath } from 'node:url'
import { afterEach, beforeAll, beforeEach, describe, expect, it } from 'vitest'
import { startIamStsEmulator, type IamStsEmulator } from '../../emulator/aws/iam-sts-emulator.js'
import { startGitHubEmulator, type GitHubEmulator } from '../../emulator/github/start-github-emulator.js'
import { createJitCommands } from '../../src/cli/jit-commands.js'
import { loadActionCatalogue } from '../../src/aws/load-action-catalogue.js'
import type { ActionCatalogue } from '../../src/core/matching/action-catalogue.js'
import { namePermissionSet } from '../../src/core/records/permission-set.js'
import { formatRecordDocument } from '../../src/core/records/record-document.js'
import { readExampleRepository, type ExampleRepository } from '../../src/demo/read-example-repository.js'
import { testPrivateKey } from '../emulator/github/emulator-fixture.js'
import { setAwsEnvironment } from '../support/aws-environment.js'
import { runJit } from '../support/run-jit.js'
import { activeRecord } from '../workflows/sweep/support/grant-records.js'

// `jit revoke --dry-run` and `jit sweep --dry-run` on a grant made through IAM Identity Center: the real CLI
// path (APP_ID and PRIVATE_KEY against the emulated GitHub, the provider chosen from the environment), with an
// emulated Identity Center instance holding the grant. The dry run says what it would delete and calls nothing.
const APP_ID = 4242
const PROD = '111111111111'
const APP_ACCOUNT = '999999999999'
const NOW = new Date('2026-12-01T12:00:00Z')
const EXAMPLE_DIR = fileURLToPath(new URL('../../examples/access-repo/', import.meta.url))
const PERMISSION_SET = namePermissionSet({ repository: 'acme/access', requestId: 'pr-41' })
const SETTINGS = [
  'backend: identity_center',
  'identity_center:',
  '  instance_arn: "arn:aws:sso:::instance/ssoins-1234567890abcdef"',
  '  identity_store_id: d-1234567890',
  '  region: eu-west-1',
  `  granter_role: "arn:aws:iam::${APP_ACCOUNT}:role/jit-granter"`,
  '  user_name: "{login}@acme.com"',
  '',
].join('\n')
let example: ExampleRepository
let catalogue: ActionCatalogue
let dir: string
let github: GitHubEmulator
let aws: IamStsEmulator
let permissionSetArn: string
let restoreEnvironment: () => void = () => undefined

beforeAll(async () => {
  example = await readExampleRepository(EXAMPLE_DIR)
  catalogue = await loadActionCatalogue()
})

beforeEach(async () => {
  dir = await mkdtemp(join(tmpdir(), 'jit-idc-dry-run-'))
  aws = await startIamStsEmulator({
    credentials: [{ accessKeyId: 'AKIAJITDRYRUN0000001', secretAccessKey: 'dry-run-secret', account: APP_ACCOUNT }],
    granterRoleNames: ['jit-granter'],
    clock: () => NOW,
    maxClockSkewSeconds: Infinity,
  })
  aws.state.seedRole({
    account: APP_ACCOUNT,
    roleName: 'jit-granter',
    externalId: 'x',
    trustedPrincipals: [`arn:aws:iam::${APP_ACCOUNT}:root`],
    now: NOW,
  })
  const identityCenter = aws.state.identityCenter
  identityCenter.seedInstance({
    managementAccount: APP_ACCOUNT,
    instanceArn: 'arn:aws:sso:::instance/ssoins-1234567890abcdef',
    identityStoreId: 'd-1234567890',
  })
  const alice = identityCenter.seedUser('alice@acme.com')
  const set = identityCenter.seedPermissionSet({ name: PERMISSION_SET, now: NOW })
  set.description = 'jit-access pr-41 of acme/access until 2026-12-01T11:00:00Z'
  identityCenter.assignments.push({ accountId: PROD, permissionSetArn: set.arn, principalType: 'USER', principalId: alice.userId })
  permissionSetArn = set.arn

  // pr-41 (expired at 11:00) is held in Identity Center: its record names the permission set and the user.
  const base = activeRecord({ number: 41, expiresAt: '2026-12-01T11:00:00Z' })
  const record = {
    ...base,
    targets: base.targets.map((target) => ({
      ...target,
      principal: 'identity-center-user:alice@acme.com',
      aws_policy_name: PERMISSION_SET,
      permission_set: { arn: set.arn, user_id: alice.userId, assignment_request_id: 'b6a6e9f0-0000-4000-8000-000000000001' },
    })),
  }
  github = await startGitHubEmulator({
    dir: join(dir, 'access.git'),
    owner: 'acme',
    repo: 'access',
    appId: APP_ID,
    privateKey: testPrivateKey(),
    initialFiles: { ...example.files, '.github/jit.yml': SETTINGS },
    clock: () => NOW,
    logger: { warn: () => undefined },
  })
  for (const [team, members] of example.teams) github.setTeam(team, members)
  // Written as the app writes a record: its bot, its trailers (a record anyone else wrote is not obeyed).
  await github.commitAsApp({
    files: { 'grants/active/pr-41.yaml': formatRecordDocument(record) },
    message: 'Grant pr-41\n\nJit-Action: grant\nJit-Request: pr-41\n',
  })
  // Were the dry run to call AWS, it would reach the emulator with valid credentials, and its call log would show it.
  restoreEnvironment = setAwsEnvironment({
    AWS_ACCESS_KEY_ID: 'AKIAJITDRYRUN0000001',
    AWS_SECRET_ACCESS_KEY: 'dry-run-secret',
    AWS_REGION: 'eu-west-1',
    AWS_ENDPOINT_URL_STS: aws.url,
    AWS_ENDPOINT_URL_SSO_ADMIN: aws.url,
    AWS_ENDPOINT_URL_IDENTITYSTORE: aws.url,
  })
})

afterEach(async () => {
  await github?.stop()
  await aws?.stop()
  restoreEnvironment()
  await rm(dir, { recursive: true, force: true })
})

function jit(args: string[], env: Record<string, string> = {}) {
  return runJit({
    args,
    cwd: dir,
    now: () => NOW,
    env: { APP_ID: String(APP_ID), PRIVATE_KEY: testPrivateKey(), GITHUB_API_URL: github.url, GITHUB_REPOSITORY: 'acme/access', ...env },
    commands: createJitCommands({ catalogue: async () => catalogue }),
  })
}

describe('a dry run on an Identity Center account', () => {
  it('jit revoke --dry-run says which assignment and permission set it would delete, and calls nothing', async () => {
    const { code, stdout, stderr } = await jit(['revoke', 'pr-41', '--dry-run', '--by', 'security-oncall', '--json'])
    expect(stderr).toBe('')
    expect(code).toBe(0)
    const result = JSON.parse(stdout) as { status: string; explanation: string }
    expect(result.status).toBe('would-revoke')
    expect(result.explanation).toContain('would revoke pr-41 on 1 target: ')
    expect(result.explanation).toContain(
      `would assume arn:aws:iam::${APP_ACCOUNT}:role/jit-granter as jit-pr-41-revoke, find permission set ${PERMISSION_SET} (${permissionSetArn}, if it still bears that name, else by name)`,
    )
    expect(stdout).toContain(
      `remove its assignment to Identity Center user alice@acme.com in ${PROD}, then delete the set once nothing is assigned`,
    )
    expect(aws.state.calls).toEqual([])
    expect(aws.state.identityCenter.describeAssignmentsOf('alice@acme.com')).toEqual([`${PROD} ${PERMISSION_SET}`])
    expect(await github.git(['ls-tree', '-r', '--name-only', 'main', '--', 'grants/'])).toBe('grants/active/pr-41.yaml\n')
  })

  it('jit sweep --dry-run says it would revoke the expired grant, and calls nothing', async () => {
    const { code, stdout } = await jit(['sweep', '--dry-run', '--no-close-stale'])
    expect(stdout.split('\n')[0]).toBe('acme/access: would revoke 1 of 1 active grants; no commit')
    expect(code).toBe(0)
    expect(aws.state.calls).toEqual([])
  })

  it('jit revoke without --dry-run then removes the assignment and the set (the provider is given the repository)', async () => {
    const { code, stdout, stderr } = await jit(['revoke', 'pr-41', '--by', 'security-oncall'], { JIT_EXTERNAL_ID: 'x' })
    expect(stderr).toBe('')
    expect(stdout).toMatch(/^pr-41: revoked: /)
    expect(code).toBe(0)
    expect(aws.state.identityCenter.describeAssignmentsOf('alice@acme.com')).toEqual([])
    expect(aws.state.identityCenter.findPermissionSetByName(PERMISSION_SET)).toBeUndefined()
  })
})
