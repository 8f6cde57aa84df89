import { generateKeyPairSync } from 'node:crypto'
import { readFileSync } from 'node:fs'
import { createServer, type Server } from 'node:http'
import type { AddressInfo } from 'node:net'
import { createNodeMiddleware, Probot } from 'probot'
import { afterEach, describe, expect, it } from 'vitest'
import { startFakeOrganisation, type FakeOrganisation } from '../../bench/fake-organisation.js'
import { createApp } from '../../src/app/create-app.js'
import { registerSweepHandlers, type Schedule, type SweepHandlers } from '../../src/app/register-sweep-handlers.js'
import type { SweepHealthReport } from '../../src/app/sweep-health.js'
import { createDryRunProvider } from '../../src/aws/dry-run-provider.js'
import { CATALOGUE } from '../workflows/sweep/support/merged-requests.js'
import { TestOctokit } from '../workflows/sweep/support/test-octokit.js'

const START = new Date('2026-12-01T12:00:00Z')
const MINUTE = 60_000
const { privateKey } = generateKeyPairSync('rsa', {
  modulusLength: 2048,
  privateKeyEncoding: { type: 'pkcs8', format: 'pem' },
  publicKeyEncoding: { type: 'spki', format: 'pem' },
})
const ACCESS_FILES: Record<string, string> = { '.github/jit.yml': 'sweep_interval: 5m\n', 'policies/ops.yaml': 'name: ops\n' }
const fixture = (name: string): Record<string, any> =>
  JSON.parse(readFileSync(new URL(`../fixtures/webhooks/${name}.json`, import.meta.url), 'utf8')) as Record<string, any>

let org: FakeOrganisation | undefined
let server: Server | undefined
afterEach(async () => {
  await org?.stop()
  if (server) await new Promise((resolve) => server!.close(resolve))
  org = undefined
  server = undefined
})

/** An organisation of `count` repositories, `repo-0` … , of which those named in `access` are access repositories. */
async function startOrganisation(count: number, access: readonly string[]): Promise<FakeOrganisation> {
  org = await startFakeOrganisation({
    owner: 'acme',
    repositories: Array.from({ length: count }, (_, index) => `repo-${index}`).map((name) => ({
      name,
      files: access.includes(name) ? { ...ACCESS_FILES } : { 'README.md': `# ${name}\n` },
    })),
  })
  return org
}

/** The sweeper of a Probot app on that organisation, ticked by hand on a clock moved by hand. */
async function startSweeper(organisation: FakeOrganisation) {
  const clock = { now: START }
  let task: (() => Promise<void>) | undefined
  const schedule: Schedule = (_everyMs, run) => {
    task = run
    return { stop: () => undefined }
  }
  const probot = new Probot({ appId: 123, privateKey, logLevel: 'fatal', baseUrl: organisation.url, Octokit: TestOctokit })
  let handlers: SweepHandlers | undefined
  await probot.load((app) => {
    handlers = registerSweepHandlers(app, {
      createProvider: ({ settings }) => createDryRunProvider({ granterRole: settings.granterRole }),
      now: () => clock.now,
      schedule,
      catalogue: CATALOGUE,
    })
  })
  return {
    probot,
    handlers: handlers!,
    /** Moves the clock one minute and runs the tick; returns the calls it made. */
    async tick(): Promise<string[]> {
      const before = organisation.calls.length
      await task!()
      clock.now = new Date(clock.now.getTime() + MINUTE)
      return organisation.calls.slice(before)
    },
  }
}

describe('the in-app sweeper on an organisation of many repositories', () => {
  it('costs GitHub calls for the access repository only: one hour on 1,000 repositories is 2 calls per sweep', async () => {
    const organisation = await startOrganisation(1000, ['repo-500'])
    const sweeper = await startSweeper(organisation)

    // The first tick lists the installation (10 pages) and recognises every repository, 50 to a query.
    const first = await sweeper.tick()
    expect(first.filter((call) => call === 'GET /installation/repositories')).toHaveLength(10)
    expect(first.filter((call) => call === 'graphql jitDefaultBranches')).toHaveLength(20)
    expect(first).not.toContain('graphql jitDefaultBranch')
    expect(first.filter((call) => call.startsWith('graphql jit') && call !== 'graphql jitDefaultBranches')).toEqual([
      'graphql jitGrantRecords',
      'graphql jitOpenRequests',
    ])
    expect(sweeper.handlers.health.report().repositories['acme/repo-500']?.outcome).toBe('swept')

    // The next hour: 60 ticks; the access repository is due every 5 minutes; nothing else is read.
    const hour: string[] = []
    for (let minute = 1; minute <= 60; minute++) hour.push(...(await sweeper.tick()))
    const sweeps = 12
    expect(hour.filter((call) => call === 'graphql jitDefaultBranch')).toHaveLength(sweeps)
    expect(hour.filter((call) => call === 'graphql jitGrantRecords')).toHaveLength(sweeps)
    // Stale requests are looked for once an hour.
    expect(hour.filter((call) => call === 'graphql jitOpenRequests')).toHaveLength(1)
    expect(hour).not.toContain('GET /app/installations')
    expect(hour).not.toContain('GET /installation/repositories')
    expect(hour).not.toContain('graphql jitDefaultBranches')
    expect(hour.length).toBeLessThanOrEqual(2 * sweeps + 10)
  }, 120_000)

  it('recognises a repository again after a push to its default branch, and only then', async () => {
    const organisation = await startOrganisation(120, [])
    const sweeper = await startSweeper(organisation)
    await sweeper.tick()

    // repo-7 becomes an access repository: without a webhook the sweeper does not look (no call per tick).
    organisation.push('repo-7', ACCESS_FILES)
    expect(await sweeper.tick()).toEqual([])

    const push = fixture('push')
    push['repository'].name = 'repo-7'
    push['repository'].full_name = 'acme/repo-7'
    // A push to another branch says nothing about the default branch.
    await sweeper.probot.receive({ id: 'push-1', name: 'push', payload: { ...push, ref: 'refs/heads/feature' } as never })
    expect(await sweeper.tick()).toEqual([])

    await sweeper.probot.receive({ id: 'push-2', name: 'push', payload: push as never })
    const after = await sweeper.tick()
    expect(after).toEqual(['graphql jitDefaultBranches', 'graphql jitGrantRecords', 'graphql jitOpenRequests'])
    expect(sweeper.handlers.health.report().repositories['acme/repo-7']).toMatchObject({ at: '2026-12-01T12:03:00.000Z', outcome: 'swept' })
  }, 60_000)

  it('learns an added repository from installation_repositories, without listing the installation again', async () => {
    const organisation = await startOrganisation(3, [])
    const sweeper = await startSweeper(organisation)
    await sweeper.tick()

    // The real payload names the repository; the fake organisation holds it as an access repository.
    const added = fixture('installation_repositories.added')
    added['installation'].id = organisation.installationId
    added['repositories_added'][0].name = 'repo-1'
    added['repositories_added'][0].full_name = 'acme/repo-1'
    organisation.push('repo-1', ACCESS_FILES)
    await sweeper.probot.receive({ id: 'added-1', name: 'installation_repositories', payload: added as never })
    const calls = await sweeper.tick()
    expect(calls).not.toContain('GET /installation/repositories')
    expect(calls).toContain('graphql jitDefaultBranches')
    expect(calls).toContain('graphql jitGrantRecords')
  }, 60_000)
})

describe('installation webhooks', () => {
  it('an installation created names its repositories: they are recognised without listing them', async () => {
    const organisation = await startOrganisation(5, ['repo-1'])
    const sweeper = await startSweeper(organisation)
    await sweeper.tick()

    const created = fixture('installation.created')
    created['installation'].id = organisation.installationId
    created['repositories'] = [{ id: 1, node_id: 'R_1', name: 'repo-1', full_name: 'acme/repo-1', private: true }]
    await sweeper.probot.receive({ id: 'created-1', name: 'installation', payload: created as never })
    // Minute 1: repo-1 is not due (5 minutes), but what the installation holds is read again, in one query.
    expect(await sweeper.tick()).toEqual(['graphql jitDefaultBranches'])
    expect(await sweeper.tick()).toEqual([])
  }, 60_000)
})

describe('JIT_SWEEP', () => {
  it('off: the app schedules no sweep', async () => {
    let scheduled = 0
    const probot = new Probot({ appId: 123, privateKey, logLevel: 'fatal', Octokit: TestOctokit })
    await probot.load(
      createApp({
        catalogue: CATALOGUE,
        env: { JIT_DRY_RUN: '1', JIT_SWEEP: 'off' },
        sweepSchedule: () => {
          scheduled += 1
          return { stop: () => undefined }
        },
      }),
    )
    expect(scheduled).toBe(0)
  })

  it('any value other than on or off stops the app at start, saying what to write', async () => {
    const probot = new Probot({ appId: 123, privateKey, logLevel: 'fatal', Octokit: TestOctokit })
    await expect(
      probot.load(createApp({ catalogue: CATALOGUE, env: { JIT_DRY_RUN: '1', JIT_SWEEP: 'false' }, sweepSchedule: false })),
    ).rejects.toThrow('JIT_SWEEP is "false": set it to "off" to turn the in-app sweeper off')
  })
})

describe('GET /jit/health', () => {
  it('reports the last sweep of each repository as JSON, beside the webhook path', async () => {
    const organisation = await startOrganisation(2, ['repo-1'])
    let task: (() => Promise<void>) | undefined
    const probot = new Probot({ appId: 123, privateKey, logLevel: 'fatal', baseUrl: organisation.url, Octokit: TestOctokit })
    const middleware = await createNodeMiddleware(
      createApp({
        now: () => START,
        catalogue: CATALOGUE,
        env: { JIT_DRY_RUN: '1' },
        sweepSchedule: (_everyMs, run) => {
          task = run
          return { stop: () => undefined }
        },
      }),
      { probot, webhooksPath: '/api/github/webhooks' },
    )
    server = createServer((request, response) => {
      void middleware(request, response, () => {
        response.statusCode = 404
        response.end()
      })
    })
    await new Promise<void>((resolve) => server!.listen(0, '127.0.0.1', resolve))
    const url = `http://127.0.0.1:${(server.address() as AddressInfo).port}/jit/health`

    const before = (await (await fetch(url)).json()) as SweepHealthReport
    expect(before).toEqual({ sweeper: 'on', lastPassAt: null, repositories: {}, lastError: null, notifications: {} })

    await task!()
    const response = await fetch(url)
    expect(response.status).toBe(200)
    expect(response.headers.get('content-type')).toMatch(/^application\/json/)
    const report = (await response.json()) as SweepHealthReport
    expect(report.lastPassAt).toBe(START.toISOString())
    expect(Object.keys(report.repositories)).toEqual(['acme/repo-1'])
    expect(report.repositories['acme/repo-1']).toMatchObject({ at: START.toISOString(), outcome: 'swept' })
    expect(report.repositories['acme/repo-1']!.summary).toMatch(/\S/)
    expect(report.lastError).toBeNull()
  }, 60_000)
})
