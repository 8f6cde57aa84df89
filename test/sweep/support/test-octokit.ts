import { ProbotOctokit } from 'probot'
import { createGitHubApi, type GitHubApi } from '../../../src/github/github-api.js'

/** Probot's Octokit with retries and throttling off (the function form, which Probot 14 does not override). */
export const TestOctokit = ProbotOctokit.defaults((options: Record<string, any>) => ({
  ...options,
  retry: { enabled: false },
  throttle: { ...options['throttle'], enabled: false },
}))

export function createTestOctokit(): InstanceType<typeof TestOctokit> {
  return new TestOctokit({ auth: { token: 'ghs_test' } })
}

/** A counting GitHubApi over a real Octokit, talking to nock. */
export function createTestApi(): GitHubApi {
  return createGitHubApi(createTestOctokit())
}
