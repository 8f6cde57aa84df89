import { generateKeyPairSync, createSign } from 'node:crypto'
import { afterEach, beforeEach, describe, expect, it } from 'vitest'
import { AppAuthenticator } from '../../../emulator/github/app-auth.js'
import { EmulatorState } from '../../../emulator/github/emulator-state.js'
import { OpenApiValidator } from '../../../emulator/github/openapi-validator.js'
import { createRestRoutes } from '../../../emulator/github/rest-routes.js'
import { startEmulatorFixture, testPrivateKey, type EmulatorFixture } from './emulator-fixture.js'

const validator = new OpenApiValidator()

function signJwt(privateKey: string, claims: Record<string, unknown>): string {
  const header = Buffer.from(JSON.stringify({ alg: 'RS256', typ: 'JWT' })).toString('base64url')
  const payload = Buffer.from(JSON.stringify(claims)).toString('base64url')
  const signature = createSign('RSA-SHA256').update(`${header}.${payload}`).sign(privateKey).toString('base64url')
  return `${header}.${payload}.${signature}`
}

describe('GitHub OpenAPI description as the contract', () => {
  it('serves only operations that GitHub documents', () => {
    const routes = createRestRoutes(new AppAuthenticator({ appId: 1, state: new EmulatorState() }))
    const undocumented = routes
      .filter((route) => !validator.hasOperation(route.method, route.template))
      .map((route) => `${route.method} ${route.template}`)
    expect(routes.length).toBeGreaterThan(20)
    expect(undocumented).toEqual([])
  })

  it('finds a response that lacks required fields', () => {
    const problems = validator.validateResponse('GET', '/repos/{owner}/{repo}/git/ref/{ref}', 200, {
      ref: 'refs/heads/main',
      url: 'x',
      object: {},
    })
    expect(problems).toContain(`response 200 must have required property 'node_id' {"missingProperty":"node_id"}`)
    expect(problems.some((problem) => problem.includes('/object') && problem.includes("'sha'"))).toBe(true)
  })

  it('checks webhook payloads against the webhook schemas', () => {
    expect(validator.validateWebhook('pull_request', 'opened', { action: 'opened' })).toContain(
      `pull_request.opened payload must have required property 'pull_request' {"missingProperty":"pull_request"}`,
    )
  })
})

describe('loud rejection and authentication over HTTP', () => {
  let fixture: EmulatorFixture
  const warnings: string[] = []
  const repo = { owner: 'acme', repo: 'access' }

  beforeEach(async () => {
    warnings.length = 0
    fixture = await startEmulatorFixture({ logger: { warn: (message) => warnings.push(message) } })
  })
  afterEach(async () => {
    await fixture.close()
  })

  it('rejects a request body that breaks the description with 422 and records the violation', async () => {
    const error = await fixture.octokit
      .request('PATCH /repos/{owner}/{repo}/git/refs/{ref}', { ...repo, ref: 'heads/main', force: true } as never)
      .catch((caught: unknown) => caught)
    expect(error).toMatchObject({ status: 422, message: expect.stringContaining("body must have required property 'sha'") })
    const violations = fixture.emulator.takeViolations()
    expect(violations).toHaveLength(1)
    expect(violations[0]).toContain('PATCH /repos/{owner}/{repo}/git/refs/{ref}: request does not match')
    expect(warnings).toHaveLength(1)
  })

  it('rejects an undocumented query value', async () => {
    await expect(fixture.octokit.request('GET /repos/{owner}/{repo}/pulls', { ...repo, state: 'merged' } as never)).rejects.toMatchObject({
      status: 422,
      message: expect.stringContaining('query parameter "state" must be equal to one of the allowed values'),
    })
    expect(fixture.emulator.takeViolations()).toHaveLength(1)
  })

  it('makes stop() fail when violations were not taken', async () => {
    await fixture.octokit.request('POST /repos/{owner}/{repo}/git/blobs', { ...repo } as never).catch(() => undefined)
    await expect(fixture.emulator.stop()).rejects.toThrow(/POST \/repos\/\{owner\}\/\{repo\}\/git\/blobs: request does not match/)
  })

  it('answers unknown routes with 404 in GitHub error shape', async () => {
    const response = await fetch(`${fixture.emulator.url}/repos/acme/access/no-such-thing`, { headers: { authorization: 'token x' } })
    expect(response.status).toBe(404)
    expect(await response.json()).toEqual({ message: 'Not Found', documentation_url: 'https://docs.github.com/rest', status: '404' })
  })

  it('serves the GitHub Enterprise Server path prefix too', async () => {
    const { data } = await fixture.octokit.request('GET /api/v3/repos/{owner}/{repo}', repo)
    expect(data.full_name).toBe('acme/access')
  })

  it('requires authentication: none is 401, a JWT from another key or app is 401', async () => {
    const url = `${fixture.emulator.url}/repos/acme/access`
    expect((await fetch(url)).status).toBe(401)
    expect((await fetch(url, { headers: { authorization: 'token not-issued' } })).status).toBe(401)
    const now = Math.floor(Date.now() / 1000)
    const installations = `${fixture.emulator.url}/app/installations`
    const otherKey = generateKeyPairSync('rsa', { modulusLength: 2048 }).privateKey.export({ type: 'pkcs1', format: 'pem' }).toString()
    const foreign = signJwt(otherKey, { iss: 4242, iat: now, exp: now + 60 })
    const response = await fetch(installations, { headers: { authorization: `Bearer ${foreign}` } })
    expect(response.status).toBe(401)
    expect(((await response.json()) as { message: string }).message).toContain('signature')
    const wrongApp = signJwt(testPrivateKey(), { iss: 1, iat: now, exp: now + 60 })
    expect((await fetch(installations, { headers: { authorization: `Bearer ${wrongApp}` } })).status).toBe(401)
    const right = signJwt(testPrivateKey(), { iss: 4242, iat: now, exp: now + 60 })
    expect((await fetch(installations, { headers: { authorization: `Bearer ${right}` } })).status).toBe(200)
  })
})
