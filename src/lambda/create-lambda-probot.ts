import { Probot } from 'probot'
import { createApp, type AppDependencies } from '../app/create-app.js'
import type { LambdaAppConfig } from './load-app-config.js'

/** What the Lambda handlers take from outside: tests pass the emulators' clock and an Octokit without retries. */
export interface LambdaDependencies {
  /** Default `process.env`, read at the first invocation (the cold start). */
  readonly env?: Readonly<Record<string, string | undefined>>
  /** Everything the app is built with but its sweep timer, which a Lambda never runs. */
  readonly app?: Omit<AppDependencies, 'sweepSchedule' | 'onSweeper'>
  readonly Octokit?: ProbotOptions['Octokit']
  readonly log?: ProbotOptions['log']
}

type ProbotOptions = NonNullable<ConstructorParameters<typeof Probot>[0]>
type SweepHandlers = Parameters<NonNullable<AppDependencies['onSweeper']>>[0]

/**
 * The Probot the server runs (`src/app/index.ts` loads `createApp()` the same way), with the app's handler
 * registrations, and without the in-app sweeper's timer: the scheduled function runs a pass itself.
 */
export async function createLambdaProbot(
  config: LambdaAppConfig,
  deps: LambdaDependencies,
): Promise<{ probot: Probot; sweeper: SweepHandlers }> {
  const probot = new Probot({
    appId: config.appId,
    privateKey: config.privateKey,
    ...(config.webhookSecret !== undefined ? { secret: config.webhookSecret } : {}),
    baseUrl: config.baseUrl,
    ...(deps.Octokit ? { Octokit: deps.Octokit } : {}),
    ...(deps.log ? { log: deps.log } : {}),
  })
  let sweeper: SweepHandlers | undefined
  await probot.load(
    createApp({ ...deps.app, ...(deps.env ? { env: deps.env } : {}), sweepSchedule: false, onSweeper: (handlers) => (sweeper = handlers) }),
  )
  if (sweeper === undefined) throw new Error('the app registered no sweep handlers')
  return { probot, sweeper }
}
