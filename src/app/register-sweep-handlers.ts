import type { Notifier } from '../core/ports/notifier.js'
import type { Probot } from 'probot'
import type { Logger } from '../core/ports/logger.js'
import type { ActionCatalogue } from '../core/matching/action-catalogue.js'
import { loadActionCatalogue } from '../aws/load-action-catalogue.js'
import { readSettingsOrDefaults } from '../core/files/settings.js'
import type { JitSettings } from '../core/files/settings.js'
import type { CreateProviderFor } from '../aws/create-provider.js'
import type { HealMergeDependencies } from '../workflows/sweep/heal-merges.js'
import { readDefaultBranch } from '../workflows/sweep/read-grant-records.js'
import { runSweep, type SweepReport } from '../workflows/sweep/run-sweep.js'
import type { Engine } from '../workflows/check/evaluate-pull-request.js'
import { addRequestTimeout, createGitHubApi } from '../github/github-api.js'
import { handleRevokeComment } from './revoke-command.js'
import { readDefaultBranches } from '../workflows/sweep/read-default-branches.js'
import type { DefaultBranch } from '../workflows/sweep/read-grant-records.js'
import { createSweepHealth, type SweepHealth } from './sweep-health.js'
import { createSweepTargets, type SweepTarget } from './sweep-targets.js'

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
  /** Where revocations, drift, tampering and healed grants are told (default: nowhere). */
  readonly notifier?: Notifier
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
  /** `off` (`JIT_SWEEP=off`): no in-app sweeper; `/jit revoke` still works. Default `on`. */
  readonly mode?: 'on' | 'off'
}

export interface SweepHandlers {
  /** One pass over every installation and repository, sweeping those whose interval has elapsed. */
  sweepAll(): Promise<SweepReport[]>
  /** The last sweep per repository and the last error, for `GET /jit/health`. */
  readonly health: SweepHealth
  stop(): void
}

const TICK_MS = 60_000
/** Stale requests are days old: looking for them once an hour saves a query on every other sweep. */
const STALE_CHECK_MS = 60 * 60_000
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
  const lastStaleCheck = new Map<string, number>()
  const mode = deps.mode ?? 'on'
  const targets = createSweepTargets()
  const health = createSweepHealth(mode)
  let running: { readonly startedAt: number; readonly reports: Promise<SweepReport[]> } | undefined
  let appLogin: string | undefined
  let appLoginRead = false
  const deadlineMs = deps.passDeadlineMs ?? PASS_DEADLINE_MS
  // The grant of a healed merge uses the settings at the merge's base, as its webhook would have.
  const heal: HealMergeDependencies | undefined =
    deps.healMerges === false
      ? undefined
      : {
          createProvider: (settings) => deps.createProvider({ settings, dryRun: false, purpose: 'grant' }),
          catalogue: async () => deps.catalogue ?? loadActionCatalogue(),
          ...(deps.engine ? { engine: deps.engine } : {}),
          ...(deps.notifier ? { notifier: deps.notifier } : {}),
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
      createProvider: (settings) => deps.createProvider({ settings, dryRun: false, purpose: 'revoke', repository: `${owner}/${repo}` }),
      ...(deps.notifier ? { notifier: deps.notifier } : {}),
      // Known once the sweeper has asked GitHub; until then tampering is judged by trailers and blobs.
      ...(appLogin ? { appLogin } : {}),
    })
    if (result)
      context.log.info(
        { delivery: context.id, requestId: result.id, status: result.status, by: user.login },
        `/jit revoke: ${result.explanation}`,
      )
  })

  app.on(['installation.created', 'installation.unsuspend'], (context) => {
    const { installation, repositories } = context.payload as {
      installation: { id: number; repository_selection?: string }
      repositories?: { full_name: string }[]
    }
    // GitHub's list is trusted only for a selection; an installation on all repositories is listed at the next tick.
    targets.addInstallation(installation.id, installation.repository_selection === 'selected' ? repositories : undefined)
  })
  app.on(['installation.deleted', 'installation.suspend'], (context) => {
    targets.removeInstallation(context.payload.installation.id)
  })
  app.on(['installation_repositories.added', 'installation_repositories.removed'], (context) => {
    const { installation, repositories_added: added, repositories_removed: removed } = context.payload
    const named = (list: readonly { full_name?: string }[]) =>
      list.flatMap((repository) => (repository.full_name ? [{ full_name: repository.full_name }] : []))
    targets.changeRepositories(installation.id, { added: named(added), removed: named(removed) })
  })
  // A moved default branch may have become (or stopped being) an access repository, or changed its interval.
  app.on('push', (context) => {
    const { ref, repository } = context.payload
    if (ref === `refs/heads/${repository.default_branch}`) targets.forgetBranch(repository.full_name)
  })

  async function sweepInstallation(installationId: number, reports: SweepReport[]): Promise<void> {
    let octokit: ReturnType<typeof addRequestTimeout<Awaited<ReturnType<typeof app.auth>>>> | undefined
    // The installation token is asked for only when something must be read.
    const authenticated = async () => (octokit ??= addRequestTimeout(await app.auth(installationId)))
    let repositories = targets.repositories(installationId)
    if (!repositories) {
      const listed = await (await authenticated()).paginate('GET /installation/repositories', { per_page: 100 })
      targets.setRepositories(
        installationId,
        listed.map((repository) => ({ owner: repository.owner.login, repo: repository.name })),
      )
      repositories = targets.repositories(installationId) ?? []
    }
    // Recognise what is not known yet (first pass, new repositories, pushed default branches) in batches.
    const unknown = repositories.filter((target) => target.branch === undefined)
    const readNow = new Set<string>()
    if (unknown.length > 0) {
      try {
        const branches = await readDefaultBranches({ api: createGitHubApi(await authenticated()), repositories: unknown })
        for (const [key, branch] of branches) {
          targets.setBranch(key, branch)
          readNow.add(key)
        }
      } catch (error) {
        // The access repositories already known are still swept; the others are read again at the next tick.
        health.recordError({ at: now(), repository: null, message: `installation ${installationId}: ${describe(error)}` })
        app.log.error(
          { err: error, installation: installationId },
          'could not recognise the repositories of an installation; retried next tick',
        )
      }
      repositories = targets.repositories(installationId) ?? []
    }
    for (const target of repositories) {
      if (!target.branch?.isAccessRepository) continue
      // The interval is known from the cached settings: a repository not due costs no call at all.
      const at = now()
      const last = lastSwept.get(target.key)
      if (last !== undefined && at.getTime() - last < intervalOf(target.branch)) continue
      const log = app.log.child({ repository: target.key, installation: installationId })
      try {
        await sweepRepository({ target, at, fresh: readNow.has(target.key), octokit: await authenticated(), log, reports })
      } catch (error) {
        // One repository that cannot be swept (permissions, GitHub down) must not stop the others.
        health.recordSweep(target.key, { at: at.toISOString(), outcome: 'failed', summary: describe(error) })
        health.recordError({ at, repository: target.key, message: describe(error) })
        log.error({ err: error }, `sweep of ${target.key} failed; it is retried at the next interval`)
      }
    }
  }

  async function sweepRepository(params: {
    target: SweepTarget
    at: Date
    fresh: boolean
    octokit: Awaited<ReturnType<typeof app.auth>>
    log: Logger
    reports: SweepReport[]
  }): Promise<void> {
    const { target, at, log } = params
    const { owner, repo, key } = target
    const api = createGitHubApi(params.octokit)
    // The sweep reads the records at the head as it is now, whatever the cache says (a push may be lost).
    const branch = params.fresh && target.branch ? target.branch : await readDefaultBranch({ api, owner, repo })
    targets.setBranch(key, branch)
    if (!branch.isAccessRepository) return
    lastSwept.set(key, at.getTime())
    const { settings } = readSettingsOrDefaults(branch.settingsText)
    const lastStale = lastStaleCheck.get(key)
    const closeStale = lastStale === undefined || at.getTime() - lastStale >= STALE_CHECK_MS
    if (closeStale) lastStaleCheck.set(key, at.getTime())
    const repository = `${owner}/${repo}`
    const provider = deps.createProvider({ settings, dryRun: false, purpose: 'sweep', repository })
    const report = await runSweep({
      api,
      owner,
      repo,
      provider,
      now: at,
      branch,
      log,
      closeStale,
      ...(heal
        ? {
            heal: {
              ...heal,
              createProvider: (settings: JitSettings) => deps.createProvider({ settings, dryRun: false, purpose: 'grant', repository }),
            },
          }
        : {}),
      ...(appLogin ? { appLogin } : {}),
      ...(deps.notifier ? { notifier: deps.notifier } : {}),
    })
    health.recordSweep(key, { at: at.toISOString(), outcome: 'swept', summary: report.summary })
    params.reports.push(report)
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
    const at = now()
    if (targets.needsInstallations(at) || !appLoginRead) {
      const appOctokit = addRequestTimeout(await app.auth())
      if (targets.needsInstallations(at)) {
        const installations = await appOctokit.paginate('GET /app/installations', { per_page: 100 })
        targets.setInstallations(
          installations.map((installation) => installation.id),
          at,
        )
      }
      // The app's bot login, `<slug>[bot]`: the author and committer of every record the app writes. Asked
      // once per process; without it, tampering is judged from trailers and blobs alone.
      if (!appLoginRead && targets.installationIds().length > 0) {
        appLoginRead = true
        try {
          const slug = (await appOctokit.request('GET /app')).data?.slug
          if (slug) appLogin = `${slug}[bot]`
        } catch (error) {
          app.log.warn({ err: error }, "could not read the app's own login; tampered records are judged by trailers and blobs only")
        }
      }
    }
    for (const installationId of targets.installationIds()) {
      try {
        await sweepInstallation(installationId, reports)
      } catch (error) {
        health.recordError({ at, repository: null, message: `installation ${installationId}: ${describe(error)}` })
        app.log.error({ err: error, installation: installationId }, 'could not read the repositories of an installation; skipped this pass')
      }
    }
    health.recordPass(at)
    return reports
  }

  if (mode === 'off') {
    app.log.info('JIT_SWEEP=off: the in-app sweeper does not run; replicas or a scheduled `jit sweep` revoke')
    return { sweepAll, health, stop: () => undefined }
  }
  const schedule = deps.schedule ?? defaultSchedule
  const timer = schedule(deps.tickMs ?? TICK_MS, async () => {
    try {
      await sweepAll()
    } catch (error) {
      health.recordError({ at: now(), repository: null, message: describe(error) })
      app.log.error({ err: error }, 'sweep pass failed; it runs again at the next tick')
    }
  })
  return { sweepAll, health, stop: () => timer.stop() }
}

/** The repository's `sweep_interval`, from the settings at the default branch head last read. */
function intervalOf(branch: DefaultBranch): number {
  return readSettingsOrDefaults(branch.settingsText).settings.sweepIntervalMs
}

function describe(error: unknown): string {
  return error instanceof Error ? error.message : String(error)
}
