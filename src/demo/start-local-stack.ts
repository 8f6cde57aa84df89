import { generateKeyPairSync, randomBytes } from 'node:crypto'
import { createServer, type Server } from 'node:http'
import { mkdtemp, rm } from 'node:fs/promises'
import type { AddressInfo } from 'node:net'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { createNodeMiddleware, Probot, ProbotOctokit } from 'probot'
import { startIamStsEmulator, type IamStsEmulator } from '../../emulator/aws/iam-sts-emulator.js'
import { startGitHubEmulator, type GitHubEmulator } from '../../emulator/github/start-github-emulator.js'
import { createApp, type AppDependencies } from '../app/create-app.js'
import type { TeamMembers } from '../core/decision/decision.js'
import { createGitHubApi, type GitHubApi } from '../github/github-api.js'
import type { Schedule } from '../app/register-sweep-handlers.js'
import { createProvider } from '../aws/create-provider.js'
import type { SweepReport } from '../workflows/sweep/run-sweep.js'
import { createSweepCommand } from '../cli/sweep-command.js'
import type { ManualClock } from './manual-clock.js'
import { createCollectingLogger, type LoggedEntry } from './collecting-logger.js'
import { startGitHubProxy, type GitHubProxy } from './start-github-proxy.js'

/** The repository, people and AWS accounts a local stack starts with. */
export interface LocalStackOptions {
  /** Files of the access repository's first commit on `main`. */
  readonly files: Readonly<Record<string, string>>
  /** Team memberships GitHub knows, keyed `@org/slug`. */
  readonly teams: TeamMembers
  /** AWS accounts with a granter role; each gets a `jit-<login>` role for every login in `principals`. */
  readonly accounts: readonly string[]
  /** Logins that get a `jit-<login>` role in every account (the default principal template). */
  readonly principals: readonly string[]
  /** Read by the app, both emulators and the sweep. */
  readonly clock: ManualClock
  /** Anything else the app is built with (the stack injects the clock and a recording sleep). */
  readonly app?: Omit<AppDependencies, 'now' | 'sleep'>
  /**
   * Called with each wait the app's own AWS retries and status polls ask for, after it is recorded in
   * `appSleeps` (never slept): a scenario may let it pass on its clock, so a slow assignment takes time.
   */
  readonly onAppSleep?: (ms: number) => void
  /** Where the emulators report drift from GitHub's API (always also raised by `stop`). Default: ignored here. */
  readonly warn?: (message: string) => void
}

/** Everything running for one local lifecycle: the emulators, the app, and clients to inspect them. */
export interface LocalStack {
  readonly github: GitHubEmulator
  readonly aws: IamStsEmulator
  /** Between the app and the emulated GitHub: faults to inject. */
  readonly proxy: GitHubProxy
  /** The temporary directory holding the emulated repository; removed by `stop`. */
  readonly dir: string
  /** Where the app's webhook endpoint listens. */
  readonly webhookUrl: string
  /** The app's own AWS identity (what `AWS_ACCESS_KEY_ID` says while the stack runs). */
  readonly appAccount: string
  /** The ExternalId the granter roles require (`JIT_EXTERNAL_ID`). */
  readonly externalId: string
  /** GitHub as the installed app sees it: the client a sweep or a CLI run in production would get. */
  installationApi(): Promise<GitHubApi>
  /** The app's credentials as its deployments are given them (the Action's inputs, the Lambdas' secrets). */
  readonly appCredentials: { readonly appId: number; readonly privateKey: string; readonly webhookSecret: string }
  /** What the app logged at warn level and above, oldest first (Probot's logger, kept instead of printed). */
  readonly appLog: readonly LoggedEntry[]
  /** Every wait the AWS retries of `sweep()` asked for, in ms: recorded, never slept. */
  readonly sleeps: readonly number[]
  /** Every wait the app's own AWS retries (grants, its in-app sweeper) asked for, in ms: recorded, never slept. */
  readonly appSleeps: readonly number[]
  /** One tick of the app's own sweep interval (it sweeps the repository when its `sweep_interval` has passed). */
  tickSweeper(): Promise<void>
  /**
   * `jit sweep --json` (the command a scheduled workflow runs), authenticated as the app's installation,
   * at the clock's now; its retries record their waits in `sleeps`. Resolves to its exit code and report.
   */
  sweep(): Promise<{ exitCode: number; report: SweepReport }>
  /** Stops every server, restores the environment and removes the temporary directory; safe to call twice. */
  stop(): Promise<void>
}

/** The local stack could not do what was asked (no sweeper registered, no report from `jit sweep`). */
export class LocalStackError extends Error {
  override readonly name = 'LocalStackError'
}

export const OWNER = 'acme'
export const REPO = 'access'
const APP_ID = 4242
const INSTALLATION_ID = 1

/** Environment variables the stack sets for the AWS SDK and the app, restored on stop. */
const AWS_ENVIRONMENT = [
  'AWS_ACCESS_KEY_ID',
  'AWS_SECRET_ACCESS_KEY',
  'AWS_SESSION_TOKEN',
  'AWS_PROFILE',
  'AWS_REGION',
  'AWS_ENDPOINT_URL',
  'AWS_ENDPOINT_URL_IAM',
  'AWS_ENDPOINT_URL_STS',
  'AWS_ENDPOINT_URL_SSO_ADMIN',
  'AWS_ENDPOINT_URL_IDENTITYSTORE',
  'AWS_EC2_METADATA_DISABLED',
  'AWS_CONFIG_FILE',
  'AWS_SHARED_CREDENTIALS_FILE',
  'JIT_EXTERNAL_ID',
  'JIT_DRY_RUN',
  'AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED',
] as const

// Probot 14 merges its own throttle options over an object default, which spaces writes a second apart;
// the function form switches it off for real. The emulators never rate-limit, and a retry would only hide
// a fault a scenario injected on purpose.
const LocalOctokit = ProbotOctokit.defaults((options: Record<string, unknown>) => ({
  ...options,
  retry: { enabled: false },
  throttle: { ...(options['throttle'] as object | undefined), enabled: false },
}))

let appKey: string | undefined

/** One RSA key per process: generating one costs more than a scenario. */
function generateAppKey(): string {
  appKey ??= generateKeyPairSync('rsa', { modulusLength: 2048 }).privateKey.export({ type: 'pkcs1', format: 'pem' }).toString()
  return appKey
}

/**
 * Starts the GitHub and IAM/STS emulators and the app behind Probot's node middleware, all on
 * 127.0.0.1, wired as in production: signed webhooks, app JWTs checked against the app's key,
 * installation tokens, and the AWS SDK pointed at the emulator only through the standard
 * `AWS_ENDPOINT_URL_*` and credential variables. Whatever fails while starting, what already started
 * is stopped.
 */
export async function startLocalStack(options: LocalStackOptions): Promise<LocalStack> {
  const stops: (() => Promise<void>)[] = []
  const stop = async (): Promise<void> => {
    const errors: unknown[] = []
    // Last started, first stopped; every step runs even when one fails.
    for (const step of stops.splice(0).reverse()) {
      try {
        await step()
      } catch (error) {
        errors.push(error)
      }
    }
    if (errors.length === 1) throw errors[0]
    if (errors.length > 1) throw new AggregateError(errors, `stopping the local stack failed ${errors.length} times`)
  }
  try {
    return await startInOrder(options, stops, stop)
  } catch (error) {
    await stop().catch(() => undefined)
    throw error
  }
}

async function startInOrder(options: LocalStackOptions, stops: (() => Promise<void>)[], stop: () => Promise<void>): Promise<LocalStack> {
  const { clock } = options
  const dir = await mkdtemp(join(tmpdir(), 'jit-local-'))
  stops.push(() => rm(dir, { recursive: true, force: true }))

  const saved = new Map(AWS_ENVIRONMENT.map((name) => [name, process.env[name]]))
  stops.push(async () => {
    for (const [name, value] of saved) {
      if (value === undefined) delete process.env[name]
      else process.env[name] = value
    }
  })

  const appAccount = '999999999999'
  const externalId = `jit-${randomBytes(4).toString('hex')}`
  const appCredentials = { accessKeyId: 'AKIAJITLOCALAPP00001', secretAccessKey: randomBytes(20).toString('base64'), account: appAccount }
  // The emulator's clock is the scenario's, far from the wall clock the SDK signs with.
  const aws = await startIamStsEmulator({
    credentials: [appCredentials],
    granterRoleNames: ['jit-granter'],
    clock: clock.now,
    maxClockSkewSeconds: Infinity,
  })
  stops.push(() => aws.stop())
  for (const account of options.accounts) {
    aws.state.seedRole({
      account,
      roleName: 'jit-granter',
      externalId,
      trustedPrincipals: [`arn:aws:iam::${appAccount}:root`],
      now: clock.now(),
    })
    for (const login of options.principals) aws.state.seedRole({ account, roleName: `jit-${login.toLowerCase()}`, now: clock.now() })
  }
  for (const name of AWS_ENVIRONMENT) delete process.env[name]
  Object.assign(process.env, {
    AWS_ACCESS_KEY_ID: appCredentials.accessKeyId,
    AWS_SECRET_ACCESS_KEY: appCredentials.secretAccessKey,
    AWS_REGION: 'us-east-1',
    AWS_ENDPOINT_URL_IAM: aws.url,
    AWS_ENDPOINT_URL_STS: aws.url,
    // The same emulator answers SSO Admin and the Identity Store (JSON 1.1, by X-Amz-Target).
    AWS_ENDPOINT_URL_SSO_ADMIN: aws.url,
    AWS_ENDPOINT_URL_IDENTITYSTORE: aws.url,
    AWS_EC2_METADATA_DISABLED: 'true',
    // No shared config or credentials file on this machine may leak into the run.
    AWS_CONFIG_FILE: join(dir, 'aws-config'),
    AWS_SHARED_CREDENTIALS_FILE: join(dir, 'aws-credentials'),
    JIT_EXTERNAL_ID: externalId,
    // The SDK's notice about future Node versions is not what a demo or a test is about.
    AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED: 'true',
  })

  const privateKey = generateAppKey()
  const webhookSecret = randomBytes(16).toString('hex')
  const github = await startGitHubEmulator({
    dir: join(dir, `${REPO}.git`),
    owner: OWNER,
    repo: REPO,
    appId: APP_ID,
    installationId: INSTALLATION_ID,
    privateKey,
    webhookSecret,
    initialFiles: options.files,
    clock: clock.now,
    logger: { warn: options.warn ?? (() => undefined) },
  })
  stops.push(() => github.stop())
  for (const [team, members] of options.teams) github.setTeam(team, members)

  const proxy = await startGitHubProxy({ target: github.url })
  stops.push(() => proxy.stop())

  // Retries wait on nothing: the waits `jit sweep` and the app ask for are recorded, apart.
  const sleeps: number[] = []
  const sleep = async (ms: number): Promise<void> => void sleeps.push(ms)
  const appSleeps: number[] = []
  const appSleep = async (ms: number): Promise<void> => {
    appSleeps.push(ms)
    options.onAppSleep?.(ms)
  }
  let tick: (() => Promise<void>) | undefined
  const schedule: Schedule = (_everyMs, task) => {
    tick = task
    return { stop: () => (tick = undefined) }
  }
  const sweepProviders = createProvider({ env: { JIT_EXTERNAL_ID: externalId }, now: clock.now, sleep }).createFor
  const appLog: LoggedEntry[] = []
  const probot = new Probot({
    appId: APP_ID,
    privateKey,
    secret: webhookSecret,
    baseUrl: proxy.url,
    log: createCollectingLogger(appLog),
    Octokit: LocalOctokit,
  })
  // The app reads its cloud settings from process.env as in production; only its clock, its retries'
  // sleep and its sweeper's timer are injected.
  const middleware = await createNodeMiddleware(createApp({ ...options.app, now: clock.now, sleep: appSleep, sweepSchedule: schedule }), {
    probot,
    webhooksPath: '/api/github/webhooks',
  })
  const installationApi = async (): Promise<GitHubApi> => createGitHubApi(await probot.auth(INSTALLATION_ID))
  const server = createServer((request, response) => {
    void middleware(request, response, () => response.writeHead(404).end())
  })
  await listen(server)
  stops.push(() => close(server))
  const webhookUrl = `http://127.0.0.1:${(server.address() as AddressInfo).port}/api/github/webhooks`
  github.setWebhookUrl(webhookUrl)

  let stopped: Promise<void> | undefined
  return {
    github,
    aws,
    dir,
    webhookUrl,
    appAccount,
    externalId,
    proxy,
    appLog,
    sleeps,
    appSleeps,
    installationApi,
    appCredentials: { appId: APP_ID, privateKey, webhookSecret },
    tickSweeper: async () => {
      if (tick === undefined) throw new LocalStackError('the app registered no sweep interval')
      await tick()
    },
    sweep: async () => {
      const command = createSweepCommand({ createOctokit: () => probot.auth(INSTALLATION_ID), createProvider: sweepProviders })
      let stdout = ''
      let stderr = ''
      const env = { ...process.env, GITHUB_REPOSITORY: `${OWNER}/${REPO}`, GITHUB_API_URL: proxy.url }
      const exitCode = await command(['--json'], {
        stdout: { write: (text: string) => (stdout += text) },
        stderr: { write: (text: string) => (stderr += text) },
        cwd: dir,
        env,
        now: clock.now,
      })
      try {
        return { exitCode, report: JSON.parse(stdout) as SweepReport }
      } catch (error) {
        throw new LocalStackError(`jit sweep exited ${exitCode} without a JSON report: ${stdout}${stderr}`, { cause: error })
      }
    },
    stop: () => (stopped ??= stop()),
  }
}

function listen(server: Server): Promise<void> {
  return new Promise((resolve, reject) => {
    server.once('error', reject)
    server.listen(0, '127.0.0.1', () => resolve())
  })
}

function close(server: Server): Promise<void> {
  server.closeAllConnections()
  return new Promise((resolve, reject) => server.close((error) => (error ? reject(error) : resolve())))
}
