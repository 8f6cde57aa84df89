import { generateKeyPairSync } from 'node:crypto'
import nock from 'nock'
import { Probot } from 'probot'
import { afterEach, beforeEach, describe, expect, it } from 'vitest'
import { registerSweepHandlers, type Schedule } from '../../src/app/register-sweep-handlers.js'
import { isRevokeCommand } from '../../src/app/revoke-command.js'
import { parseCommitTrailers, parseRecordDocument } from '../../src/core/records/record-document.js'
import type { GrantRecord } from '../../src/core/records/grant-record.js'
import { activeRecord } from '../workflows/sweep/support/grant-records.js'
import { FakeGitHubRepo, repoFiles } from '../workflows/sweep/support/fake-github-repo.js'
import { FakeIam } from '../workflows/sweep/support/fake-iam.js'
import { TestOctokit } from '../workflows/sweep/support/test-octokit.js'

const NOW = new Date('2026-12-01T12:00:00Z')
const GRANT = activeRecord({ number: 42, expiresAt: '2026-12-01T15:00:00Z', requester: 'alice', approvers: ['bob'] })
const { privateKey } = generateKeyPairSync('rsa', {
  modulusLength: 2048,
  privateKeyEncoding: { type: 'pkcs8', format: 'pem' },
  publicKeyEncoding: { type: 'spki', format: 'pem' },
})

let github: FakeGitHubRepo
let aws: FakeIam
let probot: Probot
let ticks: { everyMs: number; task: () => Promise<void> }[]

beforeEach(async () => {
  nock.disableNetConnect()
  github = new FakeGitHubRepo(repoFiles([GRANT]))
  aws = new FakeIam({ 'jit-alice': [GRANT.targets[0]!.aws_policy_name] })
  ticks = []
  const schedule: Schedule = (everyMs, task) => {
    ticks.push({ everyMs, task })
    return { stop: () => {} }
  }
  probot = new Probot({ appId: 123, privateKey, logLevel: 'fatal', Octokit: TestOctokit })
  await probot.load((app) => {
    registerSweepHandlers(app, { createProvider: () => aws.provider(), now: () => NOW, schedule })
  })
})

afterEach(() => {
  github.stop()
  aws.restore()
  nock.enableNetConnect()
})

function tokenInterceptor(): nock.Scope {
  return nock('https://api.github.com')
    .post('/app/installations/55/access_tokens')
    .reply(201, { token: 'ghs_test', expires_at: '2099-01-01T00:00:00Z', permissions: {}, repository_selection: 'all' })
}

async function comment(login: string, body = '/jit revoke', onPullRequest = true): Promise<void> {
  await probot.receive({
    id: `delivery-${login}`,
    name: 'issue_comment',
    payload: {
      action: 'created',
      issue: { number: 42, ...(onPullRequest ? { pull_request: { url: 'https://api.github.com/repos/acme/access/pulls/42' } } : {}) },
      comment: { id: 9, body, user: { login, type: 'User' } },
      repository: { name: 'access', owner: { login: 'acme' }, full_name: 'acme/access' },
      installation: { id: 55 },
    },
  } as unknown as Parameters<Probot['receive']>[0])
}

function revokedRecord(): GrantRecord {
  const parsed = parseRecordDocument({ file: 'grants/revoked/pr-42.yaml', text: github.files().get('grants/revoked/pr-42.yaml')! })
  if (!parsed.ok) throw new Error(JSON.stringify(parsed.errors))
  return parsed.value as GrantRecord
}

describe('/jit revoke', () => {
  it.each([
    ['the requester', 'alice'],
    ['an approver recorded in the grant', 'bob'],
  ])('by %s revokes at once, recording who and why', async (_, login) => {
    const token = tokenInterceptor()
    await comment(login)

    expect(token.isDone()).toBe(true)
    expect(aws.deletes).toEqual(['jit-pr-42-exp-20261201T150000Z'])
    expect(aws.policies.get('jit-alice')?.size).toBe(0)
    expect(revokedRecord().revocation).toMatchObject({ revoked_at: '2026-12-01T12:00:00Z', revoked_by: login, reason: 'early' })
    expect(github.files().has('grants/active/pr-42.yaml')).toBe(false)
    expect(parseCommitTrailers(github.apiCommits[0]!.message)).toEqual([
      ['Jit-Action', 'revoke'],
      ['Jit-Request', 'pr-42'],
      ['Jit-Revocation', `pr-42 early by ${login}`],
    ])
    expect(github.calls).toEqual([
      'graphql jitDefaultBranch',
      'graphql jitGrantRecord',
      'graphql jitRecordAuthorship',
      'graphql jitCommit',
      'POST comment #42',
    ])
    expect(github.comments[0]!.body).toMatch(
      new RegExp(`^🔒 Revoked \`pr-42\` at your request, @${login}\\. revoked pr-42 on 1 target; recorded in [0-9a-f]{7}\\.`),
    )
  })

  it('politely refuses anyone else, changing nothing', async () => {
    tokenInterceptor()
    await comment('mallory')

    expect(aws.deletes).toEqual([])
    expect(github.apiCommits).toEqual([])
    expect(github.calls).toEqual(['graphql jitDefaultBranch', 'graphql jitGrantRecord', 'graphql jitRecordAuthorship', 'POST comment #42'])
    expect(github.comments[0]!.body).toBe(
      'Sorry @mallory, only the requester (alice) or an approver recorded in the grant (bob) may revoke pr-42 early, so this grant was not revoked. Nothing was changed.\n\n' +
        'The grant ends on its own at 2026-12-01T15:00:00Z. If it must end sooner, ask one of them to comment `/jit revoke`, or an administrator to run `jit revoke pr-42`.',
    )
  })

  it('says there is nothing to revoke once the grant is gone', async () => {
    github.pushFiles({ 'grants/active/pr-42.yaml': null })
    tokenInterceptor()
    await comment('alice')
    expect(aws.deletes).toEqual([])
    expect(github.comments[0]!.body).toBe(
      '@alice, there is nothing to revoke: pr-42 has no active grant on main (it was never granted, or it was already revoked).',
    )
  })

  it('tells the commenter on the pull request when it cannot finish, then fails the delivery', async () => {
    github.pushFiles({ 'grants/active/pr-42.yaml': 'id: [not a record' })
    tokenInterceptor()
    await expect(comment('alice')).rejects.toThrow(/grants\/active\/pr-42\.yaml/)
    expect(aws.deletes).toEqual([])
    expect(github.apiCommits).toEqual([])
    expect(github.calls).toEqual(['graphql jitDefaultBranch', 'graphql jitGrantRecord', 'POST comment #42'])
    expect(github.comments[0]!.body).toMatch(
      /^⚠️ @alice, `\/jit revoke` of `pr-42` could not finish: grants\/active\/pr-42\.yaml: line \d+: .+\.\n\nThe grant stays in `grants\/active\/`/,
    )
  })

  it('ignores other comments and comments on issues, without a single call', async () => {
    await comment('alice', 'thanks, revoke when done')
    await comment('alice', '/jit revoke', false)
    expect(github.calls).toEqual([])
  })

  it.each([
    ['/jit revoke', true],
    ['Done with it.\n/jit revoke please', true],
    ['  /JIT  Revoke', true],
    ['/jit revoked', false],
    ['please /jit revoke', false],
  ])('recognises %j as a revoke command: %s', (body, expected) => {
    expect(isRevokeCommand(body)).toBe(expected)
  })
})

describe('in-app sweeper', () => {
  it('sweeps every repository of every installation on its tick, then waits for sweep_interval', async () => {
    expect(ticks.map((tick) => tick.everyMs)).toEqual([60_000])
    github.pushFiles({ 'grants/active/pr-42.yaml': null, ...repoFiles([activeRecord({ number: 41, expiresAt: '2026-12-01T11:00:00Z' })]) })
    aws.policies.set('jit-alice', new Set(['jit-pr-41-exp-20261201T110000Z']))
    const listing = nock('https://api.github.com')
      .get('/app/installations')
      .query(true)
      .reply(200, [{ id: 55, account: { login: 'acme' } }])
      .get('/installation/repositories')
      .query(true)
      .reply(200, { total_count: 1, repositories: [{ name: 'access', owner: { login: 'acme' } }] })
    tokenInterceptor()

    await ticks[0]!.task()
    expect(github.files().has('grants/revoked/pr-41.yaml')).toBe(true)
    expect(aws.deletes).toEqual(['jit-pr-41-exp-20261201T110000Z'])
    // The next tick, within sweep_interval (5 minutes by default), reads nothing: the lists and the interval are cached.
    const before = github.calls.length
    await ticks[0]!.task()
    expect(github.calls.slice(before)).toEqual([])
    expect(listing.isDone()).toBe(true)
  })
})
