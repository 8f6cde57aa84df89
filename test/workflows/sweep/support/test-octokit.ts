import { ProbotOctokit } from 'probot'
import { createGitHubApi, type GitHubApi } from '../../../../src/github/github-api.js'

/**
 * Probot's Octokit with retries and throttling off, for every test that receives webhooks or talks to nock.
 * Probot's own pattern, `ProbotOctokit.defaults({ throttle: { enabled: false } })`, is overridden in Probot 14
 * by the throttle options Probot adds itself (the object form merges shallowly), which spaces writes 1 s
 * apart. The function form sees those options and switches throttling off for real.
 */
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
