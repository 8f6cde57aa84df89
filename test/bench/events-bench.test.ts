import { describe, expect, it } from 'vitest'
import { countRounds, eventsBench, measureEvents } from '../../bench/events-bench.js'

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
  it('prints one JSON line whose counts are the ones test/app/app.test.ts pins', async () => {
    const lines: string[] = []
    // The case as `npm run bench -- events` runs it, with no latency added: the counts do not depend on it.
    const measured = await measureEvents({ latencyMs: 0 })
    expect(measured.githubCalls).toEqual({
      // opened and review as app.test.ts "API calls per event" pins them; the merge (reads, intent and grant commits,
      // comment) and the due sweep (recognition, records, authorship, one commit, the comment) as the workflow tests pin theirs.
      opened: 6,
      review: 5,
      merge: 7,
      sweep: 5,
    })
    expect(measured.lifecycleCalls).toBe(23)
    for (const [event, rounds] of Object.entries(measured.sequentialRoundTrips)) {
      expect(rounds, event).toBeGreaterThan(0)
      expect(rounds, event).toBeLessThanOrEqual(measured.githubCalls[event as keyof typeof measured.githubCalls])
    }
    expect(eventsBench.name).toBe('events')
    lines.push(JSON.stringify({ bench: 'events', ...measured }))
    expect(Object.keys(JSON.parse(lines[0]!))).toEqual(['bench', 'githubCalls', 'sequentialRoundTrips', 'lifecycleCalls', 'wallMs'])
  }, 120_000)
})
