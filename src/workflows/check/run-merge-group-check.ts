import type { ActionCatalogue } from '../../core/matching/action-catalogue.js'
import type { Logger } from '../../core/ports/logger.js'
import { judgeMergeGroup, parseMergeGroupRef } from '../../core/merges/judge-merge-group.js'
import { toPlainLine } from '../../core/text/inert-text.js'
import { shortSha } from '../../core/text/short-sha.js'
import { reportFailure, type CheckRunReport } from '../../github/check-run-report.js'
import { readComparison } from '../../github/commit-changes.js'
import type { FilesCache } from '../../github/files-at-commit.js'
import { createGitHubApi, type GitHubApi, type OctokitLike } from '../../github/github-api.js'
import { publishCheckRun } from '../../github/publish-check-run.js'
import type { AccessCheckOutcome } from './run-access-check.js'
import { evaluatePullRequest, type Engine } from './evaluate-pull-request.js'

/** The merge group of a `merge_group.checks_requested` webhook, as GitHub sends it. */
export interface MergeGroup {
  readonly headSha: string
  readonly headRef: string
  readonly baseSha: string
  readonly baseRef: string
}

export interface MergeGroupCheckParams {
  readonly octokit: OctokitLike
  readonly log: Logger
  readonly owner: string
  readonly repo: string
  readonly group: MergeGroup
  readonly cache: FilesCache
  readonly catalogue: ActionCatalogue | Promise<ActionCatalogue>
  readonly now: Date
  readonly engine: Engine
}

/**
 * Publishes the check on a merge group's commit: the pull request it was built for is evaluated exactly as
 * its own check is, and that conclusion is published on the group's commit only when the group changes
 * exactly what the pull request's reviewed head changes (the same files, the same blobs). Anything else,
 * including a group branch of an unknown shape or a failure to read GitHub, is a failing check that says why.
 * Reads only; the pull request's own check run and comment are left as they are.
 */
export async function runMergeGroupCheck(params: MergeGroupCheckParams): Promise<AccessCheckOutcome> {
  const api = createGitHubApi(params.octokit)
  const { owner, repo, group } = params
  const fields = { owner, repo, mergeGroup: group.headRef, headSha: group.headSha }
  let report: CheckRunReport
  let pullNumber: number | undefined
  try {
    const judged = await judgeGroup(api, params)
    report = judged.report
    pullNumber = judged.pullNumber
  } catch (error) {
    params.log.error({ ...fields, err: error, calls: { ...api.calls } }, 'merge group check failed')
    report = reportFailure(error)
  }
  await publishCheckRun(api, {
    owner,
    repo,
    headSha: group.headSha,
    ...(pullNumber === undefined ? {} : { pullNumber }),
    report,
    now: params.now,
  })
  const outcome = { conclusion: report.conclusion, title: report.title, comment: 'none' as const, calls: { ...api.calls } }
  params.log.info({ ...fields, number: pullNumber, ...outcome }, 'merge group check published')
  return outcome
}

async function judgeGroup(api: GitHubApi, params: MergeGroupCheckParams): Promise<{ report: CheckRunReport; pullNumber?: number }> {
  const { owner, repo, group } = params
  const parsed = parseMergeGroupRef({ headRef: group.headRef, baseRef: group.baseRef })
  if (!parsed.ok) return { report: refuse('Merge group not recognised', parsed.reason) }
  const { number, headSha: queuedSha } = parsed.pull

  const evaluation = await evaluatePullRequest(
    { api, cache: params.cache, catalogue: await params.catalogue, now: params.now, engine: params.engine, log: params.log },
    { owner, repo, number },
  )
  if (evaluation.headSha !== queuedSha) {
    return {
      pullNumber: number,
      report: refuse(
        `#${number} changed since it was queued`,
        `#${number} was queued at ${shortSha(queuedSha)}, but its head is now ${shortSha(evaluation.headSha)}: the group is not what was reviewed.`,
      ),
    }
  }
  // A check that does not pass on the pull request passes nowhere: no need to read the group.
  if (evaluation.report.conclusion !== 'success') return { pullNumber: number, report: onGroup(evaluation.report, number, false) }

  // What the group adds to its base, and what the reviewed head adds to the PR's base (two compares, cached by SHA).
  const groupChanges = await readComparison(api, params.cache, { owner, repo, base: group.baseSha, head: group.headSha })
  const reviewedChanges = await readComparison(api, params.cache, { owner, repo, base: evaluation.baseSha, head: evaluation.headSha })
  const reasons = judgeMergeGroup({
    number,
    reviewedSha: evaluation.headSha,
    groupStatus: groupChanges.status,
    group: groupChanges.files,
    reviewed: reviewedChanges.files,
  })
  if (reasons.length > 0) {
    return {
      pullNumber: number,
      report: refuse(
        `The merge group changes more than #${number}`,
        `${reasons.map((reason) => `- ${reason}`).join('\n')}\n\nA merge group may change only what the reviewed head of #${number} changes. Remove it from the queue and queue it alone again.`,
      ),
    }
  }
  return { pullNumber: number, report: onGroup(evaluation.report, number, true) }
}

/** The pull request's report, on the group's commit: the same conclusion and words, and which PR they are about. */
function onGroup(report: CheckRunReport, number: number, compared: boolean): CheckRunReport {
  const lead = compared
    ? `This merge group holds #${number} and changes exactly what its reviewed head changes. The check of #${number}:`
    : `This merge group holds #${number}. The check of #${number}:`
  return {
    ...report,
    summary: `${lead}\n\n${report.summary}`,
    // Annotations point at the pull request's files, which the group's commit may not show on those lines.
    annotations: [],
  }
}

function refuse(title: string, reason: string): CheckRunReport {
  return {
    conclusion: 'failure',
    title: toPlainLine(title),
    summary: `${reason}\n\nNothing from this merge group may be merged: the check fails.\n`,
    annotations: [],
  }
}
