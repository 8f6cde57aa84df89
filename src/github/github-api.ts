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
  request<T = unknown>(route: string, params?: Record<string, unknown>): Promise<{ data: T; status: number }>
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
 * Wraps an Octokit instance (one per webhook delivery in Probot) in a counting GitHubApi. A wrapper
 * rather than an Octokit hook because Probot may hand the same instance to several handlers.
 */
export function createGitHubApi(octokit: OctokitLike): GitHubApi {
  const graphql = octokit.graphql as GraphqlFunction
  const request = octokit.request as RequestFunction
  const calls: ApiCallCount = { graphql: 0, rest: 0 }
  let appId: Promise<number | undefined> | undefined
  return {
    calls,
    appId(): Promise<number | undefined> {
      appId ??= readAppId(octokit.auth)
      return appId
    },
    async graphql<T>(query: string, variables: Record<string, unknown>): Promise<T> {
      calls.graphql += 1
      return (await graphql(query, variables)) as T
    },
    async request<T>(route: string, params?: Record<string, unknown>): Promise<{ data: T; status: number }> {
      calls.rest += 1
      return (await request(route, params)) as { data: T; status: number }
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
