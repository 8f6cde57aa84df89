import type { GitHubApi } from '../../../src/github/github-api.js'

export interface RecordedCall {
  readonly kind: 'graphql' | 'rest'
  /** The GraphQL operation name, or the REST route. */
  readonly name: string
  readonly variables: Record<string, unknown>
  readonly query?: string
}

/**
 * A GitHubApi double for adapter unit tests: answers from the given handlers and records every call,
 * so a test can assert what was fetched (and that nothing else was).
 */
export function createFakeGitHubApi(handlers: {
  graphql?: (query: string, variables: Record<string, unknown>) => unknown
  request?: (route: string, params: Record<string, unknown>) => unknown
}): GitHubApi & { recorded: RecordedCall[] } {
  const recorded: RecordedCall[] = []
  const calls = { graphql: 0, rest: 0 }
  return {
    recorded,
    calls,
    async graphql<T>(query: string, variables: Record<string, unknown>): Promise<T> {
      calls.graphql += 1
      recorded.push({ kind: 'graphql', name: /query (\w+)/u.exec(query)?.[1] ?? '?', variables, query })
      if (!handlers.graphql) throw new Error(`unexpected GraphQL query ${query}`)
      return handlers.graphql(query, variables) as T
    },
    async request<T>(route: string, params: Record<string, unknown> = {}): Promise<{ data: T; status: number }> {
      calls.rest += 1
      recorded.push({ kind: 'rest', name: route, variables: params })
      if (!handlers.request) throw new Error(`unexpected REST call ${route}`)
      return { data: handlers.request(route, params) as T, status: 200 }
    },
  }
}
