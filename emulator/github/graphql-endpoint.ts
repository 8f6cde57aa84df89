import { graphql, type GraphQLTypeResolver } from 'graphql'
import type { EmulatorContext } from './emulator-context.js'
import { BlobLoader, buildQueryRoot } from './graphql-objects.js'
import { loadGitHubGraphqlSchema } from './graphql-schema.js'

const resolveType: GraphQLTypeResolver<unknown, unknown> = (value) =>
  value !== null && typeof value === 'object' ? ((value as { __typename?: string }).__typename ?? undefined) : undefined

/**
 * Executes a GraphQL request against GitHub's real schema: invalid queries fail validation exactly as on
 * api.github.com, and the modelled subset (and `createCommitOnBranch`) resolves from the git store and the emulator's state.
 */
export async function executeGraphql(context: EmulatorContext, body: unknown): Promise<Record<string, unknown>> {
  const request = (body ?? {}) as { query?: unknown; variables?: unknown; operationName?: unknown }
  if (typeof request.query !== 'string') {
    return { errors: [{ message: 'A query attribute must be specified and must be a string.' }] }
  }
  const result = await graphql({
    schema: loadGitHubGraphqlSchema(),
    source: request.query,
    rootValue: buildQueryRoot(context, new BlobLoader(context)),
    variableValues: (request.variables ?? undefined) as Record<string, unknown> | undefined,
    operationName: typeof request.operationName === 'string' ? request.operationName : undefined,
    // A field is a stored value or a function of its arguments; fields the emulator does not model are null.
    fieldResolver: (source, args, _context, info) => {
      if (source === null || typeof source !== 'object') return null
      const value = (source as Record<string, unknown>)[info.fieldName]
      if (typeof value === 'function') return (value as (args: unknown) => unknown)(args)
      return value ?? null
    },
    typeResolver: resolveType,
  })
  const answer = JSON.parse(JSON.stringify(result)) as Record<string, unknown>
  // GitHub names an error's kind at the top of the error (`"type": "STALE_DATA"`), not under `extensions`.
  if (Array.isArray(answer['errors'])) {
    answer['errors'] = (answer['errors'] as Record<string, unknown>[]).map((error) => {
      const type = (error['extensions'] as { type?: unknown } | undefined)?.type
      const { extensions: _extensions, ...rest } = error
      return type === undefined ? error : { type, ...rest }
    })
  }
  return answer
}
