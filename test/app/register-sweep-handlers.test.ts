import { generateKeyPairSync } from 'node:crypto'
import nock from 'nock'
import { Probot } from 'probot'
import { afterEach, beforeEach, describe, expect, it } from 'vitest'
import { registerSweepHandlers, type Schedule } from '../../src/app/register-sweep-handlers.js'
import type { CreateProviderFor } from '../../src/aws/create-provider.js'
import { FakeGitHubRepo, repoFiles } from '../workflows/sweep/support/fake-github-repo.js'
import { FakeIam } from '../workflows/sweep/support/fake-iam.js'
import { CATALOGUE, mergedRequest, RULES, TEAMS } from '../workflows/sweep/support/merged-requests.js'
import { TestOctokit } from '../workflows/sweep/support/test-octokit.js'

const NOW = new Date('2026-12-01T12:00:00Z')
const { privateKey } = generateKeyPairSync('rsa', {
  modulusLength: 2048,
  privateKeyEncoding: { type: 'pkcs8', format: 'pem' },
  publicKeyEncoding: { type: 'spki', format: 'pem' },
})

let github: FakeGitHubRepo
let aws: FakeIam

beforeEach(() => {
  nock.disableNetConnect()
  github = new FakeGitHubRepo(repoFiles([]))
  github.pushFiles(RULES)
  github.teams = TEAMS
  github.mergedPullRequests = [mergedRequest(7, '2026-12-01T11:00:00Z')]
  aws = new FakeIam()
})

afterEach(() => {
  github.stop()
  aws.restore()
  nock.cleanAll()
  nock.enableNetConnect()
})

async function tick(deps: { healMerges?: boolean }): Promise<{ purposes: string[] }> {
  const purposes: string[] = []
  const createProvider: CreateProviderFor = ({ purpose }) => {
    purposes.push(purpose)
    return aws.provider()
  }
  let task: (() => Promise<void>) | undefined
  const schedule: Schedule = (_everyMs, run) => {
    task = run
    return { stop: () => {} }
  }
  const probot = new Probot({ appId: 123, privateKey, logLevel: 'fatal', Octokit: TestOctokit })
  await probot.load((app) => {
    registerSweepHandlers(app, { createProvider, now: () => NOW, schedule, catalogue: CATALOGUE, ...deps })
  })
  nock('https://api.github.com')
    .get('/app/installations')
    .query(true)
    .reply(200, [{ id: 55, account: { login: 'acme' } }])
    .get('/installation/repositories')
    .query(true)
    .reply(200, { total_count: 1, repositories: [{ name: 'access', owner: { login: 'acme' } }] })
    .post('/app/installations/55/access_tokens')
    .reply(201, { token: 'ghs_test', expires_at: '2099-01-01T00:00:00Z', permissions: {}, repository_selection: 'all' })
  await task!()
  return { purposes }
}

describe('the in-app sweeper', () => {
  it('heals a merged request that left no record, with a grant provider for the merge', async () => {
    const { purposes } = await tick({})
    expect(purposes).toEqual(['sweep', 'grant'])
    expect(github.files().has('grants/active/pr-7.yaml')).toBe(true)
    expect(aws.puts).toEqual(['jit-alice jit-bb0610eed9-pr-7-exp-20261201T130000Z'])
  })

  it('leaves merges alone with healMerges: false', async () => {
    const { purposes } = await tick({ healMerges: false })
    expect(purposes).toEqual(['sweep'])
    expect(github.calls).not.toContain('graphql jitPullRequest')
    expect([...github.files().keys()].filter((path) => path.startsWith('grants/'))).toEqual([])
  })
})

describe('a stuck sweep pass', () => {
  it('is abandoned at its deadline, and the next tick starts a fresh pass instead of joining it', async () => {
    let now = NOW
    let task: (() => Promise<void>) | undefined
    const schedule: Schedule = (_everyMs, run) => {
      task = run
      return { stop: () => {} }
    }
    const probot = new Probot({ appId: 123, privateKey, logLevel: 'fatal', Octokit: TestOctokit })
    await probot.load((app) => {
      registerSweepHandlers(app, {
        createProvider: () => aws.provider(),
        now: () => now,
        schedule,
        catalogue: CATALOGUE,
        passDeadlineMs: 15 * 60_000,
      })
    })
    // The first pass hangs on GitHub (an answer that never comes within the test).
    nock('https://api.github.com').get('/app/installations').query(true).delayConnection(60_000).reply(200, [])
    void task!()
    await new Promise((resolve) => setTimeout(resolve, 50))

    // A tick inside the deadline joins the running pass: it starts nothing new.
    now = new Date(NOW.getTime() + 60_000)
    const joined = await Promise.race([task!().then(() => 'finished'), new Promise((resolve) => setTimeout(() => resolve('waiting'), 200))])
    expect(joined).toBe('waiting')

    // Past the deadline, the next tick abandons it and sweeps afresh.
    now = new Date(NOW.getTime() + 16 * 60_000)
    nock('https://api.github.com')
      .get('/app/installations')
      .query(true)
      .reply(200, [{ id: 55, account: { login: 'acme' } }])
      .get('/installation/repositories')
      .query(true)
      .reply(200, { total_count: 1, repositories: [{ name: 'access', owner: { login: 'acme' } }] })
      .post('/app/installations/55/access_tokens')
      .reply(201, { token: 'ghs_test', expires_at: '2099-01-01T00:00:00Z', permissions: {}, repository_selection: 'all' })
    const fresh = await Promise.race([task!().then(() => 'finished'), new Promise((resolve) => setTimeout(() => resolve('stuck'), 5_000))])
    expect(fresh).toBe('finished')
    expect(github.files().has('grants/active/pr-7.yaml')).toBe(true)
  })
})
