import { loadActionCatalogue } from '../aws/load-action-catalogue.js'
import type { ActionCatalogue } from '../core/matching/action-catalogue.js'
import { createLambdaProbot, type LambdaDependencies } from './create-lambda-probot.js'
import type { LambdaContext } from './lambda-context.js'
import { loadAppConfig, type LambdaAppConfig } from './load-app-config.js'
import { readScheduledEvent } from './scheduled-event.js'

/** What one scheduled pass did, per access repository: what the function returns and logs. */
export interface SweepPassResult {
  readonly scheduledTime: string
  readonly repositories: readonly { readonly repository: string; readonly outcome: 'swept' | 'failed'; readonly summary: string }[]
  readonly error: string | null
}

/** Room left after the pass's deadline, to report before Lambda stops the invocation. */
export const DEADLINE_MARGIN_MS = 20_000
/** A pass never runs longer than the in-app sweeper's (15 minutes, Lambda's own longest timeout). */
const MAX_PASS_MS = 15 * 60_000
/** Below this there is no point starting: the function's timeout is too short. */
const MIN_PASS_MS = 5_000

/** The pass failed somewhere (a repository, an installation, or the deadline): the invocation fails, the log says where. */
export class SweepPassError extends Error {
  override readonly name = 'SweepPassError'
  constructor(
    message: string,
    readonly result?: SweepPassResult,
  ) {
    super(message)
  }
}

/**
 * The sweep function, invoked by an EventBridge Scheduler schedule: one pass of the in-app sweeper
 * (`sweepAll`, the same `runSweep` for every access repository of every installation), with a deadline
 * `DEADLINE_MARGIN_MS` before the function's remaining time. Every repository is swept at each
 * invocation, so the schedule's rate is the sweep interval. A pass that failed anywhere, or ran past its
 * deadline, fails the invocation (Lambda's Errors metric, the schedule's retry); an abandoned pass is
 * safe, since every write is written ahead and idempotent.
 */
export function createSweepHandler(deps: LambdaDependencies = {}): (event: unknown, context: LambdaContext) => Promise<SweepPassResult> {
  let config: Promise<LambdaAppConfig> | undefined
  let catalogue: Promise<ActionCatalogue> | ActionCatalogue | undefined
  return async (event, context) => {
    const scheduled = readScheduledEvent(event)
    const deadlineMs = Math.min(MAX_PASS_MS, context.getRemainingTimeInMillis() - DEADLINE_MARGIN_MS)
    if (deadlineMs < MIN_PASS_MS)
      throw new SweepPassError(
        `the function's timeout leaves ${deadlineMs} ms for a sweep; give it at least ${MIN_PASS_MS + DEADLINE_MARGIN_MS} ms`,
      )
    config ??= loadAppConfig(deps.env ?? process.env, { webhookSecret: false })
    config.catch(() => (config = undefined))
    catalogue ??= deps.app?.catalogue ?? loadActionCatalogue()
    // A fresh app per pass: the targets it lists are current, and nothing from a pass abandoned earlier runs on.
    const { probot, sweeper } = await createLambdaProbot(await config, { ...deps, app: { ...deps.app, catalogue } })
    let timer: NodeJS.Timeout | undefined
    const deadline = new Promise<'deadline'>((resolve) => (timer = setTimeout(() => resolve('deadline'), deadlineMs)))
    const outcome = await Promise.race([sweeper.sweepAll(), deadline]).finally(() => clearTimeout(timer))
    const health = sweeper.health.report()
    const result: SweepPassResult = {
      scheduledTime: scheduled.scheduledTime,
      repositories: Object.entries(health.repositories).map(([repository, sweep]) => ({
        repository,
        outcome: sweep.outcome,
        summary: sweep.summary,
      })),
      error: health.lastError ? `${health.lastError.repository ?? 'installations'}: ${health.lastError.message}` : null,
    }
    if (outcome === 'deadline') {
      probot.log.error({ deadlineMs, scheduledTime: scheduled.scheduledTime }, 'sweep pass ran past its deadline; abandoned')
      throw new SweepPassError(`the sweep pass ran past its deadline (${deadlineMs} ms); the next schedule sweeps again`, result)
    }
    probot.log.info({ ...result }, 'sweep pass done')
    if (result.error !== null) throw new SweepPassError(`the sweep pass failed: ${result.error}`, result)
    return result
  }
}
