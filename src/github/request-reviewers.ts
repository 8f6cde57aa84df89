import type { ReviewerSet } from '../core/decision/choose-reviewers.js'
import type { GitHubApi } from './github-api.js'

/** The pull request's requested reviewers as a webhook's `pull_request` carries them (no read needed). */
export function readRequestedReviewers(pull: {
  requested_reviewers?: readonly unknown[] | null
  requested_teams?: readonly unknown[] | null
}): ReviewerSet {
  const field = (value: unknown, key: 'login' | 'slug'): string[] => {
    const found = typeof value === 'object' && value !== null ? (value as Record<string, unknown>)[key] : undefined
    return typeof found === 'string' ? [found] : []
  }
  return {
    users: (pull.requested_reviewers ?? []).flatMap((user) => field(user, 'login')),
    teams: (pull.requested_teams ?? []).flatMap((team) => field(team, 'slug')),
  }
}

/** Asks GitHub to request reviews (`POST /repos/{owner}/{repo}/pulls/{pull_number}/requested_reviewers`): one call. */
export async function requestReviewers(
  api: GitHubApi,
  params: { owner: string; repo: string; number: number; reviewers: ReviewerSet },
): Promise<void> {
  await api.request('POST /repos/{owner}/{repo}/pulls/{pull_number}/requested_reviewers', {
    owner: params.owner,
    repo: params.repo,
    pull_number: params.number,
    ...(params.reviewers.users.length > 0 ? { reviewers: [...params.reviewers.users] } : {}),
    ...(params.reviewers.teams.length > 0 ? { team_reviewers: [...params.reviewers.teams] } : {}),
  })
}
