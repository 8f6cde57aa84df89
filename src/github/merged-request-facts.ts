import type { RepositoryFile } from '../core/files/access-repository.js'
import { RECORD_STATES, recordPath } from '../core/records/grant-record.js'
import type { InputError } from '../core/files/input-error.js'
import { BLOB_FIELDS, type BlobNode, FileCollector, isPolicyEntry, POLICIES_DIRECTORY, RULE_FILES } from './files-at-commit.js'
import type { GitHubApi } from './github-api.js'
import { GitHubReadError, readFromGitHub } from './github-read-error.js'
import { shortSha } from '../core/text/short-sha.js'
import { reviewDuePath } from '../core/records/review-due.js'

/**
 * What the grant workflow reads about a merged request pull request, beyond `readPullRequest`: the
 * merge, the rules at the merge's base with their blob SHAs (for the record), the request file at the
 * head with its blob SHA, and which records of the request already exist on the default branch.
 *
 * The base is the merge commit's first parent: the state of the branch the request was merged into at
 * that moment. The pull request's `baseRefOid` is not used: GitHub updates it only when the pull request
 * is updated, so it can predate a policy tightened after the request was approved.
 */
export interface MergedRequestFacts {
  readonly merged: boolean
  /** `OPEN`, `CLOSED` or `MERGED`, and the branch it targets (break-glass needs an open pull request into the default branch). */
  readonly state: string
  readonly baseRefName: string
  readonly mergedAt: Date | null
  readonly mergedBy: string | null
  readonly url: string
  readonly mergeCommitSha: string | null
  /** First parent of the merge commit (the rules below were read there); null when GitHub reports no merge commit. */
  readonly baseSha: string | null
  /** What the merge commit changed, as far as one query tells: its parents, its changed-file count, the request blob. */
  readonly mergeCommit: {
    readonly parents: readonly string[]
    /** Files changed against the first parent; null when GitHub could not count them. */
    readonly changedFiles: number | null
    /** Blob SHA of the request file in the merge commit and in its first parent (null: absent). */
    readonly requestBlobSha: string | null
    readonly firstParentRequestBlobSha: string | null
  } | null
  /** The default branch head (a commit on top builds on it without reading the head again). */
  readonly defaultBranch: { readonly name: string; readonly commitSha: string }
  /** Whether `grants/review-due/<id>.yaml` is at the default branch head: a break-glass grant whose review is to come. */
  readonly reviewDue: boolean
  /** Paths of this request's records at the default branch head (any state): non-empty means already handled. */
  readonly existingRecords: readonly string[]
  /**
   * Paths of this request's records that the default branch's history holds but its head does not: a
   * record someone deleted. Non-empty means handled too: a revoked (or refused, or failed) request is
   * never granted again because its record file went away.
   */
  readonly removedRecords: readonly string[]
  readonly rules: {
    readonly files: readonly RepositoryFile[]
    readonly problems: readonly InputError[]
    readonly policyBlobShas: Readonly<Record<string, string>>
  }
  /** The request file at the head; undefined when absent (problems then says why, if known). */
  readonly request?: { readonly file: RepositoryFile; readonly blobSha: string }
  readonly requestProblems: readonly InputError[]
}

// Each record path at the commit, and the last commit in its history that touched it: a record deleted
// since leaves the second without the first. `history(path:)` is `git log -- <path>`, one entry enough.
const RECORD_FIELDS = RECORD_STATES.map(
  (state) => `${state}: file(path: $${state}) { oid } ${state}History: history(first: 1, path: $${state}) { nodes { oid } }`,
).join(' ')
const RECORD_VARIABLES = RECORD_STATES.map((state) => `$${state}: String!`).join(', ')

/** One query: the merge, the rules at its first parent, the request at the head, the records at the default branch. */
export const MERGED_REQUEST_QUERY = `query jitMergedRequest($owner: String!, $repo: String!, $number: Int!, $head: GitObjectID!, $requestFile: String!, $policies: String!, ${RULE_FILES.map((f) => `$${f.alias}: String!`).join(', ')}, ${RECORD_VARIABLES}, $reviewDue: String!) {
  repository(owner: $owner, name: $repo) {
    defaultBranchRef { name target { oid ... on Commit { ${RECORD_FIELDS} reviewDue: file(path: $reviewDue) { oid } } } }
    pullRequest(number: $number) {
      merged
      state
      baseRefName
      mergedAt
      url
      mergedBy { login }
      mergeCommit {
        oid
        changedFilesIfAvailable
        request: file(path: $requestFile) { oid }
        allParents: parents(first: 2) { nodes { oid request: file(path: $requestFile) { oid } } }
        parents(first: 1) {
          nodes {
            oid
            policies: file(path: $policies) { object { ... on Tree { entries { name path type oid object { ${BLOB_FIELDS} } } } } }
            ${RULE_FILES.map((f) => `${f.alias}: file(path: $${f.alias}) { oid object { ${BLOB_FIELDS} } }`).join('\n            ')}
          }
        }
      }
    }
    head: object(oid: $head) { ... on Commit { request: file(path: $requestFile) { oid object { ${BLOB_FIELDS} } } } }
  }
}`

/** Which records of a request exist at a commit (asked again inside the commit loop, when the branch moved). */
export const RECORDS_AT_QUERY = `query jitRecordsAt($owner: String!, $repo: String!, $commit: GitObjectID!, ${RECORD_VARIABLES}) {
  repository(owner: $owner, name: $repo) {
    object(oid: $commit) { ... on Commit { ${RECORD_FIELDS} } }
  }
}`

interface TreeEntryNode {
  oid: string
  object: BlobNode | null
}
type RecordsNode = Partial<Record<string, { oid: string } | { nodes?: ({ oid: string } | null)[] | null } | null>>

interface MergedRequestData {
  repository: {
    defaultBranchRef: { name: string; target: ({ oid: string } & RecordsNode) | null } | null
    pullRequest: {
      merged: boolean
      state?: string
      baseRefName?: string
      mergedAt: string | null
      url: string
      mergedBy: { login: string } | null
      mergeCommit: {
        oid: string
        changedFilesIfAvailable?: number | null
        request?: { oid: string } | null
        allParents?: { nodes: ({ oid: string; request?: { oid: string } | null } | null)[] | null }
        parents: {
          nodes:
            | (
                | ({
                    oid: string
                    policies: {
                      object: { entries?: { name: string; path: string; type: string; oid: string; object: BlobNode | null }[] } | null
                    } | null
                  } & Record<string, unknown>)
                | null
              )[]
            | null
        }
      } | null
    } | null
    head: { request?: TreeEntryNode | null } | null
  } | null
}

function recordVariables(id: string): Record<string, string> {
  return Object.fromEntries(RECORD_STATES.map((state) => [state, recordPath(state, id)]))
}

function existingIn(node: RecordsNode | null | undefined, id: string): string[] {
  return RECORD_STATES.filter((state) => node?.[state]).map((state) => recordPath(state, id))
}

/** The record paths the history holds that the commit does not: records deleted since they were written. */
function removedIn(node: RecordsNode | null | undefined, id: string): string[] {
  // The outcome first: an intent is always replaced, so its history names it whenever anything came after.
  const states = [...RECORD_STATES.filter((state) => state !== 'granting'), 'granting' as const]
  return states
    .filter((state) => {
      const history = node?.[`${state}History`] as { nodes?: ({ oid: string } | null)[] | null } | null | undefined
      return !node?.[state] && (history?.nodes ?? []).some((commit) => commit !== null)
    })
    .map((state) => recordPath(state, id))
}

/** Reads what the grant needs about a merged request pull request, in one GraphQL query. */
export async function readMergedRequest(
  api: GitHubApi,
  params: { owner: string; repo: string; number: number; headSha: string; requestPath: string; requestId: string },
): Promise<MergedRequestFacts> {
  const what = `the merge of pull request #${params.number}`
  const variables: Record<string, unknown> = {
    owner: params.owner,
    repo: params.repo,
    number: params.number,
    head: params.headSha,
    requestFile: params.requestPath,
    policies: POLICIES_DIRECTORY,
    ...Object.fromEntries(RULE_FILES.map((f) => [f.alias, f.path])),
    ...recordVariables(params.requestId),
    reviewDue: reviewDuePath(params.requestId),
  }
  const data = await readFromGitHub(what, () => api.graphql<MergedRequestData>(MERGED_REQUEST_QUERY, variables))
  const repository = data.repository
  const pr = repository?.pullRequest
  const branch = repository?.defaultBranchRef
  if (!pr) throw new GitHubReadError(what, { detail: 'GitHub returned no such pull request' })
  if (!branch?.target) throw new GitHubReadError(what, { detail: 'the repository has no default branch' })

  const merge = pr.mergeCommit
  const parent = merge?.parents.nodes?.[0] ?? null
  const allParents = (merge?.allParents?.nodes ?? []).flatMap((node) => (node ? [node] : []))

  const requestRead = new FileCollector()
  const requestEntry = repository?.head?.request
  requestRead.add(params.requestPath, requestEntry?.object)
  const requestFile = requestRead.result().files[0]

  return {
    merged: pr.merged,
    state: pr.state ?? '',
    baseRefName: pr.baseRefName ?? '',
    mergedAt: pr.mergedAt === null ? null : new Date(pr.mergedAt),
    mergedBy: pr.mergedBy?.login ?? null,
    url: pr.url,
    mergeCommitSha: pr.mergeCommit?.oid ?? null,
    baseSha: parent?.oid ?? null,
    mergeCommit: merge
      ? {
          parents: allParents.map((node) => node.oid),
          changedFiles: typeof merge.changedFilesIfAvailable === 'number' ? merge.changedFilesIfAvailable : null,
          requestBlobSha: merge.request?.oid ?? null,
          firstParentRequestBlobSha: allParents[0]?.request?.oid ?? null,
        }
      : null,
    defaultBranch: {
      name: branch.name,
      commitSha: branch.target.oid,
    },
    reviewDue: Boolean(branch.target['reviewDue']),
    existingRecords: existingIn(branch.target, params.requestId),
    removedRecords: removedIn(branch.target, params.requestId),
    rules: collectRules(parent),
    ...(requestFile && requestEntry ? { request: { file: requestFile, blobSha: requestEntry.oid } } : {}),
    requestProblems: requestRead.result().problems,
  }
}

type RulesNode = {
  policies?: { object: { entries?: { name: string; path: string; type: string; oid: string; object: BlobNode | null }[] } | null } | null
} & Record<string, unknown>

/** The rules read at one commit, with each policy's blob SHA for the record. */
function collectRules(node: RulesNode | null | undefined): MergedRequestFacts['rules'] {
  const rules = new FileCollector()
  const policyBlobShas: Record<string, string> = {}
  if (node) {
    for (const entry of node.policies?.object?.entries ?? []) {
      if (isPolicyEntry(entry) && rules.add(entry.path, entry.object)) policyBlobShas[entry.path] = entry.oid
    }
    for (const rule of RULE_FILES) rules.add(rule.path, (node[rule.alias] as TreeEntryNode | null | undefined)?.object)
  }
  const { files, problems } = rules.result()
  return { files, problems, policyBlobShas }
}

/** The rules at one commit, the same fields the merged-request query reads at the merge commit's first parent. */
export const RULES_AT_QUERY = `query jitRulesAt($owner: String!, $repo: String!, $commit: GitObjectID!, $policies: String!, ${RULE_FILES.map((f) => `$${f.alias}: String!`).join(', ')}) {
  repository(owner: $owner, name: $repo) {
    object(oid: $commit) {
      ... on Commit {
        policies: file(path: $policies) { object { ... on Tree { entries { name path type oid object { ${BLOB_FIELDS} } } } } }
        ${RULE_FILES.map((f) => `${f.alias}: file(path: $${f.alias}) { oid object { ${BLOB_FIELDS} } }`).join('\n        ')}
      }
    }
  }
}`

/** Reads the rules (with their blob SHAs) at a commit: the default branch before a merge, when that is not the first parent. */
export async function readRulesAt(
  api: GitHubApi,
  params: { owner: string; repo: string; commitSha: string },
): Promise<MergedRequestFacts['rules']> {
  const what = `the policies, CODEOWNERS and settings at ${shortSha(params.commitSha)}`
  const data = await readFromGitHub(what, () =>
    api.graphql<{ repository: { object: RulesNode | null } | null }>(RULES_AT_QUERY, {
      owner: params.owner,
      repo: params.repo,
      commit: params.commitSha,
      policies: POLICIES_DIRECTORY,
      ...Object.fromEntries(RULE_FILES.map((f) => [f.alias, f.path])),
    }),
  )
  const node = data.repository?.object
  if (!node) throw new GitHubReadError(what, { detail: 'GitHub returned no such commit' })
  return collectRules(node)
}

/** A request's records at a commit: the paths that exist there, and those its history holds but it does not. */
export interface RecordsAt {
  readonly present: readonly string[]
  readonly removed: readonly string[]
}

/** Paths of a request's records that exist at a commit, and of those deleted before it. */
export async function readRecordsAt(
  api: GitHubApi,
  params: { owner: string; repo: string; commitSha: string; requestId: string },
): Promise<RecordsAt> {
  const what = `the records of ${params.requestId} at ${shortSha(params.commitSha)}`
  const data = await readFromGitHub(what, () =>
    api.graphql<{ repository: { object: RecordsNode | null } | null }>(RECORDS_AT_QUERY, {
      owner: params.owner,
      repo: params.repo,
      commit: params.commitSha,
      ...recordVariables(params.requestId),
    }),
  )
  const node = data.repository?.object
  return { present: existingIn(node, params.requestId), removed: removedIn(node, params.requestId) }
}
