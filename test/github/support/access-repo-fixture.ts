import { readFileSync } from 'node:fs'
import type { RepositoryFile } from '../../../src/core/files/access-repository.js'

const ROOT = new URL('../../fixtures/access-repo/', import.meta.url)

export const HEAD_SHA = '1111111111111111111111111111111111111111'
export const BASE_SHA = '2222222222222222222222222222222222222222'
export const OLD_HEAD_SHA = '3333333333333333333333333333333333333333'
export const INCIDENT_REQUEST = 'requests/sre/inc-4821-terminate-web.yaml'
export const STAGING_REQUEST = 'requests/staging/debug-logs.yaml'
export const POLICY_FILES = ['policies/prod-ec2-incident.yaml', 'policies/staging-debug.yaml'] as const

/** Every action the fixture policies grant: a catalogue of these loads both policies. */
export const FIXTURE_POLICY_ACTIONS = [
  'ec2:StopInstances',
  'ec2:RebootInstances',
  'ec2:TerminateInstances',
  'ec2:DescribeInstances',
  'logs:GetLogEvents',
  'logs:FilterLogEvents',
  'logs:DescribeLogGroups',
  'cloudwatch:GetMetricData',
] as const

/** A file of the fixture access repository under test/fixtures/access-repo. */
export function readFixture(path: string): RepositoryFile {
  return { path, text: readFileSync(new URL(path, ROOT), 'utf8') }
}

const blob = (text: string) => ({ text, byteSize: Buffer.byteLength(text), isTruncated: false })

/**
 * The `data` GitHub's GraphQL API returns for the files query: the rules of the fixture repository
 * (with `overrides` replacing, adding or removing files by path) and, when asked, a request file.
 */
export function filesQueryData(params: {
  overrides?: Record<string, string | null>
  request?: RepositoryFile | null
  rules?: boolean
}): Record<string, unknown> {
  const overrides = params.overrides ?? {}
  const rulesText = (path: string): string | null => (path in overrides ? (overrides[path] ?? null) : safeRead(path))
  const repository: Record<string, unknown> = {}
  if (params.rules !== false) {
    const policyPaths = new Set<string>([...POLICY_FILES, ...Object.keys(overrides).filter((p) => p.startsWith('policies/'))])
    const entries = [...policyPaths].sort().flatMap((path) => {
      const text = rulesText(path)
      return text === null ? [] : [{ name: path.slice('policies/'.length), path, type: 'blob', object: blob(text) }]
    })
    repository['policies'] = { entries }
    const codeowners = rulesText('.github/CODEOWNERS')
    repository['codeowners0'] = codeowners === null ? null : blob(codeowners)
    repository['codeowners1'] = null
    repository['codeowners2'] = null
    const settings = rulesText('.github/jit.yml')
    repository['settings'] = settings === null ? null : blob(settings)
  }
  if (params.request !== undefined) repository['request'] = params.request === null ? null : blob(params.request.text)
  return { repository }
}

function safeRead(path: string): string | null {
  try {
    return readFixture(path).text
  } catch {
    return null
  }
}

export interface FakeReview {
  readonly id: number
  readonly login: string
  readonly state: 'APPROVED' | 'CHANGES_REQUESTED' | 'COMMENTED' | 'DISMISSED'
  readonly commit?: string
  readonly submittedAt?: string
  readonly bot?: boolean
}

/** A comment of the PR's conversation as the pull-request query reads it. */
export interface FakeComment {
  readonly id: number
  readonly body: string
  /** Written by the app itself (GitHub's `viewerDidAuthor`: the app's bot is the viewer), so by a bot. */
  readonly byApp?: boolean
  /** Another bot (an app, `github-actions`): a `Bot` that is not the viewer. */
  readonly bot?: boolean
}

/** The app's own request comment, as #42's first comment. */
export const appComment = (body: string, id = 901): FakeComment[] => [{ id, body, byApp: true }]

/** The `data` of the pull-request query, shaped as GitHub returns it. */
export function pullRequestQueryData(params: {
  files: readonly { path: string; changeType?: string }[]
  reviews?: readonly FakeReview[]
  author?: string
  headSha?: string
  baseSha?: string
  isCrossRepository?: boolean
  hasMoreFiles?: boolean
  /** Logins that authored a commit of the PR (the author's own commit is always there). */
  committers?: readonly string[]
  totalCommits?: number
  /**
   * The app's check runs' `external_id`s by commit (its push records). Default: the app checked the head
   * when the author pushed it (opened), as it does for every pull request it saw opened.
   */
  pushRecords?: readonly { sha: string; externalIds: readonly string[] }[]
  /** `ReviewDismissedEvent`s of the timeline. */
  dismissals?: readonly { by: string; reviewId: number; previousState: string }[]
  /** The first comments of the conversation (none by default). */
  comments?: readonly FakeComment[]
  /** The cursor after them when the PR has more comments than the query read. */
  moreCommentsAfter?: string
}): Record<string, unknown> {
  const committers = [params.author ?? 'alice', ...(params.committers ?? [])]
  const head = params.headSha ?? HEAD_SHA
  const pushRecords = params.pushRecords ?? [{ sha: head, externalIds: [`42;head-pusher=${params.author ?? 'alice'}`] }]
  return {
    repository: {
      pullRequest: {
        jitPushRecords: {
          nodes: pushRecords.map((record) => ({
            commit: {
              oid: record.sha,
              checkSuites: { nodes: [{ checkRuns: { nodes: record.externalIds.map((externalId) => ({ externalId })) } }] },
            },
          })),
        },
        jitDismissals: {
          nodes: (params.dismissals ?? []).map((d) => ({
            actor: { login: d.by },
            previousReviewState: d.previousState,
            review: { databaseId: d.reviewId },
          })),
        },
        headRefOid: params.headSha ?? HEAD_SHA,
        baseRefOid: params.baseSha ?? BASE_SHA,
        isCrossRepository: params.isCrossRepository ?? false,
        author: { login: params.author ?? 'alice' },
        files: {
          nodes: params.files.map((f) => ({ path: f.path, changeType: f.changeType ?? 'ADDED' })),
          pageInfo: { hasNextPage: params.hasMoreFiles ?? false },
        },
        commits: {
          totalCount: params.totalCommits ?? committers.length,
          // The author's commit adds the request on the base; anyone else's is empty (it changes no file).
          nodes: committers.map((login, index) => ({
            commit: {
              oid: index === committers.length - 1 ? (params.headSha ?? HEAD_SHA) : `${index}`.repeat(40),
              changedFilesIfAvailable: index === 0 ? 1 : 0,
              parents: { nodes: [{ oid: index === 0 ? (params.baseSha ?? BASE_SHA) : `${index - 1}`.repeat(40) }] },
              author: { user: { login } },
              committer: { user: { login: 'web-flow' } },
            },
          })),
        },
        reviews: {
          nodes: (params.reviews ?? []).map((r, index) => ({
            databaseId: r.id,
            state: r.state,
            submittedAt: r.submittedAt ?? new Date(Date.UTC(2026, 10, 29, 9, index)).toISOString(),
            author: { __typename: r.bot ? 'Bot' : 'User', login: r.login },
            commit: { oid: r.commit ?? params.headSha ?? HEAD_SHA },
          })),
          pageInfo: { hasNextPage: false, endCursor: null },
        },
        jitComments: {
          nodes: (params.comments ?? []).map((c) => ({
            databaseId: c.id,
            body: c.body,
            viewerDidAuthor: c.byApp ?? false,
            author: { __typename: c.byApp || c.bot ? 'Bot' : 'User' },
          })),
          pageInfo: { hasNextPage: params.moreCommentsAfter !== undefined, endCursor: params.moreCommentsAfter ?? null },
        },
      },
    },
  }
}
