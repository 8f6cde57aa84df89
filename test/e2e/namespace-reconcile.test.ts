import { generateKeyPairSync } from 'node:crypto'
import { join } from 'node:path'
import { afterEach, beforeEach, describe, expect, it } from 'vitest'
import { startGitHubEmulator, type GitHubEmulator } from '../../emulator/github/start-github-emulator.js'
import { createProvider } from '../../src/aws/create-provider.js'
import { main } from '../../src/cli/jit.js'
import { createJitCommands } from '../../src/cli/jit-commands.js'
import { formatRecordDocument } from '../../src/core/records/record-document.js'
import type { SweepReport } from '../../src/workflows/sweep/run-sweep.js'
import { nameRepositoryNamespace } from '../../src/aws/repository-namespace.js'
import { activeRecord } from '../workflows/sweep/support/grant-records.js'
import { ALICE_ROLE, PROD, startE2eStack, type E2eStack } from './support/start-e2e-stack.js'

// Two access repositories of one organisation map logins to the same roles: alice's role holds a grant of
// each. Each repository's sweep must see only its own policies: another repository's live grant is not
// its orphan, to delete and to record as one of its own requests.
let stack: E2eStack
let other: GitHubEmulator
const { privateKey } = generateKeyPairSync('rsa', {
  modulusLength: 2048,
  privateKeyEncoding: { type: 'pkcs8', format: 'pem' },
  publicKeyEncoding: { type: 'spki', format: 'pem' },
})

const POLICY = 'jit-bb0610eed9-pr-1-exp-20270302T110500Z'
const OTHER_NAMESPACE = nameRepositoryNamespace({ owner: 'acme', repo: 'access-platform' })
// The other repository's own grant on alice's role, until the afternoon.
const OTHER_RECORD = activeRecord({ number: 5, expiresAt: '2027-03-02T15:00:00Z', principal: ALICE_ROLE })
const OTHER_POLICY = `jit-${OTHER_NAMESPACE}-pr-5-exp-20270302T150000Z`

beforeEach(async () => {
  stack = await startE2eStack()
  other = await startGitHubEmulator({
    dir: join(stack.dir, 'access-platform.git'),
    owner: 'acme',
    repo: 'access-platform',
    appId: 4343,
    installationId: 77,
    privateKey,
    initialFiles: stack.example.files,
    clock: stack.clock.now,
  })
  // The other repository has a pull request #1 too, merged (and refused) an hour before this story.
  const opened = await other.openPullRequest({
    author: 'alice',
    branch: 'access/alice-read',
    files: { 'requests/alice-read.yaml': 'reason: read the logs\n' },
    title: 'Access: read the logs',
  })
  await other.mergePullRequest(opened.number, { by: 'carol' })
  await other.commitToDefaultBranch({
    files: { 'grants/refused/pr-1.yaml': 'id: pr-1\nstate: refused\n' },
    author: 'jit-access[bot]',
    message: 'Refuse pr-1\n\nJit-Action: refuse\nJit-Request: pr-1\n',
  })
  const record = { ...OTHER_RECORD, targets: OTHER_RECORD.targets.map((target) => ({ ...target, aws_policy_name: OTHER_POLICY })) }
  // Written as the app writes a record: its bot, its trailers.
  await other.commitToDefaultBranch({
    files: { 'grants/active/pr-5.yaml': formatRecordDocument(record) },
    author: 'jit-access[bot]',
    message: 'Grant pr-5\n\nJit-Action: grant\nJit-Request: pr-5\n',
  })
  // What the other repository's grant put in AWS (its document does not matter here).
  stack.aws.state.findRole(PROD, 'jit-alice')!.inlinePolicies.set(OTHER_POLICY, '{"Version":"2012-10-17","Statement":[]}')
})
afterEach(async () => {
  await other.stop()
  await stack.stop()
})

/** `jit sweep --json` on the other repository, under the app's credentials, on the same AWS. */
async function sweepOther(): Promise<SweepReport> {
  let stdout = ''
  let stderr = ''
  const commands = createJitCommands({
    createProvider: createProvider({ env: { JIT_EXTERNAL_ID: stack.externalId }, now: stack.clock.now, sleep: async () => undefined })
      .createFor,
    catalogue: async () => {
      throw new Error('not needed')
    },
  })
  const env = {
    ...process.env,
    GITHUB_REPOSITORY: 'acme/access-platform',
    APP_ID: '4343',
    PRIVATE_KEY: privateKey,
    GITHUB_API_URL: other.url,
  }
  const code = await main(
    ['sweep', '--json'],
    {
      stdout: { write: (t: string) => (stdout += t) },
      stderr: { write: (t: string) => (stderr += t) },
      cwd: '/',
      env,
      now: stack.clock.now,
    },
    commands,
  )
  expect(stderr).toBe('')
  expect(code).toBe(0)
  return JSON.parse(stdout) as SweepReport
}

describe('two access repositories granting on the same role', () => {
  it("each sweep leaves the other repository's live grant alone and records nothing of it", async () => {
    await stack.mergeApprovedIncidentRequest()
    // The policy as this repository recorded it (its name is checked last, so that the sweeps are judged first).
    const policy = /aws_policy_name: (\S+)/.exec((await stack.readOnMain('grants/active/pr-1.yaml')) ?? '')?.[1] ?? ''
    expect(Object.keys(stack.policiesOf('alice')).sort()).toEqual([OTHER_POLICY, policy].sort())

    // Twenty minutes later the other repository sweeps: alice's role holds its pr-5 and this repository's pr-1.
    stack.clock.advance(20 * 60_000)
    const report = await sweepOther()
    expect(report.orphans).toEqual([])
    expect(report.drift).toEqual([])

    // AWS: both grants are still there; nothing was deleted.
    expect(Object.keys(stack.policiesOf('alice')).sort()).toEqual([OTHER_POLICY, policy].sort())
    expect(stack.aws.state.calls.filter((call) => call.action === 'DeleteRolePolicy')).toEqual([])
    // Git, the other repository: only its own record; no pr-1 of its own, no revocation commit.
    const otherRecords = (await other.git(['ls-tree', '-r', '--name-only', 'main', '--', 'grants/'])).trim().split('\n')
    expect(otherRecords).toEqual(['grants/active/pr-5.yaml', 'grants/refused/pr-1.yaml'])
    expect(await other.git(['log', '--format=%s', 'main'])).not.toContain('Revoke')

    // This repository's own sweep at expiry revokes its pr-1 and leaves the other's pr-5.
    stack.clock.set(new Date('2027-03-02T11:06:00Z'))
    const own = await stack.sweep()
    expect(own.report.orphans).toEqual([])
    expect(own.report.grants.map((grant) => [grant.id, grant.status])).toEqual([['pr-1', 'revoked']])
    expect(Object.keys(stack.policiesOf('alice'))).toEqual([OTHER_POLICY])
    expect(await stack.recordsOnMain()).toEqual(['grants/revoked/pr-1.yaml'])
    expect(await stack.actionsOnMain()).toEqual(['revoke', 'grant', 'intent'])
    // The name carries this repository's namespace (acme/access), as the other's carries its own.
    expect(policy).toBe(POLICY)
  })
})
