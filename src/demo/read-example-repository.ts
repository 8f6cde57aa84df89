import { readdir, readFile, stat } from 'node:fs/promises'
import { join } from 'node:path'
import type { TeamMembers } from '../core/decision/decision.js'
import { parseTeams } from '../cli/teams-file.js'

/** An access repository read from disk, ready to seed the GitHub emulator with. */
export interface ExampleRepository {
  /** Path → text of every file to commit, symlinks followed (`policies` links to the repository's own policies). */
  readonly files: Readonly<Record<string, string>>
  /** `teams.yaml`: the team memberships GitHub would hold, keyed `@org/slug`. */
  readonly teams: TeamMembers
  /** Path → text of the example requests (`requests/**`), kept out of `files`: each becomes a pull request. */
  readonly requests: Readonly<Record<string, string>>
}

/** The error when the example repository on disk cannot be used as a seed. */
export class ExampleRepositoryError extends Error {
  override readonly name = 'ExampleRepositoryError'
}

/**
 * Reads an example access repository (`examples/access-repo`) the way a clone of it would look: every
 * file, with symlinks dereferenced. Requests are returned apart, since the access repository's main
 * branch starts without them and each one arrives by pull request.
 */
export async function readExampleRepository(root: string): Promise<ExampleRepository> {
  const files: Record<string, string> = {}
  const requests: Record<string, string> = {}
  for (const path of await listFiles(root, '')) {
    const text = await readFile(join(root, path), 'utf8')
    if (path.startsWith('requests/')) requests[path] = text
    else files[path] = text
  }
  const teamsText = files['teams.yaml']
  if (teamsText === undefined) throw new ExampleRepositoryError(`${root} has no teams.yaml: the emulated GitHub would know no team`)
  const teams = parseTeams({ file: 'teams.yaml', text: teamsText })
  if (!teams.ok)
    throw new ExampleRepositoryError(`${root}/teams.yaml is invalid: ${teams.errors.map((e) => `line ${e.line}: ${e.message}`).join('; ')}`)
  return { files, teams: teams.value, requests }
}

async function listFiles(root: string, prefix: string): Promise<string[]> {
  const paths: string[] = []
  for (const name of (await readdir(join(root, prefix))).sort()) {
    const path = prefix === '' ? name : `${prefix}/${name}`
    // stat, not lstat: a symlinked directory is read as the directory it points to.
    const info = await stat(join(root, path))
    if (info.isDirectory()) paths.push(...(await listFiles(root, path)))
    else if (info.isFile()) paths.push(path)
  }
  return paths
}
