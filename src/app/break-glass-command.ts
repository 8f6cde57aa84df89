import type { Logger } from '../core/ports/logger.js'
import type { GitHubApi } from '../github/github-api.js'
import { describeApiError } from '../github/github-read-error.js'
import { grantBreakGlass, type BreakGlassDeps, type BreakGlassResult } from '../workflows/grant/grant-break-glass.js'

/** `/jit break-glass` at the start of a line of the comment (case-insensitive, trailing words ignored). */
const BREAK_GLASS_COMMAND = /^[ \t]*\/jit[ \t]+break-glass\b/im

/** Whether a comment asks to break the glass on the request pull request it is on. */
export function isBreakGlassCommand(body: string): boolean {
  return BREAK_GLASS_COMMAND.test(body)
}

/** The reply to a refused `/jit break-glass`, for the person who asked. */
export function renderBreakGlassRefusal(params: { commenter: string; reason: string }): string {
  return (
    `⛔ Sorry @${params.commenter}, break-glass was refused: ${params.reason}. Nothing was granted.\n\n` +
    'Break-glass is for the requester of an open request pull request whose policy allows `break_glass`, within its limits (duration, ticket). ' +
    'Otherwise the request waits for its approvals.'
  )
}

/**
 * Handles `/jit break-glass` on an open request pull request: the grant at once, without approvals,
 * when the policy allows it (see `grantBreakGlass`), and a reply when it is refused. A failure part-way is
 * told on the pull request by the grant workflow and rethrown, so the delivery shows as failed. Returns
 * undefined when the comment is not the command (or not on a pull request).
 */
export async function handleBreakGlassComment(params: {
  deps: Omit<BreakGlassDeps, 'api' | 'log'>
  api: GitHubApi
  log: Logger
  owner: string
  repo: string
  issue: { number: number; isPullRequest: boolean }
  commenter: string
  body: string
  commentUrl: string
  deliveryId: string
}): Promise<BreakGlassResult | undefined> {
  const { api, owner, repo, issue, commenter } = params
  if (!issue.isPullRequest || !isBreakGlassCommand(params.body)) return undefined
  const reply = (body: string) =>
    api.request('POST /repos/{owner}/{repo}/issues/{issue_number}/comments', { owner, repo, issue_number: issue.number, body })
  let result: BreakGlassResult
  try {
    result = await grantBreakGlass(
      { ...params.deps, api, log: params.log },
      { owner, repo, number: issue.number, commenter, commentUrl: params.commentUrl, deliveryId: params.deliveryId },
    )
  } catch (error) {
    // GrantWorkflowError already commented; anything before the grant (a read) is told here.
    if (!(error instanceof Error && error.name === 'GrantWorkflowError'))
      await reply(
        `⚠️ @${commenter}, \`/jit break-glass\` could not finish: ${error instanceof Error ? error.message : describeApiError(error)}. Nothing was granted; comment again to retry.`,
      ).catch(() => undefined)
    throw error
  }
  if (result.kind === 'refused') await reply(renderBreakGlassRefusal({ commenter, reason: result.reason }))
  return result
}
