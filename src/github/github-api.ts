import type { ProbotOctokit } from 'probot'

type ProbotOctokitInstance = InstanceType<typeof ProbotOctokit>

/** How many GitHub API calls one evaluation made, by kind: the figure the API-economy tests pin. */
export interface ApiCallCount {
  graphql: number
  rest: number
}

/**
 * The slice of Octokit the GitHub adapter uses: GraphQL for reads, REST for writes. Every call made
 * through it is counted, so an evaluation can log (and a test can pin) what it cost.
 */
export interface GitHubApi {
  graphql<T>(query: string, variables: Record<string, unknown>): Promise<T>
  /** `headers` as Octokit returns them (a `link` header carries the next page's cursor). */
  request<T = unknown>(
    route: string,
    params?: Record<string, unknown>,
  ): Promise<{ data: T; status: number; headers?: Readonly<Record<string, string | number | undefined>> }>
  readonly calls: Readonly<ApiCallCount>
  /**
   * The id of the GitHub App this client acts as (undefined when it is not an app, e.g. a personal token):
   * records are trusted only on the app's own check runs. Read from the app's credentials; no API call.
   */
  appId?(): Promise<number | undefined>
}

/** What `createGitHubApi` needs from an Octokit instance (Probot's `context.octokit` has both). */
export interface OctokitLike {
  graphql: unknown
  request: unknown
  /** Octokit's `auth()`: with `@octokit/auth-app`, `auth({ type: 'app' })` answers the app's id without a request. */
  auth?: unknown
}

type GraphqlFunction = (query: string, variables: Record<string, unknown>) => Promise<unknown>
type RequestFunction = (route: string, params?: Record<string, unknown>) => Promise<{ data: unknown; status: number }>

/**
 * How long one GitHub call may take, connection included, before it is abandoned (Octokit sets no limit,
 * so a GitHub that never answers would hold a webhook or a sweep). GitHub itself ends requests at 10 s;
 * the rest is room for Octokit's own retries of a 5xx.
 */
export const GITHUB_TIMEOUT_MS = 20_000

/**
 * Gives every request of an Octokit instance that has no signal of its own a timeout: for the calls the
 * sweeper makes through `octokit.paginate`, whose typed parameters take no request options.
 */
export function addRequestTimeout<T extends Pick<ProbotOctokitInstance, 'hook'>>(octokit: T, timeoutMs = GITHUB_TIMEOUT_MS): T {
  octokit.hook.wrap('request', (request, options) =>
    request({ ...options, request: { ...options.request, signal: options.request.signal ?? AbortSignal.timeout(timeoutMs) } }),
  )
  return octokit
}

/**
 * Wraps an Octokit instance (one per webhook delivery in Probot) in a counting GitHubApi whose every
 * call has a timeout (an `AbortSignal` per call). A wrapper rather than an Octokit hook because Probot
 * may hand the same instance to several handlers.
 */
export function createGitHubApi(octokit: OctokitLike, options: { timeoutMs?: number } = {}): GitHubApi {
  const graphql = octokit.graphql as GraphqlFunction
  const request = octokit.request as RequestFunction
  const timeoutMs = options.timeoutMs ?? GITHUB_TIMEOUT_MS
  const calls: ApiCallCount = { graphql: 0, rest: 0 }
  const withTimeout = (params: Record<string, unknown> | undefined): Record<string, unknown> => {
    const given = (params?.['request'] ?? {}) as Record<string, unknown>
    return { ...params, request: { ...given, signal: AbortSignal.timeout(timeoutMs) } }
  }
  let appId: Promise<number | undefined> | undefined
  return {
    calls,
    appId(): Promise<number | undefined> {
      appId ??= readAppId(octokit.auth)
      return appId
    },
    async graphql<T>(query: string, variables: Record<string, unknown>): Promise<T> {
      calls.graphql += 1
      return (await graphql(query, withTimeout(variables))) as T
    },
    async request<T>(route: string, params?: Record<string, unknown>) {
      calls.rest += 1
      return (await request(route, withTimeout(params))) as {
        data: T
        status: number
        headers?: Record<string, string | number | undefined>
      }
    },
  }
}

async function readAppId(auth: unknown): Promise<number | undefined> {
  if (typeof auth !== 'function') return undefined
  try {
    const result = (await (auth as (options: { type: string }) => Promise<unknown>)({ type: 'app' })) as { type?: string; appId?: unknown }
    const id = Number(result?.appId)
    return result?.type === 'app' && Number.isSafeInteger(id) && id > 0 ? id : undefined
  } catch {
    // Not an app's credentials (a token): no app id, so no record of the app's can be trusted.
    return undefined
  }
}
