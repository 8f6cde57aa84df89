import type { IncomingMessage, ServerResponse } from 'node:http'
import { randomUUID } from 'node:crypto'
import type { AppAuthenticator } from './app-auth.js'
import type { EmulatorContext } from './emulator-context.js'
import { executeGraphql } from './graphql-endpoint.js'
import { GitHubHttpError } from './github-http-error.js'
import type { OpenApiValidator, ValidationMode } from './openapi-validator.js'
import { matchTemplate, type RestResponse, type RestRoute } from './rest-route.js'

/** Where the handler reports drift from GitHub's API description (and unexpected failures). */
export interface ViolationSink {
  readonly mode: ValidationMode
  report(problem: string): void
}

/**
 * Serves one HTTP request: GraphQL at `/graphql` (and GHES's `/api/graphql`), REST routes (also under
 * GHES's `/api/v3` prefix), authentication, OpenAPI checks of request and response, GitHub's error shape.
 */
export function createHttpHandler(params: {
  context: EmulatorContext
  routes: readonly RestRoute[]
  authenticator: AppAuthenticator
  validator: OpenApiValidator
  violations: ViolationSink
}): (request: IncomingMessage, response: ServerResponse) => void {
  const { context, routes, authenticator, validator, violations } = params
  return (request, response) => {
    serve(request)
      .catch((error: unknown) => {
        if (error instanceof GitHubHttpError) return { status: error.status, body: error.toBody() }
        const message = error instanceof Error ? (error.stack ?? error.message) : String(error)
        violations.report(`emulator failed on ${request.method} ${request.url}: ${message}`)
        return { status: 500, body: new GitHubHttpError(500, `Emulator error: ${message}`).toBody() }
      })
      .then((answer) => write(response, answer))
  }

  async function serve(request: IncomingMessage): Promise<RestResponse> {
    const url = new URL(request.url ?? '/', 'http://127.0.0.1')
    const method = (request.method ?? 'GET').toUpperCase()
    const path = url.pathname.startsWith('/api/v3/') ? url.pathname.slice('/api/v3'.length) : url.pathname
    const raw = await readBody(request)
    if (method === 'POST' && (path === '/graphql' || path === '/api/graphql')) {
      authenticator.authenticate(request.headers.authorization, 'installation')
      return { status: 200, body: await executeGraphql(context, parseJson(raw)) }
    }
    let route: RestRoute | undefined
    let routeParams: Record<string, string> | undefined
    for (const candidate of routes) {
      if (candidate.method !== method) continue
      routeParams = matchTemplate(candidate.template, path)
      if (routeParams !== undefined) {
        route = candidate
        break
      }
    }
    if (route === undefined || routeParams === undefined) throw new GitHubHttpError(404, 'Not Found')
    const caller = authenticator.authenticate(request.headers.authorization, route.auth)
    const body = raw.length === 0 ? undefined : parseJson(raw)
    const operation = `${method} ${route.template}`
    if (violations.mode !== 'off') {
      const problems = validator.validateRequest(method, route.template, { query: url.searchParams, body })
      if (problems.length > 0) {
        violations.report(`${operation}: request does not match GitHub's OpenAPI description:\n  ${problems.join('\n  ')}`)
        if (violations.mode === 'throw') throw new GitHubHttpError(422, `Invalid request.\n\n${problems.join('\n')}`)
      }
    }
    const answer = await route.handle({ method, params: routeParams, query: url.searchParams, body, caller }, context)
    if (violations.mode !== 'off' && answer.body !== undefined) {
      const problems = validator.validateResponse(method, route.template, answer.status, answer.body)
      if (problems.length > 0) {
        violations.report(`${operation}: emulator response does not match GitHub's OpenAPI description:\n  ${problems.join('\n  ')}`)
        if (violations.mode === 'throw')
          throw new GitHubHttpError(500, `Emulator response drifted from GitHub's API:\n${problems.join('\n')}`)
      }
    }
    return answer
  }
}

function parseJson(raw: Buffer): unknown {
  if (raw.length === 0) return undefined
  try {
    return JSON.parse(raw.toString('utf8')) as unknown
  } catch (error) {
    throw new GitHubHttpError(400, 'Problems parsing JSON', { cause: error })
  }
}

function readBody(request: IncomingMessage): Promise<Buffer> {
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = []
    request.on('data', (chunk: Buffer) => chunks.push(chunk))
    request.on('end', () => resolve(Buffer.concat(chunks)))
    request.on('error', reject)
  })
}

function write(response: ServerResponse, answer: RestResponse): void {
  const headers: Record<string, string> = {
    'x-github-request-id': randomUUID(),
    'x-github-media-type': 'github.v3; format=json',
    'x-ratelimit-limit': '5000',
    'x-ratelimit-remaining': '4999',
    'x-ratelimit-used': '1',
    'x-ratelimit-resource': 'core',
    ...answer.headers,
  }
  if (answer.body === undefined) {
    response.writeHead(answer.status, headers).end()
    return
  }
  response.writeHead(answer.status, { ...headers, 'content-type': 'application/json; charset=utf-8' }).end(JSON.stringify(answer.body))
}
