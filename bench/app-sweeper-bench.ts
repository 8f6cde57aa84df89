import { generateKeyPairSync } from 'node:crypto'
import { Probot, ProbotOctokit } from 'probot'
import { registerSweepHandlers, type Schedule } from '../src/app/register-sweep-handlers.js'
import { createDryRunProvider } from '../src/aws/dry-run-provider.js'
import { createActionCatalogue } from '../src/core/matching/action-catalogue.js'
import type { BenchCase } from './bench-case.js'
import { startFakeOrganisation } from './fake-organisation.js'

const REPOSITORIES = 1000
const ACCESS_REPOSITORY = 'repo-500'
const SWEEP_INTERVAL_MINUTES = 5
const HOURS = 1
const TICK_MS = 60_000
const ACCESS_FILES: Record<string, string> = {
  '.github/jit.yml': `sweep_interval: ${SWEEP_INTERVAL_MINUTES}m\n`,
  'policies/ops.yaml': 'name: ops\n',
}

/**
 * `app-sweeper`: the in-app sweeper of an installation on an organisation of 1,000 repositories, one of them
 * an access repository (`sweep_interval: 5m`), on a manual clock ticked every minute. The first pass (listing
 * the installation and recognising every repository) is counted apart as `startupCalls`; then one simulated
 * hour of ticks is counted as `githubCallsPerHour`, every request the app sends to a local stand-in for
 * api.github.com (GraphQL checked against GitHub's schema). The target: at most 2 × sweeps per hour + 10,
 * whatever the number of repositories.
 */
export const appSweeperBench: BenchCase = {
  name: 'app-sweeper',
  description: `the in-app sweeper for an hour on ${REPOSITORIES} repositories, one an access repository: GitHub calls per hour`,
  run: async (io) => {
    const organisation = await startFakeOrganisation({
      owner: 'acme',
      repositories: Array.from({ length: REPOSITORIES }, (_, index) => `repo-${index}`).map((name) => ({
        name,
        files: name === ACCESS_REPOSITORY ? ACCESS_FILES : { 'README.md': `# ${name}\n` },
      })),
    })
    const { privateKey } = generateKeyPairSync('rsa', {
      modulusLength: 2048,
      privateKeyEncoding: { type: 'pkcs8', format: 'pem' },
      publicKeyEncoding: { type: 'spki', format: 'pem' },
    })
    let clock = new Date('2026-12-01T12:00:00Z')
    let task: (() => Promise<void>) | undefined
    const schedule: Schedule = (_everyMs, run) => {
      task = run
      return { stop: () => undefined }
    }
    const probot = new Probot({ appId: 1, privateKey, logLevel: 'fatal', baseUrl: organisation.url, Octokit: BenchOctokit })
    await probot.load((app) => {
      registerSweepHandlers(app, {
        createProvider: ({ settings }) => createDryRunProvider({ granterRole: settings.granterRole }),
        now: () => clock,
        schedule,
        catalogue: createActionCatalogue([]),
      })
    })
    const started = io.now()
    await task!()
    const startupCalls = organisation.calls.length
    const ticks = (HOURS * 60 * 60_000) / TICK_MS
    for (let index = 0; index < ticks; index++) {
      clock = new Date(clock.getTime() + TICK_MS)
      await task!()
    }
    const hourCalls = organisation.calls.slice(startupCalls)
    const wallMs = Math.round(io.now() - started)
    await organisation.stop()
    const sweepsPerHour = (60 / SWEEP_INTERVAL_MINUTES) * HOURS
    const callsByKind: Record<string, number> = {}
    for (const call of hourCalls) callsByKind[call] = (callsByKind[call] ?? 0) + 1
    const githubCallsPerHour = hourCalls.length / HOURS
    const target = 2 * sweepsPerHour + 10
    io.log(
      JSON.stringify({
        bench: 'app-sweeper',
        repositories: REPOSITORIES,
        accessRepositories: 1,
        simulatedHours: HOURS,
        githubCallsPerHour,
        target,
        sweepsPerHour,
        startupCalls,
        callsByKind,
        wallMs,
      }),
    )
    return { ok: githubCallsPerHour <= target }
  },
}

const BenchOctokit = ProbotOctokit.defaults((options: Record<string, unknown>) => ({
  ...options,
  retry: { enabled: false },
  throttle: { ...(options['throttle'] as object), enabled: false },
}))
