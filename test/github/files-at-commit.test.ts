import { describe, expect, it } from 'vitest'
import { buildFilesQuery, createFilesCache, readFilesAtCommits } from '../../src/github/files-at-commit.js'
import { BASE_SHA, filesQueryData, HEAD_SHA, INCIDENT_REQUEST, readFixture } from './support/access-repo-fixture.js'
import { createFakeGitHubApi } from './support/fake-github-api.js'

const target = { owner: 'acme', repo: 'access' }

describe('readFilesAtCommits', () => {
  it('reads the rules at the base SHA and the request at the head SHA in one query', async () => {
    const api = createFakeGitHubApi({ graphql: () => filesQueryData({ request: readFixture(INCIDENT_REQUEST) }) })
    const reads = await readFilesAtCommits(api, createFilesCache(), {
      ...target,
      rulesAt: BASE_SHA,
      requestAt: { sha: HEAD_SHA, path: INCIDENT_REQUEST },
    })
    expect(api.recorded).toHaveLength(1)
    expect(api.recorded[0]?.variables).toEqual({
      owner: 'acme',
      repo: 'access',
      policies: `${BASE_SHA}:policies`,
      activeGrants: `${BASE_SHA}:grants/active`,
      codeowners0: `${BASE_SHA}:.github/CODEOWNERS`,
      codeowners1: `${BASE_SHA}:CODEOWNERS`,
      codeowners2: `${BASE_SHA}:docs/CODEOWNERS`,
      settings: `${BASE_SHA}:.github/jit.yml`,
      requestFile: `${HEAD_SHA}:${INCIDENT_REQUEST}`,
    })
    expect(reads.rules?.files.map((f) => f.path)).toEqual([
      'policies/prod-ec2-incident.yaml',
      'policies/staging-debug.yaml',
      '.github/CODEOWNERS',
      '.github/jit.yml',
    ])
    expect(reads.request?.files).toEqual([readFixture(INCIDENT_REQUEST)])
  })

  it('never reads the rules at the head, nor the request at the base', async () => {
    const api = createFakeGitHubApi({ graphql: () => filesQueryData({ request: readFixture(INCIDENT_REQUEST) }) })
    await readFilesAtCommits(api, createFilesCache(), {
      ...target,
      rulesAt: BASE_SHA,
      requestAt: { sha: HEAD_SHA, path: INCIDENT_REQUEST },
    })
    const expressions = Object.entries(api.recorded[0]?.variables ?? {}).filter(([name]) => !['owner', 'repo'].includes(name))
    for (const [name, expression] of expressions)
      expect(String(expression).startsWith(name === 'requestFile' ? HEAD_SHA : BASE_SHA)).toBe(true)
  })

  it('serves a second event on the same base from the cache, reading only the new request', async () => {
    const api = createFakeGitHubApi({
      graphql: (_q, variables) => filesQueryData({ rules: 'policies' in variables, request: readFixture(INCIDENT_REQUEST) }),
    })
    const cache = createFilesCache()
    await readFilesAtCommits(api, cache, { ...target, rulesAt: BASE_SHA, requestAt: { sha: HEAD_SHA, path: INCIDENT_REQUEST } })
    const second = await readFilesAtCommits(api, cache, {
      ...target,
      rulesAt: BASE_SHA,
      requestAt: { sha: 'f'.repeat(40), path: INCIDENT_REQUEST },
    })
    expect(api.recorded).toHaveLength(2)
    expect(Object.keys(api.recorded[1]?.variables ?? {})).toEqual(['owner', 'repo', 'requestFile'])
    expect(api.recorded[1]?.query).toBe(buildFilesQuery({ rules: false, request: true }))
    expect(second.rules?.files).toHaveLength(4)
    await readFilesAtCommits(api, cache, { ...target, rulesAt: BASE_SHA, requestAt: { sha: HEAD_SHA, path: INCIDENT_REQUEST } })
    expect(api.recorded).toHaveLength(2)
  })

  it('reports a truncated or binary file as a problem on line 1 instead of using partial text', async () => {
    const api = createFakeGitHubApi({
      graphql: () => ({
        repository: {
          policies: {
            entries: [
              {
                name: 'big.yaml',
                path: 'policies/big.yaml',
                type: 'blob',
                object: { text: 'name: x', byteSize: 20_000_000, isTruncated: true },
              },
              { name: 'sub', path: 'policies/sub', type: 'tree', object: {} },
            ],
          },
          codeowners0: null,
          codeowners1: { text: null, byteSize: 10, isTruncated: false },
          codeowners2: null,
          settings: null,
        },
      }),
    })
    const reads = await readFilesAtCommits(api, createFilesCache(), { ...target, rulesAt: BASE_SHA })
    expect(reads.rules?.files).toEqual([])
    expect(reads.rules?.problems).toEqual([
      { file: 'policies/big.yaml', line: 1, message: 'the file is too large for the app to read (20000000 bytes)' },
      { file: 'CODEOWNERS', line: 1, message: 'the file is not text (GitHub reports it as binary)' },
    ])
  })

  it('reads only the policy files of policies/: a binary diagram or a large README there is no problem', async () => {
    const api = createFakeGitHubApi({
      graphql: () => ({
        repository: {
          policies: {
            entries: [
              {
                name: 'read.yaml',
                path: 'policies/read.yaml',
                type: 'blob',
                object: { text: 'name: read', byteSize: 10, isTruncated: false },
              },
              {
                name: 'diagram.png',
                path: 'policies/diagram.png',
                type: 'blob',
                object: { text: null, byteSize: 4096, isTruncated: false },
              },
              {
                name: 'README.md',
                path: 'policies/README.md',
                type: 'blob',
                object: { text: 'x', byteSize: 20_000_000, isTruncated: true },
              },
            ],
          },
          codeowners0: null,
          codeowners1: null,
          codeowners2: null,
          settings: null,
        },
      }),
    })
    const reads = await readFilesAtCommits(api, createFilesCache(), { ...target, rulesAt: BASE_SHA })
    expect(reads.rules).toEqual({ files: [{ path: 'policies/read.yaml', text: 'name: read' }], problems: [] })
  })

  it('wraps a failed read in an error that says what was being read', async () => {
    const api = createFakeGitHubApi({ graphql: () => Promise.reject(Object.assign(new Error('Server Error'), { status: 502 })) })
    await expect(readFilesAtCommits(api, createFilesCache(), { ...target, rulesAt: BASE_SHA })).rejects.toThrow(
      `Could not read the policies, CODEOWNERS and .github/jit.yml at ${BASE_SHA.slice(0, 7)} from GitHub: HTTP 502: Server Error`,
    )
  })
})
