import { chooseReviewersToRequest, type ReviewerSet } from '../../core/decision/choose-reviewers.js'
import type { Logger } from '../../core/ports/logger.js'
import type { GitHubApi } from '../../github/github-api.js'
import { describeApiError } from '../../github/github-read-error.js'
import { requestReviewers } from '../../github/request-reviewers.js'
import type { Evaluation } from './evaluate-pull-request.js'

/**
 * Asks GitHub to request reviews from whoever can give a missing approval and is not asked yet: no call
 * when nobody new is to be asked (the PR's requested reviewers come with the webhook). A refusal (a team
 * without access to the repository, a user who is no collaborator) is logged and never thrown: it runs
 * beside the check and the comment, which name the approvers anyway.
 */
export async function requestMissingReviews(params: {
  api: GitHubApi
  log: Logger
  owner: string
  repo: string
  number: number
  evaluation: Evaluation
  current: ReviewerSet | undefined
}): Promise<void> {
  const { evaluation, current } = params
  if (!current || !evaluation.decision) return
  const reviewers = chooseReviewersToRequest({
    decision: evaluation.decision,
    organisation: params.owner,
    current,
    reviewedHead: evaluation.reviewedHead ?? [],
  })
  if (reviewers.users.length === 0 && reviewers.teams.length === 0) return
  const fields = { owner: params.owner, repo: params.repo, number: params.number, users: reviewers.users, teams: reviewers.teams }
  try {
    await requestReviewers(params.api, { owner: params.owner, repo: params.repo, number: params.number, reviewers })
    params.log.info(fields, 'reviews requested from the approvers still needed')
  } catch (error) {
    params.log.warn({ ...fields, err: error }, `could not request reviews: ${describeApiError(error)}`)
  }
}
