import { writeFile } from 'node:fs/promises'
import { runInThisProcess } from './audit-bench.js'

/**
 * `node dist/bench/run-audit-command.js <dir> <out-file> <audit args…>`: one `jit audit` command in a
 * process of its own (so its peak RSS is its own), at the bench's fixed now. Writes the command's
 * output to <out-file> and prints `{"code":…,"ms":…,"cpuMs":…,"peakRssMb":…}`.
 */
const [dir, outFile, ...args] = process.argv.slice(2)
const { out, ...figures } = await runInThisProcess(dir!, args)
await writeFile(outFile!, out)
console.log(JSON.stringify(figures))
