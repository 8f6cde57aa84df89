import type { TeamMembers } from '../core/decision/decision.js'
import type { InputError, Parsed } from '../core/files/input-error.js'
import { parseYamlDocument } from '../core/files/yaml-document.js'
import { UsageError } from './cli-io.js'
import { readTextIfExists } from './read-repository-files.js'

const TEAM_NAME = /^@[a-z0-9][a-z0-9-]*\/[a-z0-9][a-z0-9._-]*$/i
const LOGIN = /^[a-z0-9](?:[a-z0-9-]{0,38})(?:\[bot\])?$/i

/**
 * Reads a `--teams` file: a YAML map from `"@org/team"` to member logins, standing in for GitHub's
 * team membership when evaluating offline.
 */
export async function readTeamsFile(path: string, shownAs: string): Promise<Parsed<TeamMembers>> {
  const text = await readTextIfExists(path)
  if (text === undefined) throw new UsageError(`teams file not found: ${shownAs}`)
  return parseTeams({ file: shownAs, text })
}

export function parseTeams(params: { file: string; text: string }): Parsed<TeamMembers> {
  const parsed = parseYamlDocument({ ...params, what: 'teams file', allowEmpty: true })
  if (!parsed.ok) return parsed
  const document = parsed.value
  const errors: InputError[] = []
  const teams = new Map<string, string[]>()
  for (const [team, members] of Object.entries(document.value as Record<string, unknown>)) {
    if (!TEAM_NAME.test(team)) {
      errors.push({ file: params.file, line: document.lineOf([team], 'key'), message: `"${team}" is not a team name like "@acme/sre"` })
      continue
    }
    if (!Array.isArray(members) || members.some((member) => typeof member !== 'string' || !LOGIN.test(member))) {
      errors.push({ file: params.file, line: document.lineOf([team]), message: `members of ${team} must be a list of GitHub logins` })
      continue
    }
    teams.set(
      team.toLowerCase(),
      (members as string[]).map((member) => member.toLowerCase()),
    )
  }
  return errors.length > 0 ? { ok: false, errors } : { ok: true, value: teams }
}
