import { readSettingsOrDefaults, type JitSettings } from '../core/files/settings.js'
import { decideEarlyRevoke } from '../core/records/plan-sweep.js'
import { requestIdFor } from '../core/records/grant-record.js'
import type { CloudProvider } from '../core/ports/cloud-provider.js'
import type { Notifier } from '../core/ports/notifier.js'
import { escapeMarkdown } from '../core/text/inert-text.js'
import { renderTamperedTargets } from '../workflows/sweep/tampered-records.js'
import type { GitHubApi } from '../github/github-api.js'
import { describeApiError } from '../github/github-read-error.js'
import { readDefaultBranch } from '../workflows/sweep/read-grant-records.js'
import { revokeGrant, type RevokeGrantResult } from '../workflows/sweep/revoke-grant.js'

/** `/jit revoke` at the start of a line of the comment (case-insensitive, trailing words ignored). */
const REVOKE_COMMAND = /^[ \t]*\/jit[ \t]+revoke\b/im

/** Whether a comment asks to revoke the grant of the pull request it is on. */
export function isRevokeCommand(body: string): boolean {
  return REVOKE_COMMAND.test(body)
}

/** The reply to `/jit revoke`, in words for the person who asked. Logins other than theirs are not @-mentioned. */
export function renderRevokeReply(params: { result: RevokeGrantResult; commenter: string }): string {
  const reply = renderRevokeStatus(params)
  const { tampered } = params.result
  if (!tampered) return reply
  return [
    reply,
    '',
    `**The grant record of this request was changed by hand, and the app did not obey it.** ${escapeMarkdown(tampered.explanation)}.`,
    '',
    ...renderTamperedTargets(tampered, 'acted on'),
  ].join('\n')
}

function renderRevokeStatus(params: { result: RevokeGrantResult; commenter: string }): string {
  const { result, commenter } = params
  switch (result.status) {
    case 'revoked':
      return (
        `🔒 Revoked \`${result.id}\` at your request, @${commenter}. ${result.explanation}.\n\n` +
        `The record moved to \`grants/revoked/${result.id}.yaml\` with \`reason: early\`.`
      )
    case 'refused':
      return (
        `Sorry @${commenter}, ${result.explanation}, so this grant was not revoked. Nothing was changed.\n\n` +
        `The grant ends on its own at ${result.record.expires_at}. If it must end sooner, ask one of them to comment \`/jit revoke\`, or an administrator to run \`jit revoke ${result.id}\`.`
      )
    case 'not-active':
      return `@${commenter}, there is nothing to revoke: ${result.explanation}.`
    case 'failed':
      return `⚠️ @${commenter}, the revocation of \`${result.id}\` failed in AWS: ${result.explanation}. Comment \`/jit revoke\` again to retry.`
    case 'would-revoke':
      return `@${commenter}, dry run: ${result.explanation}. Nothing was changed.`
  }
}

/** The reply when `/jit revoke` stopped on an error: AWS deletion is idempotent, so asking again is safe. */
export function renderRevokeFailure(params: { id: string; commenter: string; problem: string }): string {
  return (
    `⚠️ @${params.commenter}, \`/jit revoke\` of \`${params.id}\` could not finish: ${params.problem}.\n\n` +
    `The grant stays in \`grants/active/\` until a revocation is recorded. Comment \`/jit revoke\` again to retry (it is safe), or ask an administrator to run \`jit revoke ${params.id}\`.`
  )
}

/**
 * Handles `/jit revoke` on a merged request PR: the requester or anyone whose approval the grant
 * recorded revokes it now (`reason: early`, `revoked_by` their login); anyone else gets a polite
 * refusal. Replies on the pull request either way, also when it stopped on an error (then rethrown,
 * so the delivery shows as failed). Returns undefined when the comment is not a revoke command (or not
 * on a pull request).
 */
export async function handleRevokeComment(params: {
  api: GitHubApi
  owner: string
  repo: string
  issue: { number: number; isPullRequest: boolean }
  commenter: string
  body: string
  now: Date
  createProvider: (settings: JitSettings) => CloudProvider
  notifier?: Notifier
  /** The app's bot login, when known: a record last written by anyone else is not obeyed. */
  appLogin?: string
}): Promise<RevokeGrantResult | undefined> {
  const { api, owner, repo, issue, commenter } = params
  if (!issue.isPullRequest || !isRevokeCommand(params.body)) return undefined
  const id = requestIdFor(issue.number)
  const reply = (body: string) =>
    api.request('POST /repos/{owner}/{repo}/issues/{issue_number}/comments', { owner, repo, issue_number: issue.number, body })
  let result: RevokeGrantResult
  try {
    const branch = await readDefaultBranch({ api, owner, repo })
    const { settings } = readSettingsOrDefaults(branch.settingsText)
    result = await revokeGrant({
      api,
      owner,
      repo,
      branch,
      provider: params.createProvider(settings),
      id,
      revokedBy: commenter,
      reason: 'early',
      now: params.now,
      ...(params.notifier ? { notifier: params.notifier } : {}),
      ...(params.appLogin ? { appLogin: params.appLogin } : {}),
      authorize: (record) => {
        const decision = decideEarlyRevoke({ record, login: commenter })
        return decision.allowed ? undefined : decision.explanation
      },
    })
  } catch (error) {
    // The commenter is waiting on the pull request: tell them there, then let the delivery fail.
    const problem = error instanceof Error ? error.message : describeApiError(error)
    await reply(renderRevokeFailure({ id, commenter, problem })).catch(() => undefined)
    throw error
  }
  await reply(renderRevokeReply({ result, commenter }))
  return result
}
