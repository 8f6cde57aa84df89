import { main } from '../../src/cli/jit.js'
import { createJitCommands } from '../../src/cli/jit-commands.js'
import type { CliCommand } from '../../src/cli/cli-io.js'

/** `jit <args>` in-process, in `cwd`, at `now`: its exit code and what it printed. */
export async function runJit(params: {
  args: readonly string[]
  cwd: string
  now: () => Date
  env?: Readonly<Record<string, string>>
  /** The commands (default: `createJitCommands()`), e.g. with a test's catalogue. */
  commands?: readonly CliCommand[]
}): Promise<{ code: number; stdout: string; stderr: string }> {
  let stdout = ''
  let stderr = ''
  const io = {
    stdout: { write: (text: string) => (stdout += text) },
    stderr: { write: (text: string) => (stderr += text) },
    cwd: params.cwd,
    env: { ...params.env },
    now: params.now,
  }
  const code = await main(params.args, io, params.commands ?? createJitCommands())
  return { code, stdout, stderr }
}
