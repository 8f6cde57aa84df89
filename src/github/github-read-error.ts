/**
 * A read from GitHub that failed or returned something the app cannot use. `what` says, in words
 * for the check run, what was being read; `cause` keeps the Octokit error.
 */
export class GitHubReadError extends Error {
  override readonly name = 'GitHubReadError'
  readonly what: string

  constructor(what: string, options?: { cause?: unknown; detail?: string }) {
    super(`Could not read ${what} from GitHub${options?.detail ? `: ${options.detail}` : ''}`, { cause: options?.cause })
    this.what = what
  }
}

/** Runs a read, turning any failure into a GitHubReadError that names what was being read. */
export async function readFromGitHub<T>(what: string, read: () => Promise<T>): Promise<T> {
  try {
    return await read()
  } catch (error) {
    if (error instanceof GitHubReadError) throw error
    throw new GitHubReadError(what, { cause: error, detail: describeApiError(error) })
  }
}

/** A short description of an Octokit error: HTTP status and GitHub's message, or GraphQL's errors. */
export function describeApiError(error: unknown): string {
  if (typeof error !== 'object' || error === null) return String(error)
  const { status, errors, message } = error as { status?: unknown; errors?: unknown; message?: unknown }
  if (Array.isArray(errors) && errors.length > 0) {
    return errors.map((e: { message?: unknown }) => String(e.message ?? 'unknown GraphQL error')).join('; ')
  }
  const text = typeof message === 'string' ? message : 'unknown error'
  return typeof status === 'number' ? `HTTP ${status}: ${text}` : text
}
