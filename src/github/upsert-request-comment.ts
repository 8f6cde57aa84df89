import type { GitHubApi } from './github-api.js'
import { COMMENT_MARKER, readCommentState, readMentioned, type CommentState } from './request-comment.js'

interface IssueComment {
  id: number
  body?: string
  user: { type: string } | null
}

export type CommentOutcome = 'created' | 'updated' | 'unchanged' | 'absent'

/**
 * Keeps one app comment per PR: finds it by its marker (only among comments by a bot account, so
 * nobody can plant one), then updates it in place, or creates it when `create` is true. An identical
 * body is not written again. `render` receives the handles the existing comment already mentioned, and
 * the state it ended with (undefined when there is no comment yet).
 */
export async function upsertRequestComment(
  api: GitHubApi,
  params: {
    owner: string
    repo: string
    number: number
    create: boolean
    render: (alreadyMentioned: ReadonlySet<string>, previous: CommentState | undefined) => string
  },
): Promise<CommentOutcome> {
  const existing = await findRequestComment(api, params)
  const body = params.render(
    existing ? readMentioned(existing.body ?? '') : new Set(),
    existing ? readCommentState(existing.body ?? '') : undefined,
  )
  if (existing) {
    if (existing.body === body) return 'unchanged'
    await api.request('PATCH /repos/{owner}/{repo}/issues/comments/{comment_id}', {
      owner: params.owner,
      repo: params.repo,
      comment_id: existing.id,
      body,
    })
    return 'updated'
  }
  if (!params.create) return 'absent'
  await api.request('POST /repos/{owner}/{repo}/issues/{issue_number}/comments', {
    owner: params.owner,
    repo: params.repo,
    issue_number: params.number,
    body,
  })
  return 'created'
}

const PAGE_SIZE = 100

/** The app's comment on a pull request (its id and body), if it has one. */
export async function findRequestComment(
  api: GitHubApi,
  params: { owner: string; repo: string; number: number },
): Promise<IssueComment | undefined> {
  for (let page = 1; ; page += 1) {
    const { data } = await api.request<IssueComment[]>('GET /repos/{owner}/{repo}/issues/{issue_number}/comments', {
      owner: params.owner,
      repo: params.repo,
      issue_number: params.number,
      per_page: PAGE_SIZE,
      page,
    })
    const found = data.find((comment) => comment.user?.type === 'Bot' && (comment.body ?? '').startsWith(COMMENT_MARKER))
    if (found) return found
    if (data.length < PAGE_SIZE) return undefined
  }
}
