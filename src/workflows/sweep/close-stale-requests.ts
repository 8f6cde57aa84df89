import { formatDuration } from '../../core/files/duration.js'
import { CHECK_NAME } from '../../github/check-run-report.js'
import type { GitHubApi } from '../../github/github-api.js'
import { readFromGitHub } from '../../github/github-read-error.js'

/** An open request PR and what the sweep did (or would do) about it. */
export interface StaleRequest {
  readonly number: number
  readonly path: string
  readonly openedAt: string
  readonly status: 'closed' | 'would-close' | 'failed'
  readonly explanation: string
}

/** The oldest open pull requests, their files and the app's check on their head: one query. */
export const OPEN_REQUESTS_QUERY = `query jitOpenRequests($owner: String!, $repo: String!) {
  repository(owner: $owner, name: $repo) {
    pullRequests(states: OPEN, first: 100, orderBy: { field: CREATED_AT, direction: ASC }) {
      nodes {
        number
        createdAt
        changedFiles
        files(first: 2) { nodes { path changeType } }
        commits(last: 1) { nodes { commit { statusCheckRollup { contexts(first: 50) { nodes { __typename ... on CheckRun { name conclusion } } } } } } }
      }
    }
  }
}`

interface OpenPullRequest {
  number: number
  createdAt: string
  changedFiles: number
  files: { nodes: { path: string; changeType: string }[] } | null
  commits: {
    nodes: {
      commit: {
        statusCheckRollup: { contexts: { nodes: ({ __typename: string; name?: string; conclusion?: string | null } | null)[] } } | null
      }
    }[]
  }
}

/** A request PR adds exactly one file under `requests/` (the shape the app evaluates) and nothing else. */
function requestPathOf(pr: OpenPullRequest): string | undefined {
  const [file] = pr.files?.nodes ?? []
  if (pr.changedFiles !== 1 || !file || file.changeType !== 'ADDED' || !file.path.startsWith('requests/')) return undefined
  return file.path
}

function hasCheckConclusion(pr: OpenPullRequest, conclusion: string): boolean {
  const contexts = pr.commits.nodes[0]?.commit.statusCheckRollup?.contexts.nodes ?? []
  return contexts.some((context) => context?.__typename === 'CheckRun' && context.name === CHECK_NAME && context.conclusion === conclusion)
}

function isApproved(pr: OpenPullRequest): boolean {
  return hasCheckConclusion(pr, 'SUCCESS')
}

/** An open request PR whose check waits for approvals (`action_required`): one the sweep may remind about. */
export interface PendingRequest {
  readonly number: number
  readonly openedAt: string
}

/** The comment left on a closed request: why, and how to try again. */
export function renderStaleComment(params: { path: string; maxAgeMs: number }): string {
  const age = formatDuration(params.maxAgeMs)
  return [
    `This access request (\`${params.path}\`) has been open for more than ${age} without an approved \`${CHECK_NAME}\` check, so it was closed to keep the queue of requests current. Nothing was granted.`,
    '',
    `If you still need this access, re-open the pull request: the check runs again and names who must approve. If the need has changed, push the updated request file before re-opening. The limit is \`pending_max_age\` in \`.github/jit.yml\`.`,
  ].join('\n')
}

/**
 * Closes open request PRs older than `maxAgeMs` whose head has no approved check, with a comment.
 * Reads the 100 oldest open pull requests (the stale ones come first); a later sweep sees the rest.
 * Also returns the request PRs left open whose check is pending, from the same query.
 */
export async function closeStaleRequests(params: {
  api: GitHubApi
  owner: string
  repo: string
  now: Date
  maxAgeMs: number
  dryRun: boolean
}): Promise<{ stale: StaleRequest[]; pending: PendingRequest[] }> {
  const { api, owner, repo, now, maxAgeMs } = params
  const data = await readFromGitHub(`the open pull requests of ${owner}/${repo}`, () =>
    api.graphql<{ repository: { pullRequests: { nodes: OpenPullRequest[] } } | null }>(OPEN_REQUESTS_QUERY, { owner, repo }),
  )
  const results: StaleRequest[] = []
  const pending: PendingRequest[] = []
  for (const pr of data.repository?.pullRequests.nodes ?? []) {
    const path = requestPathOf(pr)
    const age = now.getTime() - Date.parse(pr.createdAt)
    if (path !== undefined && age <= maxAgeMs && hasCheckConclusion(pr, 'ACTION_REQUIRED'))
      pending.push({ number: pr.number, openedAt: pr.createdAt })
    if (path === undefined || age <= maxAgeMs || isApproved(pr)) continue
    const explanation = `#${pr.number} (${path}) opened ${pr.createdAt}, pending for more than ${formatDuration(maxAgeMs)} without an approved check`
    if (params.dryRun) {
      results.push({ number: pr.number, path, openedAt: pr.createdAt, status: 'would-close', explanation })
      continue
    }
    try {
      await api.request('POST /repos/{owner}/{repo}/issues/{issue_number}/comments', {
        owner,
        repo,
        issue_number: pr.number,
        body: renderStaleComment({ path, maxAgeMs }),
      })
      await api.request('PATCH /repos/{owner}/{repo}/pulls/{pull_number}', { owner, repo, pull_number: pr.number, state: 'closed' })
      results.push({ number: pr.number, path, openedAt: pr.createdAt, status: 'closed', explanation })
    } catch (error) {
      // One PR that cannot be closed (locked, permissions) must not stop the others.
      results.push({
        number: pr.number,
        path,
        openedAt: pr.createdAt,
        status: 'failed',
        explanation: `${explanation}; could not close it: ${(error as Error).message}`,
      })
    }
  }
  return { stale: results, pending }
}
