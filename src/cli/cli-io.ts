/** What a CLI command may touch: streams, the working directory and the environment. Passed in so tests can run commands in-process. */
export interface CliIo {
  readonly stdout: { write(text: string): unknown }
  readonly stderr: { write(text: string): unknown }
  readonly cwd: string
  readonly env: Readonly<Record<string, string | undefined>>
  /** The clock; defaults to the system clock. */
  readonly now?: () => Date
}

/** One `jit` subcommand: what `main` dispatches to by name, and its line in the usage text. */
export interface CliCommand {
  /** The word after `jit`, e.g. `check`. */
  readonly name: string
  /** Runs the command with the arguments after its name; returns the exit code. */
  readonly run: (args: readonly string[], io: CliIo) => Promise<number>
  /** Its synopsis, as the usage text lists it. */
  readonly usage: string
}

/** Exit codes of `jit`. */
export const EXIT = { approved: 0, ok: 0, pending: 1, invalid: 2, denied: 3, bug: 70 } as const

/** A mistake in how the command was called (bad flag, missing file): exit 2 with the message. */
export class UsageError extends Error {
  override readonly name = 'UsageError'
}
