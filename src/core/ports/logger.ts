/**
 * The structured logger every workflow writes to: the slice of pino that Probot's `context.log` and
 * `app.log` are, so either is passed as it is, and a test or the CLI passes a collector or a console
 * adapter. Fields first, then the message, as pino takes them.
 */
export interface Logger {
  debug(fields: Record<string, unknown>, message: string): void
  info(fields: Record<string, unknown>, message: string): void
  warn(fields: Record<string, unknown>, message: string): void
  error(fields: Record<string, unknown>, message: string): void
}
