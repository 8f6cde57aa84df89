import nock from 'nock'
import { afterEach, beforeEach, describe, expect, it } from 'vitest'
import { formatRecordDocument, parseCommitTrailers, parseRecordDocument } from '../../../src/core/records/record-document.js'
import type { GrantRecord } from '../../../src/core/records/grant-record.js'
import { runSweep, type SweepParams } from '../../../src/workflows/sweep/run-sweep.js'
import { activeRecord } from './support/grant-records.js'
import { FakeGitHubRepo, repoFiles } from './support/fake-github-repo.js'
import { FakeIam } from './support/fake-iam.js'
import { createTestApi } from './support/test-octokit.js'
import { TEST_NAMESPACE } from '../../fixtures/namespace.js'

const NOW = new Date('2026-12-01T12:00:00Z')
const EXPIRED = activeRecord({ number: 41, expiresAt: '2026-12-01T11:00:00Z' })
const ALSO_EXPIRED = activeRecord({ number: 42, expiresAt: '2026-12-01T12:00:00Z' }) // at `now` exactly: IAM already denies
const IN_FORCE = activeRecord({ number: 43, expiresAt: '2026-12-01T13:00:00Z' })

let github: FakeGitHubRepo | undefined
let aws: FakeIam | undefined

beforeEach(() => {
  nock.disableNetConnect()
})

afterEach(() => {
  github?.stop()
  aws?.restore()
  github = undefined
  aws = undefined
  nock.enableNetConnect()
})

function setUp(
  records: GrantRecord[],
  policies: string[] = records.map((r) => r.targets[0]!.aws_policy_name),
  extra: Record<string, string> = {},
) {
  github = new FakeGitHubRepo(repoFiles(records, extra))
  aws = new FakeIam({ 'jit-alice': policies })
  return { github, aws }
}

function sweep(overrides: Partial<SweepParams> = {}) {
  return runSweep({
    api: createTestApi(),
    owner: 'acme',
    repo: 'access',
    provider: aws!.provider(),
    now: NOW,
    reconcile: false,
    closeStale: false,
    ...overrides,
  })
}

function readRecord(path: string): GrantRecord {
  const parsed = parseRecordDocument({ file: path, text: github!.files().get(path)! })
  if (!parsed.ok) throw new Error(JSON.stringify(parsed.errors))
  return parsed.value as GrantRecord
}

describe('runSweep', () => {
  it('revokes the expired grants in AWS and records them in one commit; the grant in force stays', async () => {
    setUp([EXPIRED, ALSO_EXPIRED, IN_FORCE])
    const report = await sweep()

    expect(aws!.deletes.sort()).toEqual(['jit-pr-41-exp-20261201T110000Z', 'jit-pr-42-exp-20261201T120000Z'])
    expect([...aws!.policies.get('jit-alice')!]).toEqual(['jit-pr-43-exp-20261201T130000Z'])
    expect(github!.apiCommits).toHaveLength(1)
    const [commit] = github!.apiCommits
    expect(commit!.message.split('\n')[0]).toBe('Revoke 2 grants: pr-41, pr-42')
    expect(parseCommitTrailers(commit!.message)).toEqual([
      ['Jit-Action', 'revoke'],
      ['Jit-Request', 'pr-41'],
      ['Jit-Request', 'pr-42'],
      ['Jit-Revocation', 'pr-41 expired by jit-sweeper'],
      ['Jit-Revocation', 'pr-42 expired by jit-sweeper'],
    ])
    const files = [...github!.files().keys()].filter((path) => path.startsWith('grants/')).sort()
    expect(files).toEqual(['grants/active/pr-43.yaml', 'grants/revoked/pr-41.yaml', 'grants/revoked/pr-42.yaml'])
    expect(readRecord('grants/revoked/pr-41.yaml')).toEqual({
      ...EXPIRED,
      state: 'revoked',
      revocation: {
        revoked_at: '2026-12-01T12:00:00Z',
        revoked_by: 'jit-sweeper',
        reason: 'expired',
        aws: [
          {
            account: '111111111111',
            principal: EXPIRED.targets[0]!.principal,
            aws_policy_name: 'jit-pr-41-exp-20261201T110000Z',
            outcome: 'revoked',
          },
        ],
      },
    })
    expect(report.grants.map((g) => [g.id, g.status])).toEqual([
      ['pr-41', 'revoked'],
      ['pr-42', 'revoked'],
    ])
    expect(report.commit).toEqual({ sha: github!.head, attempts: 1 })
    // Constant cost: default branch + records + who wrote them, then one commit on the head they were read at.
    expect(github!.calls).toEqual([
      'graphql jitDefaultBranch',
      'graphql jitGrantRecords',
      'graphql jitRecordAuthorship',
      'graphql jitCommit',
    ])
    expect(report.summary).toBe(`acme/access: revoked 2 of 3 active grants; recorded in ${github!.head.slice(0, 7)}`)
  })

  it('makes no commit when nothing is due', async () => {
    setUp([IN_FORCE])
    const report = await sweep()
    expect(aws!.deletes).toEqual([])
    expect(github!.apiCommits).toEqual([])
    expect(github!.calls).toEqual(['graphql jitDefaultBranch', 'graphql jitGrantRecords', 'graphql jitRecordAuthorship'])
    expect(report.summary).toBe('acme/access: revoked 0 of 1 active grants; no commit')
  })

  it('leaves a grant whose AWS deletion failed active, and records only the others', async () => {
    setUp([EXPIRED, ALSO_EXPIRED])
    aws!.failDeletes.add('jit-pr-41-exp-20261201T110000Z')
    const report = await sweep()

    expect(github!.files().has('grants/active/pr-41.yaml')).toBe(true)
    expect(github!.files().has('grants/revoked/pr-41.yaml')).toBe(false)
    expect(github!.files().has('grants/revoked/pr-42.yaml')).toBe(true)
    expect(parseCommitTrailers(github!.apiCommits[0]!.message)).toEqual([
      ['Jit-Action', 'revoke'],
      ['Jit-Request', 'pr-42'],
      ['Jit-Revocation', 'pr-42 expired by jit-sweeper'],
    ])
    const failed = report.grants.find((g) => g.id === 'pr-41')!
    expect(failed.status).toBe('failed')
    expect(failed.explanation).toContain('AccessDenied')
    expect(failed.explanation).toContain('it stays active and is retried next sweep')

    // The next sweep, once AWS allows it, finishes the job.
    aws!.failDeletes.clear()
    await sweep()
    expect(github!.files().has('grants/revoked/pr-41.yaml')).toBe(true)
    expect(github!.apiCommits).toHaveLength(2)
  })

  it('counts a policy that is already gone (NoSuchEntity) as revoked', async () => {
    setUp([EXPIRED], [])
    const report = await sweep()
    expect(aws!.deletes).toEqual(['jit-pr-41-exp-20261201T110000Z'])
    expect(report.grants).toEqual([expect.objectContaining({ id: 'pr-41', status: 'revoked' })])
    expect(readRecord('grants/revoked/pr-41.yaml').revocation?.aws).toEqual([expect.objectContaining({ outcome: 'already-revoked' })])
  })

  it('records each grant once when two sweeps race: the loser re-reads at the new head and finds nothing left', async () => {
    setUp([EXPIRED, ALSO_EXPIRED, IN_FORCE])
    const [first, second] = await Promise.all([sweep(), sweep()])

    expect(github!.apiCommits).toHaveLength(1)
    expect(github!.calls.filter((call) => call === 'graphql jitCommit')).toHaveLength(2)
    expect(github!.calls.filter((call) => call === 'graphql jitGrantRecordNames')).toHaveLength(1)
    const reports = [first, second]
    const winner = reports.find((r) => r.commit !== null)!
    const loser = reports.find((r) => r.commit === null)!
    expect(winner.grants.map((g) => g.status)).toEqual(['revoked', 'revoked'])
    expect(loser.grants.map((g) => g.status)).toEqual(['revoked-by-another-sweeper', 'revoked-by-another-sweeper'])
    // Both deleted in AWS; the second deletion of each found nothing, which is harmless.
    expect(aws!.deletes.sort()).toEqual([
      'jit-pr-41-exp-20261201T110000Z',
      'jit-pr-41-exp-20261201T110000Z',
      'jit-pr-42-exp-20261201T120000Z',
      'jit-pr-42-exp-20261201T120000Z',
    ])
    expect([...github!.files().keys()].filter((p) => p.startsWith('grants/')).sort()).toEqual([
      'grants/active/pr-43.yaml',
      'grants/revoked/pr-41.yaml',
      'grants/revoked/pr-42.yaml',
    ])
  })

  it('keeps what another writer added when the branch moved: only the records still active are moved', async () => {
    setUp([EXPIRED, IN_FORCE])
    const fresh = activeRecord({ number: 44, expiresAt: '2026-12-01T14:00:00Z' })
    let moved = false
    const api = createTestApi()
    const report = await runSweep({
      api,
      owner: 'acme',
      repo: 'access',
      provider: aws!.provider(),
      now: NOW,
      reconcile: false,
      closeStale: false,
      // A grant merges while the sweep talks to AWS.
      onProgress: () => {
        if (!moved) github!.pushFiles(repoFiles([fresh]))
        moved = true
      },
    })
    // The first commit, on the head the records were read at, is refused as stale; the second is on the new head.
    expect(report.commit?.attempts).toBe(2)
    expect([...github!.files().keys()].filter((p) => p.startsWith('grants/')).sort()).toEqual([
      'grants/active/pr-43.yaml',
      'grants/active/pr-44.yaml',
      'grants/revoked/pr-41.yaml',
    ])
    expect(github!.calls).toContain('graphql jitGrantRecordNames')
  })

  it('revokes an extended grant without touching its extension on the same principal', async () => {
    const original = activeRecord({ number: 42, expiresAt: '2026-12-01T11:00:00Z' })
    const extension = activeRecord({ number: 57, expiresAt: '2026-12-01T15:00:00Z', extends: 'pr-42' })
    setUp([original, extension])
    const report = await sweep()

    expect(aws!.deletes).toEqual(['jit-pr-42-exp-20261201T110000Z'])
    expect([...aws!.policies.get('jit-alice')!]).toEqual(['jit-pr-57-exp-20261201T150000Z'])
    expect(github!.files().has('grants/active/pr-57.yaml')).toBe(true)
    expect(report.grants[0]!.explanation).toMatch(
      /^pr-42 expired at 2026-12-01T11:00:00Z; pr-57 extends it and keeps its own policy until 2026-12-01T15:00:00Z; revoked pr-42/,
    )
  })

  it('cuts earlier sessions when the record asks for it', async () => {
    setUp([activeRecord({ number: 41, expiresAt: '2026-12-01T11:00:00Z', revokeSessions: true })])
    await sweep()
    expect([...aws!.policies.get('jit-alice')!]).toEqual([`jit-${TEST_NAMESPACE}-pr-41-revoked-20261201T120000Z`])
    expect(readRecord('grants/revoked/pr-41.yaml').revocation?.aws.map((entry) => [entry.aws_policy_name, entry.outcome])).toEqual([
      ['jit-pr-41-exp-20261201T110000Z', 'revoked'],
      [`jit-${TEST_NAMESPACE}-pr-41-revoked-20261201T120000Z`, 'sessions-cut'],
    ])
  })

  it('deletes and records an orphan policy, and reports drift without touching the record', async () => {
    const drifted = activeRecord({ number: 57, expiresAt: '2026-12-01T15:00:00Z' })
    // pr-7 crashed between the AWS put and its grant commit; pr-57's policy was removed by hand. Another
    // access repository's pr-7 and a policy from before namespaces are on the same principal: not ours.
    const foreign = ['jit-0123456789-pr-7-exp-20261201T100000Z', 'jit-pr-8-exp-20261201T100000Z']
    setUp([drifted], [`jit-${TEST_NAMESPACE}-pr-7-exp-20261201T100000Z`, 'someone-elses-policy', ...foreign])
    const report = await sweep({ reconcile: true })

    expect(aws!.deletes).toEqual([`jit-${TEST_NAMESPACE}-pr-7-exp-20261201T100000Z`])
    expect([...aws!.policies.get('jit-alice')!]).toEqual(['someone-elses-policy', ...foreign])
    // An orphan record cannot list the policies and actions AWS does not tell; the schema allows that for orphans only.
    const parsed = parseRecordDocument({ file: 'grants/revoked/pr-7.yaml', text: github!.files().get('grants/revoked/pr-7.yaml')! })
    if (!parsed.ok) throw new Error(JSON.stringify(parsed.errors))
    const orphan = parsed.value as GrantRecord
    expect(orphan).toMatchObject({
      id: 'pr-7',
      state: 'revoked',
      pull_request: { number: 7, url: 'https://github.com/acme/access/pull/7' },
      requester: 'unknown',
      targets: [
        {
          account: '111111111111',
          principal: 'arn:aws:iam::111111111111:role/jit-alice',
          actions: [],
          resources: [],
          aws_policy_name: `jit-${TEST_NAMESPACE}-pr-7-exp-20261201T100000Z`,
        },
      ],
      expires_at: '2026-12-01T10:00:00Z',
      revocation: {
        reason: 'orphan',
        revoked_by: 'jit-sweeper',
        aws: [{ aws_policy_name: `jit-${TEST_NAMESPACE}-pr-7-exp-20261201T100000Z`, outcome: 'revoked' }],
      },
    })
    expect(report.drift).toEqual([
      expect.objectContaining({
        id: 'pr-57',
        policyName: 'jit-pr-57-exp-20261201T150000Z',
        explanation: expect.stringContaining('the record is left as it is'),
      }),
    ])
    expect(github!.files().has('grants/active/pr-57.yaml')).toBe(true)
    expect(parseCommitTrailers(github!.apiCommits[0]!.message)).toEqual([
      ['Jit-Action', 'revoke'],
      ['Jit-Request', 'pr-7'],
      ['Jit-Revocation', 'pr-7 orphan by jit-sweeper'],
    ])
    expect(report.summary).toContain('1 orphan policy deleted; 1 drifted grant (policy missing in AWS)')
  })

  it('leaves an unexpired orphan of a request merged moments ago: its grant commit may be in flight', async () => {
    // A full pass ran an hour ago: this sweep lists only the principals the records name, and commits nothing.
    setUp([IN_FORCE], [`jit-pr-43-exp-20261201T130000Z`, `jit-${TEST_NAMESPACE}-pr-50-exp-20261201T160000Z`], {
      '.jit/reconcile.yaml': 'last_full_pass: "2026-12-01T11:00:00Z"\n',
    })
    github!.pullRequests.push({
      number: 50,
      createdAt: '2026-12-01T10:00:00Z',
      files: [],
      approved: true,
      mergedAt: '2026-12-01T11:58:00Z',
    })
    const report = await sweep({ reconcile: true })
    expect(aws!.deletes).toEqual([])
    expect(report.orphans).toEqual([expect.objectContaining({ requestId: 'pr-50', status: 'deferred' })])
    expect(github!.calls).toEqual([
      'graphql jitDefaultBranch',
      'graphql jitGrantRecords',
      'graphql jitRecordAuthorship',
      'graphql jitMergeTimes',
    ])
  })

  it('records a full pass that found nothing in one commit of .jit/reconcile.yaml alone, and one with revocations in their commit', async () => {
    setUp([IN_FORCE])
    const quiet = await sweep({ reconcile: true })
    expect(quiet.fullPass).toMatchObject({ ran: true, reason: 'no full pass is recorded in .jit/reconcile.yaml' })
    expect(github!.calls).toEqual([
      'graphql jitDefaultBranch',
      'graphql jitGrantRecords',
      'graphql jitRecordAuthorship',
      'graphql jitCommit',
    ])
    expect(github!.apiCommits.map((commit) => commit.message.split('\n')[0])).toEqual(['Record a full reconcile pass'])
    expect(github!.files().get('.jit/reconcile.yaml')).toContain('last_full_pass: "2026-12-01T12:00:00Z"')
    expect(quiet.summary).toContain('full reconcile pass: ')

    github!.stop()
    aws!.restore()
    setUp([EXPIRED])
    const busy = await sweep({ reconcile: true })
    expect(busy.fullPass.ran).toBe(true)
    expect(github!.apiCommits).toHaveLength(1)
    expect(github!.apiCommits[0]!.message).toMatch(
      /^Revoke grant: pr-41\n\n.*\nFull reconcile pass: \d+ principals? listed, \d+ problems?\n\nJit-Action: revoke\n/su,
    )
    expect(github!.files().has('.jit/reconcile.yaml')).toBe(true)
    expect(github!.files().has('grants/revoked/pr-41.yaml')).toBe(true)
  })

  it('closes request PRs left without an approved check longer than pending_max_age, with a comment', async () => {
    setUp([], [], { '.github/jit.yml': 'pending_max_age: 3d\n' })
    const old = '2026-11-27T12:00:00Z'
    github!.pullRequests.push(
      { number: 10, createdAt: old, files: [{ path: 'requests/alice.yaml', changeType: 'ADDED' }], approved: false },
      { number: 11, createdAt: old, files: [{ path: 'requests/bob.yaml', changeType: 'ADDED' }], approved: true },
      { number: 12, createdAt: '2026-11-30T12:00:00Z', files: [{ path: 'requests/carol.yaml', changeType: 'ADDED' }], approved: false },
      { number: 13, createdAt: old, files: [{ path: 'README.md', changeType: 'MODIFIED' }], approved: false },
      {
        number: 14,
        createdAt: old,
        files: [
          { path: 'requests/dan.yaml', changeType: 'ADDED' },
          { path: 'policies/x.yaml', changeType: 'ADDED' },
        ],
        approved: false,
      },
    )
    const report = await sweep({ closeStale: true })
    expect(github!.closed).toEqual([10])
    expect(github!.comments).toHaveLength(1)
    expect(github!.comments[0]!.issue).toBe(10)
    expect(github!.comments[0]!.body).toContain('open for more than 3d without an approved `jit / access request` check')
    expect(github!.comments[0]!.body).toContain('re-open the pull request')
    expect(report.staleRequests).toEqual([expect.objectContaining({ number: 10, status: 'closed' })])
  })

  it('changes nothing in a dry run', async () => {
    setUp([EXPIRED])
    github!.pullRequests.push({
      number: 10,
      createdAt: '2026-01-01T00:00:00Z',
      files: [{ path: 'requests/a.yaml', changeType: 'ADDED' }],
      approved: false,
    })
    const { createDryRunProvider } = await import('../../../src/aws/dry-run-provider.js')
    const report = await sweep({
      dryRun: true,
      provider: createDryRunProvider({ granterRole: 'arn:aws:iam::{account}:role/jit-granter' }),
      closeStale: true,
    })
    expect(report.grants).toEqual([expect.objectContaining({ id: 'pr-41', status: 'would-revoke' })])
    expect(report.staleRequests).toEqual([expect.objectContaining({ number: 10, status: 'would-close' })])
    expect(aws!.deletes).toEqual([])
    expect(github!.calls).toEqual([
      'graphql jitDefaultBranch',
      'graphql jitGrantRecords',
      'graphql jitRecordAuthorship',
      'graphql jitOpenRequests',
    ])
  })

  it('reports an unreadable record and leaves it alone', async () => {
    setUp([EXPIRED], undefined, { 'grants/active/pr-99.yaml': 'id: pr-99\nstate: active\n' })
    const report = await sweep()
    expect(report.problems).toEqual([expect.stringMatching(/^grants\/active\/pr-99\.yaml: line \d+: .*; left as it is$/)])
    expect(github!.files().has('grants/active/pr-99.yaml')).toBe(true)
    expect(report.grants.map((g) => g.id)).toEqual(['pr-41'])
  })
})

describe('runSweep with a record a person edited on the branch', () => {
  const APP_LOGIN = 'jit-access[bot]'
  const path = 'grants/active/pr-41.yaml'

  it('revokes at the expiry the app recorded, not the one a person wrote, and says so', async () => {
    setUp([EXPIRED])
    const extended = github!.files().get(path)!.replaceAll('2026-12-01T11:00:00Z', '2027-12-01T11:00:00Z')
    const written = github!.head
    const edit = github!.pushFiles({ [path]: extended }, 'Extend pr-41', 'erin')
    const report = await sweep({ appLogin: APP_LOGIN })

    expect(report.tampered).toEqual([expect.objectContaining({ id: 'pr-41', path, commitSha: edit, action: 'app-record' })])
    expect(report.tampered[0]?.explanation).toBe(
      `${path} was changed by erin in ${edit.slice(0, 7)} after the app wrote it in ${written.slice(0, 7)}; the app acts on its own record`,
    )
    expect(report.grants.map((grant) => [grant.id, grant.status])).toEqual([['pr-41', 'revoked']])
    expect(aws!.deletes).toEqual(['jit-pr-41-exp-20261201T110000Z'])
    expect(readRecord('grants/revoked/pr-41.yaml').expires_at).toBe('2026-12-01T11:00:00Z')
    expect(github!.comments.map((comment) => comment.issue)).toEqual([41])
    expect(github!.comments[0]?.body).toContain('changed by hand, and the app did not obey it')
    expect(report.summary).toContain('1 tampered record (not obeyed)')
  })

  it('leaves alone, and reports, an active record the app never wrote', async () => {
    setUp([])
    const forged = repoFiles([EXPIRED])[path]!
    const head = github!.pushFiles({ [path]: forged }, 'Add pr-41', 'erin')
    const report = await sweep({ appLogin: APP_LOGIN })

    expect(report.tampered).toEqual([expect.objectContaining({ id: 'pr-41', action: 'ignored', appTargets: [] })])
    expect(report.tampered[0]?.explanation).toContain('was not written by the app (last changed by erin')
    expect(report.grants).toEqual([])
    expect(aws!.deletes).toEqual([])
    expect(github!.head).toBe(head)
    expect(github!.comments).toEqual([])
    expect(report.active).toBe(0)
  })

  it('asks for the app’s version in one more query, only when something was tampered with', async () => {
    setUp([EXPIRED, IN_FORCE])
    github!.pushFiles({ [path]: github!.files().get(path)!.replace('alice', 'mallory') }, 'Edit', 'erin')
    await sweep({ appLogin: APP_LOGIN })
    expect(github!.calls.slice(0, 4)).toEqual([
      'graphql jitDefaultBranch',
      'graphql jitGrantRecords',
      'graphql jitRecordAuthorship',
      'graphql jitAppRecords',
    ])
  })
})

describe('runSweep with an intent a person edited on the branch', () => {
  it('settles the intent the app wrote ahead, not the principal a person wrote into it, and reports it', async () => {
    const {
      state: _state,
      granted_at: _grantedAt,
      revocation: _revocation,
      ...grant
    } = activeRecord({
      number: 44,
      expiresAt: '2026-12-01T13:00:00Z',
    })
    const intent = { ...grant, state: 'granting' as const, intended_at: '2026-12-01T10:00:00Z' }
    const path = 'grants/pending/pr-44.yaml'
    const policy = intent.targets[0]!.aws_policy_name
    // The app wrote the intent and put its policy on alice's role, then stopped before the outcome.
    setUp([], [policy], { [path]: formatRecordDocument(intent) })
    const edit = github!.pushFiles(
      { [path]: github!.files().get(path)!.replace('role/jit-alice', 'role/jit-erin') },
      'Point pr-44 at erin',
      'erin',
    )
    const report = await sweep({ appLogin: 'jit-access[bot]' })

    expect(report.tampered).toEqual([expect.objectContaining({ id: 'pr-44', path, commitSha: edit, action: 'app-record' })])
    // Read back on alice's role, as the app planned it: the policy there is not as planned, so it is undone.
    expect(aws!.deletes).toEqual([policy])
    expect([...aws!.policies.get('jit-alice')!]).toEqual([])
    expect(report.intents.map((settled) => [settled.id, settled.status])).toEqual([['pr-44', 'undone']])
    const failed = readRecord('grants/failed/pr-44.yaml') as unknown as { targets: { principal: string }[] }
    expect(failed.targets.map((target) => target.principal)).toEqual(['arn:aws:iam::111111111111:role/jit-alice'])
  })
})
