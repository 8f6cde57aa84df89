import { parseArgs } from 'node:util'
import { loadActionCatalogue } from '../aws/load-action-catalogue.js'
import { formatInputError } from '../core/files/input-error.js'
import { validateRepository } from '../core/files/validate-repository.js'
import { EXIT, type CliCommand, type CliIo } from './cli-io.js'
import { locateRepositoryRoot, readRepositoryFiles } from './read-repository-files.js'
import { formatCount } from '../core/text/plural.js'

export const VALIDATE_USAGE = 'jit validate [--repo DIR] [--json]'

/** `jit validate`, as `main` dispatches it. */
export const validateCommand: CliCommand = { name: 'validate', run: runValidateCommand, usage: VALIDATE_USAGE }

/** `jit validate`: every policy, CODEOWNERS and `.github/jit.yml` of a repository, each error with file and line. Exit 0 or 2. */
export async function runValidateCommand(args: readonly string[], io: CliIo): Promise<number> {
  const { values } = parseArgs({ args: [...args], options: { repo: { type: 'string' }, json: { type: 'boolean', default: false } } })
  const root = await locateRepositoryRoot({ cwd: io.cwd, repo: values.repo })
  const files = await readRepositoryFiles(root)
  const { valid, policies, errors, warnings, checked } = validateRepository({ files, catalogue: await loadActionCatalogue() })
  if (values.json) {
    io.stdout.write(JSON.stringify({ valid, policies, errors, warnings }, null, 2) + '\n')
  } else {
    for (const error of errors) io.stdout.write(formatInputError(error) + '\n')
    for (const warning of warnings) io.stdout.write(`warning: ${warning}\n`)
    // Name only what exists: "valid" must never describe a file that is not there.
    io.stdout.write(valid ? `OK: ${checked.join(', ')} valid\n` : `${formatCount(errors.length, 'error')} (${checked[0]} valid)\n`)
  }
  return valid ? EXIT.ok : EXIT.invalid
}
