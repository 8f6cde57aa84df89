import nock from 'nock'
import { afterEach, beforeEach, describe, expect, it } from 'vitest'
import type { GrantRecord, RefusalRecord } from '../../../src/core/records/grant-record.js'
import { parseCommitTrailers, parseRecordDocument } from '../../../src/core/records/record-document.js'
import { createDryRunProvider } from '../../../src/aws/dry-run-provider.js'
import { runSweep, type SweepParams } from '../../../src/workflows/sweep/run-sweep.js'
import { FakeGitHubRepo, repoFiles, type FakeMergedPullRequest } from './support/fake-github-repo.js'
import { FakeIam } from './support/fake-iam.js'
import { activeRecord } from './support/grant-records.js'
import { CATALOGUE, INCIDENT, incidentPolicyName, mergedRequest, RULES, TEAMS } from './support/merged-requests.js'
import { createTestApi } from './support/test-octokit.js'

// A merge whose grant never got recorded (the webhook was lost, or the app stopped between the AWS put
// and the record commit): the sweep finds it and runs the real grant workflow again, against a fake
// GitHub (nock) and IAM (aws-sdk-client-mock).

const NOW = new Date('2026-12-01T12:00:00Z')

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
  params: { records?: GrantRecord[]; extra?: Record<string, string>; merged?: FakeMergedPullRequest[]; policies?: string[] } = {},
) {
  github = new FakeGitHubRepo(repoFiles(params.records ?? [], params.extra))
  github.pushFiles(RULES)
  github.teams = TEAMS
  github.mergedPullRequests = params.merged ?? []
  aws = new FakeIam({ 'jit-alice': params.policies ?? [] })
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
    heal: { createProvider: () => aws!.provider(), catalogue: async () => CATALOGUE },
    ...overrides,
  })
}

function readRecord(path: string): GrantRecord | RefusalRecord {
  const parsed = parseRecordDocument({ file: path, text: github!.files().get(path)! })
  if (!parsed.ok) throw new Error(JSON.stringify(parsed.errors))
  return parsed.value as GrantRecord
}

const grantsOnMain = () => [...github!.files().keys()].filter((path) => path.startsWith('grants/')).sort()
const workflowReads = () => github!.calls.filter((call) => call === 'graphql jitPullRequest')

describe('runSweep heals merged requests that left no record', () => {
  it('runs the grant again for a merge with no record: the policy is put once and the grant recorded in grants/active/', async () => {
    setUp({ merged: [mergedRequest(7, '2026-12-01T11:00:00Z')] })
    const report = await sweep()

    const policy = incidentPolicyName(7, '2026-12-01T11:00:00Z')
    expect(policy).toBe('jit-bb0610eed9-pr-7-exp-20261201T130000Z')
    expect(aws!.puts).toEqual([`jit-alice ${policy}`])
    expect(grantsOnMain()).toEqual(['grants/active/pr-7.yaml'])
    expect(readRecord('grants/active/pr-7.yaml')).toMatchObject({
      id: 'pr-7',
      state: 'active',
      pull_request: { number: 7, url: 'https://github.com/acme/access/pull/7', merged_by: 'bob' },
      requester: 'alice',
      not_before: '2026-12-01T11:00:00Z',
      expires_at: '2026-12-01T13:00:00Z',
      targets: [{ account: '111111111111', principal: 'arn:aws:iam::111111111111:role/jit-alice', aws_policy_name: policy }],
    })
    expect(parseCommitTrailers(github!.apiCommits[0]!.message)).toContainEqual(['Jit-Request', 'pr-7'])
    expect(report.healedMerges).toEqual([
      {
        id: 'pr-7',
        number: 7,
        status: 'healed-merge',
        path: 'grants/active/pr-7.yaml',
        explanation:
          'pr-7 merged at 2026-12-01T11:00:00Z but has no record (its webhook was lost, or the app stopped before committing the record); its grant ran again and recorded it as granted in grants/active/pr-7.yaml',
      },
    ])
    // The requester hears about it as from the webhook.
    expect(github!.comments.map((comment) => comment.issue)).toEqual([7])
    // No extra call to find the merge: the records query lists merged pull requests too.
    expect(github!.calls.slice(0, 3)).toEqual(['graphql jitDefaultBranch', 'graphql jitGrantRecords', 'graphql jitPullRequest'])
    expect(report.summary).toBe('acme/access: revoked 0 of 0 active grants; recorded 1 merge that had no record; no commit')

    // The next sweep sees the record and leaves the merge alone.
    const next = await sweep()
    expect(next.healedMerges).toEqual([])
    expect(aws!.puts).toHaveLength(1)
  })

  it.each(['active', 'revoked', 'refused', 'failed'])('leaves alone a merge with a record in grants/%s/', async (state) => {
    const record = activeRecord({ number: 8, expiresAt: '2026-12-01T15:00:00Z' })
    setUp({
      extra: { [`grants/${state}/pr-8.yaml`]: `${JSON.stringify({ ...record, state })}\n` },
      merged: [mergedRequest(8, '2026-12-01T10:00:00Z')],
    })
    const report = await sweep()
    expect(report.healedMerges).toEqual([])
    expect(workflowReads()).toEqual([])
    expect(aws!.puts).toEqual([])
  })

  it('leaves alone a merge within the grace period: its webhook may still be granting', async () => {
    setUp({ merged: [mergedRequest(9, '2026-12-01T11:50:00Z')] })
    const report = await sweep()
    expect(report.healedMerges).toEqual([])
    expect(workflowReads()).toEqual([])
    expect(grantsOnMain()).toEqual([])

    // Past the grace period, it is healed.
    const later = await sweep({ now: new Date('2026-12-01T12:06:00Z') })
    expect(later.healedMerges.map((healed) => [healed.id, healed.status])).toEqual([['pr-9', 'healed-merge']])
  })

  it('does not look at merges that are no request, and records requests the check rejected (a fork, a request beside another file) as refused', async () => {
    setUp({
      merged: [
        mergedRequest(10, '2026-12-01T10:00:00Z', { files: [{ path: 'policies/new.yaml', changeType: 'ADDED' }] }),
        mergedRequest(11, '2026-12-01T10:00:00Z', {
          files: [
            { path: INCIDENT.path, changeType: 'ADDED' },
            { path: 'README.md', changeType: 'MODIFIED' },
          ],
        }),
        mergedRequest(12, '2026-12-01T10:00:00Z', { isCrossRepository: true }),
      ],
    })
    const report = await sweep()
    expect(report.healedMerges.map((healed) => [healed.number, healed.status, healed.path])).toEqual([
      [12, 'healed-merge', 'grants/refused/pr-12.yaml'],
      [11, 'healed-merge', 'grants/refused/pr-11.yaml'],
    ])
    expect(aws!.puts).toEqual([])
    expect(readRecord('grants/refused/pr-12.yaml')).toMatchObject({
      verdict: 'invalid',
      summary: 'Pull requests from forks are never granted',
    })
  })

  it('records a merge that was not approved at merge time in grants/refused/, and grants nothing', async () => {
    setUp({
      merged: [
        mergedRequest(13, '2026-12-01T11:00:00Z', {
          reviews: [{ id: 601, login: 'bob', state: 'APPROVED', submittedAt: '2026-12-01T09:00:00Z' }],
        }),
      ],
    })
    const report = await sweep()
    expect(aws!.puts).toEqual([])
    expect(grantsOnMain()).toEqual(['grants/refused/pr-13.yaml'])
    expect(readRecord('grants/refused/pr-13.yaml')).toMatchObject({ id: 'pr-13', state: 'refused', verdict: 'pending' })
    expect(report.healedMerges).toEqual([
      expect.objectContaining({
        id: 'pr-13',
        status: 'healed-merge',
        path: 'grants/refused/pr-13.yaml',
        explanation: expect.stringContaining('recorded it as refused (merged without approval)'),
      }),
    ])
  })

  it('reports what it would heal in a dry run, and heals nothing', async () => {
    setUp({ merged: [mergedRequest(14, '2026-12-01T11:00:00Z')] })
    const report = await sweep({ dryRun: true, provider: createDryRunProvider({ granterRole: 'arn:aws:iam::{account}:role/jit-granter' }) })
    expect(report.healedMerges).toEqual([
      {
        id: 'pr-14',
        number: 14,
        status: 'would-heal',
        path: null,
        explanation:
          'pr-14 merged at 2026-12-01T11:00:00Z but has no record (its webhook was lost, or the app stopped before committing the record); a sweep would run its grant again',
      },
    ])
    expect(report.summary).toContain('would record 1 merge that had no record')
    expect(aws!.puts).toEqual([])
    expect(github!.apiCommits).toEqual([])
    expect(github!.comments).toEqual([])
    expect(github!.calls).toEqual(['graphql jitDefaultBranch', 'graphql jitGrantRecords'])
  })

  it('heals at most maxPerSweep merges, the newest first, and leaves the rest for the next sweep', async () => {
    setUp({
      merged: [
        mergedRequest(15, '2026-12-01T10:00:00Z'),
        mergedRequest(16, '2026-12-01T11:00:00Z'),
        mergedRequest(17, '2026-12-01T10:30:00Z'),
      ],
    })
    const report = await sweep({ heal: { createProvider: () => aws!.provider(), catalogue: async () => CATALOGUE, maxPerSweep: 2 } })
    expect(report.healedMerges.map((healed) => [healed.id, healed.status])).toEqual([
      ['pr-16', 'healed-merge'],
      ['pr-17', 'healed-merge'],
      ['pr-15', 'deferred'],
    ])
    expect(report.healedMerges[2]!.explanation).toMatch(/a sweep heals at most 2 merges, so it is left for the next sweep$/)
    expect(workflowReads()).toHaveLength(2)
    expect(report.summary).toContain('recorded 2 merges that had no record; 1 unrecorded merge left for the next sweep')

    const next = await sweep({ heal: { createProvider: () => aws!.provider(), catalogue: async () => CATALOGUE, maxPerSweep: 2 } })
    expect(next.healedMerges.map((healed) => [healed.id, healed.status])).toEqual([['pr-15', 'healed-merge']])
  })

  it('does not look for merges when the caller gives no heal dependencies', async () => {
    setUp({ merged: [mergedRequest(18, '2026-12-01T11:00:00Z')] })
    const report = await sweep({ heal: undefined })
    expect(report.healedMerges).toEqual([])
    expect(workflowReads()).toEqual([])
  })
})

describe('healing and reconcile in one sweep', () => {
  const ALREADY = activeRecord({ number: 1, expiresAt: '2026-12-01T15:00:00Z' })

  it('a crash between the AWS put and the record commit: the policy is put again under its name and recorded, not deleted as an orphan', async () => {
    const policy = incidentPolicyName(7, '2026-12-01T11:00:00Z')
    setUp({
      records: [ALREADY],
      policies: [ALREADY.targets[0]!.aws_policy_name, policy],
      merged: [mergedRequest(7, '2026-12-01T11:00:00Z')],
    })
    const report = await sweep({ reconcile: true })

    expect(aws!.deletes).toEqual([])
    expect(aws!.puts).toEqual([`jit-alice ${policy}`])
    expect([...aws!.policies.get('jit-alice')!].sort()).toEqual([ALREADY.targets[0]!.aws_policy_name, policy].sort())
    expect(report.orphans).toEqual([])
    expect(report.healedMerges.map((healed) => [healed.id, healed.status, healed.path])).toEqual([
      ['pr-7', 'healed-merge', 'grants/active/pr-7.yaml'],
    ])
    expect(grantsOnMain()).toEqual(['grants/active/pr-1.yaml', 'grants/active/pr-7.yaml'])
    // The heal knew the merge time: no separate read of it for the orphan.
    expect(github!.calls).not.toContain('graphql jitMergeTimes')

    // The next sweep finds nothing to reconcile: the record names the policy.
    const next = await sweep({ reconcile: true })
    expect(next.orphans).toEqual([])
    expect(next.drift).toEqual([])
    expect(next.healedMerges).toEqual([])
  })

  it('an orphan that already expired is deleted and recorded as an orphan; the merge is not granted again', async () => {
    const policy = incidentPolicyName(7, '2026-12-01T08:00:00Z')
    setUp({
      records: [ALREADY],
      policies: [ALREADY.targets[0]!.aws_policy_name, policy],
      merged: [mergedRequest(7, '2026-12-01T08:00:00Z')],
    })
    const report = await sweep({ reconcile: true })

    expect(aws!.deletes).toEqual([policy])
    expect(aws!.puts).toEqual([])
    expect(report.orphans.map((orphan) => [orphan.requestId, orphan.status])).toEqual([['pr-7', 'revoked']])
    expect(report.healedMerges).toEqual([])
    expect(workflowReads()).toEqual([])
    expect(grantsOnMain()).toEqual(['grants/active/pr-1.yaml', 'grants/revoked/pr-7.yaml'])
  })
})
