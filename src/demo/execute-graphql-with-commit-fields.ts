import { basename } from 'node:path'
import { graphql, GraphQLError, type GraphQLTypeResolver } from 'graphql'
import type { EmulatorContext } from '../../emulator/github/emulator-context.js'
import { buildConnection, type ConnectionArgs } from '../../emulator/github/graphql-connection.js'
import { BlobLoader, buildQueryRoot } from '../../emulator/github/graphql-objects.js'
import { loadGitHubGraphqlSchema } from '../../emulator/github/graphql-schema.js'
import type { GitHubEmulator } from '../../emulator/github/start-github-emulator.js'

type GraphqlObject = Record<string, unknown>
type Resolver = (args: unknown) => unknown

/** Serves some GraphQL requests in the emulator's place. */
export interface GraphqlHandler {
  /** Whether this handler serves a query (by its text). */
  wants(query: string): boolean
  execute(body: unknown, authorization: string | undefined): Promise<{ status: number; body: Record<string, unknown> }>
}

/** The emulator's GraphQL could not be served here (no context to read from, or no token). */
export class GraphqlStopgapError extends Error {
  override readonly name = 'GraphqlStopgapError'
}

/**
 * Stopgap until the GitHub emulator models them: fields GitHub serves and the app reads, which the
 * emulator resolves to null today:
 * - `Commit.file(path:)` and `Commit.parents` (the grant reads the rules at the merge's first parent and
 *   the records at the default branch head);
 * - `Repository.pullRequests(states:, orderBy:)` and `Commit.statusCheckRollup` (the sweep closes
 *   stale request pull requests that have no approved check).
 * Everything else resolves exactly as the emulator's own endpoint does, on the same schema and the same
 * objects; only these fields are added.
 *
 * Reads the emulator's internal context, which its handle carries at run time but does not type.
 */
export function createGraphqlStopgap(github: GitHubEmulator): GraphqlHandler {
  const context = (github as unknown as { context?: EmulatorContext }).context
  if (context === undefined || typeof context.store?.resolve !== 'function') {
    throw new GraphqlStopgapError('the GitHub emulator no longer carries its context; remove this stopgap if it models Commit.file and Commit.parents')
  }
  return {
    // Only queries that read the missing fields; the rest goes to the emulator's own endpoint.
    wants: (query) => /\b(parents|file|pullRequests)\s*\(|\bstatusCheckRollup\b/.test(query),
    execute: async (body, authorization) => {
      const token = (authorization ?? '').trim().split(/\s+/)[1] ?? ''
      if (!context.state.tokens.has(token)) return { status: 401, body: { message: 'Bad credentials', documentation_url: 'https://docs.github.com/graphql' } }
      return { status: 200, body: await executeGraphql(context, body) }
    },
  }
}

const resolveType: GraphQLTypeResolver<unknown, unknown> = (value) =>
  value !== null && typeof value === 'object' ? ((value as { __typename?: string }).__typename ?? undefined) : undefined

async function executeGraphql(context: EmulatorContext, body: unknown): Promise<Record<string, unknown>> {
  const request = (body ?? {}) as { query?: unknown; variables?: unknown; operationName?: unknown }
  if (typeof request.query !== 'string') return { errors: [{ message: 'A query attribute must be specified and must be a string.' }] }
  const root = buildQueryRoot(context, new BlobLoader(context))
  const repository = (root['repository'] as Resolver)({ owner: context.owner, name: context.repo }) as GraphqlObject
  const objectAt = repository['object'] as (args: { expression?: string; oid?: string }) => Promise<GraphqlObject | null>

  const commitFile = async (commitSha: string, args: { path: string }): Promise<GraphqlObject | null> => {
    const path = args.path.replace(/^\/+|\/+$/g, '')
    const oid = await context.store.resolve(`${commitSha}:${path}`)
    if (oid === undefined) return null
    const object = await objectAt({ expression: `${commitSha}:${path}` })
    const type = object?.['__typename'] === 'Tree' ? 'tree' : object?.['__typename'] === 'Commit' ? 'commit' : 'blob'
    return { __typename: 'TreeEntry', name: basename(path), path, oid, type, mode: type === 'tree' ? 16384 : 33188, object }
  }
  const commitParents = async (commitSha: string, args: ConnectionArgs): Promise<GraphqlObject> => {
    const commit = await context.store.readCommit(commitSha)
    if (commit === undefined) throw new GraphQLError(`Could not resolve to a commit ${commitSha}`)
    const parents = await Promise.all(commit.parents.map((parent) => objectAt({ oid: parent })))
    return buildConnection(parents, args, 'parents')
  }

  const pullRequests = (args: ConnectionArgs & { states?: string[] | null; orderBy?: { field: string; direction: string } | null }): GraphqlObject => {
    const stateOf = (pull: { state: string; merged: boolean }) => (pull.merged ? 'MERGED' : pull.state === 'open' ? 'OPEN' : 'CLOSED')
    const pulls = [...context.state.pulls.values()].filter((pull) => !args.states || args.states.includes(stateOf(pull)))
    const field = args.orderBy?.field === 'UPDATED_AT' ? 'updatedAt' : 'createdAt'
    pulls.sort((a, b) => a[field].getTime() - b[field].getTime() || a.number - b.number)
    if (args.orderBy?.direction === 'DESC') pulls.reverse()
    const pullRequest = repository['pullRequest'] as (args: { number: number }) => GraphqlObject
    return buildConnection(
      pulls.map((pull) => pullRequest({ number: pull.number })),
      args,
      'pullRequests',
    )
  }
  const statusCheckRollup = (commitSha: string): GraphqlObject | null => {
    // GitHub rolls up the latest run of each check on the commit.
    const latest = new Map<string, (typeof context.state.checkRuns)[number]>()
    for (const run of context.state.checkRuns) if (run.headSha === commitSha) latest.set(run.name, run)
    if (latest.size === 0) return null
    const runs = [...latest.values()].map((run) => ({
      __typename: 'CheckRun',
      name: run.name,
      status: run.status.toUpperCase(),
      conclusion: run.conclusion === null ? null : run.conclusion.toUpperCase(),
    }))
    const failed = runs.some((run) => run.conclusion !== null && !['SUCCESS', 'NEUTRAL', 'SKIPPED'].includes(run.conclusion))
    const pending = runs.some((run) => run.conclusion === null)
    return { __typename: 'StatusCheckRollup', state: failed ? 'FAILURE' : pending ? 'PENDING' : 'SUCCESS', contexts: (args: ConnectionArgs) => buildConnection(runs, args, 'contexts') }
  }

  const result = await graphql({
    schema: loadGitHubGraphqlSchema(),
    source: request.query,
    rootValue: root,
    variableValues: (request.variables ?? undefined) as Record<string, unknown> | undefined,
    operationName: typeof request.operationName === 'string' ? request.operationName : undefined,
    fieldResolver: (source, args, _context, info) => {
      if (source === null || typeof source !== 'object') return null
      const object = source as GraphqlObject
      if (object['__typename'] === 'Commit' && typeof object['oid'] === 'string') {
        if (info.fieldName === 'file') return commitFile(object['oid'], args as { path: string })
        if (info.fieldName === 'parents') return commitParents(object['oid'], args as ConnectionArgs)
        if (info.fieldName === 'statusCheckRollup') return statusCheckRollup(object['oid'])
      }
      if (object['__typename'] === 'Repository' && info.fieldName === 'pullRequests') return pullRequests(args as Parameters<typeof pullRequests>[0])
      const value = object[info.fieldName]
      if (typeof value === 'function') return (value as Resolver)(args)
      return value ?? null
    },
    typeResolver: resolveType,
  })
  return JSON.parse(JSON.stringify(result)) as Record<string, unknown>
}
