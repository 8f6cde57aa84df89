import { createServer } from 'node:http'
import type { AddressInfo } from 'node:net'
import { AppAuthenticator } from './app-auth.js'
import { GitHubControlApi } from './control-api.js'
import type { EmulatorContext, PendingEvent } from './emulator-context.js'
import { EmulatorState } from './emulator-state.js'
import { GitStore } from './git-store.js'
import { ApiDescriptionMismatchError } from './github-http-error.js'
import { createHttpHandler } from './http-handler.js'
import { OpenApiValidator, type ValidationMode } from './openapi-validator.js'
import { createRestRoutes } from './rest-routes.js'
import { WebhookDeliverer, type WebhookDelivery } from './webhook-deliverer.js'

/** How to start an emulated GitHub for one repository and one installed app. */
export interface GitHubEmulatorOptions {
  /** Where the bare git repository lives (created if missing). */
  readonly dir: string
  readonly owner: string
  readonly repo: string
  readonly defaultBranch?: string
  /** 0 (default) picks a free port on 127.0.0.1. */
  readonly port?: number
  readonly clock?: () => Date
  readonly appId: number
  readonly appSlug?: string
  /** The app's private key, or just its public key (PEM): when given, app JWTs must verify with it (RS256). */
  readonly privateKey?: string
  readonly installationId?: number
  /** Where webhooks go (settable later with `setWebhookUrl`). */
  readonly webhookUrl?: string
  readonly webhookSecret?: string
  /** OpenAPI checks: `throw` (default) answers mismatches with errors and makes `stop()` fail; `warn` logs them. */
  readonly validate?: ValidationMode
  /** Also deliver `push` webhooks when branches move (off by default: fewer deliveries to reason about). */
  readonly deliverPushEvents?: boolean
  /** Files of the first commit on the default branch when the repository is new. */
  readonly initialFiles?: Readonly<Record<string, string>>
  readonly logger?: { warn(message: string): void }
}

/** A running emulator: its URL, the control API for user actions, and inspection helpers. */
export interface GitHubEmulator extends GitHubControlApi {
  /** Base URL for Octokit's `baseUrl` (REST at `/`, GraphQL at `/graphql`). */
  readonly url: string
  readonly store: GitStore
  /** Every webhook delivered so far, oldest first. */
  readonly deliveries: readonly WebhookDelivery[]
  /** Runs git in the emulated repository and returns its standard output. */
  git(args: readonly string[]): Promise<string>
  setWebhookUrl(url: string | undefined): void
  /** Sends a delivery again with the same id. */
  redeliver(deliveryId: string): Promise<WebhookDelivery>
  /** Waits until webhooks caused by API calls (e.g. the app closing a PR) have been delivered. */
  settle(): Promise<void>
  /** Drift from GitHub's API description (and emulator failures) seen so far; clears the list. */
  takeViolations(): string[]
  /** Stops the server; in `throw` mode rejects if violations were seen and not taken. */
  stop(): Promise<void>
}

/** Starts the emulator on 127.0.0.1 and resolves once it listens. */
export async function startGitHubEmulator(options: GitHubEmulatorOptions): Promise<GitHubEmulator> {
  const clock = options.clock ?? (() => new Date())
  const mode = options.validate ?? 'throw'
  const logger = options.logger ?? { warn: (message: string) => console.warn(message) }
  const store = await GitStore.open({ dir: options.dir, defaultBranch: options.defaultBranch ?? 'main' })
  const state = new EmulatorState()
  const validator = sharedValidator()
  const violations: string[] = []
  const report = (problem: string): void => {
    violations.push(problem)
    logger.warn(`[github-emulator] ${problem}`)
  }
  let baseUrl = ''
  let background: Promise<unknown> = Promise.resolve()
  const deliverer = new WebhookDeliverer({
    ...(options.webhookUrl === undefined ? {} : { url: options.webhookUrl }),
    secret: options.webhookSecret ?? 'development',
    hookId: 1,
    installationTargetId: options.appId,
  })
  const send = async (event: PendingEvent): Promise<WebhookDelivery> => {
    if (mode !== 'off') {
      const action = typeof event.payload.action === 'string' ? event.payload.action : undefined
      const problems = validator.validateWebhook(event.event, action, event.payload)
      if (problems.length > 0)
        report(`${event.event}.${action ?? ''} webhook payload does not match GitHub's description:\n  ${problems.join('\n  ')}`)
    }
    return deliverer.deliver(event)
  }
  const context: EmulatorContext = {
    store,
    state,
    owner: options.owner,
    repo: options.repo,
    repoId: 100_000 + (options.installationId ?? 1),
    installationId: options.installationId ?? 1,
    appId: options.appId,
    appSlug: options.appSlug ?? 'jit-access',
    clock,
    createdAt: clock(),
    apiUrl: () => baseUrl,
    announce: (event) => {
      if (event.event === 'push' && options.deliverPushEvents !== true) return
      // Delivered after the API response that caused it, in order, as GitHub does asynchronously.
      background = background.then(() => new Promise((resolve) => setImmediate(resolve))).then(() => send(event))
    },
  }
  if ((await store.readRef(`refs/heads/${store.defaultBranch}`)) === undefined) {
    const tree = await store.writeFiles(undefined, options.initialFiles ?? { 'README.md': `# ${options.repo}\n` })
    const date = clock()
    const sha = await store.createCommit({
      tree,
      parents: [],
      message: 'Initial commit',
      author: { name: 'admin', email: 'admin@users.noreply.github.com', date },
    })
    await store.updateRef(`refs/heads/${store.defaultBranch}`, sha, null)
    state.recordActivity({
      ref: `refs/heads/${store.defaultBranch}`,
      before: '0'.repeat(40),
      after: sha,
      activityType: 'branch_creation',
      actorLogin: 'admin',
      timestamp: date,
    })
  }
  const authenticator = new AppAuthenticator({
    appId: options.appId,
    state,
    ...(options.privateKey === undefined ? {} : { privateKey: options.privateKey }),
  })
  const routes = createRestRoutes(authenticator)
  const server = createServer(createHttpHandler({ context, routes, authenticator, validator, violations: { mode, report } }))
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject)
    server.listen(options.port ?? 0, '127.0.0.1', () => resolve())
  })
  baseUrl = `http://127.0.0.1:${(server.address() as AddressInfo).port}`
  const control = new GitHubControlApi({ context, send })

  return Object.assign(control, {
    url: baseUrl,
    store,
    get deliveries() {
      return deliverer.deliveries
    },
    git: async (args: readonly string[]) => (await store.run(args)).stdout.toString('utf8'),
    setWebhookUrl: (url: string | undefined) => {
      deliverer.url = url
    },
    redeliver: (deliveryId: string) => deliverer.redeliver(deliveryId),
    settle: async () => {
      await background
    },
    takeViolations: () => violations.splice(0, violations.length),
    stop: async () => {
      await background.catch(() => undefined)
      server.closeAllConnections()
      await new Promise<void>((resolve) => server.close(() => resolve()))
      if (mode === 'throw' && violations.length > 0) {
        throw new ApiDescriptionMismatchError('github-emulator', 'traffic seen while running', violations.splice(0, violations.length))
      }
    },
  })
}

let validatorInstance: OpenApiValidator | undefined

// One validator per process: the description is immutable and takes half a second to load.
function sharedValidator(): OpenApiValidator {
  validatorInstance ??= new OpenApiValidator()
  return validatorInstance
}
