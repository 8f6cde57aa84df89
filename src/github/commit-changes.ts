import {
  judgeRequestCommits,
  planCommitReads,
  type CommitChange,
  type CommitViolation,
  type RequestCommit,
} from '../core/merges/judge-request-commits.js'
import type { Comparison, FilesCache } from './files-at-commit.js'
import type { GitHubApi } from './github-api.js'
import { readFromGitHub } from './github-read-error.js'
import { shortSha } from '../core/text/short-sha.js'

interface Target {
  readonly owner: string
  readonly repo: string
}

const repoKey = (target: Target): string => `${target.owner}/${target.repo}`.toLowerCase()

interface CompareData {
  status: string
  files?: { filename: string; status: string; sha?: string | null }[]
}

/** How `head` differs from `base` (`GET /compare/{base}...{head}`), cached: both SHAs are immutable. */
export async function readComparison(
  api: GitHubApi,
  cache: FilesCache,
  params: Target & { base: string; head: string },
): Promise<Comparison> {
  const key = `${repoKey(params)}@${params.base}...${params.head}:compare`
  const cached = cache.get(key)?.comparison
  if (cached) return cached
  const { data } = await readFromGitHub(`the changes from ${shortSha(params.base)} to ${shortSha(params.head)}`, () =>
    api.request<CompareData>('GET /repos/{owner}/{repo}/compare/{basehead}', {
      owner: params.owner,
      repo: params.repo,
      basehead: `${params.base}...${params.head}`,
    }),
  )
  const comparison: Comparison = {
    status: data.status,
    files: (data.files ?? []).map((f) => ({ path: f.filename, status: f.status, ...(f.sha ? { sha: f.sha } : {}) })),
  }
  cache.set(key, { comparison })
  return comparison
}

/** Builds the query asking, for each commit, the request file's blob there and at its first parent. */
export function buildCommitFilesQuery(count: number): string {
  const variables = ['$owner: String!', '$repo: String!', '$requestFile: String!']
  const fields: string[] = []
  for (let index = 0; index < count; index += 1) {
    variables.push(`$c${index}: GitObjectID!`)
    fields.push(
      `c${index}: object(oid: $c${index}) { ... on Commit { request: file(path: $requestFile) { oid } parents(first: 1) { nodes { request: file(path: $requestFile) { oid } } } } }`,
    )
  }
  return `query jitCommitFiles(${variables.join(', ')}) {\n  repository(owner: $owner, name: $repo) {\n    ${fields.join('\n    ')}\n  }\n}`
}

type RequestOid = { oid: string } | null | undefined
type CommitFilesData = {
  repository: Record<string, { request?: RequestOid; parents?: { nodes: ({ request?: RequestOid } | null)[] | null } } | null> | null
}

/** The most ordinary commits whose changed files are read to explain a refusal. */
const MAX_EXPLAINED = 5

/**
 * The pull request's own commits that change more than its request file. An ordinary commit is judged from
 * what `readPullRequest` read (its changed-file count) plus, when it changed one file, one query for the
 * request blob at every such commit and its parent; merge commits are compared with their parents over
 * REST. Every read is cached by SHA, so a later event on the same head costs nothing.
 */
export async function findCommitViolations(
  api: GitHubApi,
  cache: FilesCache,
  params: Target & { commits: readonly RequestCommit[]; requestPath: string },
): Promise<CommitViolation[]> {
  const { commits, requestPath } = params
  const plan = planCommitReads(commits)
  const changes = new Map<string, CommitChange>()
  const changeKey = (sha: string) => `${repoKey(params)}@${sha}:${requestPath}:changed`

  const unread = plan.requestChangeOf.filter((sha) => {
    const known = cache.get(changeKey(sha))?.requestChanged
    if (known !== undefined) changes.set(sha, { requestChanged: known })
    return known === undefined
  })
  if (unread.length > 0) {
    const variables: Record<string, unknown> = { owner: params.owner, repo: params.repo, requestFile: requestPath }
    unread.forEach((sha, index) => (variables[`c${index}`] = sha))
    const data = await readFromGitHub(`${requestPath} in the commits of the pull request`, () =>
      api.graphql<CommitFilesData>(buildCommitFilesQuery(unread.length), variables),
    )
    unread.forEach((sha, index) => {
      const node = data.repository?.[`c${index}`]
      if (!node) return
      const parent = node.parents?.nodes?.[0]
      const requestChanged = (node.request?.oid ?? null) !== (parent?.request?.oid ?? null)
      cache.set(changeKey(sha), { requestChanged })
      changes.set(sha, { requestChanged })
    })
  }
  for (const merge of plan.diffsOf) {
    const pathsAgainstParents = []
    for (const parent of merge.parents.slice(0, 2)) {
      const comparison = await readComparison(api, cache, { ...params, base: parent, head: merge.sha })
      pathsAgainstParents.push(comparison.status === 'ahead' ? comparison.files.map((file) => file.path) : null)
    }
    changes.set(merge.sha, { pathsAgainstParents })
  }

  const violations = judgeRequestCommits({ commits, requestPath, changes })
  // Say what each offending ordinary commit touched: a few compares, only when there is something to refuse.
  const unexplained = violations.filter((v) => v.touched === null).slice(0, MAX_EXPLAINED)
  let explained = false
  for (const violation of unexplained) {
    const commit = commits.find((c) => c.sha === violation.sha)
    const parent = commit?.parents[0]
    if (!commit || commit.parents.length !== 1 || !parent) continue
    const comparison = await readComparison(api, cache, { ...params, base: parent, head: commit.sha })
    changes.set(commit.sha, { ...changes.get(commit.sha), pathsAgainstParents: [comparison.files.map((file) => file.path)] })
    explained = true
  }
  return explained ? judgeRequestCommits({ commits, requestPath, changes }) : violations
}
