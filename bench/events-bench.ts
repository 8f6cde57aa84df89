import { existsSync } from 'node:fs'
import { join } from 'node:path'
import { fileURLToPath } from 'node:url'
import { loadActionCatalogue } from '../src/aws/load-action-catalogue.js'
import { createManualClock } from '../src/demo/manual-clock.js'
import { readExampleRepository } from '../src/demo/read-example-repository.js'
import type { ProxiedRequest } from '../src/demo/start-github-proxy.js'
import { startLocalStack } from '../src/demo/start-local-stack.js'
import type { BenchCase } from './bench-case.js'

// bench/ from the sources (vitest), dist/bench/ once built (`npm run bench`).
const EXAMPLE_DIRS = ['../examples/access-repo/', '../../examples/access-repo/'].map((path) =>
  fileURLToPath(new URL(path, import.meta.url)),
)
const EXAMPLE_DIR = EXAMPLE_DIRS.find((candidate) => existsSync(join(candidate, 'teams.yaml'))) ?? EXAMPLE_DIRS[0]!
const REQUEST_PATH = 'requests/sre/inc-4821-terminate-web.yaml'
const LATENCY_MS = 100
/** Asking for an installation token is Probot's, once an hour, not the event's. */
const TOKEN_PATH = /^\/app\/installations\/\d+\/access_tokens$/u

/** Calls and sequential round trips of one event: calls that overlap in time count as one round. */
export interface EventCost {
  readonly calls: number
  readonly rounds: number
}

/** Rounds of overlapping requests: sorted by start, a request that starts after every earlier one ended opens a round. */
export function countRounds(requests: readonly Pick<ProxiedRequest, 'startedMs' | 'endedMs'>[]): number {
  let rounds = 0
  let roundEnd = Number.NEGATIVE_INFINITY
  for (const request of [...requests].sort((a, b) => a.startedMs - b.startedMs)) {
    if (request.startedMs >= roundEnd) rounds += 1
    roundEnd = Math.max(roundEnd, request.endedMs)
  }
  return rounds
}

/**
 * Waits until the app has stopped calling GitHub: every request answered and none new for a while. A
 * webhook handler slower than the delivery's timeout (a loaded machine) goes on after the delivery answered.
 */
async function waitUntilQuiet(requests: readonly ProxiedRequest[], quietMs = 1_000, timeoutMs = 120_000): Promise<void> {
  const deadline = performance.now() + timeoutMs
  let seen = -1
  while (performance.now() < deadline) {
    const busy = requests.some((request) => Number.isNaN(request.endedMs))
    if (!busy && requests.length === seen) return
    seen = busy ? -1 : requests.length
    await new Promise((resolve) => setTimeout(resolve, quietMs))
  }
  throw new Error(`the app was still calling GitHub after ${timeoutMs} ms`)
}

/** The `events` line: one request's lifecycle on the GitHub emulator, every GitHub call delayed by `latencyMs`. */
export async function measureEvents(params: { latencyMs: number }): Promise<{
  githubCalls: Record<'opened' | 'review' | 'merge' | 'sweep', number>
  sequentialRoundTrips: Record<'opened' | 'review' | 'merge' | 'sweep', number>
  lifecycleCalls: number
  wallMs: Record<'opened' | 'review' | 'merge' | 'sweep', number>
}> {
  const example = await readExampleRepository(EXAMPLE_DIR)
  const clock = createManualClock(new Date('2027-03-02T09:00:00Z'))
  const stack = await startLocalStack({
    files: example.files,
    teams: example.teams,
    accounts: ['111111111111', '222222222222'],
    principals: [...new Set([...example.teams.values()].flat())],
    clock,
    app: { catalogue: loadActionCatalogue() },
  })
  try {
    // The sweeper's first pass lists the installation once after a start: not the cost of a sweep.
    await stack.tickSweeper()
    stack.proxy.latencyMs = params.latencyMs
    const costs: Partial<Record<'opened' | 'review' | 'merge' | 'sweep', EventCost & { wallMs: number }>> = {}
    const measure = async (name: 'opened' | 'review' | 'merge' | 'sweep', event: () => Promise<unknown>) => {
      const from = stack.proxy.requests.length
      const started = performance.now()
      await event()
      await stack.github.settle()
      await waitUntilQuiet(stack.proxy.requests)
      const wallMs = Math.round(performance.now() - started)
      const requests = stack.proxy.requests.slice(from).filter((request) => !TOKEN_PATH.test(request.path))
      costs[name] = { calls: requests.length, rounds: countRounds(requests), wallMs }
    }
    let number = 0
    await measure('opened', async () => {
      const opened = await stack.github.openPullRequest({
        author: 'alice',
        branch: 'access/alice-inc-4821',
        files: { [REQUEST_PATH]: example.requests[REQUEST_PATH] as string },
        title: 'INC-4821: terminate the stuck web node',
      })
      number = opened.number
    })
    await measure('review', () => stack.github.submitReview(number, { login: 'bob', state: 'APPROVED' }))
    // The second approval the policy asks for: the same kind of event, not counted twice.
    stack.proxy.latencyMs = 0
    await stack.github.submitReview(number, { login: 'carol', state: 'APPROVED' })
    await stack.github.settle()
    stack.proxy.latencyMs = params.latencyMs
    clock.advance(5 * 60_000)
    await measure('merge', () => stack.github.mergePullRequest(number, { by: 'carol' }))
    clock.set(new Date('2027-03-02T11:06:00Z'))
    await measure('sweep', () => stack.tickSweeper())
    const record = await stack.github.git(['ls-tree', '-r', '--name-only', 'main', '--', 'grants/'])
    if (!record.includes(`grants/revoked/pr-${number}.yaml`))
      throw new Error(
        `the sweep did not revoke pr-${number}: ${record} ${await stack.github.git(['show', `main:${record.trim().split('\n')[0]}`])}`,
      )
    const names = ['opened', 'review', 'merge', 'sweep'] as const
    const cost = (name: (typeof names)[number]) => costs[name] as EventCost & { wallMs: number }
    return {
      githubCalls: Object.fromEntries(names.map((name) => [name, cost(name).calls])) as Record<(typeof names)[number], number>,
      sequentialRoundTrips: Object.fromEntries(names.map((name) => [name, cost(name).rounds])) as Record<(typeof names)[number], number>,
      lifecycleCalls: names.reduce((sum, name) => sum + cost(name).calls, 0),
      wallMs: Object.fromEntries(names.map((name) => [name, cost(name).wallMs])) as Record<(typeof names)[number], number>,
    }
  } finally {
    await stack.stop()
  }
}

/**
 * `events`: one request's whole lifecycle (opened, a review, the merge with its intent and grant commits
 * and comment, the in-app sweep that revokes it at expiry) on the GitHub emulator behind a loopback proxy
 * that adds 100 ms to every GitHub call. Prints the calls and the sequential round trips of each event.
 */
export const eventsBench: BenchCase = {
  name: 'events',
  description: `one request's lifecycle on the GitHub emulator, ${LATENCY_MS} ms added to every GitHub call: calls and round trips per event`,
  run: async (io) => {
    const measured = await measureEvents({ latencyMs: LATENCY_MS })
    io.log(JSON.stringify({ bench: 'events', latencyMs: LATENCY_MS, ...measured }))
    return { ok: true }
  },
}
