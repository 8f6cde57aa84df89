/** What a CLI command may touch: streams, the working directory and the environment. Passed in so tests can run commands in-process. */
export interface CliIo {
  readonly stdout: { write(text: string): unknown }
  readonly stderr: { write(text: string): unknown }
  readonly cwd: string
  readonly env: Readonly<Record<string, string | undefined>>
  /** The clock; defaults to the system clock. */
  readonly now?: () => Date
}

/** Exit codes of `jit`. */
export const EXIT = { approved: 0, ok: 0, pending: 1, invalid: 2, denied: 3, bug: 70 } as const

/** A mistake in how the command was called (bad flag, missing file): exit 2 with the message. */
export class UsageError extends Error {
  override readonly name = 'UsageError'
}
