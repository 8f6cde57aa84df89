import {
  CODEOWNERS_LOCATIONS,
  isActiveGrantPath,
  isPolicyPath,
  SETTINGS_PATH,
  type RepositoryFile,
} from '../core/files/access-repository.js'
import type { InputError } from '../core/files/input-error.js'
import { CommitCache } from './commit-cache.js'
import type { GitHubApi } from './github-api.js'
import { shortSha } from '../core/text/short-sha.js'
import { readFromGitHub } from './github-read-error.js'

export const POLICIES_DIRECTORY = 'policies'
/** Read with the rules, for `extends:`: the active grant records at the same commit. */
export const ACTIVE_GRANTS_DIRECTORY = 'grants/active'

/** Files read at one commit, and the ones that exist but could not be used (too large, binary). */
export interface FilesAtCommit {
  readonly files: readonly RepositoryFile[]
  readonly problems: readonly InputError[]
}

/** What one read returned: the rules (policies, CODEOWNERS, settings) at a commit and/or the request file at another. */
export interface CommitReads {
  readonly rules?: FilesAtCommit
  /** The request file; `files` is empty when it does not exist at that commit. */
  readonly request?: FilesAtCommit
}

/** How two commits compare (`GET /compare/{base}...{head}`): immutable once both SHAs are named. */
export interface Comparison {
  /** `ahead`, `behind`, `diverged` or `identical`. */
  readonly status: string
  /** Each changed file, with its blob at the head (`sha`, when GitHub gave one). */
  readonly files: readonly { readonly path: string; readonly status: string; readonly sha?: string }[]
}

/** One cached read; each key's namespace says which field it holds. */
export interface CachedRead {
  readonly files?: FilesAtCommit
  /** Whether a commit changed the request file against its first parent. */
  readonly requestChanged?: boolean
  readonly comparison?: Comparison
}

/** Caches reads at immutable SHAs (files, commit changes, comparisons). One per app instance; share it across deliveries. */
export type FilesCache = CommitCache<CachedRead>

export function createFilesCache(capacity?: number): FilesCache {
  return new CommitCache<CachedRead>(capacity)
}

/** The fields read of every file: its text, or why there is none (too large, binary). */
export const BLOB_FIELDS = '... on Blob { text byteSize isTruncated }'

/** Aliases of the rule files read individually (CODEOWNERS locations, settings), with their paths. */
export const RULE_FILES: readonly { alias: string; path: string }[] = [
  ...CODEOWNERS_LOCATIONS.map((path, index) => ({ alias: `codeowners${index}`, path })),
  { alias: 'settings', path: SETTINGS_PATH },
]

/**
 * Builds the one GraphQL query that reads the rules at `rulesAt` and/or the request file at `requestAt`.
 * Expressions are variables, never spliced into the query text: the request path comes from the PR.
 */
export function buildFilesQuery(parts: { rules: boolean; request: boolean }): string {
  const variables = ['$owner: String!', '$repo: String!']
  const fields: string[] = []
  if (parts.rules) {
    variables.push('$policies: String!', '$activeGrants: String!', ...RULE_FILES.map((f) => `$${f.alias}: String!`))
    fields.push(`policies: object(expression: $policies) { ... on Tree { entries { name path type object { ${BLOB_FIELDS} } } } }`)
    fields.push(`activeGrants: object(expression: $activeGrants) { ... on Tree { entries { name path type object { ${BLOB_FIELDS} } } } }`)
    fields.push(...RULE_FILES.map((f) => `${f.alias}: object(expression: $${f.alias}) { ${BLOB_FIELDS} }`))
  }
  if (parts.request) {
    // Not `$request`: Octokit's graphql() takes a variable of that name as its own request options.
    variables.push('$requestFile: String!')
    fields.push(`request: object(expression: $requestFile) { ${BLOB_FIELDS} }`)
  }
  return `query jitFiles(${variables.join(', ')}) {\n  repository(owner: $owner, name: $repo) {\n    ${fields.join('\n    ')}\n  }\n}`
}

/** A file as the GraphQL `Blob` fields above return it. */
export interface BlobNode {
  text?: string | null
  byteSize?: number
  isTruncated?: boolean
}

interface TreeNode {
  entries?: { name: string; path: string; type: string; object: BlobNode | null }[] | null
}

type FilesData = { repository: Record<string, (BlobNode & TreeNode) | null> | null }

/**
 * Reads the rules of the access repository at `rulesAt` (policies/, the CODEOWNERS locations,
 * .github/jit.yml) and the request file at `requestAt`, in one GraphQL query. Whatever is cached for
 * its SHA is not read again; when everything is cached no call is made.
 */
export async function readFilesAtCommits(
  api: GitHubApi,
  cache: FilesCache,
  params: { owner: string; repo: string; rulesAt?: string; requestAt?: { sha: string; path: string } },
): Promise<CommitReads> {
  const repoKey = `${params.owner}/${params.repo}`.toLowerCase()
  const rulesKey = params.rulesAt === undefined ? undefined : `${repoKey}@${params.rulesAt}:rules`
  const requestKey = params.requestAt === undefined ? undefined : `${repoKey}@${params.requestAt.sha}:${params.requestAt.path}`
  let rules = rulesKey === undefined ? undefined : cache.get(rulesKey)?.files
  let request = requestKey === undefined ? undefined : cache.get(requestKey)?.files
  const needRules = rulesKey !== undefined && rules === undefined
  const needRequest = requestKey !== undefined && request === undefined
  if (!needRules && !needRequest) return { rules, request }

  const variables: Record<string, unknown> = { owner: params.owner, repo: params.repo }
  if (needRules) {
    variables['policies'] = `${params.rulesAt}:${POLICIES_DIRECTORY}`
    variables['activeGrants'] = `${params.rulesAt}:${ACTIVE_GRANTS_DIRECTORY}`
    for (const file of RULE_FILES) variables[file.alias] = `${params.rulesAt}:${file.path}`
  }
  if (needRequest && params.requestAt) variables['requestFile'] = `${params.requestAt.sha}:${params.requestAt.path}`
  const what = [
    needRules ? `the policies, CODEOWNERS and ${SETTINGS_PATH} at ${shortSha(params.rulesAt ?? '')}` : '',
    needRequest ? `${params.requestAt?.path} at ${shortSha(params.requestAt?.sha ?? '')}` : '',
  ]
    .filter(Boolean)
    .join(' and ')
  const data = await readFromGitHub(what, () =>
    api.graphql<FilesData>(buildFilesQuery({ rules: needRules, request: needRequest }), variables),
  )
  const repository = data.repository ?? {}

  if (needRules && rulesKey) {
    const collected = new FileCollector()
    for (const entry of repository['policies']?.entries ?? []) {
      if (isPolicyEntry(entry)) collected.add(entry.path, entry.object)
    }
    for (const entry of repository['activeGrants']?.entries ?? []) {
      if (entry.type === 'blob' && isActiveGrantPath(entry.path)) collected.add(entry.path, entry.object)
    }
    for (const file of RULE_FILES) collected.add(file.path, repository[file.alias] ?? null)
    rules = collected.result()
    cache.set(rulesKey, { files: rules })
  }
  if (needRequest && requestKey && params.requestAt) {
    const collected = new FileCollector()
    collected.add(params.requestAt.path, repository['request'] ?? null)
    request = collected.result()
    cache.set(requestKey, { files: request })
  }
  return { rules, request }
}

/**
 * Whether an entry of `policies/` is a policy the rules load. Only those are read: a README, a diagram
 * or a subfolder there is not a policy, and a binary or large one must not make every request invalid.
 */
export function isPolicyEntry(entry: { path: string; type: string }): boolean {
  return entry.type === 'blob' && isPolicyPath(entry.path)
}

/** Gathers files read from GitHub, and a problem on line 1 for each one that exists but cannot be used. */
export class FileCollector {
  readonly #files: RepositoryFile[] = []
  readonly #problems: InputError[] = []

  /** Adds a file (absent when `blob` is null or undefined); true when its text was usable. */
  add(path: string, blob: BlobNode | null | undefined): boolean {
    if (blob === null || blob === undefined) return false
    if (blob.isTruncated) {
      this.#problems.push({ file: path, line: 1, message: `the file is too large for the app to read (${blob.byteSize ?? '?'} bytes)` })
    } else if (typeof blob.text !== 'string') {
      this.#problems.push({ file: path, line: 1, message: 'the file is not text (GitHub reports it as binary)' })
    } else {
      this.#files.push({ path, text: blob.text })
      return true
    }
    return false
  }

  result(): FilesAtCommit {
    return { files: this.#files, problems: this.#problems }
  }
}
