import { writeFile } from 'node:fs/promises'
import { runAuditCommand } from '../src/cli/audit-command.js'

/**
 * `node dist/bench/run-audit-command.js <dir> <out-file> <audit args…>`: one `jit audit` command in a
 * process of its own (so its peak RSS is its own), at the bench's fixed now. Writes the command's
 * output to <out-file> and prints `{"code":…,"ms":…,"cpuMs":…,"peakRssMb":…}`.
 */
const [dir, outFile, ...args] = process.argv.slice(2)
let out = ''
const started = performance.now()
const cpu = process.cpuUsage()
const code = await runAuditCommand(args, {
  stdout: { write: (text: string) => (out += text) },
  stderr: { write: () => true },
  cwd: dir!,
  env: {},
  now: () => new Date('2026-12-01T00:00:00Z'),
})
const ms = Math.round(performance.now() - started)
const used = process.cpuUsage(cpu)
await writeFile(outFile!, out)
console.log(
  JSON.stringify({
    code,
    ms,
    cpuMs: Math.round((used.user + used.system) / 1000),
    peakRssMb: Math.round(process.resourceUsage().maxRSS / 1024),
  }),
)
