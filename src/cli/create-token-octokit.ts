import { retry } from '@octokit/plugin-retry'
import { throttling } from '@octokit/plugin-throttling'
import { Octokit } from '@octokit/rest'

/** Octokit's REST client with the two plugins Probot's own client carries: retries of 5xx, and GitHub's rate limits. */
const TokenOctokit = Octokit.plugin(retry, throttling)

/** An Octokit authenticated by a token, as `jit sweep` and `jit revoke` use it. */
export type TokenOctokitInstance = InstanceType<typeof TokenOctokit>

/**
 * Wait out a rate limit only when GitHub says it ends soon: the call's timeout (`GITHUB_TIMEOUT_MS`, 20 s)
 * keeps running through the wait, so a longer wait would only end in an aborted retry.
 */
const MAX_RATE_LIMIT_WAIT_S = 10
/** How often one request is sent again after a rate limit (primary or secondary). */
const MAX_RATE_LIMIT_RETRIES = 2

export interface TokenOctokitOptions {
  /** A workflow's `GITHUB_TOKEN`, a personal token, or an installation token. */
  readonly token: string
  /** `GITHUB_API_URL` (GitHub Enterprise Server: `https://HOST/api/v3`). */
  readonly baseUrl: string
  /** Where a rate-limit wait is reported (stderr for the CLI). */
  readonly warn: (message: string) => void
  /** Retries of a 5xx or a network error (default 3, the plugin's). Tests set 0 or a short base. */
  readonly retries?: number
  /** The first retry waits this long, the n-th n² times it (default 1 s, the plugin's). */
  readonly retryAfterBaseMs?: number
}

/**
 * The token-based client of the command line: `@octokit/rest` with `@octokit/plugin-retry` (a 5xx or a
 * dropped connection is sent again, 1 s, 4 s, 9 s apart; 4xx never) and `@octokit/plugin-throttling`
 * (a primary or secondary rate limit is waited out when it ends within 10 s, at most twice). Each call
 * still gets its own timeout from `createGitHubApi`, and no retry is sent after it has passed.
 */
export function createTokenOctokit(options: TokenOctokitOptions): TokenOctokitInstance {
  const onLimit =
    (kind: string) =>
    (retryAfter: number, request: { method: string; url: string }, _octokit: unknown, retryCount: number): boolean => {
      const retrying = retryAfter <= MAX_RATE_LIMIT_WAIT_S && retryCount < MAX_RATE_LIMIT_RETRIES
      options.warn(
        `GitHub ${kind} rate limit on ${request.method} ${request.url}: ${retrying ? `retrying in ${retryAfter} s` : `not retried (it ends in ${retryAfter} s)`}`,
      )
      return retrying
    }
  return new TokenOctokit({
    auth: options.token,
    baseUrl: options.baseUrl,
    userAgent: 'jit-access',
    retry: {
      ...(options.retryAfterBaseMs !== undefined ? { retryAfterBaseValue: options.retryAfterBaseMs } : {}),
      ...(options.retries !== undefined ? { retries: options.retries } : {}),
    },
    throttle: { onRateLimit: onLimit('primary'), onSecondaryRateLimit: onLimit('secondary') },
  })
}
