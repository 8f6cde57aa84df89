import { shortSha } from '../text/short-sha.js'

/**
 * Which of a request pull request's own commits break the one-file rule. The net diff of a pull request
 * hides a change made by one commit and undone by a later one, yet a rebase merge puts every commit on the
 * default branch, one after another: for a moment the intermediate commit is the real state of the rules.
 * So every commit of a request pull request may change its request file and nothing else, except the
 * commits that only bring the base branch in (GitHub's "Update branch" merge commit).
 */

/** A commit of the pull request, as GitHub lists it. */
export interface RequestCommit {
  readonly sha: string
  /** Parent SHAs, first parent first (at most two are read). */
  readonly parents: readonly string[]
  /** Files changed against the first parent; null when GitHub could not count them (never a guess). */
  readonly changedFiles: number | null
}

/** What was read about one commit's change, beyond the count. Undefined fields were not read. */
export interface CommitChange {
  /** True when the request file's blob differs between the commit and its first parent. */
  readonly requestChanged?: boolean
  /** Paths changed against each parent, in parent order; null for a parent whose diff could not be read. */
  readonly pathsAgainstParents?: readonly (readonly string[] | null)[]
}

/** A commit that changes more than the request, and what it is known to touch. */
export interface CommitViolation {
  readonly sha: string
  /** Paths it changed (against its first parent) other than the request; null when unknown. */
  readonly touched: readonly string[] | null
  /** Why, in a reviewer's words. */
  readonly reason: string
}

/** What must be read before the commits can be judged: request blob comparisons and parent diffs. */
export interface CommitReads {
  /** Ordinary commits that changed one file: is it the request file? */
  readonly requestChangeOf: readonly string[]
  /** Merge commits: their diff against each parent. */
  readonly diffsOf: readonly RequestCommit[]
}

/**
 * A pull request of one ordinary commit needs nothing more: its commit's change is the pull request's
 * net diff, already judged by the classification.
 */
function isSingleOrdinaryCommit(commits: readonly RequestCommit[]): boolean {
  return commits.length === 1 && commits[0]?.parents.length === 1
}

/** What `judgeRequestCommits` needs read, so that an ordinary commit costs no call of its own. */
export function planCommitReads(commits: readonly RequestCommit[]): CommitReads {
  if (isSingleOrdinaryCommit(commits)) return { requestChangeOf: [], diffsOf: [] }
  return {
    requestChangeOf: commits.filter((c) => c.parents.length === 1 && c.changedFiles === 1).map((c) => c.sha),
    diffsOf: commits.filter((c) => c.parents.length >= 2),
  }
}

/**
 * The commits that break the rule, oldest first as listed. An ordinary commit passes when it changes no
 * file, or exactly one whose blob differs at the request path (so that one is the request). A merge commit
 * passes when its diff against one of its parents is at most the request file: it only brings the other
 * parent in. Anything unknown (a count GitHub did not give, a diff not read, a root commit) fails.
 */
export function judgeRequestCommits(params: {
  commits: readonly RequestCommit[]
  requestPath: string
  changes: ReadonlyMap<string, CommitChange>
}): CommitViolation[] {
  const { commits, requestPath, changes } = params
  if (isSingleOrdinaryCommit(commits)) return []
  const others = (paths: readonly string[]) => paths.filter((path) => path !== requestPath)
  const violations: CommitViolation[] = []
  for (const commit of commits) {
    const change = changes.get(commit.sha)
    if (commit.parents.length === 0) {
      violations.push({ sha: commit.sha, touched: null, reason: 'is a root commit, with no parent to compare it with' })
    } else if (commit.parents.length >= 2) {
      const diffs = change?.pathsAgainstParents ?? []
      if (diffs.some((paths) => paths !== null && others(paths).length === 0)) continue
      const first = diffs[0]
      violations.push({
        sha: commit.sha,
        touched: first ? others(first) : null,
        reason: first ? 'is a merge commit that brings in changes of its own' : 'is a merge commit whose changes could not be read',
      })
    } else if (commit.changedFiles === null) {
      violations.push({ sha: commit.sha, touched: null, reason: 'changes files GitHub could not count' })
    } else if (commit.changedFiles === 0 || (commit.changedFiles === 1 && change?.requestChanged === true)) {
      continue
    } else {
      const paths = change?.pathsAgainstParents?.[0]
      violations.push({
        sha: commit.sha,
        touched: paths ? others(paths) : null,
        reason:
          commit.changedFiles === 1 && change?.requestChanged === undefined
            ? 'changes one file the app could not confirm is the request'
            : `changes ${commit.changedFiles === 1 ? 'a file' : `${commit.changedFiles} files`} other than the request`,
      })
    }
  }
  return violations
}

const MAX_LISTED = 5

/** The check's (and the refusal's) explanation: each offending commit by short SHA, with what it touched. */
export function describeCommitViolations(params: { violations: readonly CommitViolation[]; requestPath: string }): {
  title: string
  reason: string
} {
  const lines = params.violations.slice(0, MAX_LISTED).map((violation) => {
    const touched = violation.touched && violation.touched.length > 0 ? `: ${violation.touched.map((p) => `\`${p}\``).join(', ')}` : ''
    return `- ${shortSha(violation.sha)} ${violation.reason}${touched}`
  })
  const more = params.violations.length - MAX_LISTED
  if (more > 0) lines.push(`- and ${more} more`)
  return {
    title: "A request pull request's commits must change only its request file",
    reason:
      `Every commit of a request pull request may change \`${params.requestPath}\` and nothing else, even when a later commit undoes the rest: ` +
      'a rebase merge lands each commit on the default branch, and the rules a request is judged by must never change with it.\n\n' +
      `${lines.join('\n')}\n\n` +
      'Open a new pull request whose commits change only the request file (merging the base branch in with "Update branch" is fine).',
  }
}
