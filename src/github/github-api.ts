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
}

/** What `createGitHubApi` needs from an Octokit instance (Probot's `context.octokit` has both). */
export interface OctokitLike {
  graphql: unknown
  request: unknown
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
  return {
    calls,
    async graphql<T>(query: string, variables: Record<string, unknown>): Promise<T> {
      calls.graphql += 1
      return (await graphql(query, variables)) as T
    },
    async request<T>(route: string, params?: Record<string, unknown>) {
      calls.rest += 1
      return (await request(route, params)) as { data: T; status: number; headers?: Record<string, string | number | undefined> }
    },
  }
}
