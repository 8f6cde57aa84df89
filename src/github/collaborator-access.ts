import type { GitHubApi } from './github-api.js'
import { readFromGitHub } from './github-read-error.js'

/** GitHub's base permissions (REST `permission`: `maintain` and custom roles read as their base) that include write. */
const WRITE_PERMISSIONS = new Set(['admin', 'write'])

/**
 * Of `users`, those without write access to the repository: GitHub ignores such CODEOWNERS owners. One REST
 * call per user (`GET /repos/{owner}/{repo}/collaborators/{username}/permission`); a user GitHub does not
 * know (404) has no access. Any other failure is an error: whether an approval counts cannot be told.
 */
export async function readUsersWithoutWriteAccess(
  api: GitHubApi,
  params: { owner: string; repo: string; users: readonly string[] },
): Promise<string[]> {
  const without: string[] = []
  for (const username of [...new Set(params.users.map((user) => user.toLowerCase()))]) {
    const permission = await readFromGitHub(`the permission of @${username} on ${params.owner}/${params.repo}`, async () => {
      try {
        const { data } = await api.request<{ permission?: string }>('GET /repos/{owner}/{repo}/collaborators/{username}/permission', {
          owner: params.owner,
          repo: params.repo,
          username,
        })
        return data.permission ?? 'none'
      } catch (error) {
        if ((error as { status?: unknown }).status === 404) return 'none'
        throw error
      }
    })
    if (!WRITE_PERMISSIONS.has(permission)) without.push(username)
  }
  return without
}
