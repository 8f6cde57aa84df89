import { readdir, readFile, stat } from 'node:fs/promises'
import { join, resolve } from 'node:path'
import {
  CODEOWNERS_LOCATIONS,
  SETTINGS_PATH,
  isActiveGrantPath,
  isPolicyPath,
  type RepositoryFile,
} from '../core/files/access-repository.js'
import { UsageError } from './cli-io.js'

/** The access repository's root from `--repo` (default: the working directory); a typo is a usage error, not an empty repository. */
export async function locateRepositoryRoot(params: { cwd: string; repo: string | undefined }): Promise<string> {
  const root = resolve(params.cwd, params.repo ?? '.')
  const found = await stat(root).catch((error: unknown) => {
    if (isMissingFile(error)) return undefined
    throw error
  })
  if (!found?.isDirectory()) throw new UsageError(`--repo ${params.repo ?? '.'} is not a directory (${root})`)
  return root
}

/** Reads the files that govern access (policies, CODEOWNERS, settings) and the active grant records from an access repository on disk. */
export async function readRepositoryFiles(root: string): Promise<RepositoryFile[]> {
  const paths: string[] = []
  try {
    const entries = await readdir(join(root, 'policies'), { withFileTypes: true })
    for (const entry of entries) {
      const path = `policies/${entry.name}`
      if (entry.isFile() && isPolicyPath(path)) paths.push(path)
    }
  } catch (error) {
    if (!isMissingFile(error)) throw error
  }
  try {
    const entries = await readdir(join(root, 'grants', 'active'), { withFileTypes: true })
    for (const entry of entries) {
      const path = `grants/active/${entry.name}`
      if (entry.isFile() && isActiveGrantPath(path)) paths.push(path)
    }
  } catch (error) {
    if (!isMissingFile(error)) throw error
  }
  paths.push(...CODEOWNERS_LOCATIONS, SETTINGS_PATH)
  const files: RepositoryFile[] = []
  for (const path of paths.sort()) {
    const text = await readTextIfExists(join(root, path))
    if (text !== undefined) files.push({ path, text })
  }
  return files
}

/** The text of a file, or undefined when there is no file at `path` (nothing there, or a directory). */
export async function readTextIfExists(path: string): Promise<string | undefined> {
  try {
    return await readFile(path, 'utf8')
  } catch (error) {
    if (isMissingFile(error)) return undefined
    throw error
  }
}

function isMissingFile(error: unknown): boolean {
  const code = (error as { code?: string } | undefined)?.code
  return code === 'ENOENT' || code === 'ENOTDIR' || code === 'EISDIR'
}
