import { schema } from '@octokit/graphql-schema'
import { buildSchema, parse, validate } from 'graphql'
import nock from 'nock'
import { afterEach, beforeEach, describe, expect, it } from 'vitest'
import { GRANT_RECORDS_QUERY, readRecordSnapshot } from '../../../src/workflows/sweep/read-grant-records.js'
import { FakeGitHubRepo, repoFiles } from './support/fake-github-repo.js'
import { activeRecord } from './support/grant-records.js'
import { createTestApi } from './support/test-octokit.js'

describe('GRANT_RECORDS_QUERY', () => {
  it("is valid against GitHub's published schema, merged pull requests included", () => {
    // The published SDL repeats two enterprise fields; the parts the sweep queries are unaffected.
    const github = buildSchema(schema.idl, { assumeValidSDL: true })
    expect(validate(github, parse(GRANT_RECORDS_QUERY)).map((error) => error.message)).toEqual([])
    expect(validate(github, parse(GRANT_RECORDS_QUERY.replace('mergedAt', 'mergedOn'))).map((error) => error.message)).toEqual([
      expect.stringContaining('mergedOn'),
    ])
  })
})

describe('readRecordSnapshot', () => {
  let github: FakeGitHubRepo

  beforeEach(() => nock.disableNetConnect())
  afterEach(() => {
    github.stop()
    nock.enableNetConnect()
  })

  it('knows every id that has a record in any folder, and judges merged pull requests by their files', async () => {
    github = new FakeGitHubRepo(
      repoFiles([activeRecord({ number: 1, expiresAt: '2026-12-01T15:00:00Z' })], {
        'grants/revoked/pr-2.yaml': 'x',
        'grants/refused/pr-3.yaml': 'x',
        'grants/failed/pr-4.yaml': 'x',
        'grants/failed/README.md': 'not a record',
      }),
    )
    const request = { path: 'requests/a.yaml', text: 'reason: x\n' }
    github.mergedPullRequests = [
      { number: 5, mergedAt: '2026-12-01T10:00:00Z', request },
      { number: 6, mergedAt: '2026-12-01T09:00:00Z', request, files: [{ path: 'requests/a.yaml', changeType: 'DELETED' }] },
      { number: 7, mergedAt: '2026-12-01T08:00:00Z', request, isCrossRepository: true },
    ]
    const snapshot = await readRecordSnapshot({
      api: createTestApi(),
      owner: 'acme',
      repo: 'access',
      commitSha: github.head,
      branch: 'main',
      merges: true,
    })
    expect([...snapshot.recordedIds].sort()).toEqual(['pr-1', 'pr-2', 'pr-3', 'pr-4'])
    expect(snapshot.merges).toEqual([
      { number: 5, mergedAt: new Date('2026-12-01T10:00:00Z'), isRequest: true },
      { number: 6, mergedAt: new Date('2026-12-01T09:00:00Z'), isRequest: false },
      // A fork's request is never granted, but its merge must still be recorded (as refused).
      { number: 7, mergedAt: new Date('2026-12-01T08:00:00Z'), isRequest: true },
    ])

    const without = await readRecordSnapshot({ api: createTestApi(), owner: 'acme', repo: 'access', commitSha: github.head })
    expect(without.merges).toEqual([])
    expect(github.calls).toEqual(['graphql jitGrantRecords', 'graphql jitGrantRecords'])
  })
})
