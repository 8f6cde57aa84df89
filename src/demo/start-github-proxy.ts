import { createServer, request as forward, type IncomingMessage, type ServerResponse } from 'node:http'
import type { AddressInfo } from 'node:net'
import type { GraphqlHandler } from './execute-graphql-with-commit-fields.js'

/** A failure GitHub could answer with, for the next `times` requests matching `method` and `path`. */
export interface GitHubFault {
  readonly method: string
  /** Matched against the request's path (without the query). */
  readonly path: RegExp
  readonly status: number
  readonly message: string
  /** Default 1. */
  readonly times?: number
}

/** A request the proxy answered with a fault instead of passing it on. */
export interface FailedRequest {
  readonly method: string
  readonly path: string
  readonly status: number
}

export interface GitHubProxy {
  readonly url: string
  /** Fails the next matching requests; they never reach the emulator. */
  inject(fault: GitHubFault): void
  /** Requests answered with a fault so far, oldest first. */
  readonly failed: readonly FailedRequest[]
  stop(): Promise<void>
}

/**
 * A loopback proxy between the app and the GitHub emulator. It passes the app's traffic through
 * unchanged, except:
 * - faults a scenario injects (a failed ref update of a grant record, say), which the emulator has no
 *   switch for;
 * - GraphQL queries that `params.graphql` wants (fields the emulator does not model yet);
 * - `GET /installation/repositories`, which the emulator does not serve yet and the app's sweeper needs
 *   to find the repositories to sweep: answered from `GET /repos/{owner}/{repo}` of the one emulated
 *   repository, in GitHub's shape.
 */
export async function startGitHubProxy(params: { target: string; owner: string; repo: string; graphql?: GraphqlHandler }): Promise<GitHubProxy> {
  const pending: { fault: GitHubFault; remaining: number }[] = []
  const failed: FailedRequest[] = []
  const upstream = new URL(params.target)

  const takeFault = (method: string, path: string): GitHubFault | undefined => {
    const entry = pending.find((candidate) => candidate.remaining > 0 && candidate.fault.method === method && candidate.fault.path.test(path))
    if (entry === undefined) return undefined
    entry.remaining -= 1
    failed.push({ method, path, status: entry.fault.status })
    return entry.fault
  }

  const pass = (request: IncomingMessage, response: ServerResponse, path = request.url ?? '/', method = request.method ?? 'GET'): void => {
    const outgoing = forward({ host: upstream.hostname, port: upstream.port, method, path, headers: { ...request.headers, host: upstream.host } }, (answer) => {
      response.writeHead(answer.statusCode ?? 502, answer.headers)
      answer.pipe(response)
    })
    outgoing.on('error', (error) => {
      if (!response.headersSent) response.writeHead(502, { 'content-type': 'application/json' })
      response.end(JSON.stringify({ message: `proxy: ${error.message}` }))
    })
    request.pipe(outgoing)
  }

  const listInstallationRepositories = (request: IncomingMessage, response: ServerResponse): void => {
    const headers = { authorization: request.headers.authorization ?? '', accept: 'application/vnd.github+json', 'user-agent': 'jit-local-proxy', host: upstream.host }
    const outgoing = forward({ host: upstream.hostname, port: upstream.port, method: 'GET', path: `/repos/${params.owner}/${params.repo}`, headers }, (answer) => {
      const chunks: Buffer[] = []
      answer.on('data', (chunk: Buffer) => chunks.push(chunk))
      answer.on('end', () => {
        const body = Buffer.concat(chunks).toString('utf8')
        if (answer.statusCode !== 200) {
          response.writeHead(answer.statusCode ?? 502, { 'content-type': 'application/json; charset=utf-8' }).end(body)
          return
        }
        const repositories = [JSON.parse(body) as unknown]
        response
          .writeHead(200, { 'content-type': 'application/json; charset=utf-8' })
          .end(JSON.stringify({ total_count: repositories.length, repository_selection: 'selected', repositories }))
      })
    })
    outgoing.on('error', (error) => response.writeHead(502).end(JSON.stringify({ message: `proxy: ${error.message}` })))
    outgoing.end()
  }

  const serveGraphql = (request: IncomingMessage, response: ServerResponse, handler: GraphqlHandler): void => {
    const chunks: Buffer[] = []
    request.on('data', (chunk: Buffer) => chunks.push(chunk))
    request.on('end', () => {
      const raw = Buffer.concat(chunks)
      let body: { query?: unknown } | undefined
      try {
        body = JSON.parse(raw.toString('utf8')) as { query?: unknown }
      } catch {
        body = undefined
      }
      if (body === undefined || typeof body.query !== 'string' || !handler.wants(body.query)) {
        const outgoing = forward({ host: upstream.hostname, port: upstream.port, method: 'POST', path: request.url, headers: { ...request.headers, host: upstream.host } }, (answer) => {
          response.writeHead(answer.statusCode ?? 502, answer.headers)
          answer.pipe(response)
        })
        outgoing.on('error', (error) => response.writeHead(502).end(JSON.stringify({ message: `proxy: ${error.message}` })))
        outgoing.end(raw)
        return
      }
      handler
        .execute(body, request.headers.authorization)
        .then((answer) => response.writeHead(answer.status, { 'content-type': 'application/json; charset=utf-8' }).end(JSON.stringify(answer.body)))
        .catch((error: unknown) => response.writeHead(500, { 'content-type': 'application/json' }).end(JSON.stringify({ message: `proxy: ${String(error)}` })))
    })
  }

  const server = createServer((request, response) => {
    const method = request.method ?? 'GET'
    const path = new URL(request.url ?? '/', 'http://proxy').pathname
    const fault = takeFault(method, path)
    if (fault !== undefined) {
      request.resume()
      response.writeHead(fault.status, { 'content-type': 'application/json; charset=utf-8' })
      response.end(JSON.stringify({ message: fault.message, documentation_url: 'https://docs.github.com/rest', status: String(fault.status) }))
      return
    }
    if (method === 'POST' && path === '/graphql' && params.graphql) {
      serveGraphql(request, response, params.graphql)
      return
    }
    if (method === 'GET' && path === '/installation/repositories') {
      request.resume()
      listInstallationRepositories(request, response)
      return
    }
    pass(request, response)
  })
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject)
    server.listen(0, '127.0.0.1', () => resolve())
  })

  return {
    url: `http://127.0.0.1:${(server.address() as AddressInfo).port}`,
    inject: (fault) => void pending.push({ fault, remaining: fault.times ?? 1 }),
    failed,
    stop: async () => {
      server.closeAllConnections()
      await new Promise<void>((resolve) => server.close(() => resolve()))
    },
  }
}
