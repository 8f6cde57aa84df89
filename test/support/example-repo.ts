import { readFile } from 'node:fs/promises'
import { fileURLToPath } from 'node:url'
import { join } from 'node:path'
import { loadAccessRepository, type AccessRepository, type RepositoryFile } from '../../src/core/files/access-repository.js'
import type { ActionCatalogue } from '../../src/core/matching/action-catalogue.js'
import { loadActionCatalogue } from '../../src/aws/load-action-catalogue.js'
import type { DecisionInput, Review, TeamMembers } from '../../src/core/decision/decision.js'
import { parseAccessRequest } from '../../src/core/files/access-request.js'
import { readRepositoryFiles } from '../../src/cli/read-repository-files.js'
import { parseTeams } from '../../src/cli/teams-file.js'

/** The example access repository shipped under examples/access-repo (its policies/ is the project's policies/). */
export const EXAMPLE_REPO = fileURLToPath(new URL('../../examples/access-repo/', import.meta.url))

export const HEAD = 'a1b2c3d4e5f60718293a4b5c6d7e8f9012345678'
export const OLD_HEAD = '0f9e8d7c6b5a49382716051f2e3d4c5b6a798081'
export const NOW = new Date('2026-12-01T08:00:00Z')

export interface ExampleWorld {
  readonly files: RepositoryFile[]
  readonly repository: AccessRepository
  readonly catalogue: ActionCatalogue
  readonly teams: TeamMembers
}

/** Loads the example repository, its teams file and the real action catalogue. */
export async function loadExampleWorld(): Promise<ExampleWorld> {
  const catalogue = await loadActionCatalogue()
  const files = await readRepositoryFiles(EXAMPLE_REPO)
  const teamsParsed = parseTeams({ file: 'teams.yaml', text: await readFile(join(EXAMPLE_REPO, 'teams.yaml'), 'utf8') })
  if (!teamsParsed.ok) throw new Error(JSON.stringify(teamsParsed.errors))
  return { files, repository: loadAccessRepository({ files, catalogue }), catalogue, teams: teamsParsed.value }
}

/** The same repository with some files replaced, added (text) or removed (null). */
export function withFiles(world: ExampleWorld, changes: Record<string, string | null>): AccessRepository {
  const files = world.files.filter((file) => !(file.path in changes))
  for (const [path, text] of Object.entries(changes)) if (text !== null) files.push({ path, text })
  return loadAccessRepository({ files, catalogue: world.catalogue })
}

export async function readExampleRequest(path: string): Promise<{ path: string; text: string }> {
  return { path, text: await readFile(join(EXAMPLE_REPO, path), 'utf8') }
}

let clock = 0
/** A review on the head commit unless told otherwise; successive calls are ordered in time. */
export function review(login: string, state: Review['state'], commitId = HEAD): Review {
  clock += 1
  return { id: 1000 + clock, login, state, commitId, submittedAt: new Date(NOW.getTime() - 3_600_000 + clock * 1000).toISOString() }
}

/** The request file parsed as a caller of `decide` parses it, once. */
export function parseRequestFile(file: { path: string; text: string }): DecisionInput['request'] {
  return parseAccessRequest({ file: file.path, text: file.text })
}

export function decisionInput(
  world: ExampleWorld,
  overrides: Partial<DecisionInput> & Pick<DecisionInput, 'requestFile' | 'author'>,
): DecisionInput {
  return {
    repository: world.repository,
    headSha: HEAD,
    reviews: [],
    teams: world.teams,
    now: NOW,
    catalogue: world.catalogue,
    request: parseRequestFile(overrides.requestFile),
    ...overrides,
  }
}
