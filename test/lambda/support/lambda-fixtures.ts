import { readFileSync } from 'node:fs'
import { createServer, type IncomingMessage, type Server } from 'node:http'
import type { AddressInfo } from 'node:net'
import type { HttpResultV2 } from '../../../src/lambda/http-event.js'

// AWS's published example events (the Lambda developer guide's function URL request payload, and
// EventBridge's "Scheduled Event"), read as they are; each test fills in only what a real request carries.
export const FUNCTION_URL_EVENT = JSON.parse(
  readFileSync(new URL('../fixtures/function-url-event.json', import.meta.url), 'utf8'),
) as Record<string, unknown>
export const RULE_SCHEDULED_EVENT = JSON.parse(
  readFileSync(new URL('../fixtures/scheduled-event.json', import.meta.url), 'utf8'),
) as Record<string, unknown>

export const PRIVATE_KEY_ARN = 'arn:aws:secretsmanager:us-east-1:999999999999:secret:jit/private-key-AbCdEf'
export const WEBHOOK_SECRET_ARN = 'arn:aws:ssm:us-east-1:999999999999:parameter/jit/webhook-secret'
export const SESSION_TOKEN = 'IQoJb3JpZ2luX2VjEXAMPLE'

/** A function's environment as the app stack sets it, pointed at the emulators and the extension stand-in. */
export function lambdaEnvironment(
  stack: { appCredentials: { appId: number }; proxy: { url: string }; externalId: string },
  extensionPort: number,
  overrides: Record<string, string> = {},
): Record<string, string | undefined> {
  return {
    APP_ID: String(stack.appCredentials.appId),
    JIT_PRIVATE_KEY_SECRET_ARN: PRIVATE_KEY_ARN,
    JIT_WEBHOOK_SECRET_ARN: WEBHOOK_SECRET_ARN,
    GITHUB_API_URL: stack.proxy.url,
    AWS_SESSION_TOKEN: SESSION_TOKEN,
    PARAMETERS_SECRETS_EXTENSION_HTTP_PORT: String(extensionPort),
    JIT_EXTERNAL_ID: stack.externalId,
    ...overrides,
  }
}

/** A function URL event as Lambda builds it from an HTTP request: lower-cased headers, the body in base64. */
export function functionUrlEvent(params: {
  method?: string
  path?: string
  headers: Record<string, string>
  body: string
}): Record<string, unknown> {
  const context = FUNCTION_URL_EVENT['requestContext'] as Record<string, unknown>
  return {
    ...FUNCTION_URL_EVENT,
    rawPath: params.path ?? '/',
    rawQueryString: '',
    cookies: undefined,
    queryStringParameters: undefined,
    headers: Object.fromEntries(Object.entries(params.headers).map(([name, value]) => [name.toLowerCase(), value])),
    requestContext: {
      ...context,
      authorizer: undefined,
      http: {
        ...(context['http'] as object),
        method: params.method ?? 'POST',
        path: params.path ?? '/',
        userAgent: params.headers['user-agent'] ?? '',
      },
    },
    body: Buffer.from(params.body, 'utf8').toString('base64'),
    isBase64Encoded: true,
  }
}

/**
 * A stand-in for the function URL: an HTTP server on 127.0.0.1 that turns each request into the event Lambda
 * would pass, invokes the handler in this process, and answers with its result, as Lambda does.
 */
export async function startFunctionUrl(
  handler: (event: unknown) => Promise<HttpResultV2>,
): Promise<{ url: string; events: unknown[]; statuses: number[]; stop(): Promise<void> }> {
  const events: unknown[] = []
  const statuses: number[] = []
  const server = createServer((request, response) => {
    void (async () => {
      const body = await readBody(request)
      const headers = Object.fromEntries(
        Object.entries(request.headers).map(([name, value]) => [name, Array.isArray(value) ? value.join(',') : (value ?? '')]),
      )
      const event = functionUrlEvent({ method: request.method ?? 'GET', path: request.url ?? '/', headers, body })
      events.push(event)
      try {
        const result = await handler(event)
        statuses.push(result.statusCode)
        response.writeHead(result.statusCode, result.headers).end(result.body)
      } catch (error) {
        // Lambda answers 502 when the function itself fails.
        statuses.push(502)
        response.writeHead(502, { 'content-type': 'application/json' }).end(JSON.stringify({ message: (error as Error).message }))
      }
    })()
  })
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve))
  return { url: `http://127.0.0.1:${(server.address() as AddressInfo).port}/`, events, statuses, stop: () => close(server) }
}

/** The AWS Parameters and Secrets Lambda Extension's HTTP API, on 127.0.0.1, holding the given secrets. */
export async function startSecretsExtension(secrets: { privateKey: string; webhookSecret: string }): Promise<{
  port: number
  reads: string[]
  failNext(times: number): void
  stop(): Promise<void>
}> {
  const reads: string[] = []
  let failures = 0
  const server = createServer((request, response) => {
    const url = new URL(request.url ?? '/', 'http://127.0.0.1')
    reads.push(`${url.pathname}?${url.searchParams.toString()}`)
    if (request.headers['x-aws-parameters-secrets-token'] !== SESSION_TOKEN) return void response.writeHead(401).end('not authorized')
    if (failures > 0) {
      failures -= 1
      return void response.writeHead(500).end('AccessDeniedException: not allowed to read the secret')
    }
    if (url.pathname === '/secretsmanager/get' && url.searchParams.get('secretId') === PRIVATE_KEY_ARN)
      return void response
        .writeHead(200)
        .end(JSON.stringify({ ARN: PRIVATE_KEY_ARN, Name: 'jit/private-key', SecretString: secrets.privateKey }))
    if (
      url.pathname === '/systemsmanager/parameters/get' &&
      url.searchParams.get('name') === WEBHOOK_SECRET_ARN &&
      url.searchParams.get('withDecryption') === 'true'
    )
      return void response.writeHead(200).end(
        JSON.stringify({
          Parameter: {
            ARN: WEBHOOK_SECRET_ARN,
            Name: '/jit/webhook-secret',
            Type: 'SecureString',
            Value: secrets.webhookSecret,
            Version: 1,
          },
        }),
      )
    response.writeHead(400).end('unknown secret')
  })
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve))
  return {
    port: (server.address() as AddressInfo).port,
    reads,
    failNext: (times) => void (failures = times),
    stop: () => close(server),
  }
}

function readBody(request: IncomingMessage): Promise<string> {
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = []
    request.on('data', (chunk: Buffer) => chunks.push(chunk))
    request.on('end', () => resolve(Buffer.concat(chunks).toString('utf8')))
    request.on('error', reject)
  })
}

function close(server: Server): Promise<void> {
  server.closeAllConnections()
  return new Promise((resolve, reject) => server.close((error) => (error ? reject(error) : resolve())))
}
