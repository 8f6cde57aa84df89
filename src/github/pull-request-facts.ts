import type { Push, PushFacts, Review } from '../core/decision/decision.js'
import type { RequestCommit } from '../core/merges/judge-request-commits.js'
import { CHECK_NAME } from './check-run-report.js'
import type { GitHubApi } from './github-api.js'
import { GitHubReadError, readFromGitHub } from './github-read-error.js'
import { mergePushes, parsePushRecord, type PushRecord } from './push-record.js'
import {
  COMMENTS_READ_WITH_PULL_REQUEST,
  findRequestComment,
  REQUEST_COMMENT_FIELDS,
  type CommentPage,
  type RequestCommentLookup,
} from './upsert-request-comment.js'

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
  /** The app's own push records (see push-record.ts) on the PR's commits, and on the commit before a push. */
  readonly pushRecords: readonly { readonly sha: string; readonly records: readonly PushRecord[] }[]
  /** The app's request comment among the PR's first comments (read in the same query, so publishing reads nothing). */
  readonly requestComment: RequestCommentLookup
}

/** A push GitHub authenticated in the webhook being handled: its sender and the head it pushed. */
export interface ObservedPush {
  readonly login: string
  readonly sha: string
  /** Whether the sender pushed that head (opened, synchronize) or only reopened the pull request. */
  readonly pushedHead: boolean
}

/**
 * Who pushed, from the app's records on the PR's commits plus the push of the event being handled.
 * The head's pusher is known when this event pushed it, or when a record of the app on the head says who did.
 */
export function establishPushes(pr: Pick<PullRequestFacts, 'headSha' | 'pushRecords'>, observed?: ObservedPush): PushFacts {
  let pushes: Push[] = []
  let headPusherKnown = false
  for (const { sha, records } of pr.pushRecords) {
    for (const record of records) {
      pushes = mergePushes(pushes, record.pushes)
      if (record.headPusher !== undefined) pushes = mergePushes(pushes, [{ login: record.headPusher, sha }])
      if (record.headPusher !== undefined && sha === pr.headSha) headPusherKnown = true
    }
  }
  if (observed) {
    pushes = mergePushes(pushes, [{ login: observed.login.toLowerCase(), sha: observed.sha }])
    if (observed.pushedHead && observed.sha === pr.headSha) headPusherKnown = true
  }
  return { pushes, headPusherKnown }
}

/** Who pushed the head, as recorded for the check run the app is about to write on it. */
export function findHeadPusher(pushes: PushFacts, headSha: string, observed?: ObservedPush): string | undefined {
  if (observed?.pushedHead && observed.sha === headSha) return observed.login.toLowerCase()
  if (!pushes.headPusherKnown) return undefined
  return [...pushes.pushes].reverse().find((push) => headSha.startsWith(push.sha) || push.sha === headSha)?.login
}

const REVIEW_FIELDS = `nodes { databaseId state submittedAt author { __typename login } commit { oid } }
        pageInfo { hasNextPage endCursor }`

/** The app's check runs on a commit: where it recorded who pushed (only this app can write them). */
const PUSH_RECORD_FIELDS = `checkSuites(first: 10, filterBy: { appId: $appId }) { nodes { checkRuns(first: 20, filterBy: { checkName: $checkName }) { nodes { externalId } } } }`

export const PULL_REQUEST_QUERY = `query jitPullRequest($owner: String!, $repo: String!, $number: Int!, $appId: Int!, $checkName: String!, $before: GitObjectID, $hasBefore: Boolean = false) {
  repository(owner: $owner, name: $repo) {
    jitPushedBefore: object(oid: $before) @include(if: $hasBefore) { ... on Commit { oid ${PUSH_RECORD_FIELDS} } }
    pullRequest(number: $number) {
      jitPushRecords: commits(last: 100) { nodes { commit { oid ${PUSH_RECORD_FIELDS} } } }
      jitDismissals: timelineItems(last: 100, itemTypes: [REVIEW_DISMISSED_EVENT]) {
        nodes { ... on ReviewDismissedEvent { actor { login } previousReviewState review { databaseId } } }
      }
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
      jitComments: comments(first: ${COMMENTS_READ_WITH_PULL_REQUEST}) {
        ${REQUEST_COMMENT_FIELDS}
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

interface PushRecordNode {
  oid: string
  checkSuites: { nodes: ({ checkRuns: { nodes: ({ externalId: string | null } | null)[] | null } | null } | null)[] | null } | null
}

interface DismissalNode {
  actor: { login: string } | null
  previousReviewState: Review['state']
  review: { databaseId: number | null } | null
}

interface PullRequestData {
  repository: {
    jitPushedBefore?: PushRecordNode | null
    pullRequest: {
      jitPushRecords: { nodes: ({ commit: PushRecordNode | null } | null)[] | null } | null
      jitDismissals: { nodes: (Partial<DismissalNode> | null)[] | null } | null
      headRefOid: string
      baseRefOid: string
      isCrossRepository: boolean
      author: { login: string } | null
      files: { nodes: ({ path: string; changeType: FileChange } | null)[] | null; pageInfo: { hasNextPage: boolean } } | null
      commits: { totalCount: number; nodes: (CommitNode | null)[] | null } | null
      reviews: ReviewPage | null
      jitComments?: CommentPage | null
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

function readPushRecords(node: PushRecordNode | null | undefined): { sha: string; records: PushRecord[] }[] {
  if (!node) return []
  const records = (node.checkSuites?.nodes ?? []).flatMap((suite) =>
    (suite?.checkRuns?.nodes ?? []).flatMap((run) => {
      const record = parsePushRecord(run?.externalId)
      return record ? [record] : []
    }),
  )
  return records.length > 0 ? [{ sha: node.oid, records }] : []
}

/**
 * Reads a pull request's commits, author, changed files, reviews (with who dismissed them), the app's
 * push records and the app's comment among the first comments: one query, plus one per further 100 reviews. `before` is the head before the push being
 * handled, whose records carry the pushes forward even when the push rewrote history.
 */
export async function readPullRequest(
  api: GitHubApi,
  params: { owner: string; repo: string; number: number; before?: string },
): Promise<PullRequestFacts> {
  const what = `pull request #${params.number}`
  // Without the app's id no record can be trusted: 0 matches no app, and the head's pusher stays unknown.
  const appId = (await api.appId?.()) ?? 0
  const variables = {
    owner: params.owner,
    repo: params.repo,
    number: params.number,
    appId,
    checkName: CHECK_NAME,
    ...(params.before ? { before: params.before, hasBefore: true } : {}),
  }
  const data = await readFromGitHub(what, () => api.graphql<PullRequestData>(PULL_REQUEST_QUERY, variables))
  const pr = data.repository?.pullRequest
  if (!pr) throw new GitHubReadError(what, { detail: 'GitHub returned no such pull request' })
  const reviewNodes = [...(pr.reviews?.nodes ?? [])]
  const dismissals = readDismissals(pr.jitDismissals?.nodes ?? [])
  let page = pr.reviews?.pageInfo
  while (page?.hasNextPage && page.endCursor) {
    const after = page.endCursor
    const more = await readFromGitHub(`reviews of ${what}`, () =>
      api.graphql<MoreReviewsData>(MORE_REVIEWS_QUERY, { owner: params.owner, repo: params.repo, number: params.number, after }),
    )
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
    reviews: reviewNodes.flatMap((node) => (node ? [toReview(node, dismissals)] : [])),
    contributors: listContributors(pr.commits?.nodes ?? [], pr.author?.login ?? 'ghost'),
    hasMoreCommits: (pr.commits?.totalCount ?? 0) > 100,
    commits: toRequestCommits(pr.commits?.nodes ?? []),
    pushRecords: [
      ...readPushRecords(data.repository?.jitPushedBefore),
      ...(pr.jitPushRecords?.nodes ?? []).flatMap((node) => readPushRecords(node?.commit)),
    ],
    requestComment: findRequestComment(pr.jitComments),
  }
}

/** Who dismissed each review (by review id), from the timeline's `ReviewDismissedEvent`s: GitHub names the actor. */
function readDismissals(nodes: readonly (Partial<DismissalNode> | null)[]): Map<number, Review['dismissal']> {
  const dismissals = new Map<number, Review['dismissal']>()
  for (const node of nodes) {
    const id = node?.review?.databaseId
    if (typeof id !== 'number' || !node?.previousReviewState) continue
    // A deleted account shows as GitHub's "ghost" user.
    dismissals.set(id, { by: node.actor?.login ?? 'ghost', previousState: node.previousReviewState })
  }
  return dismissals
}

function toReview(node: ReviewNode, dismissals: ReadonlyMap<number, Review['dismissal']>): Review {
  const dismissal = node.state === 'DISMISSED' && node.databaseId !== null ? dismissals.get(node.databaseId) : undefined
  return {
    ...(dismissal ? { dismissal } : {}),
    ...(node.databaseId === null ? {} : { id: node.databaseId }),
    login: node.author?.login ?? 'ghost',
    state: node.state,
    // A review whose commit is gone can never be on the head commit, so it never counts.
    commitId: node.commit?.oid ?? '',
    submittedAt: node.submittedAt ?? '',
    isBot: node.author?.__typename === 'Bot',
  }
}
