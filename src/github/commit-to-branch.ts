import type { GitHubApi } from './github-api.js'
import { classifyRuleViolation, explainRefusedCommit } from './rule-violation.js'

/** The commit a branch points at, and its tree. */
export interface BranchHead {
  readonly commitSha: string
  readonly treeSha: string
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
  | { readonly committed: true; readonly commitSha: string; readonly treeSha: string; readonly attempts: number }
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

function isNotFastForward(error: unknown): boolean {
  const status = (error as { status?: number } | undefined)?.status
  return status === 422 || status === 409
}

/**
 * Commits to a branch through the Git Data API as one tree, one commit and one ref update, so the
 * change is atomic. The ref update is not forced: when another writer moved the branch first (GitHub
 * answers 422), the head is read again and `build` is asked again, so it can re-check what is still to
 * be done against the new state. The ref update is the lock between concurrent writers.
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
   * facts): the first attempt builds on it without reading the head. If the branch moved, the ref
   * update fails as it would anyway, and the next attempt reads the head.
   */
  knownHead?: BranchHead
}): Promise<CommitOutcome> {
  const { api, owner, repo, branch } = params
  const maxAttempts = params.maxAttempts ?? 5
  for (let attempt = 1; attempt <= maxAttempts; attempt++) {
    const head = attempt === 1 && params.knownHead ? params.knownHead : await readBranchHead({ api, owner, repo, branch })
    const plan = await params.build(head)
    if (!plan || plan.changes.length === 0) return { committed: false, attempts: attempt }
    const tree = await api.request<{ sha: string }>('POST /repos/{owner}/{repo}/git/trees', {
      owner,
      repo,
      base_tree: head.treeSha,
      tree: plan.changes.map((change) =>
        change.content === null
          ? { path: change.path, mode: '100644', type: 'blob', sha: null }
          : { path: change.path, mode: '100644', type: 'blob', content: change.content },
      ),
    })
    const commit = await api.request<{ sha: string }>('POST /repos/{owner}/{repo}/git/commits', {
      owner,
      repo,
      message: plan.message,
      tree: tree.data.sha,
      parents: [head.commitSha],
    })
    try {
      await api.request('PATCH /repos/{owner}/{repo}/git/refs/{ref}', {
        owner,
        repo,
        ref: `heads/${branch}`,
        sha: commit.data.sha,
        force: false,
      })
      return { committed: true, commitSha: commit.data.sha, treeSha: tree.data.sha, attempts: attempt }
    } catch (error) {
      // A ruleset's refusal is a 422 too, but retrying cannot help: say what to change instead.
      const violation = classifyRuleViolation(error)
      if (violation) throw await explainRefusedCommit({ api, owner, repo, branch, violation, cause: error })
      if (!isNotFastForward(error)) throw error
    }
  }
  throw new BranchMovedError(branch, maxAttempts)
}

/** Reads where a branch points (two REST calls: the ref, then its commit for the tree). */
export async function readBranchHead(params: { api: GitHubApi; owner: string; repo: string; branch: string }): Promise<BranchHead> {
  const { api, owner, repo, branch } = params
  const ref = await api.request<{ object: { sha: string } }>('GET /repos/{owner}/{repo}/git/ref/{ref}', {
    owner,
    repo,
    ref: `heads/${branch}`,
  })
  const commit = await api.request<{ tree: { sha: string } }>('GET /repos/{owner}/{repo}/git/commits/{commit_sha}', {
    owner,
    repo,
    commit_sha: ref.data.object.sha,
  })
  return { commitSha: ref.data.object.sha, treeSha: commit.data.tree.sha }
}
