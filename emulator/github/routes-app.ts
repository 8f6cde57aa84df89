import { GitHubHttpError } from './github-http-error.js'
import { appJson, installationJson, repositoryJson, toIso } from './rest-shapes.js'
import { requireRepository } from './route-helpers.js'
import { paginate, type RestRoute } from './rest-route.js'
import type { AppAuthenticator } from './app-auth.js'

/**
 * Routes an app calls with its JWT (who am I, where am I installed, give me a token) and the one an
 * installation calls with its token to learn which repositories it may act on.
 */
export function createAppRoutes(authenticator: AppAuthenticator): RestRoute[] {
  return [
    {
      method: 'GET',
      template: '/app',
      auth: 'app',
      handle: async (_request, context) => ({ status: 200, body: appJson(context) }),
    },
    {
      method: 'GET',
      template: '/app/installations',
      auth: 'app',
      handle: async (request, context) => ({
        status: 200,
        body: Number(request.query.get('page') ?? 1) > 1 ? [] : [installationJson(context)],
      }),
    },
    {
      method: 'GET',
      template: '/app/installations/{installation_id}',
      auth: 'app',
      handle: async (request, context) => {
        if (Number(request.params.installation_id) !== context.installationId) throw new GitHubHttpError(404, 'Not Found')
        return { status: 200, body: installationJson(context) }
      },
    },
    {
      method: 'GET',
      template: '/repos/{owner}/{repo}/installation',
      auth: 'app',
      handle: async (request, context) => {
        requireRepository(request, context)
        return { status: 200, body: installationJson(context) }
      },
    },
    {
      method: 'GET',
      template: '/installation/repositories',
      auth: 'installation',
      handle: async (request, context) => {
        // The one installation sees the one emulated repository (its selection is `all`, as installationJson says).
        const repositories = [repositoryJson(context)]
        const page = paginate(repositories, request.query, `${context.apiUrl()}/installation/repositories`)
        return {
          status: 200,
          body: { total_count: repositories.length, repository_selection: 'all', repositories: page.items },
          headers: page.headers,
        }
      },
    },
    {
      method: 'POST',
      template: '/app/installations/{installation_id}/access_tokens',
      auth: 'app',
      handle: async (request, context) => {
        const installationId = Number(request.params.installation_id)
        if (installationId !== context.installationId) throw new GitHubHttpError(404, 'Not Found')
        const expiresAt = new Date(context.clock().getTime() + 60 * 60 * 1000)
        return {
          status: 201,
          body: {
            token: authenticator.issueToken(installationId, expiresAt),
            expires_at: toIso(expiresAt),
            permissions: { ...context.state.installationGrants.permissions },
            repository_selection: 'all',
          },
        }
      },
    },
  ]
}
