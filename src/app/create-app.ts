import type { ApplicationFunctionOptions, Context, Probot } from 'probot'
import type { ActionCatalogue } from '../core/matching/action-catalogue.js'
import { loadActionCatalogue } from '../aws/load-action-catalogue.js'
import { CHECK_NAME } from '../github/check-run-report.js'
import { CORE_ENGINE, type Engine } from '../workflows/check/evaluate-pull-request.js'
import { createFilesCache } from '../github/files-at-commit.js'
import { registerGrantHandlers } from './register-grant-handlers.js'
import { registerSweepHandlers, type Schedule, type SweepHandlers } from './register-sweep-handlers.js'
import { runAccessCheck } from '../workflows/check/run-access-check.js'
import { runMergeGroupCheck } from '../workflows/check/run-merge-group-check.js'
import { createProvider } from '../aws/create-provider.js'
import type { ObservedPush } from '../github/pull-request-facts.js'
import { parsePushRecord } from '../github/push-record.js'
import { createHealthHandler, HEALTH_PATH } from './sweep-health.js'
import { parseSweepMode } from './sweep-mode.js'
import { createNotifier, type DeliveringNotifier } from '../workflows/notify/create-notifier.js'
import { readRequestedReviewers } from '../github/request-reviewers.js'
import type { ReviewerSet } from '../core/decision/choose-reviewers.js'

/** What the app depends on besides GitHub: injectable so tests fix the clock and the catalogue. */
export interface AppDependencies {
  /** The clock; called once per evaluation. */
  readonly now?: () => Date
  readonly catalogue?: ActionCatalogue | Promise<ActionCatalogue>
  /** The decision engine; the real one unless a test proves an adapter property with a fake. */
  readonly engine?: Engine
  /** Where the cloud settings come from (`JIT_DRY_RUN`, `JIT_EXTERNAL_ID`); default `process.env`. */
  readonly env?: Readonly<Record<string, string | undefined>>
  /** How the in-app sweeper repeats; `false` turns it off (tests that do not exercise it). */
  readonly sweepSchedule?: Schedule | false
  /** How AWS retries wait between attempts (grant and sweep); default a real timer. Tests record instead of waiting. */
  readonly sleep?: (ms: number) => Promise<void>
  /** Handed the sweep handlers once registered: the scheduled Lambda runs one pass of them itself (`sweepAll`). */
  readonly onSweeper?: (sweeper: SweepHandlers) => void
  /** Delivers notifications; default one over HTTP, its URLs and secrets from `env`. */
  readonly notifier?: DeliveringNotifier
}

export const PULL_REQUEST_EVENTS = [
  'pull_request.opened',
  'pull_request.reopened',
  'pull_request.synchronize',
  'pull_request.edited',
  'pull_request.ready_for_review',
] as const
export const REVIEW_EVENTS = ['pull_request_review.submitted', 'pull_request_review.edited', 'pull_request_review.dismissed'] as const

/** Builds the Probot app: every listed event re-evaluates the pull request from scratch. */
export function createApp(dependencies: AppDependencies = {}): (app: Probot, options?: ApplicationFunctionOptions) => void {
  return (app, options) => {
    // `JIT_SWEEP` is checked first: a value that is neither on nor off stops the app before it serves anything.
    const sweepMode = parseSweepMode(dependencies.env ?? process.env)
    const now = dependencies.now ?? (() => new Date())
    const catalogue = dependencies.catalogue ?? loadActionCatalogue()
    const engine = dependencies.engine ?? CORE_ENGINE
    // What is read at an immutable SHA is shared by every delivery this process handles.
    const cache = createFilesCache()
    const env = dependencies.env ?? process.env
    const sleep = dependencies.sleep ?? ((ms: number): Promise<void> => new Promise((resolve) => setTimeout(resolve, ms)))
    const notifier = dependencies.notifier ?? createNotifier({ env, log: app.log, now, sleep })

    const check = async (
      context: Context,
      target: {
        number: number
        headSha: string
        push?: ObservedPush & { before?: string }
        /** From the webhook's pull request: who is asked to review already, and its web address. */
        pull?: { requestedReviewers: ReviewerSet; url: string }
      },
    ): Promise<void> => {
      const { owner, repo } = context.repo()
      const log = context.log.child({
        delivery: context.id,
        event: `${context.name}.${(context.payload as { action?: string }).action ?? ''}`,
      })
      await runAccessCheck({
        octokit: context.octokit,
        log,
        owner,
        repo,
        number: target.number,
        eventHeadSha: target.headSha,
        cache,
        catalogue,
        now: now(),
        engine,
        notifier,
        ...(target.push ? { push: target.push } : {}),
        ...(target.pull ? { requestedReviewers: target.pull.requestedReviewers, pullUrl: target.pull.url } : {}),
      })
    }

    app.on([...PULL_REQUEST_EVENTS, ...REVIEW_EVENTS], async (context) => {
      const pr = context.payload.pull_request
      if (pr.state !== 'open') {
        context.log.info({ delivery: context.id, number: pr.number }, 'pull request is closed; not evaluated')
        return
      }
      const pull = { requestedReviewers: readRequestedReviewers(pr), url: pr.html_url }
      await check(context, { number: pr.number, headSha: pr.head.sha, pull, ...observePush(context) })
    })

    app.on('check_run.rerequested', async (context) => {
      const run = context.payload.check_run
      if (run.name !== CHECK_NAME) return
      // GitHub leaves pull_requests empty for fork PRs; the check run's external_id carries the number.
      const number = run.pull_requests[0]?.number ?? parsePushRecord(run.external_id)?.pullNumber ?? Number.NaN
      if (!Number.isSafeInteger(number)) {
        context.log.warn({ delivery: context.id, checkRun: run.id }, 're-run asked for a check with no pull request; nothing to evaluate')
        return
      }
      await check(context, { number, headSha: run.head_sha })
    })

    // "Re-run all checks" re-evaluates every pull request of the suite (GitHub lists the same-repository ones).
    app.on('check_suite.rerequested', async (context) => {
      for (const pull of context.payload.check_suite.pull_requests) {
        await check(context, { number: pull.number, headSha: context.payload.check_suite.head_sha })
      }
    })

    // A merge queue asks for the required checks on its group's commit: the same decision as the pull request's,
    // published there only when the group changes exactly what the reviewed head changes.
    app.on('merge_group.checks_requested', async (context) => {
      const { owner, repo } = context.repo()
      const group = context.payload.merge_group
      await runMergeGroupCheck({
        octokit: context.octokit,
        log: context.log.child({ delivery: context.id, event: 'merge_group.checks_requested' }),
        owner,
        repo,
        group: { headSha: group.head_sha, headRef: group.head_ref, baseSha: group.base_sha, baseRef: group.base_ref },
        cache,
        catalogue,
        now: now(),
        engine,
      })
    })

    // The cloud is chosen once, at load: a misconfigured environment stops the app before its first merge.
    const cloud = createProvider({ env, sleep, now })
    registerGrantHandlers(app, { now, catalogue, createProvider: cloud.create, notifier })
    const sweeper = registerSweepHandlers(app, {
      now,
      catalogue,
      mode: sweepMode,
      createProvider: cloud.createFor,
      notifier,
      ...(dependencies.sweepSchedule === false
        ? { schedule: () => ({ stop: () => undefined }) }
        : dependencies.sweepSchedule
          ? { schedule: dependencies.sweepSchedule }
          : {}),
    })
    dependencies.onSweeper?.(sweeper)
    // Probot serves the route beside its webhook path; an app loaded without a server (tests) has none to add to.
    if (options?.addHandler) {
      try {
        options.addHandler(createHealthHandler(sweeper.health, notifier))
      } catch (error) {
        app.log.debug({ err: error }, `no HTTP server to serve ${HEALTH_PATH} on`)
      }
    }
  }
}

/**
 * The push a `pull_request` event authenticates: GitHub's `sender` of opened and synchronize pushed the
 * head (the opener adopts the branch as it is); the sender of reopened only reopened it, and is still
 * counted as a pusher, since a push to a closed pull request sends no event. Other events push nothing.
 */
function observePush(context: Context): { push?: ObservedPush & { before?: string } } {
  const payload = context.payload as {
    action?: string
    sender?: { login?: string; type?: string }
    before?: string
    pull_request?: { head?: { sha?: string } }
  }
  const login = payload.sender?.login
  const sha = payload.pull_request?.head?.sha
  if (context.name !== 'pull_request' || !login || !sha) return {}
  if (payload.action !== 'opened' && payload.action !== 'synchronize' && payload.action !== 'reopened') return {}
  return {
    push: {
      login,
      sha,
      pushedHead: payload.action !== 'reopened',
      ...(payload.action === 'synchronize' && payload.before ? { before: payload.before } : {}),
    },
  }
}
