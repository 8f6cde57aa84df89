import type { GitHubApi } from './github-api.js'
import { classifyRuleViolation, explainRefusedCommit } from './rule-violation.js'

/** The commit a branch points at. */
export interface BranchHead {
  readonly commitSha: string
}

/** A file to write (`content`) or delete (`content: null`) in one commit. */
export interface FileChange {
  readonly path: string
  readonly content: string | null
}

/** What to commit on top of a given head. */
export interface CommitPlan {
  /** Full message: a one-line subject, a blank line, a body and trailers. */
  readonly message: string
  readonly changes: readonly FileChange[]
}

export type CommitOutcome =
  | { readonly committed: true; readonly commitSha: string; readonly attempts: number }
  /** `build` decided there was nothing (left) to commit, e.g. another sweeper already did it. */
  | { readonly committed: false; readonly attempts: number }

/** The branch moved under us more often than `maxAttempts` allowed. */
export class BranchMovedError extends Error {
  override readonly name = 'BranchMovedError'
  constructor(
    readonly branch: string,
    readonly attempts: number,
  ) {
    super(`branch ${branch} moved ${attempts} times while committing; giving up (re-running is safe)`)
  }
}

export const CREATE_COMMIT_MUTATION = `mutation jitCommit($input: CreateCommitOnBranchInput!) {
  createCommitOnBranch(input: $input) { commit { oid } }
}`

const BRANCH_HEAD_QUERY = `query jitBranchHead($owner: String!, $repo: String!, $ref: String!) {
  repository(owner: $owner, name: $repo) { ref(qualifiedName: $ref) { target { oid } } }
}`

/** GitHub's answer when `expectedHeadOid` is not the branch's head: another writer moved it first. */
function isStaleHead(error: unknown): boolean {
  const errors = (error as { errors?: readonly { type?: string }[] } | undefined)?.errors
  return Array.isArray(errors) && errors.some((entry) => entry?.type === 'STALE_DATA')
}

/** `subject\n\nbody` as GitHub's `CommitMessage`: the headline, and the rest as the body. */
function toCommitMessage(message: string): { headline: string; body?: string } {
  const newline = message.indexOf('\n')
  if (newline < 0) return { headline: message }
  const body = message.slice(newline + 1).replace(/^\n/u, '')
  return body === '' ? { headline: message.slice(0, newline) } : { headline: message.slice(0, newline), body }
}

/**
 * Commits to a branch in one call, GitHub's `createCommitOnBranch`: the change is atomic, and GitHub
 * authors it as the app's bot, commits it as GitHub and signs it (what `isAppRecordCommit` trusts).
 * `expectedHeadOid` is the lock between concurrent writers: when another writer moved the branch first
 * (GitHub answers `STALE_DATA`), the head is read again and `build` is asked again, so it can re-check
 * what is still to be done against the new state, at most `maxAttempts` times.
 */
export async function commitToBranch(params: {
  api: GitHubApi
  owner: string
  repo: string
  branch: string
  build: (head: BranchHead) => Promise<CommitPlan | undefined>
  maxAttempts?: number
  /**
   * Where the branch is believed to point (the commit just made, a head read in the same query as the
   * facts): the first attempt builds on it without reading the head. If the branch moved, GitHub refuses
   * the commit as it would anyway, and the next attempt reads the head.
   */
  knownHead?: BranchHead
}): Promise<CommitOutcome> {
  const { api, owner, repo, branch } = params
  const maxAttempts = params.maxAttempts ?? 5
  for (let attempt = 1; attempt <= maxAttempts; attempt++) {
    const head = attempt === 1 && params.knownHead ? params.knownHead : await readBranchHead({ api, owner, repo, branch })
    const plan = await params.build(head)
    if (!plan || plan.changes.length === 0) return { committed: false, attempts: attempt }
    const additions = plan.changes.flatMap((change) =>
      change.content === null ? [] : [{ path: change.path, contents: Buffer.from(change.content, 'utf8').toString('base64') }],
    )
    const deletions = plan.changes.flatMap((change) => (change.content === null ? [{ path: change.path }] : []))
    try {
      const data = await api.graphql<{ createCommitOnBranch: { commit: { oid: string } | null } | null }>(CREATE_COMMIT_MUTATION, {
        input: {
          branch: { repositoryNameWithOwner: `${owner}/${repo}`, branchName: branch },
          expectedHeadOid: head.commitSha,
          fileChanges: { additions, deletions },
          message: toCommitMessage(plan.message),
        },
      })
      const commitSha = data.createCommitOnBranch?.commit?.oid
      if (!commitSha) throw new Error(`GitHub answered createCommitOnBranch on ${branch} without the commit`)
      return { committed: true, commitSha, attempts: attempt }
    } catch (error) {
      // A ruleset's refusal is a 422 too, but retrying cannot help: say what to change instead.
      const violation = classifyRuleViolation(error)
      if (violation) throw await explainRefusedCommit({ api, owner, repo, branch, violation, cause: error })
      if (!isStaleHead(error)) throw error
    }
  }
  throw new BranchMovedError(branch, maxAttempts)
}

/** Reads where a branch points (one GraphQL query). */
export async function readBranchHead(params: { api: GitHubApi; owner: string; repo: string; branch: string }): Promise<BranchHead> {
  const { api, owner, repo, branch } = params
  const data = await api.graphql<{ repository: { ref: { target: { oid: string } | null } | null } | null }>(BRANCH_HEAD_QUERY, {
    owner,
    repo,
    ref: `refs/heads/${branch}`,
  })
  const oid = data.repository?.ref?.target?.oid
  if (!oid) throw new Error(`branch ${branch} of ${owner}/${repo} was not found`)
  return { commitSha: oid }
}
