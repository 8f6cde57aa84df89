import type { InputError } from './input-error.js'

/** One valid CODEOWNERS line. */
export interface CodeownersRule {
  readonly pattern: string
  /** Owners as written: `@user`, `@org/team` or an e-mail; may be empty (the line un-owns the path). */
  readonly owners: readonly string[]
  /** 1-based line number in the CODEOWNERS file. */
  readonly line: number
}

export interface Codeowners {
  /** Path of the CODEOWNERS file used (`.github/CODEOWNERS`, `CODEOWNERS` or `docs/CODEOWNERS`). */
  readonly file: string
  readonly rules: readonly CodeownersRule[]
  /** Invalid lines, ignored as GitHub ignores them. */
  readonly errors: readonly InputError[]
}

/** The owners of a path: the last matching rule wins. `rule` is undefined when no line matches. */
export interface Ownership {
  readonly rule?: CodeownersRule
  /** Logins (lower-cased, without `@`) of user owners. */
  readonly users: readonly string[]
  /** Teams as `@org/team`, lower-cased. */
  readonly teams: readonly string[]
}

export declare function parseCodeowners(params: { file: string; text: string }): Codeowners
export declare function findOwners(codeowners: Codeowners, path: string): Ownership
/** Where GitHub looks, in order. */
export const CODEOWNERS_LOCATIONS = ['.github/CODEOWNERS', 'CODEOWNERS', 'docs/CODEOWNERS'] as const
