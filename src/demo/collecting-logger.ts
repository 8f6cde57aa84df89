import type { Probot } from 'probot'

/** The logger Probot takes (a pino Logger), named without depending on pino directly. */
export type ProbotLogger = NonNullable<NonNullable<ConstructorParameters<typeof Probot>[0]>['log']>

/** One line the app logged at warn level or above. */
export interface LoggedEntry {
  readonly level: 'warn' | 'error' | 'fatal'
  readonly message: string
  /** The fields pino would have written: bindings of the child logger and the call's object. */
  readonly fields: Readonly<Record<string, unknown>>
}

const LEVELS = ['trace', 'debug', 'info', 'warn', 'error', 'fatal'] as const

/**
 * A logger with pino's calling conventions that keeps what the app says at warn level and above, so a
 * scenario can assert the app met no error it swallowed (the sweeper's interval logs and carries on),
 * and the demo can show it. Lower levels are dropped.
 */
export function createCollectingLogger(entries: LoggedEntry[], bindings: Record<string, unknown> = {}): ProbotLogger {
  const write = (level: (typeof LEVELS)[number]) => (first?: unknown, second?: unknown) => {
    if (level !== 'warn' && level !== 'error' && level !== 'fatal') return
    // pino takes (message), (fields, message) or (error, message); an error alone speaks for itself.
    const fields =
      first instanceof Error ? { err: first } : first !== null && typeof first === 'object' ? (first as Record<string, unknown>) : {}
    const message = typeof first === 'string' ? first : typeof second === 'string' ? second : first instanceof Error ? first.message : ''
    entries.push({ level, message, fields: { ...bindings, ...fields } })
  }
  const logger: Record<string, unknown> = {
    level: 'warn',
    child: (more: Record<string, unknown>) => createCollectingLogger(entries, { ...bindings, ...more }),
    isLevelEnabled: (level: string) => LEVELS.indexOf(level as (typeof LEVELS)[number]) >= LEVELS.indexOf('warn'),
    silent: () => undefined,
  }
  for (const level of LEVELS) logger[level] = write(level)
  return logger as unknown as ProbotLogger
}

/** One line per entry, for a person: `error: message (err: ...)`. */
export function describeLoggedEntry(entry: LoggedEntry): string {
  const error = entry.fields['err']
  const cause = error instanceof Error ? ` (${error.message})` : ''
  return `${entry.level}: ${entry.message}${cause}`
}
