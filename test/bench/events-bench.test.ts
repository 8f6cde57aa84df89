import { describe, expect, it } from 'vitest'
import { countRounds, eventsBench } from '../../bench/events-bench.js'

describe('countRounds', () => {
  it('counts overlapping calls as one round and calls one after the other as one each', () => {
    const call = (startedMs: number, endedMs: number) => ({ startedMs, endedMs })
    expect(countRounds([])).toBe(0)
    expect(countRounds([call(0, 100), call(100, 200), call(200, 300)])).toBe(3)
    expect(countRounds([call(0, 100), call(10, 120), call(130, 200)])).toBe(2)
    expect(countRounds([call(130, 200), call(10, 120), call(0, 100)])).toBe(2)
  })
})

describe('the events bench', () => {
  it('prints one JSON line whose counts are the ones test/app/app.test.ts pins, and a review in at most 3 round trips', async () => {
    // The case as `npm run bench -- events` runs it (100 ms added to every GitHub call): rounds depend on it.
    const lines: string[] = []
    const outcome = await eventsBench.run({ log: (line) => lines.push(line), now: () => performance.now() })
    expect(outcome).toEqual({ ok: true })
    expect(lines).toHaveLength(1)
    const printed = JSON.parse(lines[0]!) as Record<string, unknown>
    expect(Object.keys(printed)).toEqual(['bench', 'latencyMs', 'githubCalls', 'sequentialRoundTrips', 'lifecycleCalls', 'wallMs'])
    expect(printed).toMatchObject({ bench: 'events', latencyMs: 100 })
    expect(printed['githubCalls']).toEqual({
      // opened and review as app.test.ts "API calls per event" pins them (the comment found in the pull request's
      // query); the merge (reads, intent and grant commits, comment) and the due sweep (recognition, records,
      // authorship, one commit, the comment) as the workflow tests pin theirs.
      opened: 6,
      review: 4,
      merge: 7,
      sweep: 5,
    })
    expect(printed['sequentialRoundTrips']).toEqual({
      // Read the PR (and the comment), the files, the teams, then the check run, the comment and the review requests together.
      opened: 4,
      // Read the PR (and the comment), the teams (the rules and the request are cached), then both writes together.
      review: 3,
      merge: 7,
      sweep: 5,
    })
    expect(printed['lifecycleCalls']).toBe(22)
    const wallMs = printed['wallMs'] as Record<string, number>
    expect(Object.keys(wallMs)).toEqual(['opened', 'review', 'merge', 'sweep'])
    // Every round trip waits at least the 100 ms added to it.
    for (const [event, rounds] of Object.entries(printed['sequentialRoundTrips'] as Record<string, number>))
      expect(wallMs[event], event).toBeGreaterThanOrEqual(rounds * 100)
  }, 240_000)
})
