import { createServer, type Server, type Socket } from 'node:net'
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest'
import { createCollectingLogger, type LoggedEntry } from '../../src/demo/collecting-logger.js'
import { readScheduledEvent, SCHEDULED_SWEEP_INPUT, ScheduledEventError } from '../../src/lambda/scheduled-event.js'
import { createSweepHandler, SweepPassError } from '../../src/lambda/sweep-handler.js'
import { START, startE2eStack, type E2eStack } from '../e2e/support/start-e2e-stack.js'
import { TestOctokit } from '../workflows/sweep/support/test-octokit.js'
import { FUNCTION_URL_EVENT, RULE_SCHEDULED_EVENT, startSecretsExtension, lambdaEnvironment } from './support/lambda-fixtures.js'

// Each scenario starts the emulators and merges or sweeps through them: room for a loaded machine.
vi.setConfig({ testTimeout: 120_000, hookTimeout: 120_000 })

// The sweep function, invoked in this process with the input its EventBridge Scheduler schedule sends
// (context attributes filled in as Scheduler fills them), against the emulated GitHub and IAM.
let stack: E2eStack
let extension: Awaited<ReturnType<typeof startSecretsExtension>>
const log: LoggedEntry[] = []

const environment = (overrides: Record<string, string> = {}) => lambdaEnvironment(stack, extension.port, overrides)

/** What Scheduler sends: the stack's input with its context attributes replaced. */
function schedulerEvent(at: Date): Record<string, string> {
  const filled: Record<string, string> = {
    '<aws.scheduler.schedule-arn>': 'arn:aws:scheduler:us-east-1:999999999999:schedule/default/jit-sweep',
    '<aws.scheduler.scheduled-time>': at.toISOString().replace(/\.\d{3}Z$/, 'Z'),
    '<aws.scheduler.execution-id>': 'd32c5kddcf5bb8c3',
    '<aws.scheduler.attempt-number>': '1',
  }
  return Object.fromEntries(Object.entries(SCHEDULED_SWEEP_INPUT).map(([key, value]) => [key, filled[value] ?? value]))
}

const context = (remainingMs: number) => ({
  getRemainingTimeInMillis: () => remainingMs,
  awsRequestId: 'c6af9ac6-7b61-11e6-9a41-93e8deadbeef',
})

beforeAll(async () => {
  stack = await startE2eStack()
  extension = await startSecretsExtension({
    privateKey: stack.appCredentials.privateKey,
    webhookSecret: stack.appCredentials.webhookSecret,
  })
})
afterAll(async () => {
  await extension?.stop()
  await stack?.stop()
})

describe('the scheduled sweep function', () => {
  it('revokes an expired grant in one pass, and the record is the app’s', async () => {
    const merged = await stack.mergeApprovedIncidentRequest()
    expect(merged.mergeStatus).toBe(200)
    expect(Object.keys(stack.policiesOf('alice'))).toHaveLength(1)
    const sleeps: number[] = []
    const handler = createSweepHandler({
      env: environment(),
      app: { now: stack.clock.now, sleep: async (ms) => void sleeps.push(ms) },
      Octokit: TestOctokit,
      log: createCollectingLogger(log),
    })

    // Before the expiry the pass finds nothing to do.
    const early = await handler(schedulerEvent(stack.clock.now()), context(60_000))
    expect(early.repositories).toEqual([{ repository: 'acme/access', outcome: 'swept', summary: expect.any(String) }])
    expect(await stack.recordsOnMain()).toEqual(['grants/active/pr-1.yaml'])

    stack.clock.set(new Date(START.getTime() + 3 * 60 * 60_000))
    const result = await handler(schedulerEvent(stack.clock.now()), context(60_000))
    expect(result.error).toBeNull()
    expect(result.repositories).toEqual([{ repository: 'acme/access', outcome: 'swept', summary: expect.stringContaining('revoked') }])
    expect(stack.policiesOf('alice')).toEqual({})
    expect(await stack.recordsOnMain()).toEqual(['grants/revoked/pr-1.yaml'])
    const commit = await stack.github.git(['log', '-1', '--format=%an|%(trailers:key=Jit-Action,valueonly)', 'main'])
    expect(commit.trim()).toBe('jit-access[bot]|revoke')
    // Two invocations of one warm function: the private key was read once.
    expect(extension.reads).toHaveLength(1)
    expect(log.filter((entry) => entry.level !== 'warn')).toEqual([])
    expect(sleeps).toEqual([])
  })

  it('refuses an event that is not its schedule, and sweeps nothing', async () => {
    const handler = createSweepHandler({ env: environment(), Octokit: TestOctokit, log: createCollectingLogger([]) })
    await expect(handler(FUNCTION_URL_EVENT, context(60_000))).rejects.toThrow(ScheduledEventError)
    await expect(handler({ jit: 'sweep', scheduledTime: 'soon' }, context(60_000))).rejects.toThrow(
      'the schedule\'s input has no scheduledTime (got "soon")',
    )
  })

  it('reads an EventBridge rule’s "Scheduled Event" too (AWS’s example event)', () => {
    expect(readScheduledEvent(RULE_SCHEDULED_EVENT)).toEqual({
      source: 'rule',
      scheduledTime: '2015-10-08T16:53:06Z',
      executionId: '53dc4d37-cffa-4f76-80c9-8b7d4a4d2eaa',
    })
  })

  it('does not start when the function’s timeout leaves no room for a pass', async () => {
    const handler = createSweepHandler({ env: environment(), Octokit: TestOctokit, log: createCollectingLogger([]) })
    await expect(handler(schedulerEvent(stack.clock.now()), context(10_000))).rejects.toThrow(
      "the function's timeout leaves -10000 ms for a sweep; give it at least 25000 ms",
    )
  })
})

describe('a GitHub that never answers', () => {
  let server: Server
  const sockets: Socket[] = []
  beforeAll(async () => {
    server = createServer((socket) => void sockets.push(socket))
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve))
  })
  afterAll(async () => {
    for (const socket of sockets.splice(0)) socket.destroy()
    await new Promise<void>((resolve) => server.close(() => resolve()))
  })

  it('fails the invocation at the deadline, before Lambda would stop it', async () => {
    const address = server.address() as { port: number }
    const handler = createSweepHandler({
      env: environment({ GITHUB_API_URL: `http://127.0.0.1:${address.port}` }),
      Octokit: TestOctokit,
      log: createCollectingLogger([]),
    })
    const started = Date.now()
    const remainingMs = 25_500
    const error = await handler(schedulerEvent(stack.clock.now()), context(remainingMs)).catch((caught: unknown) => caught)
    expect(error).toBeInstanceOf(SweepPassError)
    expect((error as Error).message).toBe('the sweep pass ran past its deadline (5500 ms); the next schedule sweeps again')
    const took = Date.now() - started
    expect(took).toBeGreaterThanOrEqual(5_400)
    expect(took).toBeLessThan(remainingMs - 15_000)
  })
})
