import { existsSync, readFileSync } from 'node:fs'
import { createRequire } from 'node:module'
import { join } from 'node:path'
import { buildClientSchema, type GraphQLSchema, type IntrospectionQuery } from 'graphql'

let cached: GraphQLSchema | undefined

/**
 * GitHub's real GraphQL schema from `@octokit/graphql-schema`, so every query the app sends is validated
 * exactly as api.github.com would. Built once per process (about a second) because it is immutable data.
 */
export function loadGitHubGraphqlSchema(): GraphQLSchema {
  if (cached !== undefined) return cached
  const file = locatePackageFile('@octokit/graphql-schema', 'schema.json')
  const introspection = JSON.parse(readFileSync(file, 'utf8')) as { data?: IntrospectionQuery } & IntrospectionQuery
  cached = buildClientSchema(introspection.data ?? introspection)
  return cached
}

// The package's "exports" hide schema.json from require.resolve, so look along node's module search path.
function locatePackageFile(packageName: string, file: string): string {
  const require = createRequire(import.meta.url)
  for (const directory of require.resolve.paths(packageName) ?? []) {
    const candidate = join(directory, packageName, file)
    if (existsSync(candidate)) return candidate
  }
  throw new Error(`Cannot find ${packageName}/${file}; is ${packageName} installed?`)
}
