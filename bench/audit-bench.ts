import { execFile } from 'node:child_process'
import { mkdtemp, readFile, rm } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { fileURLToPath } from 'node:url'
import { promisify } from 'node:util'
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
  /** CPU time of each command (user + system): what the machine's load does not inflate. */
  readonly cpuMs: { readonly timeline: number; readonly verify: number; readonly who: number }
  /** The highest peak RSS of the three commands. */
  readonly peakRssMb: number
  readonly ok: boolean
}

/**
 * `audit`: a repository history of 10,000 requests written as the app writes them (git fast-import),
 * then `jit audit timeline --csv`, `verify --json` and `who --json` over it, each from scratch in a
 * process of its own (`run-audit-command.js`), so each peak RSS is the command's.
 */
export const auditBench: BenchCase = {
  name: 'audit',
  description: `jit audit timeline, verify and who over a generated history of ${GRANTS} grants`,
  run: async (io) => {
    const result = await measureAudit(io, GRANTS, runInChildProcess)
    io.log(JSON.stringify(result))
    return { ok: result.ok }
  },
}

/** How one command is run: its exit code, output, wall and CPU time, and peak RSS. */
export type AuditCommandRunner = (
  dir: string,
  args: readonly string[],
) => Promise<{ code: number; out: string; ms: number; cpuMs: number; peakRssMb: number }>

const execFileAsync = promisify(execFile)

/** Each command in a fresh `node` process (the bench's way: its RSS is its own). */
async function runInChildProcess(dir: string, args: readonly string[]) {
  const script = fileURLToPath(new URL('./run-audit-command.js', import.meta.url))
  const outFile = join(dir, '.git', 'audit-output')
  const { stdout } = await execFileAsync(process.execPath, [script, dir, outFile, ...args], { maxBuffer: 1 << 20 })
  const figures = JSON.parse(stdout) as { code: number; ms: number; cpuMs: number; peakRssMb: number }
  return { ...figures, out: await readFile(outFile, 'utf8') }
}

/** Each command in this process (for the small test under vitest, where nothing is built). */
export const runInThisProcess: AuditCommandRunner = async (dir, args) => {
  let out = ''
  const started = performance.now()
  const cpu = process.cpuUsage()
  const code = await runAuditCommand(args, {
    stdout: { write: (text: string) => (out += text) },
    stderr: { write: () => true },
    cwd: dir,
    env: {},
    now: () => new Date('2026-12-01T00:00:00Z'),
  })
  const used = process.cpuUsage(cpu)
  return {
    code,
    out,
    ms: Math.round(performance.now() - started),
    cpuMs: Math.round((used.user + used.system) / 1000),
    peakRssMb: Math.round(process.resourceUsage().maxRSS / 1024),
  }
}

export async function measureAudit(io: BenchIo, grants: number, runCommand: AuditCommandRunner): Promise<AuditBenchResult> {
  const dir = await mkdtemp(join(tmpdir(), 'jit-audit-bench-'))
  try {
    const started = io.now()
    const generated = await generateAuditHistory({ dir, grants })
    const generateMs = Math.round(io.now() - started)
    const run = (args: string[]) => runCommand(dir, args)
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
      cpuMs: { timeline: timeline.cpuMs, verify: verify.cpuMs, who: who.cpuMs },
      peakRssMb: Math.max(timeline.peakRssMb, verify.peakRssMb, who.peakRssMb),
      ok,
    }
  } finally {
    await rm(dir, { recursive: true, force: true })
  }
}
