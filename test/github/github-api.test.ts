import { describe, expect, it } from 'vitest'
import { createGitHubApi } from '../../src/github/github-api.js'

describe('createGitHubApi', () => {
  it('passes calls through to Octokit and counts them by kind', async () => {
    const sent: unknown[] = []
    const octokit = {
      graphql: async (query: string, variables: unknown) => (sent.push({ query, variables }), { viewer: { login: 'jit' } }),
      request: async (route: string, params: unknown) => (sent.push({ route, params }), { data: { id: 1 }, status: 201 }),
    }
    const api = createGitHubApi(octokit)
    expect(await api.graphql('query q { viewer { login } }', { a: 1 })).toEqual({ viewer: { login: 'jit' } })
    expect(await api.request('POST /repos/{owner}/{repo}/check-runs', { owner: 'acme' })).toEqual({ data: { id: 1 }, status: 201 })
    await api.request('GET /x')
    expect(api.calls).toEqual({ graphql: 1, rest: 2 })
    expect(sent).toEqual([
      { query: 'query q { viewer { login } }', variables: { a: 1 } },
      { route: 'POST /repos/{owner}/{repo}/check-runs', params: { owner: 'acme' } },
      { route: 'GET /x', params: undefined },
    ])
  })

  it('counts a call that failed too', async () => {
    const api = createGitHubApi({
      graphql: async () => Promise.reject(new Error('boom')),
      request: async () => ({ data: null, status: 200 }),
    })
    await expect(api.graphql('query q { viewer { login } }', {})).rejects.toThrow('boom')
    expect(api.calls).toEqual({ graphql: 1, rest: 0 })
  })
})
