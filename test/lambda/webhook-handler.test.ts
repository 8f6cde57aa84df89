import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest'
import { createCollectingLogger, type LoggedEntry } from '../../src/demo/collecting-logger.js'
import { CHECK_NAME } from '../../src/github/check-run-report.js'
import { readHttpEvent } from '../../src/lambda/http-event.js'
import { createWebhookHandler } from '../../src/lambda/webhook-handler.js'
import { INCIDENT_REQUEST_PATH, startE2eStack, type E2eStack } from '../e2e/support/start-e2e-stack.js'
import { TestOctokit } from '../workflows/sweep/support/test-octokit.js'
import {
  FUNCTION_URL_EVENT,
  PRIVATE_KEY_ARN,
  WEBHOOK_SECRET_ARN,
  functionUrlEvent,
  startFunctionUrl,
  startSecretsExtension,
  lambdaEnvironment,
} from './support/lambda-fixtures.js'

// Each scenario starts the emulators and merges or sweeps through them: room for a loaded machine.
vi.setConfig({ testTimeout: 120_000, hookTimeout: 120_000 })

// The webhook function, invoked in this process with the events Lambda builds for a function URL, while
// the GitHub emulator delivers signed webhooks to that URL and the app's secrets come from the
// Parameters and Secrets extension's HTTP API.
let stack: E2eStack
let extension: Awaited<ReturnType<typeof startSecretsExtension>>
let functionUrl: Awaited<ReturnType<typeof startFunctionUrl>>
let handler: ReturnType<typeof createWebhookHandler>
const log: LoggedEntry[] = []
let headSha = ''

const environment = (overrides: Record<string, string> = {}) => lambdaEnvironment(stack, extension.port, overrides)

beforeAll(async () => {
  stack = await startE2eStack()
  extension = await startSecretsExtension({
    privateKey: stack.appCredentials.privateKey,
    webhookSecret: stack.appCredentials.webhookSecret,
  })
  handler = createWebhookHandler({
    env: environment(),
    app: { now: stack.clock.now },
    Octokit: TestOctokit,
    log: createCollectingLogger(log),
  })
  functionUrl = await startFunctionUrl(handler)
  // GitHub now delivers to the function URL, not to the server the stack started.
  stack.github.setWebhookUrl(functionUrl.url)
})
afterAll(async () => {
  await functionUrl?.stop()
  await extension?.stop()
  await stack?.stop()
})

describe('the webhook function behind a function URL', () => {
  it("handles a signed delivery: the request's check run appears on GitHub, and the secrets are read once", async () => {
    const pr = await stack.requestAccess({
      author: 'alice',
      path: INCIDENT_REQUEST_PATH,
      text: stack.example.requests[INCIDENT_REQUEST_PATH] as string,
    })
    expect(pr.status).toBe(200)
    headSha = pr.headSha
    const check = stack.latestCheck(pr.headSha)
    expect(check.name).toBe(CHECK_NAME)
    expect(check.conclusion).toBe('action_required')

    await stack.github.submitReview(pr.number, { login: 'bob', state: 'APPROVED' })
    expect(stack.github.checkRuns(pr.headSha).filter((run) => run.name === CHECK_NAME).length).toBeGreaterThanOrEqual(2)
    // Each event reached the function as base64 with lower-cased headers, and every answer was 200.
    expect(functionUrl.statuses.length).toBeGreaterThanOrEqual(2)
    expect(new Set(functionUrl.statuses)).toEqual(new Set([200]))
    const first = functionUrl.events[0] as { isBase64Encoded: boolean; headers: Record<string, string> }
    expect(first.isBase64Encoded).toBe(true)
    expect(Object.keys(first.headers)).toContain('x-hub-signature-256')
    // One cold start: the private key and the webhook secret were read once each.
    expect(extension.reads).toEqual([
      `/secretsmanager/get?secretId=${encodeURIComponent(PRIVATE_KEY_ARN)}`,
      `/systemsmanager/parameters/get?name=${encodeURIComponent(WEBHOOK_SECRET_ARN)}&withDecryption=true`,
    ])
    expect(log.filter((entry) => entry.level !== 'warn')).toEqual([])
  })

  it('answers 401 to a delivery whose signature does not match, and handles nothing', async () => {
    const delivered = functionUrl.events[0] as Record<string, unknown> & { headers: Record<string, string> }
    const forged = { ...delivered, headers: { ...delivered.headers, 'x-hub-signature-256': `sha256=${'0'.repeat(64)}` } }
    const runsBefore = JSON.stringify(stack.github.checkRuns(headSha))
    expect(await handler(forged)).toEqual({
      statusCode: 401,
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ error: 'signature does not match event payload and secret' }),
    })
    // The body altered under the original signature is refused the same way.
    const body = Buffer.from(delivered['body'] as string, 'base64')
      .toString('utf8')
      .replace('"alice"', '"mallory"')
    const altered = { ...delivered, body: Buffer.from(body).toString('base64') }
    expect((await handler(altered)).statusCode).toBe(401)
    const unsigned = { ...delivered, headers: { ...delivered.headers, 'x-hub-signature-256': '' } }
    expect((await handler(unsigned)).statusCode).toBe(401)
    expect(JSON.stringify(stack.github.checkRuns(headSha))).toBe(runsBefore)
  })

  it('answers 400 to what is not a webhook, without reading anything', async () => {
    // AWS's example event as it is: no GitHub headers, a plain-text body.
    expect(await handler(FUNCTION_URL_EVENT)).toEqual({
      statusCode: 400,
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ error: 'Unsupported "Content-Type" header value. Must be "application/json"' }),
    })
    const noEvent = functionUrlEvent({ headers: { 'content-type': 'application/json', 'x-hub-signature-256': 'sha256=00' }, body: '{}' })
    expect(JSON.parse((await handler(noEvent)).body)).toEqual({ error: 'Required headers missing: x-github-event, x-github-delivery' })
    expect((await handler({ source: 'aws.events' })).statusCode).toBe(400)
    expect((await handler(functionUrlEvent({ method: 'GET', headers: {}, body: '' }))).statusCode).toBe(405)
  })

  it('reads an event as Lambda gives it: base64 decoded, headers lower-cased', () => {
    const event = {
      ...FUNCTION_URL_EVENT,
      headers: { 'Content-Type': 'application/json' },
      body: Buffer.from('{"a":1}').toString('base64'),
      isBase64Encoded: true,
    }
    expect(readHttpEvent(event)).toEqual({
      method: 'POST',
      path: '/my/path',
      headers: { 'content-type': 'application/json' },
      body: '{"a":1}',
    })
    expect(readHttpEvent(FUNCTION_URL_EVENT).body).toBe('Hello from client!')
  })
})

describe('a cold start whose secret cannot be read', () => {
  it('fails the invocation naming the variable, and the next invocation reads again', async () => {
    const fresh = createWebhookHandler({
      env: environment(),
      app: { now: stack.clock.now },
      Octokit: TestOctokit,
      log: createCollectingLogger([]),
    })
    const event = functionUrl.events[0]
    extension.failNext(2)
    await expect(fresh(event)).rejects.toThrow(/JIT_(PRIVATE_KEY_SECRET|WEBHOOK_SECRET)_ARN .*500 AccessDeniedException/)
    expect((await fresh(event)).statusCode).toBe(200)
  })

  it('refuses an ARN that names neither Secrets Manager nor SSM', async () => {
    const wrong = createWebhookHandler({ env: { ...environment(), JIT_WEBHOOK_SECRET_ARN: 'arn:aws:s3:::bucket/secret' } })
    await expect(wrong(functionUrl.events[0])).rejects.toThrow(
      'JIT_WEBHOOK_SECRET_ARN is not the ARN of a Secrets Manager secret or an SSM parameter: "arn:aws:s3:::bucket/secret"',
    )
  })
})
