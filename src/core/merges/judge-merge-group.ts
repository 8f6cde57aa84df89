/**
 * Judging a merge queue's group. GitHub builds each group as a temporary commit on a branch
 * `gh-readonly-queue/<base>/pr-<number>-<head sha>` and asks for the required checks on it; whatever
 * passes there is what lands on the base branch. So the group's commit must change exactly what the pull
 * request's reviewed head changes, blob for blob: a queue must never carry a request nobody approved.
 */

import { formatCode } from '../text/inert-text.js'
import { shortSha } from '../text/short-sha.js'

/** The pull request a merge group was built for, from its head ref. */
export interface QueuedPullRequest {
  readonly baseBranch: string
  readonly number: number
  /** The pull request's head when it was queued. */
  readonly headSha: string
}

const QUEUE_PREFIX = 'refs/heads/gh-readonly-queue/'
// GitHub documents the format: `gh-readonly-queue/{base_branch}/pr-{pr_number}-{pr_head_sha}`.
const QUEUE_TAIL = /\/pr-([1-9][0-9]{0,9})-([0-9a-f]{40})$/

/**
 * Reads the pull request out of a merge group's `head_ref`; anything not of GitHub's documented shape,
 * or queued for another branch than `base_ref`, is refused with the reason (the group then fails).
 */
export function parseMergeGroupRef(params: {
  headRef: string
  baseRef: string
}): { readonly ok: true; readonly pull: QueuedPullRequest } | { readonly ok: false; readonly reason: string } {
  const unknown = {
    ok: false,
    reason: `The merge group's branch ${formatCode(params.headRef)} is not of the form \`refs/heads/gh-readonly-queue/<base>/pr-<number>-<sha>\` that GitHub documents, so the app cannot tell which pull request it holds.`,
  } as const
  if (!params.headRef.startsWith(QUEUE_PREFIX)) return unknown
  const rest = params.headRef.slice(QUEUE_PREFIX.length)
  const tail = QUEUE_TAIL.exec(rest)
  if (!tail) return unknown
  const baseBranch = rest.slice(0, tail.index)
  if (baseBranch.length === 0) return unknown
  if (`refs/heads/${baseBranch}` !== params.baseRef) {
    return {
      ok: false,
      reason: `The merge group's branch names the base ${formatCode(baseBranch)}, but the group merges into ${formatCode(params.baseRef)}.`,
    }
  }
  return { ok: true, pull: { baseBranch, number: Number(tail[1]), headSha: tail[2] ?? '' } }
}

/** A file changed by a comparison, with its blob at the later commit (GitHub's compare `sha`). */
export interface ChangedBlob {
  readonly path: string
  /** GitHub's status: `added`, `modified`, `removed`, `renamed`, ... */
  readonly status: string
  readonly sha?: string
}

/**
 * Whether the merge group's commit changes exactly what the pull request's reviewed head changes: the
 * same paths, each with the same blob (or removed on both). `group` is the group's base to its head;
 * `reviewed` the pull request's base to its head. Returns the reasons it does not, in a reviewer's words.
 */
export function judgeMergeGroup(params: {
  readonly number: number
  readonly reviewedSha: string
  readonly groupStatus: string
  readonly group: readonly ChangedBlob[]
  readonly reviewed: readonly ChangedBlob[]
}): readonly string[] {
  if (params.groupStatus !== 'ahead') {
    return [`The merge group's commit is not a descendant of its base (GitHub compares them as ${formatCode(params.groupStatus)}).`]
  }
  const reviewed = new Map(params.reviewed.map((file) => [file.path, file]))
  const group = new Map(params.group.map((file) => [file.path, file]))
  const reasons: string[] = []
  const at = `#${params.number} at ${shortSha(params.reviewedSha)}`
  for (const file of params.group) {
    const mine = reviewed.get(file.path)
    if (!mine) reasons.push(`The merge group also changes ${formatCode(file.path)}, which ${at} does not change.`)
    else if (!sameBlob(file, mine)) reasons.push(`The merge group's ${formatCode(file.path)} is not the one reviewed in ${at}.`)
  }
  for (const file of params.reviewed) {
    if (!group.has(file.path)) reasons.push(`The merge group does not change ${formatCode(file.path)}, which ${at} changes.`)
  }
  return reasons
}

function sameBlob(left: ChangedBlob, right: ChangedBlob): boolean {
  const removed = (file: ChangedBlob): boolean => file.status === 'removed'
  if (removed(left) || removed(right)) return removed(left) && removed(right)
  return left.sha !== undefined && left.sha === right.sha
}
