import { mkdtemp, readFile, rm } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { fileURLToPath } from 'node:url'
import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it } from 'vitest'
import { startIamStsEmulator, type IamStsEmulator } from '../../emulator/aws/iam-sts-emulator.js'
import { startGitHubEmulator, type GitHubEmulator } from '../../emulator/github/start-github-emulator.js'
import { createJitCommands } from '../../src/cli/jit-commands.js'
import type { DoctorCheck } from '../../src/core/doctor/installation-checklist.js'
import type { ActionCatalogue } from '../../src/core/matching/action-catalogue.js'
import { formatRecordDocument } from '../../src/core/records/record-document.js'
import { namePermissionSet } from '../../src/core/records/permission-set.js'
import { loadActionCatalogue } from '../../src/aws/load-action-catalogue.js'
import { readExampleRepository, type ExampleRepository } from '../../src/demo/read-example-repository.js'
import { testPrivateKey } from '../emulator/github/emulator-fixture.js'
import { setAwsEnvironment } from '../support/aws-environment.js'
import { runJit } from '../support/run-jit.js'
import { activeRecord } from '../workflows/sweep/support/grant-records.js'

// `jit doctor` against both emulators: the example access repository installed as the README says (its ruleset
// imported from examples/rulesets/, granter roles and requesters' roles in both accounts), then each failure planted
// on its own and found, with its fix. The real CLI path: APP_ID and PRIVATE_KEY, the real SDK through AWS_ENDPOINT_URL_*.
const APP_ID = 4242
const PROD = '111111111111'
const STAGING = '222222222222'
const APP_ACCOUNT = '999999999999'
const EXTERNAL_ID = 'jit-doctor-test'
const NOW = new Date('2027-03-02T12:00:00Z')
const EXAMPLE_DIR = fileURLToPath(new URL('../../examples/access-repo/', import.meta.url))
const RULESET_FILE = new URL('../../examples/rulesets/access-repository.json', import.meta.url)
let example: ExampleRepository
let catalogue: ActionCatalogue
let dir: string
let github: GitHubEmulator
let aws: IamStsEmulator
// What puts the environment back, newest first (a test may install twice).
const restores: Array<() => void> = []

beforeAll(async () => {
  example = await readExampleRepository(EXAMPLE_DIR)
  catalogue = await loadActionCatalogue()
})

/** The healthy installation: everything the README's install section asks for, nothing planted yet. */
async function install(options: { files?: Record<string, string | null>; skipRoles?: string[]; ruleset?: (r: Ruleset) => void } = {}) {
  const files = Object.fromEntries(
    Object.entries({ ...example.files, ...options.files }).filter((e): e is [string, string] => e[1] !== null),
  )
  github = await startGitHubEmulator({
    dir: join(dir, 'access.git'),
    owner: 'acme',
    repo: 'access',
    appId: APP_ID,
    privateKey: testPrivateKey(),
    initialFiles: files,
    clock: () => NOW,
    logger: { warn: () => undefined },
  })
  for (const [team, members] of example.teams) github.setTeam(team, members)
  const ruleset = JSON.parse(await readFile(RULESET_FILE, 'utf8')) as Ruleset
  fillInAppId(ruleset, APP_ID)
  options.ruleset?.(ruleset)
  github.importRuleset(ruleset as unknown as Record<string, unknown>)
  aws = await startIamStsEmulator({
    credentials: [{ accessKeyId: 'AKIAJITDOCTOR0000001', secretAccessKey: 'doctor-secret', account: APP_ACCOUNT }],
    granterRoleNames: ['jit-granter'],
    clock: () => NOW,
    maxClockSkewSeconds: Infinity,
  })
  const logins = [...new Set([...example.teams.values()].flat())]
  for (const account of [PROD, STAGING]) {
    if (!options.skipRoles?.includes(`${account}:jit-granter`))
      aws.state.seedRole({
        account,
        roleName: 'jit-granter',
        externalId: EXTERNAL_ID,
        trustedPrincipals: [`arn:aws:iam::${APP_ACCOUNT}:root`],
        now: NOW,
      })
    for (const login of logins)
      if (!options.skipRoles?.includes(`${account}:jit-${login}`)) aws.state.seedRole({ account, roleName: `jit-${login}`, now: NOW })
    aws.state.seedUser({ account, userName: 'grace', now: NOW })
  }
  restores.unshift(
    setAwsEnvironment({
      AWS_ACCESS_KEY_ID: 'AKIAJITDOCTOR0000001',
      AWS_SECRET_ACCESS_KEY: 'doctor-secret',
      AWS_REGION: 'us-east-1',
      AWS_ENDPOINT_URL_IAM: aws.url,
      AWS_ENDPOINT_URL_STS: aws.url,
      AWS_ENDPOINT_URL_SSO_ADMIN: aws.url,
      AWS_ENDPOINT_URL_IDENTITYSTORE: aws.url,
      AWS_EC2_METADATA_DISABLED: 'true',
    }),
  )
}

interface Ruleset {
  name: string
  rules: Array<{
    type: string
    parameters?: Record<string, unknown> & { required_status_checks?: Array<{ context: string; integration_id?: number }> }
  }>
  bypass_actors: Array<{ actor_id: number; actor_type: string; bypass_mode: string }>
}

/** What the README says to do to the example file before importing it: the app's id in both places. */
function fillInAppId(ruleset: Ruleset, appId: number): void {
  for (const rule of ruleset.rules) for (const check of rule.parameters?.required_status_checks ?? []) check.integration_id = appId
  for (const actor of ruleset.bypass_actors) if (actor.actor_type === 'Integration') actor.actor_id = appId
}

async function doctor(args: string[] = ['--json'], env: Record<string, string> = {}) {
  const { code, stdout, stderr } = await runJit({
    args: ['doctor', '--repo', 'acme/access', ...args],
    cwd: dir,
    now: () => NOW,
    env: { APP_ID: String(APP_ID), PRIVATE_KEY: testPrivateKey(), GITHUB_API_URL: github.url, JIT_EXTERNAL_ID: EXTERNAL_ID, ...env },
    commands: createJitCommands({ catalogue: async () => catalogue }),
  })
  const checks = args.includes('--json') && code !== 2 ? ((JSON.parse(stdout) as { checks: DoctorCheck[] }).checks ?? []) : []
  return { code, stdout, stderr, checks, failing: checks.filter((check) => check.status === 'fail') }
}

beforeEach(async () => {
  dir = await mkdtemp(join(tmpdir(), 'jit-doctor-'))
})
afterEach(async () => {
  await github?.stop()
  await aws?.stop()
  for (const restore of restores.splice(0)) restore()
  await rm(dir, { recursive: true, force: true })
})
afterAll(() => undefined)

describe('jit doctor', () => {
  it('passes a healthy installation, all green (rebase merging is off in the example ruleset)', async () => {
    await install()
    const { code, stdout, stderr } = await doctor([])
    expect(stderr).toBe('')
    expect(stdout.split('\n')).toEqual([
      'jit doctor: acme/access',
      "✓ the app's permissions and events: as app.yml asks: 7 permissions, 7 events",
      '✓ the required check "jit / access request" on main: required by "jit access repository", from the app',
      '✓ pull requests, code owner review, no force push or deletion on main: by "jit access repository"',
      '✓ the app may commit records to main: the app is on the bypass list ("Always allow")',
      '✓ merge methods: merge, squash; rebase merging is off',
      '✓ policies, CODEOWNERS and .github/jit.yml: 5 policies, .github/CODEOWNERS, .github/jit.yml valid',
      '✓ the granter role in every account the policies name: assumed in 111111111111, 222222222222',
      '✓ the full reconcile pass may list roles and users: ListRoles and ListUsers allowed in 111111111111, 222222222222',
      "✓ requesters' principals: 10 present in IAM",
      '✓ the sweep: no active grant overdue; no revocation recorded yet',
      'all checks pass',
      '',
    ])
    expect(code).toBe(0)
  })

  it('finds an installation that lacks a permission and an event of app.yml', async () => {
    await install()
    github.setInstallationGrants({
      permissions: {
        checks: 'write',
        contents: 'read',
        pull_requests: 'write',
        issues: 'write',
        members: 'read',
        metadata: 'read',
        merge_queues: 'read',
      },
      events: ['pull_request', 'pull_request_review', 'check_run', 'check_suite', 'issue_comment', 'push'],
    })
    const { code, failing } = await doctor()
    expect(code).toBe(1)
    expect(failing).toEqual([
      expect.objectContaining({
        title: "the app's permissions and events",
        detail: 'the installation lacks permissions contents: write (granted: read); events merge_group',
        fix: expect.stringContaining('Permissions & events'),
      }),
    ])
  })

  it('finds a default branch without the ruleset: no required check, no review rules', async () => {
    await install({ ruleset: (ruleset) => (ruleset.rules = [{ type: 'deletion' }]) })
    const { code, failing } = await doctor()
    expect(code).toBe(1)
    expect(failing.map((check) => [check.title, check.detail])).toEqual([
      [
        'the required check "jit / access request" on main',
        'no ruleset on main requires "jit / access request": an unapproved request can be merged',
      ],
      [
        'pull requests, code owner review, no force push or deletion on main',
        'no rule in force for pull_request (changes only through a pull request); non_fast_forward (history, the audit trail, cannot be rewritten)',
      ],
    ])
    expect(failing[0]?.fix).toContain('examples/rulesets/access-repository.json')
  })

  it('finds a ruleset the app may not bypass, and a required check from another source', async () => {
    await install({
      ruleset: (ruleset) => {
        ruleset.bypass_actors = []
        fillInAppId(ruleset, 99)
      },
    })
    const { code, failing } = await doctor()
    expect(code).toBe(1)
    expect(failing.map((check) => [check.detail, check.fix])).toEqual([
      [
        'required from integration 99 in "jit access repository", but the app\'s id is 4242: the check can never pass',
        "set the required check's source (integration_id) to 4242",
      ],
      [
        '"jit access repository" would refuse the app\'s grant and revocation records (GitHub: "Repository rule violations found")',
        'in Settings → Rules → Rulesets → "jit access repository", add the app to the bypass list with "Always allow" (actor_type Integration, actor_id 4242)',
      ],
    ])
  })

  it('warns (and still passes) when rebase merging is allowed', async () => {
    await install({
      ruleset: (ruleset) =>
        void (ruleset.rules.find((rule) => rule.type === 'pull_request')!.parameters!.allowed_merge_methods = ['merge', 'rebase']),
    })
    const { code, checks } = await doctor()
    expect(code).toBe(0)
    expect(checks.find((check) => check.title === 'merge methods')).toMatchObject({
      status: 'warn',
      detail: expect.stringContaining('rebase merging is allowed'),
    })
  })

  it('finds a broken .github/jit.yml and a missing CODEOWNERS, with the file and line', async () => {
    await install({ files: { '.github/jit.yml': 'principal: 42\nsweep_intervall: 5m\n' } })
    const broken = await doctor()
    expect(broken.code).toBe(1)
    expect(broken.failing.map((check) => check.title)).toEqual(['policies, CODEOWNERS and .github/jit.yml'])
    expect(broken.failing[0]?.detail).toMatch(/^2 errors: \.github\/jit\.yml:1: .*; \.github\/jit\.yml:2: .*sweep_intervall/)
    await github.stop()
    await aws.stop()
    await rm(join(dir, 'access.git'), { recursive: true, force: true })
    await install({ files: { '.github/CODEOWNERS': null } })
    const unowned = await doctor()
    expect(unowned.failing.map((check) => [check.title, check.detail])).toEqual([
      ['policies, CODEOWNERS and .github/jit.yml', 'no CODEOWNERS file: no approval from code owners can count'],
    ])
  })

  it('finds an account without the granter role, and requesters without a principal', async () => {
    await install({ skipRoles: [`${STAGING}:jit-granter`, `${PROD}:jit-heidi`] })
    const { code, failing } = await doctor()
    expect(code).toBe(1)
    expect(failing.map((check) => check.title)).toEqual(['the granter role in every account the policies name', "requesters' principals"])
    expect(failing[0]?.detail).toMatch(/^arn:aws:iam::222222222222:role\/jit-granter: request doctor: could not assume .*AccessDenied/)
    expect(failing[1]?.detail).toBe(
      'arn:aws:iam::111111111111:role/jit-heidi (heidi): not in IAM; not checked in 222222222222 (no granter session)',
    )
    expect(failing[1]?.fix).toContain('principals: in .github/jit.yml')
  })

  it('finds a granter role that may not list roles: the full reconcile pass could not find orphans there', async () => {
    await install()
    aws.injectFault({
      action: 'ListRoles',
      code: 'AccessDenied',
      account: STAGING,
      message: 'User: jit-granter is not authorized to perform: iam:ListRoles',
    })
    const { code, failing } = await doctor()
    expect(code).toBe(1)
    expect(failing).toEqual([
      {
        title: 'the full reconcile pass may list roles and users',
        status: 'fail',
        detail: `${STAGING}: User: jit-granter is not authorized to perform: iam:ListRoles`,
        fix: expect.stringContaining('allow iam:ListRoles and iam:ListUsers to the granter role'),
      },
    ])
  })

  it('finds a wrong external id in every account', async () => {
    await install()
    const { failing, checks } = await doctor(['--json'], { JIT_EXTERNAL_ID: 'not-the-one' })
    expect(failing.map((check) => check.title)).toEqual(['the granter role in every account the policies name'])
    expect(failing[0]?.detail.split('; ').map((line) => /^arn:aws:iam::(\d+):role\/jit-granter: .*AccessDenied/.exec(line)?.[1])).toEqual([
      PROD,
      STAGING,
    ])
    expect(checks.find((check) => check.title === "requesters' principals")).toMatchObject({
      status: 'warn',
      detail: '0 present in IAM; not checked in 111111111111, 222222222222 (no granter session)',
    })
  })

  it('finds a grant past its expiry that no sweep revoked', async () => {
    const overdue = activeRecord({ number: 7, expiresAt: '2027-03-02T10:00:00Z' })
    const current = activeRecord({ number: 8, expiresAt: '2027-03-02T13:00:00Z' })
    await install({
      files: { 'grants/active/pr-7.yaml': formatRecordDocument(overdue), 'grants/active/pr-8.yaml': formatRecordDocument(current) },
    })
    const { code, failing, stdout } = await doctor()
    expect(code).toBe(1)
    expect(failing.map((check) => check.detail)).toEqual([
      'pr-7 expired 2027-03-02T10:00:00.000Z still active: the sweep has not run since; no revocation recorded yet',
    ])
    expect(JSON.parse(stdout)).toMatchObject({ repository: 'acme/access', ok: false })
  })

  it('exits 2 on a usage error', async () => {
    await install()
    expect((await doctor(['--repo', 'not a repo'])).code).toBe(2)
    expect((await doctor(['--jsn'])).code).toBe(2)
  })
})

describe('jit doctor with Identity Center', () => {
  const INSTANCE_ARN = 'arn:aws:sso:::instance/ssoins-1234567890abcdef'
  const STORE_ID = 'd-1234567890'
  // Production is on Identity Center, administered from the app's account; staging stays on IAM roles.
  const settings = (region = 'eu-west-1') =>
    [
      'backend: identity_center',
      'identity_center:',
      `  instance_arn: "${INSTANCE_ARN}"`,
      `  identity_store_id: ${STORE_ID}`,
      `  region: ${region}`,
      `  granter_role: "arn:aws:iam::${APP_ACCOUNT}:role/jit-granter"`,
      '  user_name: "{login}@acme.com"',
      'accounts:',
      `  "${STAGING}": { backend: iam }`,
      '',
    ].join('\n')
  const logins = () => [...new Set([...example.teams.values()].flat())]

  async function installIdentityCenter(options: { region?: string; skipRole?: boolean; skipUsers?: string[] } = {}) {
    await install({ files: { '.github/jit.yml': settings(options.region) } })
    if (!options.skipRole)
      aws.state.seedRole({
        account: APP_ACCOUNT,
        roleName: 'jit-granter',
        externalId: EXTERNAL_ID,
        trustedPrincipals: [`arn:aws:iam::${APP_ACCOUNT}:root`],
        now: NOW,
      })
    const identityCenter = aws.state.identityCenter
    identityCenter.seedInstance({
      managementAccount: APP_ACCOUNT,
      instanceArn: INSTANCE_ARN,
      identityStoreId: STORE_ID,
      region: 'eu-west-1',
    })
    for (const login of logins()) if (!options.skipUsers?.includes(login)) identityCenter.seedUser(`${login}@acme.com`)
    // One grant of this repository, and an administrator's own set.
    identityCenter.seedPermissionSet({ name: namePermissionSet({ repository: 'acme/access', requestId: 'pr-3' }), now: NOW })
    identityCenter.seedPermissionSet({ name: 'ReadOnlyAccess', now: NOW })
    return identityCenter
  }
  const identityCenterChecks = (checks: DoctorCheck[]) =>
    checks.filter((check) => /Identity Center/.test(check.title)).map((check) => [check.status, check.title, check.detail])

  it('passes a healthy installation: the role, the instance in its region, its permission sets, every requester a user', async () => {
    await installIdentityCenter()
    const { code, stdout } = await doctor([])
    expect(stdout.split('\n').slice(7, 15)).toEqual([
      `✓ the granter role in every account the policies name: assumed in ${STAGING}`,
      `✓ the full reconcile pass may list roles and users: ListRoles and ListUsers allowed in ${STAGING}`,
      "✓ requesters' principals: 5 present in IAM",
      `✓ the Identity Center granter role: assumed arn:aws:iam::${APP_ACCOUNT}:role/jit-granter with the external id`,
      `✓ the Identity Center instance in eu-west-1: ${INSTANCE_ARN}, identity store ${STORE_ID}`,
      "✓ permission sets in the Identity Center instance: 2 of the quota of 2,000, 1 of them this repository's grants",
      // frank requests only staging (IAM): he needs no Identity Center user.
      `✓ requesters' Identity Center users: 4 present in identity store ${STORE_ID}`,
      '✓ the sweep: no active grant overdue; no revocation recorded yet',
    ])
    expect(code).toBe(0)
  })

  it('finds a granter role it cannot assume, and checks nothing behind it', async () => {
    await installIdentityCenter({ skipRole: true })
    const { code, checks } = await doctor()
    expect(code).toBe(1)
    expect(identityCenterChecks(checks)).toEqual([
      ['fail', 'the Identity Center granter role', expect.stringMatching(/^arn:aws:iam::999999999999:role\/jit-granter: .*AccessDenied/)],
      ['warn', 'the Identity Center instance in eu-west-1', 'not checked: no Identity Center granter session'],
      ['warn', 'permission sets in the Identity Center instance', 'not checked: no Identity Center granter session'],
      ['warn', "requesters' Identity Center users", 'not checked: no Identity Center granter session'],
    ])
    expect(checks.find((check) => check.title === 'the Identity Center granter role')?.fix).toContain('sts:ExternalId = JIT_EXTERNAL_ID')
  })

  it('finds an instance that is not in the region the settings name', async () => {
    await installIdentityCenter({ region: 'us-west-2' })
    const { code, failing } = await doctor()
    expect(code).toBe(1)
    expect(failing.map((check) => [check.title, check.detail])).toEqual([
      ['the Identity Center instance in us-west-2', `us-west-2 has no Identity Center instance, not ${INSTANCE_ARN}`],
    ])
    expect(failing[0]?.fix).toContain('set identity_center.region to the region of the instance')
  })

  it('names each requester without an Identity Center user', async () => {
    await installIdentityCenter({ skipUsers: ['heidi'] })
    const { code, failing } = await doctor()
    expect(code).toBe(1)
    expect(failing.map((check) => [check.title, check.detail])).toEqual([
      ["requesters' Identity Center users", 'heidi@acme.com (heidi): no such user'],
    ])
    expect(failing[0]?.fix).toContain('identity_center.users')
  })

  it('finds permission sets it may not list', async () => {
    await installIdentityCenter()
    aws.injectFault({ action: 'ListPermissionSets', code: 'AccessDeniedException' })
    const { code, failing } = await doctor()
    expect(code).toBe(1)
    expect(failing.map((check) => [check.title, check.detail])).toEqual([
      ['permission sets in the Identity Center instance', expect.stringMatching(/^could not list them: .*ListPermissionSets/)],
    ])
  })

  it('warns near the permission set quota, and fails at it', async () => {
    const identityCenter = await installIdentityCenter()
    for (let i = 0; i < 1_798; i += 1) identityCenter.seedPermissionSet({ name: `team-${i}`, now: NOW })
    const near = await doctor()
    expect(near.code).toBe(0)
    expect(near.checks.find((check) => check.title === 'permission sets in the Identity Center instance')).toMatchObject({
      status: 'warn',
      detail: "1,800 of the quota of 2,000, 1 of them this repository's grants: near the quota",
      fix: expect.stringContaining('Service Quotas'),
    })
    for (let i = 1_798; i < 1_998; i += 1) identityCenter.seedPermissionSet({ name: `team-${i}`, now: NOW })
    const full = await doctor()
    expect(full.failing.map((check) => check.detail)).toEqual([
      "2,000 of the quota of 2,000, 1 of them this repository's grants: the next grant cannot create its permission set",
    ])
  }, 60_000)
})
