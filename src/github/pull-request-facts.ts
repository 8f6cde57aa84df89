import type { Review } from '../core/decision/decision.js'
import type { RequestCommit } from '../core/merges/judge-request-commits.js'
import type { GitHubApi } from './github-api.js'
import { GitHubReadError, readFromGitHub } from './github-read-error.js'

/** GitHub's kinds of file change in a pull request (GraphQL `PatchStatus`). */
export type FileChange = 'ADDED' | 'CHANGED' | 'COPIED' | 'DELETED' | 'MODIFIED' | 'RENAMED'

export interface ChangedFile {
  readonly path: string
  readonly change: FileChange
}

/** What the app needs to know about a pull request, read in one GraphQL query. */
export interface PullRequestFacts {
  readonly number: number
  readonly headSha: string
  readonly baseSha: string
  readonly author: string
  /** True for a pull request from a fork. */
  readonly isCrossRepository: boolean
  readonly files: readonly ChangedFile[]
  /** True when the PR changes more than the first 100 files (never a valid request PR). */
  readonly hasMoreFiles: boolean
  readonly reviews: readonly Review[]
  /**
   * Logins (lower-cased) of everyone other than the author who authored or committed a commit of the PR.
   * Someone who pushed to a request cannot approve it: that would be approving their own change.
   */
  readonly contributors: readonly string[]
  /** True when the PR has more than the 100 commits read: contributors may be incomplete. */
  readonly hasMoreCommits: boolean
  /** The PR's own commits (the last 100), oldest first, with their parents and changed-file counts. */
  readonly commits: readonly RequestCommit[]
}

const REVIEW_FIELDS = `nodes { databaseId state submittedAt author { __typename login } commit { oid } }
        pageInfo { hasNextPage endCursor }`

export const PULL_REQUEST_QUERY = `query jitPullRequest($owner: String!, $repo: String!, $number: Int!) {
  repository(owner: $owner, name: $repo) {
    pullRequest(number: $number) {
      headRefOid
      baseRefOid
      isCrossRepository
      author { login }
      files(first: 100) { nodes { path changeType } pageInfo { hasNextPage } }
      commits(last: 100) {
        totalCount
        nodes { commit { oid changedFilesIfAvailable parents(first: 2) { nodes { oid } } author { user { login } } committer { user { login } } } }
      }
      reviews(first: 100) {
        ${REVIEW_FIELDS}
      }
    }
  }
}`

export const MORE_REVIEWS_QUERY = `query jitMoreReviews($owner: String!, $repo: String!, $number: Int!, $after: String!) {
  repository(owner: $owner, name: $repo) {
    pullRequest(number: $number) {
      reviews(first: 100, after: $after) {
        ${REVIEW_FIELDS}
      }
    }
  }
}`

interface ReviewNode {
  databaseId: number | null
  state: Review['state']
  submittedAt: string | null
  author: { __typename: string; login: string } | null
  commit: { oid: string } | null
}

interface ReviewPage {
  nodes: (ReviewNode | null)[] | null
  pageInfo: { hasNextPage: boolean; endCursor: string | null }
}

interface PullRequestData {
  repository: {
    pullRequest: {
      headRefOid: string
      baseRefOid: string
      isCrossRepository: boolean
      author: { login: string } | null
      files: { nodes: ({ path: string; changeType: FileChange } | null)[] | null; pageInfo: { hasNextPage: boolean } } | null
      commits: { totalCount: number; nodes: (CommitNode | null)[] | null } | null
      reviews: ReviewPage | null
    } | null
  } | null
}

interface CommitNode {
  commit: {
    oid?: string
    changedFilesIfAvailable?: number | null
    parents?: { nodes: ({ oid: string } | null)[] | null } | null
    author: { user: { login: string } | null } | null
    committer: { user: { login: string } | null } | null
  } | null
}

function toRequestCommits(nodes: readonly (CommitNode | null)[]): RequestCommit[] {
  return nodes.flatMap((node) => {
    const commit = node?.commit
    if (!commit?.oid) return []
    return [
      {
        sha: commit.oid,
        parents: (commit.parents?.nodes ?? []).flatMap((parent) => (parent ? [parent.oid] : [])),
        // Absent and null alike: GitHub did not count them, so nothing is assumed.
        changedFiles: typeof commit.changedFilesIfAvailable === 'number' ? commit.changedFilesIfAvailable : null,
      },
    ]
  })
}

/** GitHub's own account for commits made in its web interface; it is not a person. */
const WEB_FLOW = 'web-flow'

function listContributors(nodes: readonly (CommitNode | null)[], author: string): string[] {
  const logins = new Set<string>()
  for (const node of nodes) {
    for (const actor of [node?.commit?.author, node?.commit?.committer]) {
      const login = actor?.user?.login?.toLowerCase()
      if (login && login !== author.toLowerCase() && login !== WEB_FLOW) logins.add(login)
    }
  }
  return [...logins].sort()
}

interface MoreReviewsData {
  repository: { pullRequest: { reviews: ReviewPage | null } | null } | null
}

/** Reads a pull request's commits, author, changed files and reviews: one query, plus one per further 100 reviews. */
export async function readPullRequest(api: GitHubApi, params: { owner: string; repo: string; number: number }): Promise<PullRequestFacts> {
  const what = `pull request #${params.number}`
  const data = await readFromGitHub(what, () => api.graphql<PullRequestData>(PULL_REQUEST_QUERY, params))
  const pr = data.repository?.pullRequest
  if (!pr) throw new GitHubReadError(what, { detail: 'GitHub returned no such pull request' })
  const reviewNodes = [...(pr.reviews?.nodes ?? [])]
  let page = pr.reviews?.pageInfo
  while (page?.hasNextPage && page.endCursor) {
    const after = page.endCursor
    const more = await readFromGitHub(`reviews of ${what}`, () => api.graphql<MoreReviewsData>(MORE_REVIEWS_QUERY, { ...params, after }))
    const reviews = more.repository?.pullRequest?.reviews
    reviewNodes.push(...(reviews?.nodes ?? []))
    page = reviews?.pageInfo
  }
  return {
    number: params.number,
    headSha: pr.headRefOid,
    baseSha: pr.baseRefOid,
    // A deleted account shows as GitHub's "ghost" user.
    author: pr.author?.login ?? 'ghost',
    isCrossRepository: pr.isCrossRepository,
    files: (pr.files?.nodes ?? []).flatMap((node) => (node ? [{ path: node.path, change: node.changeType }] : [])),
    hasMoreFiles: pr.files?.pageInfo.hasNextPage ?? false,
    reviews: reviewNodes.flatMap((node) => (node ? [toReview(node)] : [])),
    contributors: listContributors(pr.commits?.nodes ?? [], pr.author?.login ?? 'ghost'),
    hasMoreCommits: (pr.commits?.totalCount ?? 0) > 100,
    commits: toRequestCommits(pr.commits?.nodes ?? []),
  }
}

function toReview(node: ReviewNode): Review {
  return {
    ...(node.databaseId === null ? {} : { id: node.databaseId }),
    login: node.author?.login ?? 'ghost',
    state: node.state,
    // A review whose commit is gone can never be on the head commit, so it never counts.
    commitId: node.commit?.oid ?? '',
    submittedAt: node.submittedAt ?? '',
    isBot: node.author?.__typename === 'Bot',
  }
}
