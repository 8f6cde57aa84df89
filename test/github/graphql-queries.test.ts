import { schema } from '@octokit/graphql-schema'
import { buildSchema, parse, validate, type GraphQLSchema } from 'graphql'
import { beforeAll, describe, expect, it } from 'vitest'
import { buildFilesQuery } from '../../src/github/files-at-commit.js'
import { MORE_REVIEWS_QUERY, PULL_REQUEST_QUERY } from '../../src/github/pull-request-facts.js'
import { buildTeamMembersQuery } from '../../src/github/team-members.js'

// GitHub's published schema: a query with a misspelt or invented field fails here, not in production.
let github: GraphQLSchema
beforeAll(() => {
  // The published SDL repeats two enterprise fields; the parts the app queries are unaffected.
  github = buildSchema(schema.idl, { assumeValidSDL: true })
})

function errorsOf(query: string): string[] {
  return validate(github, parse(query)).map((error) => error.message)
}

describe("every GraphQL query the app sends is valid against GitHub's schema", () => {
  const queries: [string, string][] = [
    ['pull request', PULL_REQUEST_QUERY],
    ['more reviews', MORE_REVIEWS_QUERY],
    ['rules and request', buildFilesQuery({ rules: true, request: true })],
    ['rules only', buildFilesQuery({ rules: true, request: false })],
    ['request only', buildFilesQuery({ rules: false, request: true })],
    [
      'teams of two organizations',
      buildTeamMembersQuery([
        { team: '@acme/sre', org: 'acme', slug: 'sre' },
        { team: '@other/ops', org: 'other', slug: 'ops' },
        { team: '@acme/security', org: 'acme', slug: 'security' },
      ]).query,
    ],
    ['next page of a team', buildTeamMembersQuery([{ team: '@acme/sre', org: 'acme', slug: 'sre', after: 'Y3Vyc29y' }]).query],
  ]
  it.each(queries)('%s', (_name, query) => {
    expect(errorsOf(query)).toEqual([])
  })

  it('would catch a misspelt field (the check can fail)', () => {
    expect(errorsOf(PULL_REQUEST_QUERY.replace('headRefOid', 'headRefSha'))).toEqual([expect.stringContaining('headRefSha')])
  })
})

describe('buildTeamMembersQuery', () => {
  it('passes every organization, slug and cursor as a variable and nests teams under their organization', () => {
    const built = buildTeamMembersQuery([
      { team: '@acme/sre', org: 'acme', slug: 'sre' },
      { team: '@other/ops', org: 'other', slug: 'ops', after: 'c1' },
      { team: '@acme/security', org: 'acme', slug: 'security' },
    ])
    expect(built.variables).toEqual({ o0: 'acme', t0: 'sre', t2: 'security', o1: 'other', t1: 'ops', a1: 'c1' })
    expect(built.paths).toEqual([
      { team: '@acme/sre', org: 'o0', alias: 't0' },
      { team: '@acme/security', org: 'o0', alias: 't2' },
      { team: '@other/ops', org: 'o1', alias: 't1' },
    ])
  })
})
