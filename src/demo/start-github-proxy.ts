import { createServer, request as forward, type IncomingMessage, type ServerResponse } from 'node:http'
import type { AddressInfo } from 'node:net'

/** A failure GitHub could answer with, for the next `times` requests matching `method` and `path`. */
export interface GitHubFault {
  readonly method: string
  /** Matched against the request's path (without the query). */
  readonly path: RegExp
  readonly status: number
  readonly message: string
  /** Default 1. */
  readonly times?: number
  /** Only while this holds (asked for each matching request), e.g. "after the AWS put succeeded". */
  readonly when?: () => boolean
}

/** A request the proxy answered with a fault instead of passing it on. */
export interface FailedRequest {
  readonly method: string
  readonly path: string
  readonly status: number
}

/** One request the proxy passed on: when it arrived and when its answer was sent (`performance.now()` ms). */
export interface ProxiedRequest {
  readonly method: string
  readonly path: string
  readonly startedMs: number
  endedMs: number
}

export interface GitHubProxy {
  readonly url: string
  /** Added before each request is passed on, as a far-away GitHub would take (default 0). */
  latencyMs: number
  /** Every request passed on, oldest first (faults excluded). */
  readonly requests: readonly ProxiedRequest[]
  /** Fails the next matching requests; they never reach the emulator. */
  inject(fault: GitHubFault): void
  /** Requests answered with a fault so far, oldest first. */
  readonly failed: readonly FailedRequest[]
  stop(): Promise<void>
}

/**
 * A loopback proxy between the app and the GitHub emulator. It passes the app's traffic through
 * unchanged, except for the faults a scenario injects (a failed ref update of a grant record, say),
 * which the emulator has no switch for.
 */
export async function startGitHubProxy(params: { target: string }): Promise<GitHubProxy> {
  const pending: { fault: GitHubFault; remaining: number }[] = []
  const failed: FailedRequest[] = []
  const requests: ProxiedRequest[] = []
  const settings = { latencyMs: 0 }
  const upstream = new URL(params.target)

  const takeFault = (method: string, path: string): GitHubFault | undefined => {
    const entry = pending.find(
      (candidate) =>
        candidate.remaining > 0 &&
        candidate.fault.method === method &&
        candidate.fault.path.test(path) &&
        (candidate.fault.when === undefined || candidate.fault.when()),
    )
    if (entry === undefined) return undefined
    entry.remaining -= 1
    failed.push({ method, path, status: entry.fault.status })
    return entry.fault
  }

  const pass = (request: IncomingMessage, response: ServerResponse): void => {
    const outgoing = forward(
      {
        host: upstream.hostname,
        port: upstream.port,
        method: request.method ?? 'GET',
        path: request.url ?? '/',
        headers: { ...request.headers, host: upstream.host },
      },
      (answer) => {
        response.writeHead(answer.statusCode ?? 502, answer.headers)
        answer.pipe(response)
      },
    )
    outgoing.on('error', (error) => {
      if (!response.headersSent) response.writeHead(502, { 'content-type': 'application/json' })
      response.end(JSON.stringify({ message: `proxy: ${error.message}` }))
    })
    request.pipe(outgoing)
  }

  const server = createServer((request, response) => {
    const method = request.method ?? 'GET'
    const path = new URL(request.url ?? '/', 'http://proxy').pathname
    const fault = takeFault(method, path)
    if (fault !== undefined) {
      request.resume()
      response.writeHead(fault.status, { 'content-type': 'application/json; charset=utf-8' })
      response.end(
        JSON.stringify({ message: fault.message, documentation_url: 'https://docs.github.com/rest', status: String(fault.status) }),
      )
      return
    }
    const proxied: ProxiedRequest = { method, path, startedMs: performance.now(), endedMs: Number.NaN }
    requests.push(proxied)
    response.on('finish', () => (proxied.endedMs = performance.now()))
    if (settings.latencyMs > 0) setTimeout(() => pass(request, response), settings.latencyMs)
    else pass(request, response)
  })
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject)
    server.listen(0, '127.0.0.1', () => resolve())
  })

  return {
    url: `http://127.0.0.1:${(server.address() as AddressInfo).port}`,
    get latencyMs() {
      return settings.latencyMs
    },
    set latencyMs(ms: number) {
      settings.latencyMs = ms
    },
    requests,
    inject: (fault) => void pending.push({ fault, remaining: fault.times ?? 1 }),
    failed,
    stop: async () => {
      server.closeAllConnections()
      await new Promise<void>((resolve) => server.close(() => resolve()))
    },
  }
}
