import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http'
import type { AddressInfo } from 'node:net'
import { afterEach, beforeEach, describe, expect, it } from 'vitest'
import { createTokenOctokit } from '../../src/cli/create-token-octokit.js'
import { createGitHubApi } from '../../src/github/github-api.js'

// The command line's token client is @octokit/rest with the retry and throttling plugins, behind the same
// GitHubApi port as the app's: a 5xx is retried, a short rate limit waited out, a 4xx never retried, and
// every call still ends at its timeout.
type Answer = (request: IncomingMessage, response: ServerResponse) => void
let server: Server
let baseUrl: string
let answers: Answer[]
let seen: { method: string; url: string; authorization: string | undefined }[]

beforeEach(async () => {
  answers = []
  seen = []
  server = createServer((request, response) => {
    seen.push({ method: request.method ?? '', url: request.url ?? '', authorization: request.headers.authorization })
    const answer = answers.shift()
    if (answer) answer(request, response)
    // No answer left: hold the connection (a GitHub that never answers).
  })
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve))
  baseUrl = `http://127.0.0.1:${(server.address() as AddressInfo).port}`
})
afterEach(async () => {
  server.closeAllConnections()
  await new Promise<void>((resolve) => server.close(() => resolve()))
})

const json =
  (status: number, body: unknown, headers: Record<string, string> = {}): Answer =>
  (_request, response) =>
    response.writeHead(status, { 'content-type': 'application/json', ...headers }).end(JSON.stringify(body))

function client(warnings: string[] = []) {
  const octokit = createTokenOctokit({ token: 'ghs_test', baseUrl, warn: (message) => warnings.push(message), retryAfterBaseMs: 5 })
  return createGitHubApi(octokit, { timeoutMs: 2_000 })
}

describe('createTokenOctokit', () => {
  it('sends the token, and retries a 502 until GitHub answers', async () => {
    answers.push(json(502, { message: 'Bad Gateway' }), json(200, { login: 'octocat' }))
    const api = client()
    const user = await api.request<{ login: string }>('GET /user')
    expect(user.data.login).toBe('octocat')
    expect(seen).toHaveLength(2)
    expect(seen[0]?.authorization).toBe('token ghs_test')
    expect(api.calls.rest).toBe(1)
  })

  it('retries GraphQL through the same request path', async () => {
    answers.push(json(503, { message: 'unavailable' }), json(200, { data: { viewer: { login: 'octocat' } } }))
    expect(await client().graphql('query { viewer { login } }', {})).toEqual({ viewer: { login: 'octocat' } })
    expect(seen.map((request) => `${request.method} ${request.url}`)).toEqual(['POST /graphql', 'POST /graphql'])
  })

  it('never retries a 4xx', async () => {
    answers.push(json(422, { message: 'Validation Failed' }), json(200, {}))
    await expect(client().request('POST /repos/{owner}/{repo}/check-runs', { owner: 'acme', repo: 'access' })).rejects.toMatchObject({
      status: 422,
    })
    expect(seen).toHaveLength(1)
  })

  it('waits out a secondary rate limit that ends soon, and says so', async () => {
    const warnings: string[] = []
    answers.push(json(403, { message: 'You have exceeded a secondary rate limit' }, { 'retry-after': '1' }), json(200, { id: 7 }))
    expect((await client(warnings).request<{ id: number }>('GET /repos/{owner}/{repo}', { owner: 'acme', repo: 'access' })).data.id).toBe(7)
    expect(warnings).toEqual(['GitHub secondary rate limit on GET /repos/{owner}/{repo}: retrying in 1 s'])
  })

  it('does not wait an hour for a primary rate limit: the call fails and the reason is reported', async () => {
    const warnings: string[] = []
    const reset = String(Math.floor(Date.now() / 1000) + 3600)
    answers.push(
      json(403, { message: 'API rate limit exceeded' }, { 'x-ratelimit-remaining': '0', 'x-ratelimit-reset': reset }),
      json(200, {}),
    )
    await expect(client(warnings).request('GET /user')).rejects.toMatchObject({ status: 403 })
    expect(warnings).toHaveLength(1)
    expect(warnings[0]).toMatch(/^GitHub primary rate limit on GET \/user: not retried \(it ends in \d+ s\)$/)
  })

  it('ends a call GitHub never answers at its timeout, retries included', async () => {
    const started = Date.now()
    await expect(client().request('GET /user')).rejects.toThrow(/abort|timeout/i)
    expect(Date.now() - started).toBeLessThan(8_000)
  })
})
