import { parseArgs } from 'node:util'
import { listFailureErrors, loadAccessRepository, SETTINGS_PATH } from '../core/files/access-repository.js'
import { loadActionCatalogue } from '../aws/load-action-catalogue.js'
import { formatInputError } from '../core/files/input-error.js'
import { EXIT, type CliCommand, type CliIo } from './cli-io.js'
import { locateRepositoryRoot, readRepositoryFiles } from './read-repository-files.js'
import { formatCount } from '../core/text/plural.js'
import { findRequestPathWarnings } from '../core/files/request-path-warnings.js'

export const VALIDATE_USAGE = 'jit validate [--repo DIR] [--json]'

/** `jit validate`, as `main` dispatches it. */
export const validateCommand: CliCommand = { name: 'validate', run: runValidateCommand, usage: VALIDATE_USAGE }

/** `jit validate`: every policy, CODEOWNERS and `.github/jit.yml` of a repository, each error with file and line. Exit 0 or 2. */
export async function runValidateCommand(args: readonly string[], io: CliIo): Promise<number> {
  const { values } = parseArgs({ args: [...args], options: { repo: { type: 'string' }, json: { type: 'boolean', default: false } } })
  const root = await locateRepositoryRoot({ cwd: io.cwd, repo: values.repo })
  const files = await readRepositoryFiles(root)
  const repository = loadAccessRepository({ files, catalogue: await loadActionCatalogue() })
  const warnings: string[] = []
  if (!files.some((file) => file.path.startsWith('policies/')))
    warnings.push('policies/ holds no policy file: every request will be denied')
  if (!repository.codeowners) warnings.push('no CODEOWNERS file: rules with `from: codeowners` can never be met')
  warnings.push(...findRequestPathWarnings(repository))
  const errors = listFailureErrors(repository.failures)
  const valid = errors.length === 0
  if (values.json) {
    io.stdout.write(JSON.stringify({ valid, policies: repository.policies.map((policy) => policy.name), errors, warnings }, null, 2) + '\n')
  } else {
    for (const error of errors) io.stdout.write(formatInputError(error) + '\n')
    for (const warning of warnings) io.stdout.write(`warning: ${warning}\n`)
    const policies = `${repository.policies.length} polic${repository.policies.length === 1 ? 'y' : 'ies'}`
    // Name only what exists: "valid" must never describe a file that is not there.
    const checked = [
      policies,
      ...(repository.codeowners ? [repository.codeowners.file] : []),
      ...(files.some((file) => file.path === SETTINGS_PATH) ? [SETTINGS_PATH] : []),
    ]
    io.stdout.write(valid ? `OK: ${checked.join(', ')} valid\n` : `${formatCount(errors.length, 'error')} (${policies} valid)\n`)
  }
  return valid ? EXIT.ok : EXIT.invalid
}
