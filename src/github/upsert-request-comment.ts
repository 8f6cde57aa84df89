import type { GitHubApi } from './github-api.js'
import { readFromGitHub } from './github-read-error.js'
import { COMMENT_MARKER, readCommentState, readMentioned, type CommentState } from './request-comment.js'

export type CommentOutcome = 'created' | 'updated' | 'unchanged' | 'absent'

/**
 * The app's request comment as the pull-request query found it among the PR's first comments, so that
 * publishing needs no read of its own. `beyond`: the PR has more comments than were read and none of
 * those is the app's, so the rest is read (from `after`) before writing.
 */
export type RequestCommentLookup =
  | { readonly kind: 'found'; readonly id: number; readonly body: string }
  | { readonly kind: 'absent' }
  | { readonly kind: 'beyond'; readonly after: string | null }

/**
 * How many comments the pull-request query reads: the app comments on a request's first evaluation,
 * so its comment is nearly always among a PR's first few; a longer wait costs one read per 100 more.
 */
export const COMMENTS_READ_WITH_PULL_REQUEST = 20

/** The fields of a page of `PullRequest.comments` that `findRequestComment` judges. */
export const REQUEST_COMMENT_FIELDS = `nodes { databaseId body viewerDidAuthor author { __typename } }
        pageInfo { hasNextPage endCursor }`

export const MORE_COMMENTS_QUERY = `query jitMoreComments($owner: String!, $repo: String!, $number: Int!, $after: String) {
  repository(owner: $owner, name: $repo) {
    pullRequest(number: $number) {
      comments(first: 100, after: $after) {
        ${REQUEST_COMMENT_FIELDS}
      }
    }
  }
}`

interface CommentNode {
  databaseId: number | null
  body: string | null
  viewerDidAuthor: boolean | null
  author: { __typename: string } | null
}

/** A page of `PullRequest.comments` with REQUEST_COMMENT_FIELDS, as GitHub returns it. */
export interface CommentPage {
  nodes: (CommentNode | null)[] | null
  pageInfo: { hasNextPage: boolean; endCursor: string | null }
}

/**
 * The app's comment on a page: one that opens with the marker, written by the app itself (GitHub's
 * `viewerDidAuthor`, the viewer being the app's bot) and so by a bot. Anyone can post the marker, any
 * other app or a workflow's `github-actions[bot]` included; their comment is never taken for the app's.
 * A missing page (an answer without the field) is read again in full.
 */
export function findRequestComment(page: CommentPage | null | undefined): RequestCommentLookup {
  if (!page) return { kind: 'beyond', after: null }
  for (const node of page.nodes ?? []) {
    if (
      node?.viewerDidAuthor === true &&
      node.author?.__typename === 'Bot' &&
      typeof node.databaseId === 'number' &&
      (node.body ?? '').startsWith(COMMENT_MARKER)
    )
      return { kind: 'found', id: node.databaseId, body: node.body ?? '' }
  }
  return page.pageInfo.hasNextPage ? { kind: 'beyond', after: page.pageInfo.endCursor } : { kind: 'absent' }
}

interface MoreCommentsData {
  repository: { pullRequest: { comments: CommentPage | null } | null } | null
}

/** Reads on past the comments already read until the app's comment or the last comment: one query per 100. */
async function readOn(
  api: GitHubApi,
  params: { owner: string; repo: string; number: number },
  lookup: RequestCommentLookup,
): Promise<Exclude<RequestCommentLookup, { kind: 'beyond' }>> {
  let found = lookup
  while (found.kind === 'beyond') {
    const { after } = found
    const data = await readFromGitHub(`the comments of pull request #${params.number}`, () =>
      api.graphql<MoreCommentsData>(MORE_COMMENTS_QUERY, { owner: params.owner, repo: params.repo, number: params.number, after }),
    )
    const page = data.repository?.pullRequest?.comments
    // An answer without the page cannot be read on from: the same cursor would loop.
    found = page ? findRequestComment(page) : { kind: 'absent' }
    if (found.kind === 'beyond' && found.after === after) found = { kind: 'absent' }
  }
  return found
}

/**
 * Keeps one app comment per PR: the one `existing` found (see `findRequestComment`), read on for when the
 * PR has more comments than were read; updates it in place, or creates it when `create` is true. An
 * identical body is not written again. `render` receives the handles the existing comment already mentioned, and
 * the state it ended with (undefined when there is no comment yet).
 */
export async function upsertRequestComment(
  api: GitHubApi,
  params: {
    owner: string
    repo: string
    number: number
    existing: RequestCommentLookup
    create: boolean
    render: (alreadyMentioned: ReadonlySet<string>, previous: CommentState | undefined) => string
  },
): Promise<CommentOutcome> {
  const existing = await readOn(api, params, params.existing)
  const body = params.render(
    existing.kind === 'found' ? readMentioned(existing.body) : new Set(),
    existing.kind === 'found' ? readCommentState(existing.body) : undefined,
  )
  if (existing.kind === 'found') {
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

/** The app's comment on a pull request (its id and body), read from the start: for when no query brought it along (the sweep's reminders). */
export async function readRequestComment(
  api: GitHubApi,
  params: { owner: string; repo: string; number: number },
): Promise<{ id: number; body: string } | undefined> {
  const found = await readOn(api, params, { kind: 'beyond', after: null })
  return found.kind === 'found' ? { id: found.id, body: found.body } : undefined
}
