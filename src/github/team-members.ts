import type { TeamMembers } from '../core/decision/decision.js'
import type { GitHubApi } from './github-api.js'
import { readFromGitHub } from './github-read-error.js'

/** Members of the asked teams, and the teams GitHub did not show (missing, secret to the app, or misspelt). */
export interface TeamDirectory {
  readonly members: TeamMembers
  readonly unknown: readonly string[]
  /** Of the teams whose access was asked, those without write access to the repository (GitHub ignores them as code owners). */
  readonly withoutWriteAccess: readonly string[]
}

/** GitHub's repository permissions that include write (`TeamRepositoryEdge.permission`). */
const WRITE_PERMISSIONS = new Set(['ADMIN', 'MAINTAIN', 'WRITE'])

interface RepositoriesPage {
  edges: ({ permission: string; node: { nameWithOwner: string } | null } | null)[] | null
}

interface MembersPage {
  nodes: ({ login: string } | null)[] | null
  pageInfo: { hasNextPage: boolean; endCursor: string | null }
}

type TeamsData = Record<string, Record<string, { members: MembersPage; repositories?: RepositoriesPage | null } | null> | null>

interface TeamQuery {
  readonly team: string
  readonly org: string
  readonly slug: string
  readonly after?: string
  /** Also ask the team's permission on the repository named by `$repository` (first page only). */
  readonly access?: boolean
}

/** Builds one query over several teams: `o<i>: organization { t<j>: team { members } }`, all names as variables. */
export function buildTeamMembersQuery(
  queries: readonly TeamQuery[],
  repository?: string,
): {
  query: string
  variables: Record<string, string>
  paths: { team: string; org: string; alias: string }[]
} {
  const orgs = [...new Set(queries.map((q) => q.org))]
  const variables: Record<string, string> = {}
  const declarations: string[] = []
  // Grouped by organisation, so not in the order of `queries`: a reader matches answers by `team`.
  const paths: { team: string; org: string; alias: string }[] = []
  const blocks = orgs.map((org, o) => {
    variables[`o${o}`] = org
    declarations.push(`$o${o}: String!`)
    const teams = queries
      .map((q, t) => ({ q, t }))
      .filter(({ q }) => q.org === org)
      .map(({ q, t }) => {
        variables[`t${t}`] = q.slug
        declarations.push(`$t${t}: String!`)
        let after = ''
        if (q.after !== undefined) {
          variables[`a${t}`] = q.after
          declarations.push(`$a${t}: String!`)
          after = `, after: $a${t}`
        }
        paths.push({ team: q.team, org: `o${o}`, alias: `t${t}` })
        // `query` matches repository names loosely: the answer is matched by nameWithOwner.
        const access =
          q.access && repository !== undefined
            ? ` repositories(first: 100, query: $repository) { edges { permission node { nameWithOwner } } }`
            : ''
        return `t${t}: team(slug: $t${t}) { members(first: 100${after}) { nodes { login } pageInfo { hasNextPage endCursor } }${access} }`
      })
    return `o${o}: organization(login: $o${o}) {\n    ${teams.join('\n    ')}\n  }`
  })
  if (repository !== undefined && queries.some((q) => q.access)) {
    variables['repository'] = repository
    declarations.push('$repository: String!')
  }
  return { query: `query jitTeams(${declarations.join(', ')}) {\n  ${blocks.join('\n  ')}\n}`, variables, paths }
}

/**
 * Reads the members of `@org/team` teams (as `teamsToResolve` names them) in one GraphQL query, and one
 * more per round of teams with over 100 members. Logins are lower-cased. No call when `teams` is empty.
 */
export async function readTeamMembers(
  api: GitHubApi,
  teams: readonly string[],
  /** Teams (of `teams`) whose write access to `repository` (`owner/name`) matters: asked in the same query. */
  access?: { readonly teams: readonly string[]; readonly repository: { readonly owner: string; readonly name: string } },
): Promise<TeamDirectory> {
  const members = new Map<string, string[]>()
  const unknown: string[] = []
  const withoutWriteAccess: string[] = []
  const askAccess = new Set((access?.teams ?? []).map((team) => `@${team.toLowerCase().replace(/^@/u, '')}`))
  const nameWithOwner = access ? `${access.repository.owner}/${access.repository.name}`.toLowerCase() : undefined
  let pending: TeamQuery[] = []
  for (const team of teams.map((t) => t.toLowerCase())) {
    const match = /^@?([^/\s]+)\/([^/\s]+)$/u.exec(team)
    if (!match?.[1] || !match[2]) {
      unknown.push(team)
      continue
    }
    const key = `@${match[1]}/${match[2]}`
    if (members.has(key)) continue
    members.set(key, [])
    pending.push({ team: key, org: match[1], slug: match[2], ...(askAccess.has(key) ? { access: true } : {}) })
  }
  while (pending.length > 0) {
    const { query, variables, paths } = buildTeamMembersQuery(pending, access?.repository.name)
    const what = `the members of ${pending.map((q) => q.team).join(', ')}`
    const data = await readFromGitHub(what, () => api.graphql<TeamsData>(query, variables))
    const next: TeamQuery[] = []
    // Teams are unique in `pending`, and `paths` is grouped by organisation: match each answer by its team.
    const asked = new Map(pending.map((query) => [query.team, query]))
    for (const path of paths) {
      const team = data[path.org]?.[path.alias]
      const page = team?.members
      if (!page) {
        unknown.push(path.team)
        members.delete(path.team)
        continue
      }
      if (asked.get(path.team)?.access) {
        const edge = (team.repositories?.edges ?? []).find((candidate) => candidate?.node?.nameWithOwner.toLowerCase() === nameWithOwner)
        if (!edge || !WRITE_PERMISSIONS.has(edge.permission)) withoutWriteAccess.push(path.team)
      }
      const list = members.get(path.team) ?? []
      for (const node of page.nodes ?? []) if (node) list.push(node.login.toLowerCase())
      members.set(path.team, list)
      if (page.pageInfo.hasNextPage && page.pageInfo.endCursor)
        next.push({ ...(asked.get(path.team) as TeamQuery), access: false, after: page.pageInfo.endCursor })
    }
    pending = next
  }
  return { members, unknown, withoutWriteAccess }
}
