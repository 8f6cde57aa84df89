import { mkdtemp, rm } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { runAuditCommand } from '../src/cli/audit-command.js'
import type { BenchCase, BenchIo } from './bench-case.js'
import { generateAuditHistory } from './generate-audit-history.js'

const GRANTS = 10_000

/** The figures one audit run prints; `ok` when each command answered as the generated history says. */
export interface AuditBenchResult {
  readonly bench: 'audit'
  readonly grants: number
  readonly commits: number
  readonly generateMs: number
  readonly timelineMs: number
  readonly verifyMs: number
  readonly whoMs: number
  readonly peakRssMb: number
  readonly ok: boolean
}

/**
 * `audit`: a repository history of 10,000 requests written as the app writes them (git fast-import),
 * then `jit audit timeline --csv`, `verify --json` and `who --json` over it, each from scratch, in
 * this process. `peakRssMb` is this process's peak (generation included, so an upper bound).
 */
export const auditBench: BenchCase = {
  name: 'audit',
  description: `jit audit timeline, verify and who over a generated history of ${GRANTS} grants`,
  run: async (io) => {
    const result = await measureAudit(io, GRANTS)
    io.log(JSON.stringify(result))
    return { ok: result.ok }
  },
}

export async function measureAudit(io: BenchIo, grants: number): Promise<AuditBenchResult> {
  const dir = await mkdtemp(join(tmpdir(), 'jit-audit-bench-'))
  try {
    let started = io.now()
    const generated = await generateAuditHistory({ dir, grants })
    const generateMs = Math.round(io.now() - started)
    const run = async (args: string[]) => {
      let out = ''
      const cliIo = {
        stdout: { write: (text: string) => (out += text) },
        stderr: { write: () => true },
        cwd: dir,
        env: {},
        now: () => new Date('2026-12-01T00:00:00Z'),
      }
      started = io.now()
      const code = await runAuditCommand(args, cliIo)
      return { code, out, ms: Math.round(io.now() - started) }
    }
    const timeline = await run(['timeline', '--csv'])
    const verify = await run(['verify', '--json'])
    const who = await run([
      'who',
      '--account',
      '111111111111',
      '--action',
      'ec2:TerminateInstances',
      '--between',
      '2026-01-01',
      '2026-12-31',
      '--json',
    ])
    const rows = timeline.out.trimEnd().split('\r\n').length - 1
    const anomalies = (JSON.parse(verify.out) as { anomalies: { kind: string }[] }).anomalies
    const holders = (JSON.parse(who.out) as { holders: unknown[] }).holders
    // Every request is in the timeline; verify finds the refusals and the policy changes, nothing else;
    // who finds the grants of account 111111111111 (index ≡ 1 mod 10), none of which is a refusal.
    const expectedHolders = Math.floor((grants - 1) / 10) + 1
    const ok =
      timeline.code === 0 &&
      rows === grants &&
      verify.code === 1 &&
      anomalies.length === generated.refusals + generated.policyChanges + 1 &&
      who.code === 0 &&
      holders.length === expectedHolders
    return {
      bench: 'audit',
      grants,
      commits: generated.commits,
      generateMs,
      timelineMs: timeline.ms,
      verifyMs: verify.ms,
      whoMs: who.ms,
      peakRssMb: Math.round(process.resourceUsage().maxRSS / 1024),
      ok,
    }
  } finally {
    await rm(dir, { recursive: true, force: true })
  }
}
