import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { startEmulatorFixture, type EmulatorFixture } from './emulator-fixture.js'

describe('GraphQL against GitHub schema', () => {
  let fixture: EmulatorFixture
  let base: string
  let number: number
  let headSha: string

  beforeAll(async () => {
    fixture = await startEmulatorFixture({
      initialFiles: {
        'policies/read.yaml': 'name: read\n',
        'policies/admin.yaml': 'name: admin\n',
        '.github/CODEOWNERS': '* @acme/sre\n',
        'logo.bin': '\0\x01',
      },
    })
    base = (await fixture.emulator.git(['rev-parse', 'main'])).trim()
    const opened = await fixture.emulator.openPullRequest({
      author: 'alice',
      branch: 'access/alice',
      files: { 'requests/alice.yaml': 'role: read\n', 'policies/read.yaml': 'name: read\nmax: 1h\n', 'policies/admin.yaml': null },
      title: 'Access for alice',
      body: 'please',
    })
    number = opened.number
    headSha = opened.headSha
    await fixture.emulator.submitReview(number, { login: 'bob', state: 'CHANGES_REQUESTED' })
    await fixture.emulator.submitReview(number, { login: 'dependabot[bot]', state: 'COMMENTED' })
    await fixture.emulator.submitReview(number, { login: 'carol', state: 'APPROVED' })
    fixture.emulator.setTeam('@acme/sre', ['carol', 'dave', 'erin'])
  })
  afterAll(async () => {
    await fixture.close()
  })

  it('reads a tree and its blobs at a commit in one query', async () => {
    const result = await fixture.octokit.graphql<{
      repository: {
        object: {
          oid: string
          entries: Array<{ name: string; path: string; type: string; object: { text: string | null; byteSize: number } | null }>
        }
      }
    }>(
      `query($owner: String!, $name: String!, $expression: String!) {
        repository(owner: $owner, name: $name) {
          object(expression: $expression) {
            ... on Tree { oid entries { name path type oid object { ... on Blob { oid text byteSize isTruncated } } } }
          }
        }
      }`,
      { owner: 'acme', name: 'access', expression: `${base}:policies` },
    )
    expect(result.repository.object.oid).toBe((await fixture.emulator.git(['rev-parse', `${base}:policies`])).trim())
    expect(result.repository.object.entries.map((entry) => [entry.path, entry.type, entry.object?.text, entry.object?.byteSize])).toEqual([
      ['policies/admin.yaml', 'blob', 'name: admin\n', 12],
      ['policies/read.yaml', 'blob', 'name: read\n', 11],
    ])
  })

  it('reads a blob by expression and reports binary blobs without text', async () => {
    const query = `query($expression: String!) { repository(owner: "acme", name: "access") { object(expression: $expression) { ... on Blob { oid text byteSize isBinary isTruncated } } } }`
    const text = await fixture.octokit.graphql<{ repository: { object: Record<string, unknown> } }>(query, {
      expression: 'main:.github/CODEOWNERS',
    })
    expect(text.repository.object).toEqual({
      oid: (await fixture.emulator.git(['rev-parse', 'main:.github/CODEOWNERS'])).trim(),
      text: '* @acme/sre\n',
      byteSize: 12,
      isBinary: false,
      isTruncated: false,
    })
    const binary = await fixture.octokit.graphql<{ repository: { object: Record<string, unknown> } }>(query, {
      expression: 'main:logo.bin',
    })
    expect(binary.repository.object).toMatchObject({ text: null, isBinary: true, byteSize: 2 })
    const missing = await fixture.octokit.graphql<{ repository: { object: unknown } }>(query, { expression: 'main:nope.yaml' })
    expect(missing.repository.object).toBeNull()
  })

  it('reads a pull request with its files and reviews', async () => {
    const result = await fixture.octokit.graphql<{ repository: { pullRequest: Record<string, any> } }>(
      `query($number: Int!) {
        repository(owner: "acme", name: "access") {
          pullRequest(number: $number) {
            number title body state merged mergedAt mergedBy { login } mergeCommit { oid } createdAt
            headRefOid headRefName baseRefOid baseRefName isCrossRepository isDraft author { login } url
            files(first: 2) { nodes { path changeType additions deletions } pageInfo { hasNextPage endCursor } totalCount }
            reviews(last: 2) { nodes { databaseId author { login ... on Bot { login } } state commit { oid } submittedAt } pageInfo { hasPreviousPage } totalCount }
          }
        }
      }`,
      { number },
    )
    const pull = result.repository.pullRequest
    expect(pull).toMatchObject({
      number,
      title: 'Access for alice',
      body: 'please',
      state: 'OPEN',
      merged: false,
      mergedAt: null,
      mergedBy: null,
      mergeCommit: null,
      createdAt: '2026-03-01T12:00:00Z',
      headRefOid: headSha,
      headRefName: 'access/alice',
      baseRefOid: base,
      baseRefName: 'main',
      isCrossRepository: false,
      isDraft: false,
      author: { login: 'alice' },
    })
    expect(pull.files.nodes).toEqual([
      { path: 'policies/admin.yaml', changeType: 'DELETED', additions: 0, deletions: 1 },
      { path: 'policies/read.yaml', changeType: 'MODIFIED', additions: 1, deletions: 0 },
    ])
    expect(pull.files.totalCount).toBe(3)
    expect(pull.files.pageInfo.hasNextPage).toBe(true)

    const rest = await fixture.octokit.graphql<{
      repository: { pullRequest: { files: { nodes: unknown[]; pageInfo: { hasNextPage: boolean } } } }
    }>(
      `query($number: Int!, $after: String) { repository(owner: "acme", name: "access") { pullRequest(number: $number) { files(first: 2, after: $after) { nodes { path changeType } pageInfo { hasNextPage } } } } }`,
      { number, after: pull.files.pageInfo.endCursor },
    )
    expect(rest.repository.pullRequest.files.nodes).toEqual([{ path: 'requests/alice.yaml', changeType: 'ADDED' }])
    expect(rest.repository.pullRequest.files.pageInfo.hasNextPage).toBe(false)

    expect(pull.reviews.totalCount).toBe(3)
    expect(pull.reviews.pageInfo.hasPreviousPage).toBe(true)
    expect(pull.reviews.nodes.map((review: any) => [review.author.login, review.state, review.commit.oid])).toEqual([
      ['dependabot', 'COMMENTED', headSha],
      ['carol', 'APPROVED', headSha],
    ])
  })

  it('lists team members with pagination', async () => {
    const query = `query($after: String) { organization(login: "acme") { team(slug: "sre") { members(first: 2, after: $after) { nodes { login } pageInfo { hasNextPage endCursor } } } } }`
    const first = await fixture.octokit.graphql<{
      organization: { team: { members: { nodes: Array<{ login: string }>; pageInfo: { hasNextPage: boolean; endCursor: string } } } }
    }>(query, {})
    expect(first.organization.team.members.nodes.map((node) => node.login)).toEqual(['carol', 'dave'])
    const second = await fixture.octokit.graphql<typeof first>(query, { after: first.organization.team.members.pageInfo.endCursor })
    expect(second.organization.team.members.nodes.map((node) => node.login)).toEqual(['erin'])
    expect(second.organization.team.members.pageInfo.hasNextPage).toBe(false)
  })

  it('rejects a query that is not valid against the schema, and a connection without first/last', async () => {
    await expect(fixture.octokit.graphql(`{ repository(owner: "acme", name: "access") { notAField } }`)).rejects.toThrow(
      /Cannot query field "notAField" on type "Repository"/,
    )
    await expect(
      fixture.octokit.graphql(
        `{ repository(owner: "acme", name: "access") { pullRequest(number: ${number}) { files { nodes { path } } } } }`,
      ),
    ).rejects.toThrow(/You must provide a `first` or `last` value/)
    // Counting needs no page, as on GitHub (`issues(states: OPEN) { totalCount }` is a common query).
    const counted = await fixture.octokit.graphql<{ repository: { pullRequest: { files: { totalCount: number } } } }>(
      `{ repository(owner: "acme", name: "access") { pullRequest(number: ${number}) { files { totalCount } } } }`,
    )
    expect(counted.repository.pullRequest.files.totalCount).toBe(3)
    await expect(fixture.octokit.graphql(`{ repository(owner: "acme", name: "other") { name } }`)).rejects.toThrow(
      /Could not resolve to a Repository/,
    )
  })
})
