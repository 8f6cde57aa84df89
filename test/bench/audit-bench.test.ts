import { describe, expect, it } from 'vitest'
import { measureAudit, runInThisProcess } from '../../bench/audit-bench.js'

describe('the audit bench, small', () => {
  it('generates 200 requests as the app writes them and every command answers what the history says', async () => {
    const lines: string[] = []
    const result = await measureAudit({ log: (line) => lines.push(line), now: () => performance.now() }, 200, runInThisProcess)
    expect(result).toMatchObject({ bench: 'audit', grants: 200, ok: true })
    // 1 setup commit; 180 grants × 3 commits (intent, grant, revocation); 20 refusals.
    expect(result.commits).toBe(1 + 180 * 3 + 20)
  }, 60_000)
})
