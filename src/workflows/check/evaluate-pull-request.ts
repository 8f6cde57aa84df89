import type { ActionCatalogue } from '../../core/matching/action-catalogue.js'
import type { Decision } from '../../core/decision/decision.js'
import type { Logger } from '../../core/ports/logger.js'
import { reportClassification, reportDecision, reportRulesCheck, type CheckRunReport } from '../../github/check-run-report.js'
import { classifyPullRequest, type PullRequestKind } from '../../github/classify-pull-request.js'
import { readFilesAtCommits, type FilesCache } from '../../github/files-at-commit.js'
import type { GitHubApi } from '../../github/github-api.js'
import { GitHubReadError } from '../../github/github-read-error.js'
import { establishPushes, findHeadPusher, readPullRequest, type ObservedPush } from '../../github/pull-request-facts.js'
import type { PushRecord } from '../../github/push-record.js'
import type { RequestCommentLookup } from '../../github/upsert-request-comment.js'
import { findCommitViolations } from '../../github/commit-changes.js'
import { describeCommitViolations } from '../../core/merges/judge-request-commits.js'
import { prepareDecision, type Engine } from './prepare-decision.js'
import { shortSha } from '../../core/text/short-sha.js'
import type { JitSettings } from '../../core/files/settings.js'

// The engine is prepareDecision's; the app and the sweep import it from here.
export { CORE_ENGINE, type Engine } from './prepare-decision.js'

/** What to do with the app's PR comment. */
export type CommentPlan =
  /** Create or update the comment for approvers. */
  | { readonly kind: 'request'; readonly decision: Decision }
  /** Update an existing comment (never create one): the PR is no longer a request that can be granted. */
  | { readonly kind: 'withdrawn'; readonly title: string; readonly reason: string }

/** The outcome of evaluating a pull request: a value, printed or asserted before anything is written. */
export interface Evaluation {
  readonly pullNumber: number
  readonly headSha: string
  /** The base commit the rules were read at (a merge group compares the PR's change from it). */
  readonly baseSha: string
  readonly kind: PullRequestKind['kind']
  readonly report: CheckRunReport
  readonly comment?: CommentPlan
  /** The app's comment as the pull request's query found it: what `comment` updates. */
  readonly requestComment: RequestCommentLookup
  readonly decision?: Decision
  /** Who pushed, to record on the check run (the next evaluation reads it back). */
  readonly pushRecord: PushRecord
  /** For a request: the settings at the base (where its notifications go), and who reviewed the head already. */
  readonly settings?: JitSettings
  readonly reviewedHead?: readonly string[]
}

export interface EvaluationDeps {
  readonly api: GitHubApi
  readonly cache: FilesCache
  readonly catalogue: ActionCatalogue
  readonly now: Date
  readonly engine: Engine
  /** Told about teams GitHub did not show, for the operator. */
  readonly log: Logger
}

/**
 * Finds the facts (PR, then the rules at the base SHA and the request at the head SHA, then the teams
 * the engine asks for), and builds what the check run and the comment should say. Reads only.
 */
export async function evaluatePullRequest(
  deps: EvaluationDeps,
  target: {
    owner: string
    repo: string
    number: number
    /** The push GitHub authenticated in this event (opened, reopened, synchronize), with the head before it. */
    push?: ObservedPush & { readonly before?: string }
  },
): Promise<Evaluation> {
  const { api, engine } = deps
  const { push } = target
  const pr = await readPullRequest(api, {
    owner: target.owner,
    repo: target.repo,
    number: target.number,
    ...(push?.before ? { before: push.before } : {}),
  })
  const kind = classifyPullRequest(pr)
  const pushes = establishPushes(pr, push)
  const headPusher = findHeadPusher(pushes, pr.headSha, push)
  const pushRecord: PushRecord = { pullNumber: pr.number, pushes: pushes.pushes, ...(headPusher ? { headPusher } : {}) }
  const base = {
    pullNumber: pr.number,
    headSha: pr.headSha,
    baseSha: pr.baseSha,
    kind: kind.kind,
    pushRecord,
    requestComment: pr.requestComment,
  }

  if (kind.kind === 'rejected' || kind.kind === 'ignored') {
    const comment: CommentPlan | undefined = kind.touchesRequest ? { kind: 'withdrawn', title: kind.title, reason: kind.reason } : undefined
    return { ...base, report: reportClassification(kind), ...(comment ? { comment } : {}) }
  }

  if (kind.kind === 'rules') {
    // A rule change is validated as it would be after merge: the head's files, like `jit validate`.
    const { rules } = await readFilesAtCommits(api, deps.cache, { owner: target.owner, repo: target.repo, rulesAt: pr.headSha })
    const repository = engine.loadAccessRepository({
      files: rules?.files ?? [],
      unreadable: rules?.problems ?? [],
      catalogue: deps.catalogue,
    })
    return { ...base, report: reportRulesCheck({ headSha: pr.headSha, paths: kind.paths, repository }) }
  }

  // Not only the net diff: a commit that changes the rules and a later one that undoes it look clean together,
  // yet a rebase merge lands each of them on the default branch.
  const violations = await findCommitViolations(api, deps.cache, { ...target, commits: pr.commits, requestPath: kind.path })
  if (violations.length > 0) {
    const rejected = {
      kind: 'rejected',
      touchesRequest: true,
      ...describeCommitViolations({ violations, requestPath: kind.path }),
    } as const
    return {
      ...base,
      kind: 'rejected',
      report: reportClassification(rejected),
      comment: { kind: 'withdrawn', title: rejected.title, reason: rejected.reason },
    }
  }

  // The rules come from the base SHA (a request cannot loosen its own rules); the request from the head SHA.
  const reads = await readFilesAtCommits(api, deps.cache, {
    owner: target.owner,
    repo: target.repo,
    rulesAt: pr.baseSha,
    requestAt: { sha: pr.headSha, path: kind.path },
  })
  const requestFile = reads.request?.files[0]
  if (!requestFile) {
    const problem = reads.request?.problems[0]
    throw new GitHubReadError(`${kind.path} at ${shortSha(pr.headSha)}`, {
      detail: problem?.message ?? 'GitHub returned no such file (was the branch pushed again?)',
    })
  }
  const { decision, unknownTeams, repository } = await prepareDecision({
    api,
    engine,
    catalogue: deps.catalogue,
    rules: reads.rules ?? { files: [], problems: [] },
    requestFile,
    pullRequest: pr,
    reviews: pr.reviews,
    pushes,
    repositoryName: { owner: target.owner, repo: target.repo },
    now: () => deps.now,
    log: deps.log,
    logFields: { owner: target.owner, repo: target.repo, number: target.number },
  })
  return {
    ...base,
    report: reportDecision(decision, { unknownTeams }),
    comment: { kind: 'request', decision },
    decision,
    settings: repository.settings,
    reviewedHead: [...new Set(pr.reviews.filter((review) => review.commitId === pr.headSha).map((review) => review.login))],
  }
}
