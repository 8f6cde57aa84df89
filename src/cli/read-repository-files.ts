import { readdir, readFile } from 'node:fs/promises'
import { join } from 'node:path'
import { CODEOWNERS_LOCATIONS, SETTINGS_PATH, isPolicyPath, type RepositoryFile } from '../core/access-repository.js'

/** Reads the files that govern access (policies, CODEOWNERS, settings) from an access repository on disk. */
export async function readRepositoryFiles(root: string): Promise<RepositoryFile[]> {
  const paths: string[] = []
  try {
    const entries = await readdir(join(root, 'policies'), { withFileTypes: true })
    for (const entry of entries) {
      const path = `policies/${entry.name}`
      if (entry.isFile() && isPolicyPath(path)) paths.push(path)
    }
  } catch (error) {
    if (!isNotFound(error)) throw error
  }
  paths.push(...CODEOWNERS_LOCATIONS, SETTINGS_PATH)
  const files: RepositoryFile[] = []
  for (const path of paths.sort()) {
    const text = await readTextIfExists(join(root, path))
    if (text !== undefined) files.push({ path, text })
  }
  return files
}

export async function readTextIfExists(path: string): Promise<string | undefined> {
  try {
    return await readFile(path, 'utf8')
  } catch (error) {
    if (isNotFound(error)) return undefined
    throw error
  }
}

export function isNotFound(error: unknown): boolean {
  const code = (error as { code?: string } | undefined)?.code
  return code === 'ENOENT' || code === 'ENOTDIR'
}
