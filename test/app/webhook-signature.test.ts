import { createHmac, generateKeyPairSync } from 'node:crypto'
import { readFileSync } from 'node:fs'
import { createServer, type Server } from 'node:http'
import type { AddressInfo } from 'node:net'
import nock from 'nock'
import { createNodeMiddleware, Probot, ProbotOctokit } from 'probot'
import { afterEach, beforeEach, describe, expect, it } from 'vitest'
import { createApp } from '../../src/app/create-app.js'
import { createActionCatalogue } from '../../src/core/matching/action-catalogue.js'

const SECRET = 'webhook-secret-for-tests'
const { privateKey } = generateKeyPairSync('rsa', {
  modulusLength: 2048,
  privateKeyEncoding: { type: 'pkcs8', format: 'pem' },
  publicKeyEncoding: { type: 'spki', format: 'pem' },
})
const body = readFileSync(new URL('../fixtures/webhooks/pull_request.opened.json', import.meta.url), 'utf8')

let server: Server
let url: string

beforeEach(async () => {
  // Any call to GitHub would fail the test: a forged webhook must not make the app act at all.
  nock.disableNetConnect()
  nock.enableNetConnect('127.0.0.1')
  const probot = new Probot({
    appId: 123,
    privateKey,
    secret: SECRET,
    logLevel: 'fatal',
    Octokit: ProbotOctokit.defaults({ retry: { enabled: false } }),
  })
  const middleware = await createNodeMiddleware(
    createApp({
      now: () => new Date('2026-11-29T09:30:00Z'),
      catalogue: createActionCatalogue(['ec2:StopInstances']),
      env: { JIT_DRY_RUN: '1' },
      sweepSchedule: false,
    }),
    { probot, webhooksPath: '/api/github/webhooks' },
  )
  server = createServer((request, response) => {
    void middleware(request, response, () => {
      response.statusCode = 404
      response.end()
    })
  })
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve))
  url = `http://127.0.0.1:${(server.address() as AddressInfo).port}/api/github/webhooks`
})

afterEach(async () => {
  await new Promise((resolve) => server.close(resolve))
  nock.cleanAll()
  nock.enableNetConnect()
})

function post(signature: string | undefined, payload = body, event = 'pull_request'): Promise<Response> {
  const headers: Record<string, string> = { 'content-type': 'application/json', 'x-github-event': event, 'x-github-delivery': 'forged-1' }
  if (signature !== undefined) headers['x-hub-signature-256'] = signature
  return fetch(url, { method: 'POST', headers, body: payload })
}

const sign = (payload: string, secret = SECRET): string => `sha256=${createHmac('sha256', secret).update(payload).digest('hex')}`

describe('forged webhooks', () => {
  it('accepts a correctly signed delivery (the control: the server verifies, it does not reject everything)', async () => {
    const ping = JSON.stringify({ zen: 'Design for failure.', hook_id: 1 })
    const response = await post(sign(ping), ping, 'ping')
    expect(response.status).toBe(200)
  })

  it('rejects a delivery without a signature, and does nothing', async () => {
    const response = await post(undefined)
    expect(response.status).toBe(400)
  })

  it('rejects a delivery signed with another secret', async () => {
    const response = await post(sign(body, 'attacker-guess'))
    expect(response.status).toBe(400)
  })

  it('rejects a payload changed after signing (e.g. a forged author)', async () => {
    const tampered = body.replace('"login": "alice"', '"login": "bob"')
    expect(tampered).not.toBe(body)
    const response = await post(sign(body), tampered)
    expect(response.status).toBe(400)
  })
})
