import { afterEach, beforeEach, describe, expect, it } from 'vitest'
import type { Logger } from '../../src/core/ports/logger.js'
import { createNotifier, type DeliveringNotifier } from '../../src/workflows/notify/create-notifier.js'
import { startReceiver, verifyDelivery, type Receiver } from '../support/notification-receivers.js'
import { INCIDENT_REQUEST_PATH, PROD, startE2eStack, type E2eStack } from './support/start-e2e-stack.js'

// The whole lifecycle on the emulators, told to a Slack stand-in and a CloudEvents receiver on 127.0.0.1:
// every event the app produces reaches both, and the approvers still needed are asked to review (never the
// author), then reminded once per remind_after while the request stays pending.
const SECRET = 'e2e-webhook-secret'
const QUIET: Logger = { debug: () => undefined, info: () => undefined, warn: () => undefined, error: () => undefined }
const EVERY_EVENT = '[requested, approved, granted, refused, failed, revoked, expired, break-glass, drift, tampering]'

let stack: E2eStack
let slack: Receiver
let hook: Receiver
let notifier: DeliveringNotifier

beforeEach(async () => {
  slack = await startReceiver()
  hook = await startReceiver()
  notifier = createNotifier({
    env: { JIT_SLACK_WEBHOOK_URL: slack.url, JIT_WEBHOOK_URL: hook.url, JIT_WEBHOOK_SECRET: SECRET },
    log: QUIET,
    sleep: async () => undefined,
    timeoutMs: 1_000,
  })
  stack = await startE2eStack({ app: { notifier } })
})
afterEach(async () => {
  await stack.stop()
  await slack.stop()
  await hook.stop()
})

/** Waits for a record on main: a webhook answered 202 may still be being handled when the emulator settles. */
async function recorded(path: string): Promise<void> {
  for (let waited = 0; !(await stack.recordsOnMain()).includes(path); waited += 100) {
    if (waited > 30_000) throw new Error(`${path} never appeared on main`)
    await new Promise((resolve) => setTimeout(resolve, 100))
  }
}

/** Event types in the order each receiver got them. */
async function received(): Promise<{ slack: string[]; hook: string[] }> {
  await stack.github.settle()
  await notifier.settled()
  return {
    slack: slack.received.map((r) => /· ([a-z-]+) ·/.exec(JSON.parse(r.body).blocks[1].elements[0].text)?.[1] ?? '?'),
    hook: hook.received.map((r) => String(JSON.parse(r.body).type).replace('dev.jit-access.', '')),
  }
}

async function openIncidentRequest(name: string): Promise<number> {
  const text = stack.example.requests[INCIDENT_REQUEST_PATH] as string
  const pr = await stack.requestAccess({ author: 'alice', path: `requests/sre/${name}.yaml`, text })
  return pr.number
}

async function approveAndMerge(number: number, outcome: 'active' | 'failed'): Promise<void> {
  await stack.github.submitReview(number, { login: 'bob', state: 'APPROVED' })
  await stack.github.submitReview(number, { login: 'carol', state: 'APPROVED' })
  await stack.github.mergePullRequest(number, { by: 'carol' })
  await recorded(`grants/${outcome}/pr-${number}.yaml`)
}

describe('notifications, review requests and reminders over a lifecycle', () => {
  it('tells both receivers every event, asks the right reviewers, and reminds until approved', async () => {
    const { github, clock } = stack
    const settings = (await stack.readOnMain('.github/jit.yml')) as string
    await github.commitToDefaultBranch({
      author: 'erin',
      message: 'Notify the SRE channel and the SIEM',
      files: {
        '.github/jit.yml': [
          settings,
          'remind_after: 1h',
          'notifications:',
          '  - name: sre-channel',
          '    type: slack',
          '    url_env: JIT_SLACK_WEBHOOK_URL',
          `    events: ${EVERY_EVENT}`,
          '  - name: siem',
          '    type: webhook',
          '    url_env: JIT_WEBHOOK_URL',
          '    secret_env: JIT_WEBHOOK_SECRET',
          `    events: ${EVERY_EVENT}`,
          '',
        ].join('\n'),
      },
    })

    // Opened: the approvers still needed are asked to review (the code owners' team and security), never alice.
    const first = await openIncidentRequest('inc-4821-terminate-web')
    await github.settle()
    expect(github.pullRequest(first).requestedTeams).toEqual(['security', 'sre-leads'])
    expect(github.pullRequest(first).requestedReviewers).toEqual([])
    expect((await received()).hook).toEqual(['requested'])

    // A review that leaves the set unchanged requests nothing again (GitHub keeps the teams requested).
    await github.submitReview(first, { login: 'erin', state: 'COMMENTED' })
    expect(github.pullRequest(first).requestedTeams).toEqual(['security', 'sre-leads'])

    // Pending past remind_after: the sweep reminds once in the comment, then not again until another hour.
    const comment = () => github.comments(first).find((c) => c.body.startsWith('<!-- jit:request'))?.body ?? ''
    clock.advance(61 * 60_000)
    expect((await stack.sweep()).report.reminders.map((r) => r.status)).toEqual(['reminded'])
    expect(comment()).toContain(
      '⏰ **Reminder** (2027-03-02 10:01 UTC): this request is still waiting for approval from @acme/sre-leads, @acme/security.',
    )
    clock.advance(10 * 60_000)
    expect((await stack.sweep()).report.reminders).toEqual([])
    clock.advance(55 * 60_000)
    expect((await stack.sweep()).report.reminders.map((r) => r.status)).toEqual(['reminded'])
    expect(comment()).toContain('⏰ **Reminder** (2027-03-02 11:06 UTC)')

    // Approved: no reminder any more; merged: granted.
    await github.submitReview(first, { login: 'bob', state: 'APPROVED' })
    await github.submitReview(first, { login: 'carol', state: 'APPROVED' })
    await github.settle()
    clock.advance(2 * 60 * 60_000)
    expect((await stack.sweep()).report.reminders).toEqual([])
    expect(comment()).not.toContain('⏰')
    await github.mergePullRequest(first, { by: 'carol' })
    await recorded(`grants/active/pr-${first}.yaml`)
    expect(Object.keys(stack.policiesOf('alice'))).toHaveLength(1)

    // AWS refuses the second grant: failed. A third is merged by an admin without approval: refused.
    const second = await openIncidentRequest('inc-4822-second')
    stack.aws.injectFault({ action: 'PutRolePolicy', code: 'AccessDenied', message: 'jit-granter may not write to jit-alice' })
    await approveAndMerge(second, 'failed')
    const third = await openIncidentRequest('inc-4823-unapproved')
    await github.mergePullRequest(third, { by: 'carol' })
    await recorded(`grants/refused/pr-${third}.yaml`)

    // A fourth is granted, then alice ends it early.
    const fourth = await openIncidentRequest('inc-4824-short')
    await approveAndMerge(fourth, 'active')
    await github.comment(fourth, { login: 'alice', body: '/jit revoke' })
    await recorded(`grants/revoked/pr-${fourth}.yaml`)
    expect(github.comments(fourth).at(-1)?.body).toMatch(/^🔒 Revoked `pr-4` at your request, @alice\./)

    // erin edits the first grant's record on main; its policy disappears from AWS: tampering and drift.
    const record = (await stack.readOnMain(`grants/active/pr-${first}.yaml`)) as string
    await github.commitToDefaultBranch({
      author: 'erin',
      message: 'Tidy the reason',
      files: { [`grants/active/pr-${first}.yaml`]: record.replace(/^reason: .*$/m, 'reason: routine') },
    })
    const policy = Object.keys(stack.policiesOf('alice')).find((name) => name.startsWith(`jit-bb0610eed9-pr-${first}-`))
    expect(stack.aws.state.findRole(PROD, 'jit-alice')?.inlinePolicies.delete(policy as string)).toBe(true)
    await stack.tickSweeper()

    // Past the first grant's expiry: expired.
    clock.advance(3 * 60 * 60_000)
    await stack.tickSweeper()

    const got = await received()
    const expected = [
      'requested',
      'approved',
      'granted',
      'requested',
      'approved',
      'failed',
      'requested',
      'refused',
      'requested',
      'approved',
      'granted',
      'revoked',
      'drift',
      'tampering',
      'expired',
    ]
    expect(got.hook).toEqual(expected)
    expect(got.slack).toEqual(expected)
    expect(hook.received.every((delivery) => verifyDelivery({ secret: SECRET, received: delivery, now: new Date() }))).toBe(true)
    expect(notifier.health()['acme/access siem']).toMatchObject({ delivered: expected.length, failed: 0, lastError: null })

    // What a person reads: one granted message each way.
    const granted = hook.received.map((r) => JSON.parse(r.body)).find((event) => event.type === 'dev.jit-access.granted')
    expect(granted.data).toMatchObject({ requester: 'alice', requestId: `pr-${first}`, approvedBy: ['bob', 'carol'] })
    expect(granted.data.url).toMatch(new RegExp(`/acme/access/pull/${first}$`))
    if (process.env['JIT_PRINT_NOTIFICATIONS'])
      console.log(
        JSON.stringify(
          {
            slack: JSON.parse(slack.received[2]!.body),
            webhook: { headers: hook.received[2]!.headers, body: JSON.parse(hook.received[2]!.body) },
          },
          null,
          2,
        ),
      )
    // The one error is the grant AWS refused, logged where an operator looks; notifications added none.
    expect(stack.appErrors()).toEqual([expect.stringMatching(/^error: did not grant pr-2: /)])
  }, 240_000)

  it('a receiver that answers 500 or never answers does not stop the grant', async () => {
    const { github } = stack
    slack.answer('hang', 'hang', 'hang', 'hang', 'hang', 'hang')
    hook.answer('fail', 'fail', 'fail', 'fail', 'fail', 'fail')
    const settings = (await stack.readOnMain('.github/jit.yml')) as string
    await github.commitToDefaultBranch({
      author: 'erin',
      message: 'Notify',
      files: {
        '.github/jit.yml': `${settings}notifications:\n  - type: slack\n    url_env: JIT_SLACK_WEBHOOK_URL\n    events: [granted]\n  - type: webhook\n    url_env: JIT_WEBHOOK_URL\n    secret_env: JIT_WEBHOOK_SECRET\n    events: [granted]\n`,
      },
    })
    const merged = await stack.mergeApprovedIncidentRequest()
    expect(merged.mergeStatus).toBeLessThan(300)
    await recorded(`grants/active/pr-${merged.number}.yaml`)
    expect(await stack.recordsOnMain()).toEqual([`grants/active/pr-${merged.number}.yaml`])
    expect(Object.keys(stack.policiesOf('alice'))).toHaveLength(1)
    await notifier.settled()
    // Retried, and bounded: three attempts each, then the error is on the health report.
    expect(hook.received).toHaveLength(3)
    expect(slack.received).toHaveLength(3)
    expect(notifier.health()['acme/access webhook-2']).toMatchObject({
      delivered: 0,
      failed: 1,
      lastError: { event: 'granted', message: 'the webhook answered HTTP 500 (after 3 attempts)' },
    })
    expect(notifier.health()['acme/access slack-1']).toMatchObject({
      delivered: 0,
      failed: 1,
      lastError: { event: 'granted', message: 'Slack did not answer within 1000 ms (after 3 attempts)' },
    })
    expect(stack.appErrors()).toEqual([])
  }, 120_000)
})
