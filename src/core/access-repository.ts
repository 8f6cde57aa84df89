import type { ActionCatalogue } from './action-catalogue.js'
import type { Codeowners } from './codeowners.js'
import type { InputError } from './input-error.js'
import type { Policy } from './policy.js'
import type { JitSettings } from './settings.js'

/**
 * The rules of an access repository as read at one commit (the PR's base, never its head):
 * its policies, its CODEOWNERS and its settings.
 */
export interface AccessRepository {
  readonly policies: readonly Policy[]
  /** Undefined when the repository has no CODEOWNERS file in any of GitHub's locations. */
  readonly codeowners?: Codeowners
  readonly settings: JitSettings
  /** Every problem found in policies, CODEOWNERS and settings (a repository with errors still loads what is valid). */
  readonly errors: readonly InputError[]
}

/** A file read from the repository: path relative to its root, and its text. */
export interface RepositoryFile {
  readonly path: string
  readonly text: string
}

/**
 * Builds an AccessRepository from the files of `policies/*.yaml`, the CODEOWNERS files and `.github/jit.yml`
 * (pass whatever exists; other paths are ignored). Checks cross-file rules: unique policy names, real actions.
 */
export declare function loadAccessRepository(params: { files: readonly RepositoryFile[]; catalogue: ActionCatalogue }): AccessRepository
