import nock from 'nock'

/** One request the app made to the mocked GitHub, in order: `graphql <operation>` or `<METHOD> <path>`. */
export interface SeenCall {
  readonly name: string
  readonly body: Record<string, unknown>
}

/**
 * nock interceptors for api.github.com that remember every call the app made, with its body, so a
 * test asserts the exact list (and count) of calls and what was written.
 */
export class GitHubMock {
  readonly seen: SeenCall[] = []
  readonly scope = nock('https://api.github.com')

  /** The installation token Probot asks for before the first call of a delivery (not counted). */
  token(installationId = 55): this {
    this.scope
      .post(`/app/installations/${installationId}/access_tokens`)
      .reply(201, { token: 'ghs_test', expires_at: '2099-01-01T00:00:00Z', permissions: {}, repository_selection: 'all' })
    return this
  }

  /** Answers the next query or mutation named `operation` with `data` (or, with another status, a server error). */
  graphql(operation: string, data: unknown, status = 200): this {
    return this.answerGraphql(operation, status, () => (status === 200 ? { data } : { message: 'Server Error' }))
  }

  /** Answers the next `operation` as GitHub answers a refused query or mutation: 200, `data`, and `errors` with their `type`. */
  graphqlErrors(operation: string, data: unknown, errors: readonly { type: string; message: string }[]): this {
    return this.answerGraphql(operation, 200, () => ({ data, errors }))
  }

  private answerGraphql(operation: string, status: number, answer: () => unknown): this {
    const named = (query: string) => query.includes(`query ${operation}(`) || query.includes(`mutation ${operation}(`)
    this.scope
      .post('/graphql', (body: { query?: string }) => typeof body.query === 'string' && named(body.query))
      .reply(status, (_uri, body) => {
        this.seen.push({ name: `graphql ${operation}`, body: body as Record<string, unknown> })
        return answer() as nock.Body
      })
    return this
  }

  rest(method: 'GET' | 'POST' | 'PATCH', path: string, response: unknown, status = 200): this {
    const [pathname = path, search] = path.split('?')
    const interceptor =
      method === 'GET' ? this.scope.get(pathname) : method === 'POST' ? this.scope.post(pathname) : this.scope.patch(pathname)
    if (search) interceptor.query(Object.fromEntries(new URLSearchParams(search)))
    interceptor.reply(status, (_uri, body) => {
      this.seen.push({
        name: `${method} ${path}`,
        body: (typeof body === 'object' && body !== null ? body : {}) as Record<string, unknown>,
      })
      return response as nock.Body
    })
    return this
  }

  /** The names of the calls seen, in order. */
  get calls(): string[] {
    return this.seen.map((call) => call.name)
  }

  /** The body of the one call with this name (fails when it was not made exactly once). */
  bodyOf(name: string): Record<string, unknown> {
    const matches = this.seen.filter((call) => call.name === name)
    if (matches.length !== 1) throw new Error(`expected one ${name}, saw ${matches.length}: ${this.calls.join(', ')}`)
    return (matches[0] as SeenCall).body
  }
}
