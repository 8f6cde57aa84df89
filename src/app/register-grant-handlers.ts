import type { Probot } from 'probot'
import type { ActionCatalogue } from '../core/matching/action-catalogue.js'
import { loadActionCatalogue } from '../aws/load-action-catalogue.js'
import type { CloudProvider } from '../core/ports/cloud-provider.js'
import type { ProviderSettings } from '../aws/create-provider.js'
import type { Engine } from '../workflows/check/evaluate-pull-request.js'
import { createGitHubApi } from '../github/github-api.js'
import { grantOnMerge } from '../workflows/grant/grant-on-merge.js'
import { SILENT_NOTIFIER, type Notifier } from '../core/ports/notifier.js'
import { handleBreakGlassComment } from './break-glass-command.js'

export interface GrantHandlerDeps {
  /** The clock; read once per delivery. */
  readonly now?: () => Date
  readonly catalogue?: ActionCatalogue | Promise<ActionCatalogue>
  /** The cloud for a granter role: `createProvider(...).create`, chosen once from the environment at load. */
  readonly createProvider: (params: ProviderSettings & { readonly repository?: string }) => CloudProvider
  readonly engine?: Engine
  readonly maxCommitAttempts?: number
  /** Where granted, refused, failed and break-glass go (default: nowhere; the PR comment, the issue and the log still say it). */
  readonly notifier?: Notifier
}

/**
 * Registers the grant workflow on `pull_request.closed`. A failure is reported on the pull request and
 * in the log, then rethrown so the delivery shows as failed in the app's "Recent deliveries", where an
 * admin can redeliver it: the workflow is idempotent. GitHub does not redeliver by itself.
 */
export function registerGrantHandlers(app: Probot, deps: GrantHandlerDeps): void {
  const now = deps.now ?? (() => new Date())
  const catalogue = deps.catalogue ?? loadActionCatalogue()

  app.on('pull_request.closed', async (context) => {
    const pr = context.payload.pull_request
    const log = context.log.child({ delivery: context.id, event: 'pull_request.closed', number: pr.number })
    const result = await grantOnMerge(
      {
        api: createGitHubApi(context.octokit),
        catalogue: await catalogue,
        now,
        createProvider: (settings) => deps.createProvider({ ...settings, repository: context.payload.repository.full_name }),
        log,
        ...(deps.engine ? { engine: deps.engine } : {}),
        ...(deps.notifier ? { notifier: deps.notifier } : {}),
        ...(deps.maxCommitAttempts === undefined ? {} : { maxCommitAttempts: deps.maxCommitAttempts }),
      },
      {
        owner: context.payload.repository.owner.login,
        repo: context.payload.repository.name,
        number: pr.number,
        merged: pr.merged === true,
        fromFork: pr.head.repo?.full_name !== pr.base.repo.full_name,
        baseRef: pr.base.ref,
        defaultBranch: context.payload.repository.default_branch,
        deliveryId: context.id,
      },
    )
    if (result.kind === 'ignored') log.debug({ reason: result.reason }, 'merge not granted')
    else if (result.kind === 'already-recorded') log.info({ paths: result.paths }, 'already recorded; nothing done')
  })

  // `/jit break-glass` on an open request pull request: granted at once when its policy allows break-glass.
  app.on('issue_comment.created', async (context) => {
    const { comment, issue } = context.payload
    const user = comment.user
    if (!user || user.type === 'Bot') return
    const { owner, repo } = context.repo()
    const log = context.log.child({ delivery: context.id, event: 'issue_comment.created', number: issue.number })
    const result = await handleBreakGlassComment({
      deps: {
        catalogue: await catalogue,
        now,
        // The backends of the settings and the repository, as a merge's grant has them: an Identity Center account grants there.
        createProvider: (settings) => deps.createProvider({ ...settings, repository: context.payload.repository.full_name }),
        notifier: deps.notifier ?? SILENT_NOTIFIER,
        ...(deps.engine ? { engine: deps.engine } : {}),
        ...(deps.maxCommitAttempts === undefined ? {} : { maxCommitAttempts: deps.maxCommitAttempts }),
      },
      api: createGitHubApi(context.octokit),
      log,
      owner,
      repo,
      issue: { number: issue.number, isPullRequest: Boolean(issue.pull_request) },
      commenter: user.login,
      body: comment.body,
      commentUrl: comment.html_url,
      deliveryId: context.id,
    })
    if (result) log.info({ by: user.login, outcome: result.kind }, `/jit break-glass: ${result.kind}`)
  })
}
