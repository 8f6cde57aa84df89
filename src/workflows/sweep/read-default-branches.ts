import { SETTINGS_PATH } from '../../core/files/access-repository.js'
import type { GitHubApi } from '../../github/github-api.js'
import type { DefaultBranch } from './read-grant-records.js'

/** Repositories recognised per GraphQL query: 50 × two object lookups stays far inside GitHub's query limits. */
export const REPOSITORIES_PER_QUERY = 50

/** A repository, as the installation lists it. */
export interface RepositoryName {
  readonly owner: string
  readonly repo: string
}

interface BranchNode {
  url: string
  defaultBranchRef: { name: string; target: { oid: string } } | null
  settings: { text?: string | null } | null
  policies: { __typename: string } | null
}

const FIELDS = `url defaultBranchRef { name target { oid } } settings: object(expression: "HEAD:${SETTINGS_PATH}") { ... on Blob { text } } policies: object(expression: "HEAD:policies") { __typename }`

/** The query for one batch: `r0`, `r1`, … are the repositories in order. */
export function buildDefaultBranchesQuery(count: number): string {
  const indexes = Array.from({ length: count }, (_, index) => index)
  const variables = indexes.map((index) => `$o${index}: String!, $n${index}: String!`).join(', ')
  const fields = indexes.map((index) => `r${index}: repository(owner: $o${index}, name: $n${index}) { ${FIELDS} }`).join('\n  ')
  return `query jitDefaultBranches(${variables}) {\n  ${fields}\n}`
}

/**
 * The default branch of many repositories, `REPOSITORIES_PER_QUERY` to a GraphQL query: what the in-app
 * sweeper needs to recognise access repositories without one call per repository. A repository that is
 * empty, gone or not visible maps to null; a batch GitHub fails as a whole throws.
 */
export async function readDefaultBranches(params: {
  readonly api: GitHubApi
  readonly repositories: readonly RepositoryName[]
}): Promise<Map<string, DefaultBranch | null>> {
  const found = new Map<string, DefaultBranch | null>()
  for (let start = 0; start < params.repositories.length; start += REPOSITORIES_PER_QUERY) {
    const batch = params.repositories.slice(start, start + REPOSITORIES_PER_QUERY)
    const variables: Record<string, string> = {}
    batch.forEach((repository, index) => {
      variables[`o${index}`] = repository.owner
      variables[`n${index}`] = repository.repo
    })
    const data = await readPartially(() =>
      params.api.graphql<Record<string, BranchNode | null>>(buildDefaultBranchesQuery(batch.length), variables),
    )
    batch.forEach((repository, index) => {
      found.set(`${repository.owner}/${repository.repo}`, toDefaultBranch(data[`r${index}`] ?? null))
    })
  }
  return found
}

/** GitHub answers a query naming a repository that is gone with the others' data and a NOT_FOUND error. */
async function readPartially<T extends object>(read: () => Promise<T>): Promise<Partial<T>> {
  try {
    return await read()
  } catch (error) {
    const data = (error as { data?: unknown }).data
    if (data !== null && typeof data === 'object' && (error as { name?: string }).name === 'GraphqlResponseError') return data as Partial<T>
    throw error
  }
}

function toDefaultBranch(node: BranchNode | null): DefaultBranch | null {
  const ref = node?.defaultBranchRef
  if (!node || !ref) return null
  const settingsText = node.settings?.text ?? null
  return {
    name: ref.name,
    commitSha: ref.target.oid,
    settingsText,
    isAccessRepository: settingsText !== null || Boolean(node.policies),
    url: node.url,
  }
}
