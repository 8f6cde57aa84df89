import type { BranchMove } from '../core/merges/choose-rules-commit.js'
import type { GitHubApi } from './github-api.js'
import { readFromGitHub } from './github-read-error.js'

interface ActivityEntry {
  ref: string
  before: string
  after: string
  activity_type: string
}

/** Pages of GitHub's activity read at most: the merge being judged is among the newest, or it is not trusted. */
const MAX_PAGES = 2

/**
 * The moves of a branch, newest first (`GET /repos/{owner}/{repo}/activity`), read until one ends at
 * `untilAfter` or two pages of 100 were read: a bounded look-up, never a walk of history. Every kind of
 * move is read, not only `pr_merge`: a merge commit pushed by hand also marks its pull request merged, and
 * its `before` (not the merge commit's first parent) is then the branch before the merge.
 */
export async function readBranchMoves(
  api: GitHubApi,
  params: { owner: string; repo: string; branch: string; untilAfter: string },
): Promise<BranchMove[]> {
  const moves: BranchMove[] = []
  let cursor: string | undefined
  for (let page = 0; page < MAX_PAGES; page += 1) {
    const response = await readFromGitHub(`the activity of ${params.branch}`, () =>
      api.request<ActivityEntry[]>('GET /repos/{owner}/{repo}/activity', {
        owner: params.owner,
        repo: params.repo,
        ref: `refs/heads/${params.branch}`,
        per_page: 100,
        ...(cursor === undefined ? {} : { after: cursor }),
      }),
    )
    for (const entry of response.data) {
      moves.push({ ref: entry.ref, before: entry.before, after: entry.after, activityType: entry.activity_type })
    }
    if (moves.some((move) => move.after === params.untilAfter)) break
    cursor = nextCursor(response.headers?.['link'])
    if (cursor === undefined) break
  }
  return moves
}

/** The `after` cursor of the `rel="next"` link, if any. */
function nextCursor(link: string | number | undefined): string | undefined {
  if (typeof link !== 'string') return undefined
  const next = link.split(',').find((part) => /rel="next"/.test(part))
  const url = next ? /<([^>]+)>/.exec(next)?.[1] : undefined
  return url ? (new URL(url).searchParams.get('after') ?? undefined) : undefined
}
