import { readFileSync } from 'node:fs'
import { createServer } from 'node:net'
import { createRequire } from 'node:module'
import yaml from 'js-yaml'
import { run } from 'probot'
import { afterEach, describe, expect, it, vi } from 'vitest'

// app.yml is what Probot's "create from manifest" flow registers. Checked against GitHub's published
// descriptions (the REST API's app permissions, the webhook event names), and driven through Probot's own
// setup server to see the manifest it would post to GitHub.
const require = createRequire(import.meta.url)
const manifest = yaml.load(readFileSync(new URL('../../app.yml', import.meta.url), 'utf8')) as {
  name: string
  hook_attributes?: { url?: string }
  default_events: string[]
  default_permissions: Record<string, string>
}
const openapi = require('@octokit/openapi/generated/api.github.com.json') as {
  components: { schemas: Record<string, { properties: Record<string, { enum?: string[] }> }> }
}
const webhookEvents = (require('@octokit/webhooks-examples/api.github.com/index.json') as { name: string }[]).map((event) => event.name)

async function freePort(): Promise<number> {
  const server = createServer()
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve))
  const address = server.address()
  await new Promise<void>((resolve) => server.close(() => resolve()))
  if (address === null || typeof address === 'string') throw new Error('no port')
  return address.port
}

describe('app.yml, the manifest', () => {
  afterEach(() => vi.unstubAllEnvs())

  it('asks only for permissions GitHub defines, at levels GitHub accepts', () => {
    const permissions = openapi.components.schemas['app-permissions']!.properties
    for (const [name, level] of Object.entries(manifest.default_permissions)) {
      expect(Object.keys(permissions), name).toContain(name)
      expect(permissions[name]!.enum, name).toContain(level)
    }
  })

  it('subscribes only to webhook events GitHub sends', () => {
    expect(manifest.default_events.length).toBeGreaterThan(0)
    for (const event of manifest.default_events) expect(webhookEvents, event).toContain(event)
  })

  it('leaves the webhook URL to Probot, which derives it from where the app runs (or the webhook proxy)', async () => {
    expect(manifest.hook_attributes?.url).toBeUndefined()
    const port = await freePort()
    // Setup mode (no APP_ID) with no webhook proxy channel: nothing leaves this machine.
    vi.stubEnv('NO_SMEE_SETUP', 'true')
    vi.stubEnv('WEBHOOK_PROXY_URL', '')
    const server = await run(() => undefined, {
      env: { PORT: String(port), HOST: '127.0.0.1', LOG_LEVEL: 'fatal', NO_SMEE_SETUP: 'true' },
    })
    try {
      const page = await (await fetch(`http://127.0.0.1:${port}/probot`)).text()
      // The setup page's "Register GitHub App" button posts the manifest to GitHub as its value.
      const json = /name="manifest"[^>]*value='([^']*)'/.exec(page)?.[1] ?? ''
      const registered = JSON.parse(json) as { hook_attributes: { url: string }; default_permissions: Record<string, string>; name: string }
      expect(registered.hook_attributes.url).toBe(`http://127.0.0.1:${port}/`)
      expect(registered.default_permissions).toEqual(manifest.default_permissions)
      expect(registered.name).toBe(manifest.name)
    } finally {
      await server.stop()
    }
  })
})
