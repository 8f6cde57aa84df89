import type { GitHubApi } from '../../github/github-api.js'
import { describeApiError, GitHubReadError } from '../../github/github-read-error.js'

/**
 * When each request's pull request merged (null: not merged), in one query with an alias per PR.
 * Ids that are not `pr-<n>` are left out (unknown), so their orphans wait for their expiry.
 */
export async function readMergeTimes(params: {
  api: GitHubApi
  owner: string
  repo: string
  requestIds: readonly string[]
}): Promise<Map<string, Date | null>> {
  const numbers = new Map<string, number>()
  for (const id of params.requestIds) {
    const match = /^pr-(\d+)$/.exec(id)
    if (match) numbers.set(id, Number(match[1]))
  }
  const result = new Map<string, Date | null>()
  if (numbers.size === 0) return result
  const fields = [...numbers.values()].map((number) => `pr${number}: pullRequest(number: ${number}) { mergedAt }`).join('\n    ')
  const query = `query jitMergeTimes($owner: String!, $repo: String!) {\n  repository(owner: $owner, name: $repo) {\n    ${fields}\n  }\n}`
  type Data = { repository: Record<string, { mergedAt: string | null } | null> | null }
  let data: Data
  try {
    data = await params.api.graphql<Data>(query, { owner: params.owner, repo: params.repo })
  } catch (error) {
    // A PR number that does not exist fails the query but GitHub still answers the others (partial data).
    const partial = (error as { data?: Data }).data
    if (!partial) throw new GitHubReadError('the merge times of orphan requests', { cause: error, detail: describeApiError(error) })
    data = partial
  }
  for (const [id, number] of numbers) {
    const pr = data.repository?.[`pr${number}`]
    if (pr === undefined) continue
    result.set(id, pr?.mergedAt ? new Date(pr.mergedAt) : null)
  }
  return result
}
