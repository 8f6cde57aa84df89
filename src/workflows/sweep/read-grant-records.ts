import { SETTINGS_PATH } from '../../core/files/access-repository.js'
import { RECORD_STATES, type GrantRecord } from '../../core/records/grant-record.js'
import type { MergedPullRequest } from '../../core/records/reconcile.js'
import { classifyPullRequest } from '../../github/classify-pull-request.js'
import type { GitHubApi } from '../../github/github-api.js'
import { GitHubReadError, readFromGitHub } from '../../github/github-read-error.js'
import type { FileChange } from '../../github/pull-request-facts.js'
import { parseGrantRecordText, UnreadableRecordError } from './record-yaml.js'
import { shortSha } from '../../core/text/short-sha.js'

/** The default branch, where it points, and the settings file there (if any). */
export interface DefaultBranch {
  readonly name: string
  readonly commitSha: string
  /** Text of `.github/jit.yml` at that commit; null when there is none. */
  readonly settingsText: string | null
  /** Whether the repository looks like an access repository (it has `policies/` or `.github/jit.yml`). */
  readonly isAccessRepository: boolean
  /** The repository's web address, e.g. `https://github.com/acme/access`. */
  readonly url: string
}

/** The ids under `grants/active/` and `grants/revoked/` at one commit. */
export interface RecordIds {
  readonly activeIds: ReadonlySet<string>
  readonly revokedIds: ReadonlySet<string>
}

/** The grant records at one commit. */
export interface RecordSnapshot {
  readonly commitSha: string
  readonly records: readonly GrantRecord[]
  /** Files under `grants/active/` that are not readable records: reported, never revoked blindly. */
  readonly unreadable: readonly UnreadableRecordError[]
  /** Ids that already have a record under `grants/revoked/`. */
  readonly revokedIds: ReadonlySet<string>
  /** Ids that have a record in any of `grants/{active,revoked,refused,failed}/` (readable or not). */
  readonly recordedIds: ReadonlySet<string>
  /** The recently merged pull requests into the branch; empty unless asked for. */
  readonly merges: readonly MergedPullRequest[]
}

export const DEFAULT_BRANCH_QUERY = `query jitDefaultBranch($owner: String!, $repo: String!) {
  repository(owner: $owner, name: $repo) {
    url
    defaultBranchRef { name target { oid } }
    settings: object(expression: "HEAD:${SETTINGS_PATH}") { ... on Blob { text } }
    policies: object(expression: "HEAD:policies") { __typename }
  }
}`

/** The merged pull requests the sweep looks at for merges with no record: the most recently updated first. */
export const MERGED_PULL_REQUESTS_LIMIT = 50

const NAMES = '... on Tree { entries { name } }'
/** The commits `readPullRequest` reads; a request with more is refused by the grant workflow, so it is no request here. */
const MAX_READ_COMMITS = 100

/**
 * Every active record with its text, the names of the records in the three other folders, and (when
 * `$merges`) the recently merged pull requests into the branch, in one query at one commit.
 */
export const GRANT_RECORDS_QUERY = `query jitGrantRecords($owner: String!, $repo: String!, $active: String!, $revoked: String!, $refused: String!, $failed: String!, $branch: String!, $merges: Boolean!) {
  repository(owner: $owner, name: $repo) {
    active: object(expression: $active) { ... on Tree { entries { name type object { ... on Blob { text isTruncated } } } } }
    revoked: object(expression: $revoked) { ${NAMES} }
    refused: object(expression: $refused) { ${NAMES} }
    failed: object(expression: $failed) { ${NAMES} }
    merged: pullRequests(states: MERGED, baseRefName: $branch, first: ${MERGED_PULL_REQUESTS_LIMIT}, orderBy: { field: UPDATED_AT, direction: DESC }) @include(if: $merges) {
      nodes { number mergedAt isCrossRepository changedFiles files(first: 2) { nodes { path changeType } } commits { totalCount } }
    }
  }
}`

/** Only the names, for a writer that must re-check what is still active after the branch moved. */
export const GRANT_RECORD_NAMES_QUERY = `query jitGrantRecordNames($owner: String!, $repo: String!, $active: String!, $revoked: String!) {
  repository(owner: $owner, name: $repo) {
    active: object(expression: $active) { ... on Tree { entries { name } } }
    revoked: object(expression: $revoked) { ... on Tree { entries { name } } }
  }
}`

export const GRANT_RECORD_QUERY = `query jitGrantRecord($owner: String!, $repo: String!, $path: String!) {
  repository(owner: $owner, name: $repo) {
    record: object(expression: $path) { ... on Blob { text } }
  }
}`

interface Entry {
  readonly name: string
  readonly type?: string
  readonly object?: { readonly text?: string | null; readonly isTruncated?: boolean } | null
}

interface MergedNode {
  number: number
  mergedAt: string | null
  isCrossRepository: boolean
  changedFiles: number
  files: { nodes: ({ path: string; changeType: FileChange } | null)[] | null } | null
  commits: { totalCount: number } | null
}

type Folder = { entries?: Entry[] } | null

interface RecordsData {
  repository: {
    active: Folder
    revoked: Folder
    refused?: Folder
    failed?: Folder
    merged?: { nodes: (MergedNode | null)[] | null } | null
  } | null
}

/** One GraphQL query: the default branch's name and head, and `.github/jit.yml` there. */
export async function readDefaultBranch(params: { api: GitHubApi; owner: string; repo: string }): Promise<DefaultBranch> {
  const { api, owner, repo } = params
  const data = await readFromGitHub(`the default branch of ${owner}/${repo}`, () =>
    api.graphql<{
      repository: {
        url: string
        defaultBranchRef: { name: string; target: { oid: string } } | null
        settings: { text?: string | null } | null
        policies: { __typename: string } | null
      } | null
    }>(DEFAULT_BRANCH_QUERY, { owner, repo }),
  )
  const ref = data.repository?.defaultBranchRef
  if (!ref)
    throw new GitHubReadError(`the default branch of ${owner}/${repo}`, { detail: 'the repository is empty or not visible to this token' })
  const settingsText = data.repository?.settings?.text ?? null
  return {
    name: ref.name,
    commitSha: ref.target.oid,
    settingsText,
    isAccessRepository: settingsText !== null || Boolean(data.repository?.policies),
    url: data.repository?.url ?? '',
  }
}

/**
 * Reads `grants/active/` (every record, with its text) and the names under the three other folders at
 * one commit, and with `merges` the pull requests recently merged into `branch`, in one GraphQL query,
 * so the cost does not grow with the number of grants.
 */
export async function readRecordSnapshot(params: {
  api: GitHubApi
  owner: string
  repo: string
  commitSha: string
  branch?: string
  merges?: boolean
}): Promise<RecordSnapshot> {
  const { api, owner, repo, commitSha } = params
  const folders = Object.fromEntries(RECORD_STATES.map((state) => [state, `${commitSha}:grants/${state}`]))
  const data = await readFromGitHub(`the grant records at ${shortSha(commitSha)}`, () =>
    api.graphql<RecordsData>(GRANT_RECORDS_QUERY, { owner, repo, ...folders, branch: params.branch ?? '', merges: params.merges ?? false }),
  )
  const records: GrantRecord[] = []
  const unreadable: UnreadableRecordError[] = []
  for (const entry of data.repository?.active?.entries ?? []) {
    const path = `grants/active/${entry.name}`
    if (!entry.name.endsWith('.yaml') || (entry.type !== undefined && entry.type !== 'blob')) continue
    const text = entry.object?.text
    if (typeof text !== 'string' || entry.object?.isTruncated) {
      unreadable.push(new UnreadableRecordError(path, 'GitHub returned no text for it (binary or too large)'))
      continue
    }
    try {
      const record = parseGrantRecordText(path, text)
      if (`${record.id}.yaml` !== entry.name) unreadable.push(new UnreadableRecordError(path, `its id is ${record.id}, not the file name`))
      else records.push(record)
    } catch (error) {
      if (!(error instanceof UnreadableRecordError)) throw error
      unreadable.push(error)
    }
  }
  const repository = data.repository
  const recordedIds = new Set(
    [repository?.active, repository?.revoked, repository?.refused, repository?.failed].flatMap((folder) => [...idsOf(folder?.entries)]),
  )
  return {
    commitSha,
    records,
    unreadable,
    revokedIds: idsOf(repository?.revoked?.entries),
    recordedIds,
    merges: readMerges(repository?.merged?.nodes),
  }
}

/** The merged pull requests, each judged by the same rule the grant workflow applies to its changed files. */
function readMerges(nodes: readonly (MergedNode | null)[] | null | undefined): MergedPullRequest[] {
  const merges: MergedPullRequest[] = []
  for (const node of nodes ?? []) {
    if (!node?.mergedAt) continue
    const files = (node.files?.nodes ?? []).flatMap((file) => (file ? [{ path: file.path, change: file.changeType }] : []))
    const kind = classifyPullRequest({
      files,
      hasMoreFiles: node.changedFiles > files.length,
      isCrossRepository: node.isCrossRepository,
      hasMoreCommits: (node.commits?.totalCount ?? 0) > MAX_READ_COMMITS,
    })
    // A request the check rejected (a fork, commits beside the request) still leaves a record when merged: a refusal.
    const isRequest = kind.kind === 'request' || (kind.kind === 'rejected' && kind.touchesRequest)
    merges.push({ number: node.number, mergedAt: new Date(node.mergedAt), isRequest })
  }
  return merges
}

/** The ids under `grants/active/` and `grants/revoked/` at a commit, without their text. */
export async function readRecordIds(params: { api: GitHubApi; owner: string; repo: string; commitSha: string }): Promise<RecordIds> {
  const { api, owner, repo, commitSha } = params
  const data = await readFromGitHub(`the grant record names at ${shortSha(commitSha)}`, () =>
    api.graphql<RecordsData>(GRANT_RECORD_NAMES_QUERY, {
      owner,
      repo,
      active: `${commitSha}:grants/active`,
      revoked: `${commitSha}:grants/revoked`,
    }),
  )
  return { activeIds: idsOf(data.repository?.active?.entries), revokedIds: idsOf(data.repository?.revoked?.entries) }
}

/** One active record, or undefined when `grants/active/<id>.yaml` does not exist at that commit. */
export async function readActiveRecord(params: {
  api: GitHubApi
  owner: string
  repo: string
  commitSha: string
  id: string
}): Promise<GrantRecord | undefined> {
  const { api, owner, repo, commitSha, id } = params
  const path = `grants/active/${id}.yaml`
  const data = await readFromGitHub(`${path} at ${shortSha(commitSha)}`, () =>
    api.graphql<{ repository: { record: { text?: string | null } | null } | null }>(GRANT_RECORD_QUERY, {
      owner,
      repo,
      path: `${commitSha}:${path}`,
    }),
  )
  const text = data.repository?.record?.text
  return typeof text === 'string' ? parseGrantRecordText(path, text) : undefined
}

function idsOf(entries: readonly Entry[] | undefined): Set<string> {
  return new Set((entries ?? []).filter((entry) => entry.name.endsWith('.yaml')).map((entry) => entry.name.slice(0, -'.yaml'.length)))
}
