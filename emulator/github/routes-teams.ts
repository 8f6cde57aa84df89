import { GitHubHttpError } from './github-http-error.js'
import { userJson } from './rest-shapes.js'
import { paginate, type RestRoute } from './rest-route.js'
import type { EmulatorContext } from './emulator-context.js'

/** Team members and memberships, as set by the control API's `setTeam`. */
export function createTeamRoutes(): RestRoute[] {
  return [
    {
      method: 'GET',
      template: '/orgs/{org}/teams/{team_slug}/members',
      auth: 'installation',
      handle: async (request, context) => {
        const members = teamMembers(context, request.params.org ?? '', request.params.team_slug ?? '')
        const page = paginate(
          members,
          request.query,
          `${context.apiUrl()}/orgs/${request.params.org}/teams/${request.params.team_slug}/members`,
        )
        return { status: 200, body: page.items.map((login) => userJson(context, login)), headers: page.headers }
      },
    },
    {
      method: 'GET',
      template: '/orgs/{org}/teams/{team_slug}/memberships/{username}',
      auth: 'installation',
      handle: async (request, context) => {
        const { org = '', team_slug: slug = '', username = '' } = request.params
        const members = teamMembers(context, org, slug)
        if (!members.some((login) => login.toLowerCase() === username.toLowerCase())) throw new GitHubHttpError(404, 'Not Found')
        return {
          status: 200,
          body: { url: `${context.apiUrl()}/orgs/${org}/teams/${slug}/memberships/${username}`, role: 'member', state: 'active' },
        }
      },
    },
  ]
}

function teamMembers(context: EmulatorContext, org: string, slug: string): string[] {
  const members = context.state.teams.get(`${org.toLowerCase()}/${slug.toLowerCase()}`)
  if (members === undefined) throw new GitHubHttpError(404, 'Not Found')
  return members
}
