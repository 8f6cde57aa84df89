/**
 * An error the emulator answers with, shaped like GitHub's REST error body:
 * `{ message, documentation_url, status }` plus `errors` for validation failures (422).
 */
export class GitHubHttpError extends Error {
  readonly status: number
  readonly errors: readonly unknown[] | undefined

  constructor(status: number, message: string, options: { errors?: readonly unknown[]; cause?: unknown } = {}) {
    super(message, { cause: options.cause })
    this.name = 'GitHubHttpError'
    this.status = status
    this.errors = options.errors
  }

  /** The JSON body GitHub sends for this error. */
  toBody(): Record<string, unknown> {
    return {
      message: this.message,
      documentation_url: 'https://docs.github.com/rest',
      status: String(this.status),
      ...(this.errors === undefined ? {} : { errors: this.errors }),
    }
  }
}

/** Thrown when the emulator itself drifts from GitHub's published API description (a bug in the emulator or a caller). */
export class ApiDescriptionMismatchError extends Error {
  readonly operation: string
  readonly problems: readonly string[]

  constructor(operation: string, what: string, problems: readonly string[]) {
    super(`${operation}: ${what} does not match GitHub's OpenAPI description:\n  ${problems.join('\n  ')}`)
    this.name = 'ApiDescriptionMismatchError'
    this.operation = operation
    this.problems = problems
  }
}
