import { main } from '../../src/cli/jit.js'
import { createJitCommands } from '../../src/cli/jit-commands.js'

/** `jit <args>` in-process, in `cwd`, at `now`: its exit code and what it printed. */
export async function runJit(params: {
  args: readonly string[]
  cwd: string
  now: () => Date
}): Promise<{ code: number; stdout: string; stderr: string }> {
  let stdout = ''
  let stderr = ''
  const io = {
    stdout: { write: (text: string) => (stdout += text) },
    stderr: { write: (text: string) => (stderr += text) },
    cwd: params.cwd,
    env: {},
    now: params.now,
  }
  const code = await main(params.args, io, createJitCommands())
  return { code, stdout, stderr }
}
