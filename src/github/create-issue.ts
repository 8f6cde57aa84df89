import type { GitHubApi } from './github-api.js'

/** An issue the app opened. */
export interface CreatedIssue {
  readonly number: number
  readonly url: string
}

/**
 * Opens an issue (`POST /repos/{owner}/{repo}/issues`, one REST call; the app's `issues: write`).
 * `assignees` are logins; GitHub silently drops those without push access, so the body mentions them too.
 */
export async function createIssue(
  api: GitHubApi,
  params: { owner: string; repo: string; title: string; body: string; assignees: readonly string[] },
): Promise<CreatedIssue> {
  const response = await api.request<{ number: number; html_url: string }>('POST /repos/{owner}/{repo}/issues', {
    owner: params.owner,
    repo: params.repo,
    title: params.title,
    body: params.body,
    assignees: [...params.assignees],
  })
  return { number: response.data.number, url: response.data.html_url }
}
