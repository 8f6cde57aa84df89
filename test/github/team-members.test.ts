import { describe, expect, it } from 'vitest'
import { readTeamMembers } from '../../src/github/team-members.js'
import { createFakeGitHubApi } from './support/fake-github-api.js'

const page = (logins: string[], endCursor: string | null = null) => ({
  members: { nodes: logins.map((login) => ({ login })), pageInfo: { hasNextPage: endCursor !== null, endCursor } },
})

describe('readTeamMembers', () => {
  it('makes no call when no team is needed', async () => {
    const api = createFakeGitHubApi({})
    expect(await readTeamMembers(api, [])).toEqual({ members: new Map(), unknown: [], withoutWriteAccess: [] })
    expect(api.calls).toEqual({ graphql: 0, rest: 0 })
  })

  it('reads all teams in one query, lower-cases logins and reports teams GitHub did not show', async () => {
    const api = createFakeGitHubApi({ graphql: () => ({ o0: { t0: page(['Bob']), t1: page(['carol', 'Dan']), t2: null } }) })
    const directory = await readTeamMembers(api, ['@acme/sre-leads', '@ACME/security', '@acme/ghosts'])
    expect(api.recorded).toHaveLength(1)
    expect(api.recorded[0]?.variables).toEqual({ o0: 'acme', t0: 'sre-leads', t1: 'security', t2: 'ghosts' })
    expect(directory.members).toEqual(
      new Map([
        ['@acme/sre-leads', ['bob']],
        ['@acme/security', ['carol', 'dan']],
      ]),
    )
    expect(directory.unknown).toEqual(['@acme/ghosts'])
  })

  it('follows further pages only for the teams that have them', async () => {
    const answers = [{ o0: { t0: page(['a1'], 'c1'), t1: page(['b1']) } }, { o0: { t0: page(['a2'], 'c2') } }, { o0: { t0: page(['a3']) } }]
    const api = createFakeGitHubApi({ graphql: () => answers.shift() })
    const directory = await readTeamMembers(api, ['@acme/big', '@acme/small'])
    expect(api.recorded.map((call) => call.variables)).toEqual([
      { o0: 'acme', t0: 'big', t1: 'small' },
      { o0: 'acme', t0: 'big', a0: 'c1' },
      { o0: 'acme', t0: 'big', a0: 'c2' },
    ])
    expect(directory.members.get('@acme/big')).toEqual(['a1', 'a2', 'a3'])
    expect(directory.members.get('@acme/small')).toEqual(['b1'])
  })

  it('follows the next page of the team that has it when teams of two organizations are interleaved', async () => {
    // The query groups teams by organization (acme: t0, t2; other: t1), so answers are not in the asked order.
    const answers = [{ o0: { t0: page(['a1']), t2: page(['s1'], 'c1') }, o1: { t1: page(['o1']) } }, { o0: { t0: page(['s2']) } }]
    const api = createFakeGitHubApi({ graphql: () => answers.shift() })
    const directory = await readTeamMembers(api, ['@acme/sre', '@other/ops', '@acme/security'])
    expect(api.recorded[1]?.variables).toEqual({ o0: 'acme', t0: 'security', a0: 'c1' })
    expect(directory.members).toEqual(
      new Map([
        ['@acme/sre', ['a1']],
        ['@other/ops', ['o1']],
        ['@acme/security', ['s1', 's2']],
      ]),
    )
  })

  it('says which teams could not be read when GitHub answers with GraphQL errors (e.g. no members permission)', async () => {
    const graphqlError = Object.assign(new Error('Request failed due to following response errors'), {
      errors: [{ message: 'Resource not accessible by integration' }],
    })
    const api = createFakeGitHubApi({ graphql: () => Promise.reject(graphqlError) })
    await expect(readTeamMembers(api, ['@acme/security'])).rejects.toThrow(
      'Could not read the members of @acme/security from GitHub: Resource not accessible by integration',
    )
  })
})
