import { SETTINGS_PATH } from '../../core/files/access-repository.js'
import { parsePolicy } from '../../core/files/policy.js'
import { FULL_PASS_PATH } from '../../core/records/full-pass.js'
import { RECORD_STATES, recordFolder, recordPath, type GrantRecord, type IntentRecord } from '../../core/records/grant-record.js'
import type { MergedPullRequest } from '../../core/records/reconcile.js'
import { classifyPullRequest } from '../../github/classify-pull-request.js'
import type { GitHubApi } from '../../github/github-api.js'
import { GitHubReadError, readFromGitHub } from '../../github/github-read-error.js'
import type { FileChange } from '../../github/pull-request-facts.js'
import { parseGrantRecordText, parseIntentRecordText, UnreadableRecordError } from './record-yaml.js'
import { shortSha } from '../../core/text/short-sha.js'
import { parseReviewDue, REVIEW_DUE_FOLDER, type ReviewDue } from '../../core/records/review-due.js'

/** Where the policy files live, whose accounts a full reconcile pass looks through. */
const POLICIES_DIR = 'policies'

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

/** The ids under `grants/active/`, `grants/revoked/` and `grants/pending/` at one commit. */
export interface RecordIds {
  readonly activeIds: ReadonlySet<string>
  readonly revokedIds: ReadonlySet<string>
  readonly pendingIds: ReadonlySet<string>
  /** `.jit/reconcile.yaml` at that commit (null when none): another sweeper may have recorded a full pass. */
  readonly fullPassText: string | null
}

/** The grant records at one commit. */
export interface RecordSnapshot {
  readonly commitSha: string
  readonly records: readonly GrantRecord[]
  /** Every intent under `grants/pending/`: grants being written, or left behind by a crash or a lost commit. */
  readonly intents: readonly IntentRecord[]
  /** Files under `grants/active/` or `grants/pending/` that are not readable records: reported, never revoked blindly. */
  readonly unreadable: readonly UnreadableRecordError[]
  /** Ids that already have a record under `grants/revoked/`. */
  readonly revokedIds: ReadonlySet<string>
  /** Ids that have a record in any of `grants/{pending,active,revoked,refused,failed}/` (readable or not). */
  readonly recordedIds: ReadonlySet<string>
  /** The recently merged pull requests into the branch; empty unless asked for. */
  readonly merges: readonly MergedPullRequest[]
  /** Break-glass grants whose review is still to come (`grants/review-due/`). */
  readonly reviewsDue: readonly ReviewDue[]
  /** The files under `grants/active/` that are not readable records, with their blob (git keeps it) and what the parser said. */
  readonly unreadableActive: readonly UnreadableActiveRecord[]
  /** `.jit/reconcile.yaml`: when the last full reconcile pass ran; null when none is recorded. */
  readonly fullPassText: string | null
  /** The 12-digit accounts the policies name (for the full reconcile pass), and the policy files that could not be read. */
  readonly policyAccounts: { readonly accounts: readonly string[]; readonly problems: readonly string[] }
}

/** An active record file the sweep cannot parse: its grant is revoked at expiry from what AWS holds. */
export interface UnreadableActiveRecord {
  readonly id: string
  readonly path: string
  readonly blobSha: string
  readonly error: string
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
const TEXTS = '... on Tree { entries { name type oid object { ... on Blob { text isTruncated } } } }'

export const GRANT_RECORDS_QUERY = `query jitGrantRecords($owner: String!, $repo: String!, $granting: String!, $active: String!, $revoked: String!, $refused: String!, $failed: String!, $reviewDue: String!, $branch: String!, $merges: Boolean!, $policies: String!, $fullPass: String!) {
  repository(owner: $owner, name: $repo) {
    policies: object(expression: $policies) { ${TEXTS} }
    fullPass: object(expression: $fullPass) { ... on Blob { text } }
    granting: object(expression: $granting) { ${TEXTS} }
    reviewDue: object(expression: $reviewDue) { ${TEXTS} }
    active: object(expression: $active) { ${TEXTS} }
    revoked: object(expression: $revoked) { ${NAMES} }
    refused: object(expression: $refused) { ${NAMES} }
    failed: object(expression: $failed) { ${NAMES} }
    merged: pullRequests(states: MERGED, baseRefName: $branch, first: ${MERGED_PULL_REQUESTS_LIMIT}, orderBy: { field: UPDATED_AT, direction: DESC }) @include(if: $merges) {
      nodes { number mergedAt isCrossRepository changedFiles files(first: 2) { nodes { path changeType } } commits { totalCount } }
    }
  }
}`

/** Only the names, for a writer that must re-check what is still active after the branch moved. */
export const GRANT_RECORD_NAMES_QUERY = `query jitGrantRecordNames($owner: String!, $repo: String!, $active: String!, $revoked: String!, $granting: String!, $fullPass: String!) {
  repository(owner: $owner, name: $repo) {
    fullPass: object(expression: $fullPass) { ... on Blob { text } }
    granting: object(expression: $granting) { ... on Tree { entries { name } } }
    active: object(expression: $active) { ... on Tree { entries { name } } }
    revoked: object(expression: $revoked) { ... on Tree { entries { name } } }
  }
}`

export const GRANT_RECORD_QUERY = `query jitGrantRecord($owner: String!, $repo: String!, $path: String!, $intentPath: String!) {
  repository(owner: $owner, name: $repo) {
    record: object(expression: $path) { ... on Blob { text } }
    intent: object(expression: $intentPath) { ... on Blob { text } }
  }
}`

interface Entry {
  readonly name: string
  readonly type?: string
  readonly oid?: string
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
    policies?: Folder
    fullPass?: { text?: string | null } | null
    granting?: Folder
    reviewDue?: Folder
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
  const folders = Object.fromEntries(RECORD_STATES.map((state) => [state, `${commitSha}:${recordFolder(state)}`]))
  const data = await readFromGitHub(`the grant records at ${shortSha(commitSha)}`, () =>
    api.graphql<RecordsData>(GRANT_RECORDS_QUERY, {
      owner,
      repo,
      ...folders,
      reviewDue: `${commitSha}:${REVIEW_DUE_FOLDER}`,
      branch: params.branch ?? '',
      merges: params.merges ?? false,
      policies: `${commitSha}:${POLICIES_DIR}`,
      fullPass: `${commitSha}:${FULL_PASS_PATH}`,
    }),
  )
  const unreadable: UnreadableRecordError[] = []
  const records = readFolder(data.repository?.active, recordFolder('active'), parseGrantRecordText, unreadable)
  const intents = readFolder(data.repository?.granting, recordFolder('granting'), parseIntentRecordText, unreadable)
  const repository = data.repository
  const recordedIds = new Set(
    [repository?.granting, repository?.active, repository?.revoked, repository?.refused, repository?.failed].flatMap((folder) => [
      ...idsOf(folder?.entries),
    ]),
  )
  return {
    commitSha,
    records,
    intents,
    unreadable,
    revokedIds: idsOf(repository?.revoked?.entries),
    recordedIds,
    merges: readMerges(repository?.merged?.nodes),
    reviewsDue: readFolder(data.repository?.reviewDue, REVIEW_DUE_FOLDER, parseReviewDueText, unreadable),
    unreadableActive: findUnreadableActive(repository?.active?.entries, unreadable),
    fullPassText: repository?.fullPass?.text ?? null,
    policyAccounts: readPolicyAccounts(repository?.policies?.entries),
  }
}

/** The unreadable files of `grants/active/`, with their blob ids. */
function findUnreadableActive(
  entries: readonly Entry[] | undefined,
  unreadable: readonly UnreadableRecordError[],
): UnreadableActiveRecord[] {
  const folder = `${recordFolder('active')}/`
  return unreadable.flatMap((error) => {
    if (!error.path.startsWith(folder)) return []
    const name = error.path.slice(folder.length)
    const blobSha = entries?.find((entry) => entry.name === name)?.oid
    if (!blobSha || !/^pr-\d+\.yaml$/u.test(name)) return []
    return [{ id: name.slice(0, -'.yaml'.length), path: error.path, blobSha, error: error.detail }]
  })
}

/** The accounts the policy files name; a file that does not parse is a problem line (its accounts are not known). */
function readPolicyAccounts(entries: readonly Entry[] | undefined): { accounts: string[]; problems: string[] } {
  const accounts = new Set<string>()
  const problems: string[] = []
  for (const entry of entries ?? []) {
    if (!entry.name.endsWith('.yaml') || typeof entry.object?.text !== 'string') continue
    const file = `${POLICIES_DIR}/${entry.name}`
    const parsed = parsePolicy({ file, text: entry.object.text })
    if (!parsed.ok) {
      problems.push(`${file} does not parse: the full reconcile pass does not know which accounts it names`)
      continue
    }
    for (const account of parsed.value.grants.accounts) accounts.add(account)
  }
  return { accounts: [...accounts].sort(), problems }
}

function parseReviewDueText(path: string, text: string): ReviewDue {
  const parsed = parseReviewDue({ file: path, text })
  if (!parsed.ok) throw new UnreadableRecordError(path, parsed.errors.map((error) => `line ${error.line}: ${error.message}`).join('; '))
  return parsed.value
}

/** Every readable record of one folder, each where its id says; the others are collected in `unreadable`. */
function readFolder<T extends { readonly id: string }>(
  folder: Folder | undefined,
  directory: string,
  parse: (path: string, text: string) => T,
  unreadable: UnreadableRecordError[],
): T[] {
  const records: T[] = []
  for (const entry of folder?.entries ?? []) {
    const path = `${directory}/${entry.name}`
    if (!entry.name.endsWith('.yaml') || (entry.type !== undefined && entry.type !== 'blob')) continue
    const text = entry.object?.text
    if (typeof text !== 'string' || entry.object?.isTruncated) {
      unreadable.push(new UnreadableRecordError(path, 'GitHub returned no text for it (binary or too large)'))
      continue
    }
    try {
      const record = parse(path, text)
      if (`${record.id}.yaml` !== entry.name) unreadable.push(new UnreadableRecordError(path, `its id is ${record.id}, not the file name`))
      else records.push(record)
    } catch (error) {
      if (!(error instanceof UnreadableRecordError)) throw error
      unreadable.push(error)
    }
  }
  return records
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

/** The ids under `grants/active/`, `grants/revoked/` and `grants/pending/` at a commit, without their text. */
export async function readRecordIds(params: { api: GitHubApi; owner: string; repo: string; commitSha: string }): Promise<RecordIds> {
  const { api, owner, repo, commitSha } = params
  const data = await readFromGitHub(`the grant record names at ${shortSha(commitSha)}`, () =>
    api.graphql<RecordsData>(GRANT_RECORD_NAMES_QUERY, {
      owner,
      repo,
      active: `${commitSha}:${recordFolder('active')}`,
      revoked: `${commitSha}:${recordFolder('revoked')}`,
      granting: `${commitSha}:${recordFolder('granting')}`,
      fullPass: `${commitSha}:${FULL_PASS_PATH}`,
    }),
  )
  return {
    activeIds: idsOf(data.repository?.active?.entries),
    revokedIds: idsOf(data.repository?.revoked?.entries),
    pendingIds: idsOf(data.repository?.granting?.entries),
    fullPassText: data.repository?.fullPass?.text ?? null,
  }
}

/** A grant that may be live: its active record, or its intent (a grant being written, or left behind). */
export type LiveRecord =
  { readonly state: 'active'; readonly record: GrantRecord } | { readonly state: 'granting'; readonly record: IntentRecord }

/**
 * The record of a grant that may be live at a commit, in one query: `grants/active/<id>.yaml`, else the
 * intent `grants/pending/<id>.yaml`; undefined when neither exists.
 */
export async function readLiveRecord(params: {
  api: GitHubApi
  owner: string
  repo: string
  commitSha: string
  id: string
}): Promise<LiveRecord | undefined> {
  const { api, owner, repo, commitSha, id } = params
  const path = recordPath('active', id)
  const intentPath = recordPath('granting', id)
  const data = await readFromGitHub(`${path} at ${shortSha(commitSha)}`, () =>
    api.graphql<{ repository: { record: { text?: string | null } | null; intent?: { text?: string | null } | null } | null }>(
      GRANT_RECORD_QUERY,
      { owner, repo, path: `${commitSha}:${path}`, intentPath: `${commitSha}:${intentPath}` },
    ),
  )
  const text = data.repository?.record?.text
  if (typeof text === 'string') return { state: 'active', record: parseGrantRecordText(path, text) }
  const intent = data.repository?.intent?.text
  return typeof intent === 'string' ? { state: 'granting', record: parseIntentRecordText(intentPath, intent) } : undefined
}

function idsOf(entries: readonly Entry[] | undefined): Set<string> {
  return new Set((entries ?? []).filter((entry) => entry.name.endsWith('.yaml')).map((entry) => entry.name.slice(0, -'.yaml'.length)))
}
