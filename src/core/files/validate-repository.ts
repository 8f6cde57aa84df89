import type { ActionCatalogue } from '../matching/action-catalogue.js'
import { listFailureErrors, loadAccessRepository, SETTINGS_PATH, type RepositoryFile } from './access-repository.js'
import type { InputError } from './input-error.js'
import { findRequestPathWarnings } from './request-path-warnings.js'
import { backendFor } from './settings.js'
import type { AccessRepository } from './access-repository.js'

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
  warnings.push(...findUngrantablePermissionSetWarnings(repository))
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

/**
 * A policy whose `grants.permission_sets` can never be granted: none of its accounts is on Identity
 * Center, so every request for one of its sets is refused at check time.
 */
function findUngrantablePermissionSetWarnings(repository: Pick<AccessRepository, 'policies' | 'settings'>): string[] {
  const { settings } = repository
  const anyIdentityCenter = settings.backend === 'identity_center' || Object.values(settings.accountBackends).includes('identity_center')
  return repository.policies
    .filter((policy) => policy.grants.permissionSets.length > 0)
    .filter((policy) =>
      policy.grants.accounts.every((account) =>
        account === '*' ? !anyIdentityCenter : backendFor(settings, account) !== 'identity_center',
      ),
    )
    .map(
      (policy) =>
        `${policy.file}: grants.permission_sets (${policy.grants.permissionSets.join(', ')}) can never be granted: none of its accounts (${policy.grants.accounts.join(', ')}) is on backend identity_center in .github/jit.yml`,
    )
}
