import type { ActionCatalogue } from '../matching/action-catalogue.js'
import { listFailureErrors, loadAccessRepository, SETTINGS_PATH, type RepositoryFile } from './access-repository.js'
import type { InputError } from './input-error.js'
import { findRequestPathWarnings } from './request-path-warnings.js'

/** What `jit validate` (and `jit doctor`) say of an access repository's rule files. */
export interface RepositoryValidation {
  readonly valid: boolean
  /** The names of the policies that loaded. */
  readonly policies: readonly string[]
  /** Every error, each with its file and line. */
  readonly errors: readonly InputError[]
  readonly warnings: readonly string[]
  /** The files found valid, in words (`7 policies`, `.github/CODEOWNERS`, `.github/jit.yml`): only what exists. */
  readonly checked: readonly string[]
  readonly hasCodeowners: boolean
}

/** Validates every policy, CODEOWNERS and `.github/jit.yml` of a repository, from wherever its files were read. */
export function validateRepository(params: { files: readonly RepositoryFile[]; catalogue: ActionCatalogue }): RepositoryValidation {
  const { files } = params
  const repository = loadAccessRepository({ files, catalogue: params.catalogue })
  const warnings: string[] = []
  if (!files.some((file) => file.path.startsWith('policies/')))
    warnings.push('policies/ holds no policy file: every request will be denied')
  if (!repository.codeowners) warnings.push('no CODEOWNERS file: rules with `from: codeowners` can never be met')
  warnings.push(...findRequestPathWarnings(repository))
  const errors = listFailureErrors(repository.failures)
  const count = repository.policies.length
  return {
    valid: errors.length === 0,
    policies: repository.policies.map((policy) => policy.name),
    errors,
    warnings,
    checked: [
      `${count} polic${count === 1 ? 'y' : 'ies'}`,
      ...(repository.codeowners ? [repository.codeowners.file] : []),
      ...(files.some((file) => file.path === SETTINGS_PATH) ? [SETTINGS_PATH] : []),
    ],
    hasCodeowners: repository.codeowners !== undefined,
  }
}
