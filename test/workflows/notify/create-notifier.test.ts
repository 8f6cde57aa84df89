import { afterEach, beforeEach, describe, expect, it } from 'vitest'
import type { NotificationSink } from '../../../src/core/files/settings.js'
import type { GrantedEvent, NotificationEvent } from '../../../src/core/notifications/notification-event.js'
import type { Logger } from '../../../src/core/ports/logger.js'
import { createNotifier } from '../../../src/workflows/notify/create-notifier.js'
import { startReceiver, verifyDelivery, type Receiver } from '../../support/notification-receivers.js'

const NOW = new Date('2027-03-02T09:05:00Z')
const SECRET = 'test-hmac-key-of-the-receiver'

const GRANTED: GrantedEvent = {
  type: 'granted',
  repository: 'acme/access',
  requestId: 'pr-7',
  url: 'https://github.com/acme/access/pull/7',
  at: NOW.toISOString(),
  requester: 'alice',
  reason: 'INC-4821 <!channel> @here & <https://evil.example|click here>',
  ticket: 'INC-4821',
  duration: '2h',
  access: [
    { account: '111111111111', actions: ['ec2:StopInstances'], resources: ['*'], principal: 'arn:aws:iam::111111111111:role/jit-alice' },
  ],
  approvedBy: ['bob', 'carol'],
  notBefore: '2027-03-02T09:05:00Z',
  expiresAt: '2027-03-02T11:05:00Z',
  dryRun: false,
}

const slackSink: NotificationSink = { kind: 'slack', name: 'ops', urlEnv: 'SLACK_URL', events: new Set(['granted', 'drift']) }
const hookSink: NotificationSink = {
  kind: 'webhook',
  name: 'siem',
  urlEnv: 'HOOK_URL',
  secretEnv: 'HOOK_SECRET',
  events: new Set(['granted', 'revoked']),
}

let slack: Receiver
let hook: Receiver
const logged: { level: string; message: string }[] = []
const log: Logger = {
  debug: (_, message) => void logged.push({ level: 'debug', message }),
  info: (_, message) => void logged.push({ level: 'info', message }),
  warn: (_, message) => void logged.push({ level: 'warn', message }),
  error: (_, message) => void logged.push({ level: 'error', message }),
}
const sleeps: number[] = []

beforeEach(async () => {
  slack = await startReceiver()
  hook = await startReceiver()
  logged.length = 0
  sleeps.length = 0
})
afterEach(async () => {
  await slack.stop()
  await hook.stop()
})

function notifier(overrides: { env?: Record<string, string | undefined>; timeoutMs?: number; attempts?: number } = {}) {
  return createNotifier({
    env: overrides.env ?? { SLACK_URL: slack.url, HOOK_URL: hook.url, HOOK_SECRET: SECRET },
    log,
    now: () => NOW,
    sleep: async (ms) => void sleeps.push(ms),
    timeoutMs: overrides.timeoutMs ?? 2_000,
    attempts: overrides.attempts ?? 3,
    retryDelayMs: 100,
  })
}

describe('delivering an event', () => {
  it('posts an inert Slack message through the Slack client and a signed CloudEvent to the webhook', async () => {
    const sender = notifier()
    sender.notify([slackSink, hookSink], GRANTED)
    await sender.settled()

    expect(slack.received).toHaveLength(1)
    const message = JSON.parse(slack.received[0]!.body)
    expect(slack.received[0]!.headers['user-agent']).toMatch(/@slack:webhook/)
    expect(message).toMatchObject({ link_names: false, parse: 'none', unfurl_links: false })
    expect(message.text).toBe('[acme/access] `@alice` has AWS access until 2027-03-02T11:05:00Z (`pr-7`)')
    const section: string = message.blocks[0].text.text
    // Who, what, where, until when, who approved; the user's text is escaped, so it forms no mention or link.
    expect(section).toContain(
      '*Reason:* INC-4821 &lt;!channel&gt; @\u200Bhere &amp; &lt;https://evil.example|click here&gt; (ticket `INC-4821`)',
    )
    expect(section).toContain('• account `111111111111` as `arn:aws:iam::111111111111:role/jit-alice`: `ec2:StopInstances` on `*`')
    expect(section).toContain('From 2027-03-02T09:05:00Z to 2027-03-02T11:05:00Z; approved by `@bob`, `@carol`')
    expect(JSON.stringify(message)).not.toMatch(/<!(channel|here|everyone)/)
    expect(message.blocks[1].elements[0].text).toBe(
      '<https://github.com/acme/access/pull/7|acme/access pr-7> · granted · 2027-03-02T09:05:00.000Z',
    )

    expect(hook.received).toHaveLength(1)
    const delivery = hook.received[0]!
    expect(delivery.headers['content-type']).toBe('application/cloudevents+json; charset=utf-8')
    expect(delivery.headers['x-jit-timestamp']).toBe(String(NOW.getTime() / 1000))
    expect(delivery.headers['x-jit-signature-256']).toMatch(/^sha256=[0-9a-f]{64}$/)
    expect(verifyDelivery({ secret: SECRET, received: delivery, now: NOW })).toBe(true)
    expect(verifyDelivery({ secret: 'another key', received: delivery, now: NOW })).toBe(false)
    // A replay of the same body with a later clock is refused by the timestamp; an altered body by the signature.
    expect(verifyDelivery({ secret: SECRET, received: delivery, now: new Date(NOW.getTime() + 10 * 60_000) })).toBe(false)
    expect(verifyDelivery({ secret: SECRET, received: { ...delivery, body: delivery.body.replace('alice', 'mallory') }, now: NOW })).toBe(
      false,
    )
    const event = JSON.parse(delivery.body)
    expect(event).toMatchObject({
      specversion: '1.0',
      source: 'https://github.com/acme/access',
      type: 'dev.jit-access.granted',
      subject: 'pr-7',
      time: NOW.toISOString(),
      datacontenttype: 'application/json',
      data: GRANTED,
    })
    expect(event.id).toMatch(/^[0-9a-f-]{36}$/)
    expect(sender.health()).toEqual({
      'acme/access ops': {
        kind: 'slack',
        delivered: 1,
        failed: 0,
        lastDelivery: { at: NOW.toISOString(), event: 'granted', attempts: 1 },
        lastError: null,
      },
      'acme/access siem': {
        kind: 'webhook',
        delivered: 1,
        failed: 0,
        lastDelivery: { at: NOW.toISOString(), event: 'granted', attempts: 1 },
        lastError: null,
      },
    })
  })

  it('sends each sink only the events it subscribed to', async () => {
    const sender = notifier()
    const revoked: NotificationEvent = { ...GRANTED, type: 'revoked', revokedBy: 'bob', reason: 'early' }
    sender.notify([slackSink, hookSink], revoked)
    await sender.settled()
    expect(slack.received).toHaveLength(0)
    expect(JSON.parse(hook.received[0]!.body).type).toBe('dev.jit-access.revoked')
  })

  it('retries a receiver that answers 500, with backoff, and the same event id on every attempt', async () => {
    hook.answer('fail', 'fail')
    slack.answer('fail')
    const sender = notifier()
    sender.notify([slackSink, hookSink], GRANTED)
    await sender.settled()
    expect(hook.received).toHaveLength(3)
    expect(new Set(hook.received.map((r) => JSON.parse(r.body).id)).size).toBe(1)
    expect(slack.received).toHaveLength(2)
    expect(sleeps.sort()).toEqual([100, 100, 200])
    expect(sender.health()['acme/access siem']).toMatchObject({ delivered: 1, lastDelivery: { attempts: 3 }, lastError: null })
  })

  it('gives up after the bounded attempts, logs it and shows it on the health report, without throwing', async () => {
    hook.answer('fail', 'fail', 'fail', 'fail')
    const sender = notifier()
    expect(() => sender.notify([hookSink], GRANTED)).not.toThrow()
    await sender.settled()
    expect(hook.received).toHaveLength(3)
    expect(sender.health()['acme/access siem']).toEqual({
      kind: 'webhook',
      delivered: 0,
      failed: 1,
      lastDelivery: null,
      lastError: { at: NOW.toISOString(), event: 'granted', message: 'the webhook answered HTTP 500 (after 3 attempts)' },
    })
    expect(logged.filter((entry) => entry.level === 'warn').map((entry) => entry.message)).toEqual([
      'notification to siem not delivered: the webhook answered HTTP 500 (after 3 attempts)',
    ])
  })

  it('times out a receiver that never answers, on Slack and on the webhook alike', async () => {
    hook.answer('hang', 'hang')
    slack.answer('hang', 'hang')
    const sender = notifier({ timeoutMs: 200, attempts: 2 })
    const started = Date.now()
    sender.notify([slackSink, hookSink], GRANTED)
    await sender.settled()
    expect(Date.now() - started).toBeLessThan(5_000)
    expect(hook.received).toHaveLength(2)
    expect(slack.received).toHaveLength(2)
    expect(sender.health()['acme/access siem']?.lastError?.message).toBe('the webhook did not answer within 200 ms (after 2 attempts)')
    expect(sender.health()['acme/access ops']?.lastError?.message).toBe('Slack did not answer within 200 ms (after 2 attempts)')
  })

  it('says which environment variable is missing, and does not retry it', async () => {
    const sender = notifier({ env: { HOOK_URL: hook.url } })
    sender.notify([slackSink, hookSink], GRANTED)
    await sender.settled()
    expect(hook.received).toHaveLength(0)
    expect(sender.health()['acme/access ops']?.lastError?.message).toBe("SLACK_URL is not set in the app's environment (after 1 attempt)")
    expect(sender.health()['acme/access siem']?.lastError?.message).toBe(
      "HOOK_SECRET is not set in the app's environment (after 1 attempt)",
    )
  })

  it('tells drift found again by the next sweep once', async () => {
    const sender = notifier()
    const drift: NotificationEvent = {
      type: 'drift',
      repository: 'acme/access',
      requestId: 'pr-9',
      url: null,
      at: NOW.toISOString(),
      explanation: 'pr-9 is active but jit-pr-9-exp-x is missing in 111111111111',
    }
    sender.notify([slackSink], drift)
    sender.notify([slackSink], drift)
    await sender.settled()
    expect(slack.received).toHaveLength(1)
  })
})
