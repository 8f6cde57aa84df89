import type { ActionCatalogue } from '../../core/matching/action-catalogue.js'
import type { Logger } from '../../core/ports/logger.js'
import { reportFailure } from '../../github/check-run-report.js'
import { describeApiError } from '../../github/github-read-error.js'
import { evaluatePullRequest, type Engine, type Evaluation } from './evaluate-pull-request.js'
import type { FilesCache } from '../../github/files-at-commit.js'
import { createGitHubApi, type ApiCallCount, type GitHubApi, type OctokitLike } from '../../github/github-api.js'
import { publishCheckRun } from '../../github/publish-check-run.js'
import type { ObservedPush } from '../../github/pull-request-facts.js'
import { renderRequestComment, renderWithdrawnComment } from '../../github/request-comment.js'
import { upsertRequestComment, type CommentOutcome } from '../../github/upsert-request-comment.js'
import type { ReviewerSet } from '../../core/decision/choose-reviewers.js'
import type { Verdict } from '../../core/decision/decision.js'
import { SILENT_NOTIFIER, type Notifier } from '../../core/ports/notifier.js'
import { notifyEvaluation } from '../notify/notify-evaluation.js'
import { requestMissingReviews } from './request-missing-reviews.js'

/** What one run did, for the log and for tests. */
export interface AccessCheckOutcome {
  readonly conclusion: string
  readonly title: string
  readonly comment: CommentOutcome | 'none'
  readonly calls: ApiCallCount
}

export interface AccessCheckParams {
  readonly octokit: OctokitLike
  /** Probot's `context.log` is one. */
  readonly log: Logger
  readonly owner: string
  readonly repo: string
  readonly number: number
  /** The head SHA the webhook named, used only if the PR itself cannot be read (to say so on a check). */
  readonly eventHeadSha: string
  readonly cache: FilesCache
  readonly catalogue: ActionCatalogue | Promise<ActionCatalogue>
  readonly now: Date
  readonly engine: Engine
  /** The push GitHub authenticated in this event (`sender` of opened, reopened, synchronize). */
  readonly push?: ObservedPush & { readonly before?: string }
  /** The PR's requested reviewers from the webhook's `pull_request`; absent (a re-run): no review is requested. */
  readonly requestedReviewers?: ReviewerSet
  /** The PR's web address from the webhook (for notifications). */
  readonly pullUrl?: string
  /** Where `requested` and `approved` go (default: nowhere). */
  readonly notifier?: Notifier
}

/**
 * Evaluates a pull request and publishes the result: the check run and the comment at once. Any failure
 * still ends as a completed failing check that says what went wrong and that re-running is safe.
 */
export async function runAccessCheck(params: AccessCheckParams): Promise<AccessCheckOutcome> {
  const api = createGitHubApi(params.octokit)
  const { owner, repo, number } = params
  let evaluation: Evaluation | undefined
  try {
    evaluation = await evaluatePullRequest(
      {
        api,
        cache: params.cache,
        catalogue: await params.catalogue,
        now: params.now,
        engine: params.engine,
        log: params.log,
      },
      { owner, repo, number, ...(params.push ? { push: params.push } : {}) },
    )
    const published = evaluation
    let previousVerdict: Verdict | undefined
    // The check run, the comment and the review requests do not depend on each other: written together, one
    // round trip (a refused review request is logged by requestMissingReviews, never thrown).
    const reviewsRequested = requestMissingReviews({
      api,
      log: params.log,
      owner,
      repo,
      number,
      evaluation,
      current: params.requestedReviewers,
    })
    const [, comment] = await writeTogether([
      {
        what: 'the check run',
        write: () =>
          publishCheckRun(api, {
            owner,
            repo,
            headSha: published.headSha,
            pullNumber: number,
            pushRecord: published.pushRecord,
            report: published.report,
            now: params.now,
          }),
      },
      {
        what: 'the pull request comment',
        write: () => publishComment(api, { owner, repo, number, evaluation: published, seen: (verdict) => (previousVerdict = verdict) }),
      },
    ] as const)
    await reviewsRequested
    notifyEvaluation({
      notifier: params.notifier ?? SILENT_NOTIFIER,
      repository: `${owner}/${repo}`,
      number,
      url: params.pullUrl,
      evaluation,
      comment,
      previousVerdict,
      now: params.now,
    })
    const outcome = { conclusion: evaluation.report.conclusion, title: evaluation.report.title, comment, calls: { ...api.calls } }
    params.log.info({ owner, repo, number, kind: evaluation.kind, headSha: evaluation.headSha, ...outcome }, 'access check published')
    return outcome
  } catch (error) {
    params.log.error({ owner, repo, number, err: error, calls: { ...api.calls } }, 'access check failed')
    const report = reportFailure(error)
    const headSha = evaluation?.headSha ?? params.eventHeadSha
    try {
      // Even a failing check keeps the push this event saw, so a later evaluation knows who pushed the head.
      const push = params.push
      const pushRecord =
        evaluation?.pushRecord ??
        (push
          ? {
              pullNumber: number,
              pushes: [{ login: push.login, sha: push.sha }],
              ...(push.pushedHead && push.sha === headSha ? { headPusher: push.login } : {}),
            }
          : undefined)
      await publishCheckRun(api, {
        owner,
        repo,
        headSha,
        pullNumber: number,
        ...(pushRecord ? { pushRecord } : {}),
        report,
        now: params.now,
      })
    } catch (publishError) {
      // Nothing more can be written; the log is the only place left to say it.
      params.log.error({ owner, repo, number, headSha, err: publishError }, 'could not publish the failing check either')
      throw publishError
    }
    return { conclusion: report.conclusion, title: report.title, comment: 'none', calls: { ...api.calls } }
  }
}

async function publishComment(
  api: GitHubApi,
  params: {
    owner: string
    repo: string
    number: number
    evaluation: Evaluation
    /** Told the verdict the comment showed before this evaluation (undefined: none, or no comment yet). */
    seen: (previous: Verdict | undefined) => void
  },
): Promise<CommentOutcome | 'none'> {
  const plan = params.evaluation.comment
  if (!plan) return 'none'
  const target = { owner: params.owner, repo: params.repo, number: params.number }
  const existing = params.evaluation.requestComment
  if (plan.kind === 'request') {
    return upsertRequestComment(api, {
      ...target,
      existing,
      create: true,
      render: (already, previous) => {
        params.seen(previous?.verdict)
        return renderRequestComment(plan.decision, already, previous).body
      },
    })
  }
  return upsertRequestComment(api, {
    ...target,
    existing,
    create: false,
    render: (already) => renderWithdrawnComment({ ...plan, alreadyMentioned: already }),
  })
}

type Written<T extends readonly { write: () => Promise<unknown> }[]> = { -readonly [K in keyof T]: Awaited<ReturnType<T[K]['write']>> }

/**
 * Runs independent writes at once and waits for all of them. Any failure is thrown once every write has
 * ended, naming what could not be written; when several failed, the error names each (an `AggregateError`).
 */
async function writeTogether<const T extends readonly { what: string; write: () => Promise<unknown> }[]>(writes: T): Promise<Written<T>> {
  const settled = await Promise.allSettled(writes.map((entry) => entry.write()))
  const failures = settled.flatMap((result, index) =>
    result.status === 'rejected'
      ? [new Error(`could not write ${writes[index]?.what}: ${describeApiError(result.reason)}`, { cause: result.reason })]
      : [],
  )
  if (failures.length === 1) throw failures[0]
  if (failures.length > 1) throw new AggregateError(failures, failures.map((failure) => failure.message).join('; '))
  return settled.map((result) => (result as PromiseFulfilledResult<unknown>).value) as Written<T>
}
