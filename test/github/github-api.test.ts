import { createServer, type Server, type Socket } from 'node:net'
import { ProbotOctokit } from 'probot'
import { afterEach, beforeEach, describe, expect, it } from 'vitest'
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
    // Every call carries its own timeout signal.
    const request = { signal: expect.any(AbortSignal) }
    expect(sent).toEqual([
      { query: 'query q { viewer { login } }', variables: { a: 1, request } },
      { route: 'POST /repos/{owner}/{repo}/check-runs', params: { owner: 'acme', request } },
      { route: 'GET /x', params: { request } },
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

describe('a GitHub that never answers', () => {
  let server: Server
  let baseUrl: string
  const sockets: Socket[] = []
  beforeEach(async () => {
    server = createServer((socket) => void sockets.push(socket))
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve))
    const address = server.address()
    if (address === null || typeof address === 'string') throw new Error('no port')
    baseUrl = `http://127.0.0.1:${address.port}`
  })
  afterEach(async () => {
    for (const socket of sockets.splice(0)) socket.destroy()
    await new Promise<void>((resolve) => server.close(() => resolve()))
  })

  it('fails each REST and GraphQL call at its timeout instead of waiting forever', async () => {
    const octokit = new ProbotOctokit({ auth: { token: 'test' }, baseUrl, retry: { enabled: false }, throttle: { enabled: false } })
    const api = createGitHubApi(octokit, { timeoutMs: 300 })
    const started = Date.now()
    await expect(api.request('GET /repos/{owner}/{repo}', { owner: 'acme', repo: 'access' })).rejects.toThrow(/abort|timeout/i)
    await expect(api.graphql('query q { viewer { login } }', {})).rejects.toThrow(/abort|timeout/i)
    expect(Date.now() - started).toBeLessThan(5_000)
    expect(sockets.length).toBeGreaterThanOrEqual(1)
  })
})
