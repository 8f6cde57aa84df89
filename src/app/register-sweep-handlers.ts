import type { Probot } from 'probot'
import type { ActionCatalogue } from '../core/matching/action-catalogue.js'
import { loadActionCatalogue } from '../aws/load-action-catalogue.js'
import { readSettingsOrDefaults } from '../core/files/settings.js'
import type { CreateProviderFor } from '../aws/create-provider.js'
import type { HealMergeDependencies } from '../workflows/sweep/heal-merges.js'
import { readDefaultBranch } from '../workflows/sweep/read-grant-records.js'
import { runSweep, type SweepReport } from '../workflows/sweep/run-sweep.js'
import type { Engine } from '../workflows/check/evaluate-pull-request.js'
import { addRequestTimeout, createGitHubApi } from '../github/github-api.js'
import { handleRevokeComment } from './revoke-command.js'

/** Starts a repeating task; returns how to stop it. Tests pass one they tick by hand. */
export type Schedule = (everyMs: number, task: () => Promise<void>) => { stop(): void }

export interface SweepHandlerDependencies {
  /** The cloud for the sweep's revocations, `/jit revoke`, and the grants of merges the sweep heals (`purpose: 'grant'`). */
  readonly createProvider: CreateProviderFor
  /**
   * The catalogue the grant workflow checks actions against when the sweep heals a merge that left no
   * record (default: `loadActionCatalogue()`, loaded only when there is one to heal).
   */
  readonly catalogue?: ActionCatalogue | Promise<ActionCatalogue>
  readonly engine?: Engine
  /** Look for merged requests with no record and run their grant again (default true). */
  readonly healMerges?: boolean
  /** The clock; called once per sweep and per comment. */
  readonly now?: () => Date
  /** Default: `setInterval`, unref'd so it never keeps the process alive on its own. */
  readonly schedule?: Schedule
  /**
   * How often the app looks for repositories due a sweep (default 1 minute, the smallest
   * `sweep_interval`); each repository is swept every `sweep_interval` of its own `.github/jit.yml`.
   */
  readonly tickMs?: number
  /**
   * How long one pass over every installation may run (default 15 minutes). A tick that finds a pass
   * running longer abandons it (logged) and starts a fresh one, rather than joining a pass that is stuck.
   */
  readonly passDeadlineMs?: number
}

export interface SweepHandlers {
  /** One pass over every installation and repository, sweeping those whose interval has elapsed. */
  sweepAll(): Promise<SweepReport[]>
  stop(): void
}

const TICK_MS = 60_000
const PASS_DEADLINE_MS = 15 * 60_000

const defaultSchedule: Schedule = (everyMs, task) => {
  const timer = setInterval(() => void task(), everyMs)
  timer.unref()
  return { stop: () => clearInterval(timer) }
}

/**
 * Adds revocation to the app: `/jit revoke` comments on request pull requests, and the in-app sweeper
 * that runs over every installation of the app (each repository at its own `sweep_interval`). The
 * sweep is the same `runSweep` that `jit sweep` and the scheduled workflow run, and it also heals
 * merged requests that left no record (a lost webhook, a crash before the record commit).
 */
export function registerSweepHandlers(app: Probot, deps: SweepHandlerDependencies): SweepHandlers {
  const now = deps.now ?? (() => new Date())
  const lastSwept = new Map<string, number>()
  let running: { readonly startedAt: number; readonly reports: Promise<SweepReport[]> } | undefined
  let appLogin: string | undefined
  const deadlineMs = deps.passDeadlineMs ?? PASS_DEADLINE_MS
  // The grant of a healed merge uses the settings at the merge's base, as its webhook would have.
  const heal: HealMergeDependencies | undefined =
    deps.healMerges === false
      ? undefined
      : {
          createProvider: (settings) => deps.createProvider({ settings, dryRun: false, purpose: 'grant' }),
          catalogue: async () => deps.catalogue ?? loadActionCatalogue(),
          ...(deps.engine ? { engine: deps.engine } : {}),
        }

  app.on('issue_comment.created', async (context) => {
    const { comment, issue } = context.payload
    const user = comment.user
    if (!user || user.type === 'Bot') return
    const { owner, repo } = context.repo()
    const result = await handleRevokeComment({
      api: createGitHubApi(context.octokit),
      owner,
      repo,
      issue: { number: issue.number, isPullRequest: Boolean(issue.pull_request) },
      commenter: user.login,
      body: comment.body,
      now: now(),
      createProvider: (settings) => deps.createProvider({ settings, dryRun: false, purpose: 'revoke' }),
    })
    if (result)
      context.log.info(
        { delivery: context.id, requestId: result.id, status: result.status, by: user.login },
        `/jit revoke: ${result.explanation}`,
      )
  })

  async function sweepInstallation(installationId: number, reports: SweepReport[], appLogin: string | undefined): Promise<void> {
    const octokit = addRequestTimeout(await app.auth(installationId))
    const repositories = await octokit.paginate('GET /installation/repositories', { per_page: 100 })
    for (const repository of repositories) {
      const owner = repository.owner.login
      const repo = repository.name
      const key = `${owner}/${repo}`
      const log = app.log.child({ repository: key, installation: installationId })
      try {
        const api = createGitHubApi(octokit)
        const branch = await readDefaultBranch({ api, owner, repo })
        if (!branch.isAccessRepository) continue
        const { settings } = readSettingsOrDefaults(branch.settingsText)
        const at = now()
        const last = lastSwept.get(key)
        if (last !== undefined && at.getTime() - last < settings.sweepIntervalMs) continue
        lastSwept.set(key, at.getTime())
        const provider = deps.createProvider({ settings, dryRun: false, purpose: 'sweep' })
        reports.push(
          await runSweep({
            api,
            owner,
            repo,
            provider,
            now: at,
            branch,
            log,
            ...(heal ? { heal } : {}),
            ...(appLogin ? { appLogin } : {}),
          }),
        )
      } catch (error) {
        // One repository that cannot be swept (permissions, GitHub down) must not stop the others.
        log.error({ err: error }, `sweep of ${key} failed; it is retried at the next interval`)
      }
    }
  }

  async function sweepAll(): Promise<SweepReport[]> {
    // A pass slower than the tick is not started twice: the next tick joins the running one, unless it has
    // run past its deadline (every call has a timeout, so only a fault gets here): then it is abandoned.
    const startedAt = now().getTime()
    if (running && startedAt - running.startedAt < deadlineMs) return running.reports
    if (running) {
      app.log.error(
        { startedAt: new Date(running.startedAt).toISOString(), deadlineMs },
        'sweep pass ran past its deadline; abandoned it and started a fresh pass',
      )
    }
    const pass = { startedAt, reports: sweepInstallations() }
    running = pass
    // An abandoned pass that ends later must not clear the fresh one.
    const clear = () => {
      if (running === pass) running = undefined
    }
    pass.reports.then(clear, clear)
    return pass.reports
  }

  async function sweepInstallations(): Promise<SweepReport[]> {
    const reports: SweepReport[] = []
    const appOctokit = addRequestTimeout(await app.auth())
    const installations = await appOctokit.paginate('GET /app/installations', { per_page: 100 })
    // The app's bot login, `<slug>[bot]`: the author and committer of every record the app writes; read once.
    if (appLogin === undefined && installations.length > 0) {
      const slug = (await appOctokit.request('GET /app')).data?.slug
      if (slug) appLogin = `${slug}[bot]`
    }
    for (const installation of installations) {
      try {
        await sweepInstallation(installation.id, reports, appLogin)
      } catch (error) {
        app.log.error(
          { err: error, installation: installation.id },
          'could not list the repositories of an installation; skipped this pass',
        )
      }
    }
    return reports
  }

  const schedule = deps.schedule ?? defaultSchedule
  const timer = schedule(deps.tickMs ?? TICK_MS, async () => {
    try {
      await sweepAll()
    } catch (error) {
      app.log.error({ err: error }, 'sweep pass failed; it runs again at the next tick')
    }
  })
  return { sweepAll, stop: () => timer.stop() }
}
