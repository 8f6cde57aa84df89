import { formatCount } from '../core/text/plural.js'
import { readFile } from 'node:fs/promises'
import { parseArgs } from 'node:util'
import cliProgress from 'cli-progress'
import { Probot } from 'probot'
import type { ActionCatalogue } from '../core/matching/action-catalogue.js'
import { loadActionCatalogue } from '../aws/load-action-catalogue.js'
import { readSettingsOrDefaults, type JitSettings } from '../core/files/settings.js'
import { createGitHubApi, type GitHubApi, type OctokitLike } from '../github/github-api.js'
import { createProvider, ProviderConfigError, type CreateProviderFor } from '../aws/create-provider.js'
import { readDefaultBranch } from '../workflows/sweep/read-grant-records.js'
import { revokeGrant } from '../workflows/sweep/revoke-grant.js'
import { runSweep, type SweepReport } from '../workflows/sweep/run-sweep.js'
import { createNotifier, type DeliveringNotifier } from '../workflows/notify/create-notifier.js'
import { EXIT, UsageError, type CliCommand, type CliIo } from './cli-io.js'
import { shortSha } from '../core/text/short-sha.js'
import { createTokenOctokit } from './create-token-octokit.js'

export const SWEEP_USAGE = `jit sweep [--dry-run] [--json] [--no-reconcile] [--no-close-stale] [--no-heal] [--concurrency N]
      env: GITHUB_REPOSITORY=owner/repo, GITHUB_TOKEN (or APP_ID + PRIVATE_KEY[_PATH]), GITHUB_API_URL, JIT_EXTERNAL_ID`
export const REVOKE_USAGE = `jit revoke <id> [--by LOGIN] [--dry-run] [--json]   (same env as jit sweep)`

/** What the commands take from outside; tests inject their own Octokit and provider. */
export interface SweepCommandDependencies {
  /** The authenticated Octokit for the repository (default: from the environment). */
  readonly createOctokit?: (params: { env: CliIo['env']; owner: string; repo: string }) => Promise<OctokitLike | GitHubConnection>
  readonly createProvider?: CreateProviderFor
  /** For the grants of merges the sweep heals (default: `loadActionCatalogue()`, loaded only when one is healed). */
  readonly catalogue?: () => Promise<ActionCatalogue>
}

/** `jit sweep`: the same sweep the app runs on its interval, for one repository, from a terminal or a workflow. */
export function createSweepCommand(deps: SweepCommandDependencies = {}): (args: readonly string[], io: CliIo) => Promise<number> {
  return async (args, io) => {
    const { values } = parseArgs({
      args: [...args],
      options: {
        'dry-run': { type: 'boolean', default: false },
        json: { type: 'boolean', default: false },
        'no-reconcile': { type: 'boolean', default: false },
        'no-close-stale': { type: 'boolean', default: false },
        'no-heal': { type: 'boolean', default: false },
        concurrency: { type: 'string' },
      },
    })
    const concurrency = values.concurrency === undefined ? undefined : Number.parseInt(values.concurrency, 10)
    if (concurrency !== undefined && !(concurrency >= 1 && concurrency <= 64))
      throw new UsageError('--concurrency must be a whole number from 1 to 64')
    const dryRun = values['dry-run']
    // Under the app's credentials the actor is the app's bot: a record it did not commit is tampering.
    const { api, owner, repo, actor } = await connect(deps, io)
    const now = io.now?.() ?? new Date()
    const branch = await readDefaultBranch({ api, owner, repo })
    const createProvider = providerFactory(deps, io)
    const repository = `${owner}/${repo}`
    const provider = createProvider({ settings: readSettings(branch.settingsText, io), dryRun, purpose: 'sweep', repository })
    const notifier = createCliNotifier(io)
    // A merge's grant uses the settings at the merge's base, as its webhook would have.
    const heal = values['no-heal']
      ? undefined
      : {
          createProvider: (settings: JitSettings) => createProvider({ settings, dryRun, purpose: 'grant', repository }),
          catalogue: deps.catalogue ?? loadActionCatalogue,
          notifier,
        }
    const progress = startProgress(io)
    let report: SweepReport
    try {
      report = await runSweep({
        api,
        owner,
        repo,
        provider,
        now,
        dryRun,
        branch,
        ...(values['no-reconcile'] ? { reconcile: false } : {}),
        closeStale: !values['no-close-stale'],
        ...(heal ? { heal } : {}),
        ...(concurrency !== undefined ? { concurrency } : {}),
        ...(progress ? { onProgress: progress.update } : {}),
        ...(actor ? { appLogin: actor } : {}),
        notifier,
      })
    } finally {
      progress?.stop()
      // Deliveries are bounded (timeouts, at most 3 attempts); the command waits for them before it exits.
      await notifier.settled()
    }
    if (values.json) io.stdout.write(JSON.stringify(report) + '\n')
    else io.stdout.write(renderSweepReport(report))
    if (io.env.GITHUB_ACTIONS === 'true') {
      for (const drifted of report.drift) io.stdout.write(`::warning title=jit drift ${drifted.id}::${drifted.explanation}\n`)
      for (const record of report.tampered) io.stdout.write(`::warning title=jit tampered ${record.id}::${record.explanation}\n`)
    }
    const failed =
      report.grants.some((grant) => grant.status === 'failed') ||
      report.orphans.some((orphan) => orphan.status === 'failed') ||
      report.healedMerges.some((merge) => merge.status === 'failed') ||
      report.intents.some((intent) => intent.status === 'failed') ||
      (report.unreadableRecords ?? []).some((record) => record.status === 'failed')
    return failed ? EXIT.pending : EXIT.ok
  }
}

/** `jit revoke <id>`: an administrator ends a grant now (`reason: early`). */
export function createRevokeCommand(deps: SweepCommandDependencies = {}): (args: readonly string[], io: CliIo) => Promise<number> {
  return async (args, io) => {
    const { values, positionals } = parseArgs({
      args: [...args],
      allowPositionals: true,
      options: { by: { type: 'string' }, 'dry-run': { type: 'boolean', default: false }, json: { type: 'boolean', default: false } },
    })
    const [id] = positionals
    if (positionals.length !== 1 || !id || !/^[A-Za-z0-9][\w.-]*$/.test(id)) throw new UsageError(`expected one grant id, e.g. pr-42`)
    const { api, owner, repo, actor } = await connect(deps, io)
    // Under the app's credentials the app is the actor, recorded as such; a token answers GET /user.
    const revokedBy = values.by ?? actor ?? (await readTokenLogin(api))
    const branch = await readDefaultBranch({ api, owner, repo })
    const provider = providerFactory(
      deps,
      io,
    )({ settings: readSettings(branch.settingsText, io), dryRun: values['dry-run'], purpose: 'revoke', repository: `${owner}/${repo}` })
    const notifier = createCliNotifier(io)
    const result = await revokeGrant({
      api,
      owner,
      repo,
      provider,
      id,
      revokedBy,
      reason: 'early',
      now: io.now?.() ?? new Date(),
      branch,
      notifier,
      ...(actor ? { appLogin: actor } : {}),
    })
    await notifier.settled()
    if (values.json)
      io.stdout.write(
        JSON.stringify({
          id: result.id,
          status: result.status,
          explanation: result.explanation,
          ...(result.status === 'revoked' ? { commit: result.commitSha ?? null } : {}),
          ...(result.tampered ? { tampered: result.tampered.explanation } : {}),
        }) + '\n',
      )
    else {
      if (result.tampered) io.stdout.write(`${result.id}: tampered: ${result.tampered.explanation}\n`)
      io.stdout.write(`${result.id}: ${result.status}: ${result.explanation}\n`)
    }
    return result.status === 'revoked' || result.status === 'would-revoke'
      ? EXIT.ok
      : result.status === 'not-active'
        ? EXIT.invalid
        : EXIT.pending
  }
}

/** `jit sweep` and `jit revoke`, in the order the usage text lists them, over the same dependencies. */
export function createSweepCommands(deps: SweepCommandDependencies = {}): readonly [sweep: CliCommand, revoke: CliCommand] {
  return [
    { name: 'sweep', run: createSweepCommand(deps), usage: SWEEP_USAGE },
    { name: 'revoke', run: createRevokeCommand(deps), usage: REVOKE_USAGE },
  ]
}

/** The report as a reviewer reads it in a terminal or a workflow log. */
export function renderSweepReport(report: SweepReport): string {
  const lines = [
    report.summary,
    `read ${report.branch} at ${shortSha(report.readAt)}; now ${report.now}; GitHub calls: ${report.githubCalls.graphql} GraphQL, ${report.githubCalls.rest} REST`,
  ]
  for (const grant of report.grants) lines.push(`  ${grant.status.padEnd(14)} ${grant.explanation}`)
  for (const orphan of report.orphans) lines.push(`  orphan ${orphan.status.padEnd(7)} ${orphan.explanation}; ${orphan.detail}`)
  for (const drifted of report.drift) lines.push(`  drift          ${drifted.explanation}`)
  for (const cut of report.spentSessionCuts) lines.push(`  session cut    ${cut.status}: ${cut.explanation}`)
  for (const stale of report.staleRequests) lines.push(`  stale ${stale.status.padEnd(8)} ${stale.explanation}`)
  for (const merge of report.healedMerges) lines.push(`  merge ${merge.status.padEnd(16)} ${merge.explanation}`)
  for (const record of report.tampered) lines.push(`  tampered       ${record.explanation}`)
  for (const record of report.unreadableRecords ?? []) lines.push(`  unreadable ${record.status.padEnd(12)} ${record.explanation}`)
  lines.push(
    report.fullPass.ran
      ? `  full pass      ${formatCount(report.fullPass.principalsListed, 'principal')} listed (${report.fullPass.reason})`
      : `  full pass      not due: ${report.fullPass.reason}`,
  )
  for (const problem of report.problems) lines.push(`  problem        ${problem}`)
  return lines.join('\n') + '\n'
}

/** An authenticated client, and who it acts as when that is known without asking (the app's bot login). */
export interface GitHubConnection {
  readonly octokit: OctokitLike
  readonly actor?: string
  /** Under the app's credentials: the installation as `GET /repos/{owner}/{repo}/installation` answers it. */
  readonly installation?: { readonly permissions: Record<string, string>; readonly events: readonly string[] }
}

/** The repository of `GITHUB_REPOSITORY`, and a client for it from the environment (or the test's `createOctokit`). */
export async function connect(
  deps: Pick<SweepCommandDependencies, 'createOctokit'>,
  io: CliIo,
): Promise<{ api: GitHubApi; owner: string; repo: string; actor?: string; connection: GitHubConnection }> {
  const repository = io.env.GITHUB_REPOSITORY ?? ''
  const [owner, repo, ...rest] = repository.split('/')
  if (!owner || !repo || rest.length > 0) throw new UsageError('set GITHUB_REPOSITORY=owner/repo (the access repository)')
  const made = deps.createOctokit
    ? await deps.createOctokit({ env: io.env, owner, repo })
    : await createOctokitFromEnv({ env: io.env, owner, repo, warn: (text) => io.stderr.write(text) })
  const connection: GitHubConnection = 'octokit' in made ? made : { octokit: made }
  return { api: createGitHubApi(connection.octokit), owner, repo, connection, ...(connection.actor ? { actor: connection.actor } : {}) }
}

/**
 * GITHUB_TOKEN (a workflow's token or a personal token), else the app's own credentials for this
 * repository's installation; then the client acts as the app, `<slug>[bot]`, read with the app's JWT.
 */
async function createOctokitFromEnv(params: {
  env: CliIo['env']
  owner: string
  repo: string
  warn: (text: string) => void
}): Promise<GitHubConnection> {
  const { env } = params
  const baseUrl = env.GITHUB_API_URL ?? 'https://api.github.com'
  if (env.GITHUB_TOKEN) {
    const warn = (message: string): void => void params.warn(`jit: ${message}\n`)
    return { octokit: createTokenOctokit({ token: env.GITHUB_TOKEN, baseUrl, warn }) }
  }
  const privateKey = env.PRIVATE_KEY ?? (env.PRIVATE_KEY_PATH ? await readFile(env.PRIVATE_KEY_PATH, 'utf8') : undefined)
  if (!env.APP_ID || !privateKey) throw new UsageError('set GITHUB_TOKEN, or APP_ID and PRIVATE_KEY (or PRIVATE_KEY_PATH) for the app')
  const probot = new Probot({ appId: env.APP_ID, privateKey, baseUrl, logLevel: 'warn' })
  const appOctokit = await probot.auth()
  const app = await appOctokit.request('GET /app')
  const installation = await appOctokit.request('GET /repos/{owner}/{repo}/installation', { owner: params.owner, repo: params.repo })
  return {
    octokit: await probot.auth(installation.data.id),
    installation: { permissions: { ...installation.data.permissions }, events: installation.data.events },
    ...(app.data?.slug ? { actor: `${app.data.slug}[bot]` } : {}),
  }
}

function providerFactory(deps: SweepCommandDependencies, io: CliIo): CreateProviderFor {
  if (deps.createProvider) return deps.createProvider
  return (params) => {
    // --dry-run needs no AWS settings: it is the dry run whatever the environment says.
    const env = params.dryRun ? { ...io.env, JIT_DRY_RUN: '1' } : io.env
    const sleep = (ms: number): Promise<void> => new Promise((resolve) => setTimeout(resolve, ms))
    try {
      return createProvider({ env, sleep, ...(io.now ? { now: io.now } : {}) }).createFor(params)
    } catch (error) {
      if (error instanceof ProviderConfigError) throw new UsageError(error.message)
      throw error
    }
  }
}

function readSettings(text: string | null, io: CliIo): JitSettings {
  const { settings, problem } = readSettingsOrDefaults(text)
  if (problem !== undefined) io.stderr.write(`jit: ${problem}; using the defaults\n`)
  return settings
}

async function readTokenLogin(api: GitHubApi): Promise<string> {
  try {
    const user = await api.request<{ login: string }>('GET /user')
    return user.data.login
  } catch (error) {
    throw new UsageError(`could not tell who is revoking from the token (${(error as Error).message}); pass --by LOGIN`)
  }
}

/** A progress bar on stderr, only when stderr is a terminal (never in a workflow log or a pipe). */
function startProgress(io: CliIo): { update: (done: number, total: number) => void; stop: () => void } | undefined {
  const stream = io.stderr as NodeJS.WritableStream & { isTTY?: boolean }
  if (!stream.isTTY) return undefined
  const bar = new cliProgress.SingleBar(
    { stream, format: 'revoking [{bar}] {value}/{total}', clearOnComplete: true, hideCursor: true },
    cliProgress.Presets.shades_classic,
  )
  let started = false
  return {
    update: (done, total) => {
      if (!started) {
        bar.start(total, 0)
        started = true
      }
      bar.update(done)
    },
    stop: () => {
      if (started) bar.stop()
    },
  }
}

/** The notifier of a command-line run: URLs and secrets from its environment, what failed on stderr. */
function createCliNotifier(io: CliIo): DeliveringNotifier {
  const say = (_: Record<string, unknown>, message: string) => void io.stderr.write(`jit: ${message}\n`)
  return createNotifier({ env: io.env, log: { debug: () => undefined, info: () => undefined, warn: say, error: say } })
}
