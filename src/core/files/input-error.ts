/**
 * A problem with a file a user wrote (request, policy, CODEOWNERS, settings), located precisely enough
 * for a person to fix it and for a GitHub check-run annotation to point at it.
 */
export interface InputError {
  /** Path of the file, relative to the access repository's root (e.g. `requests/alice/db.yaml`). */
  readonly file: string
  /** 1-based line of the offending key or value; 1 when the problem concerns the whole file. */
  readonly line: number
  readonly message: string
}

/** The outcome of reading a user-written file: a typed value, or every error found in it. */
export type Parsed<T> = { readonly ok: true; readonly value: T } | { readonly ok: false; readonly errors: readonly InputError[] }

export function formatInputError(error: InputError): string {
  return `${error.file}:${error.line}: ${error.message}`
}
