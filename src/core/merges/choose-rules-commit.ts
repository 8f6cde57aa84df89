import { shortSha } from '../text/short-sha.js'

/**
 * Which commit's rules a merge is judged by: the default branch immediately before the merge, for every
 * merge method. "The merge commit's first parent" is that commit for a merge commit and a squash, but not
 * for a rebase merge of several commits, whose "merge commit" is the last rebased commit: its first parent
 * is the pull request's own previous commit, already on the branch. So the commit is taken from GitHub's
 * record of the branch move, and only what is certain without it is accepted in its place.
 */

/** One entry of GitHub's repository activity (`GET /repos/{owner}/{repo}/activity`). */
export interface BranchMove {
  readonly ref: string
  readonly before: string
  readonly after: string
  readonly activityType: string
}

export type RulesCommit =
  | { readonly ok: true; readonly sha: string; readonly source: 'activity' | 'merge-commit' | 'single-commit' }
  | { readonly ok: false; readonly reason: string }

/**
 * The commit before the merge: the `before` of the move that brought the default branch to the merge
 * commit; without one, a two-parent merge commit whose second parent is the pull request's head (its
 * first parent is then the branch it was merged into), or the only parent of the merge commit of a pull
 * request with exactly one commit (a squash or a rebase of one commit). Anything else is refused.
 */
export function chooseRulesCommit(params: {
  moves: readonly BranchMove[]
  defaultBranch: string
  mergeCommitSha: string
  mergeCommitParents: readonly string[]
  headSha: string
  commitCount: number
}): RulesCommit {
  const ref = `refs/heads/${params.defaultBranch}`
  // Whatever kind of move ended at the merge commit (a merge button's `pr_merge`, a hand-pushed merge's
  // `push`), its `before` is where the branch was; a force push is caught by the comparison that follows.
  const move = params.moves.find((m) => m.ref === ref && m.after === params.mergeCommitSha)
  if (move) return { ok: true, sha: move.before, source: 'activity' }
  const [first, second] = params.mergeCommitParents
  if (params.mergeCommitParents.length === 2 && first && second === params.headSha) return { ok: true, sha: first, source: 'merge-commit' }
  if (params.mergeCommitParents.length === 1 && first && params.commitCount === 1) return { ok: true, sha: first, source: 'single-commit' }
  return {
    ok: false,
    reason:
      `GitHub's activity for ${ref} does not show the merge that made ${shortSha(params.mergeCommitSha)}, and its parents do not say ` +
      'which commit the branch was at before the merge (a rebase or squash merge of several commits), so the rules the merge must be judged by ' +
      'cannot be named. Nothing is granted; if the merge was approved, open the request again.',
  }
}

/** A file of the change from the rules commit to the merge commit. */
export interface MergedFile {
  readonly path: string
  readonly status: string
}

/**
 * Whether the merge changed exactly the request file relative to the rules commit: what was approved is
 * what landed, and nothing else came with it. Returns the problem, or undefined when it holds.
 */
export function checkMergedChange(params: {
  requestPath: string
  rulesCommitSha: string
  mergeCommitSha: string
  /** `ahead` when the merge commit descends from the rules commit. */
  comparison: string
  files: readonly MergedFile[]
}): string | undefined {
  const range = `${shortSha(params.rulesCommitSha)}..${shortSha(params.mergeCommitSha)}`
  if (params.comparison !== 'ahead')
    return `the merge commit does not descend from the commit before the merge (${range} is ${params.comparison})`
  const others = params.files.filter((file) => file.path !== params.requestPath)
  if (others.length > 0)
    return `the merge changed more than the request (${range}): ${others
      .slice(0, 10)
      .map((file) => `\`${file.path}\``)
      .join(', ')}`
  const request = params.files.find((file) => file.path === params.requestPath)
  if (!request || request.status === 'removed') return `the merge did not add or change \`${params.requestPath}\` (${range})`
  return undefined
}
