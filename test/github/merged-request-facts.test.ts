import { schema } from '@octokit/graphql-schema'
import { buildSchema, parse, validate } from 'graphql'
import { describe, expect, it } from 'vitest'
import { MERGED_REQUEST_QUERY, readMergedRequest, RECORDS_AT_QUERY } from '../../src/github/merged-request-facts.js'
import { gitBlobSha, INCIDENT_REQUEST, mergedRequestData, readAccessRepoFile, SHAS } from '../fixtures/grant/merge-fixture.js'
import { createFakeGitHubApi } from './support/fake-github-api.js'

describe("the grant queries are valid against GitHub's published schema", () => {
  // The published SDL repeats two enterprise fields; the parts the app queries are unaffected.
  const github = buildSchema(schema.idl, { assumeValidSDL: true })
  it.each([
    ['merged request', MERGED_REQUEST_QUERY],
    ['records at a commit', RECORDS_AT_QUERY],
  ])('%s', (_name, query) => {
    expect(validate(github, parse(query)).map((error) => error.message)).toEqual([])
  })
})

describe('readMergedRequest', () => {
  const params = { owner: 'acme', repo: 'access', number: 42, headSha: SHAS.head, requestPath: INCIDENT_REQUEST, requestId: 'pr-42' }

  it("reads the rules at the merge commit's first parent with their blob SHAs, and the request at the head", async () => {
    const api = createFakeGitHubApi({ graphql: () => mergedRequestData() })
    const facts = await readMergedRequest(api, params)
    expect(api.calls).toEqual({ graphql: 1, rest: 0 })
    expect(facts).toMatchObject({
      merged: true,
      mergedBy: 'bob',
      mergeCommitSha: SHAS.merge,
      baseSha: SHAS.parent,
      defaultBranch: { name: 'main', commitSha: SHAS.main },
      existingRecords: [],
    })
    expect(facts.rules.files.map((file) => file.path)).toEqual([
      'policies/prod-ec2-incident.yaml',
      'policies/staging-debug.yaml',
      '.github/CODEOWNERS',
      '.github/jit.yml',
    ])
    const policy = readAccessRepoFile('policies/prod-ec2-incident.yaml')
    expect(facts.rules.policyBlobShas['policies/prod-ec2-incident.yaml']).toBe(gitBlobSha(policy.text))
    expect(facts.request?.blobSha).toBe(gitBlobSha(readAccessRepoFile(INCIDENT_REQUEST).text))
  })

  it('reads only the policy files of policies/ at the merge, so a binary file there neither blocks the grant nor enters the record', async () => {
    const data = mergedRequestData() as {
      repository: { pullRequest: { mergeCommit: { parents: { nodes: { policies: { object: { entries: unknown[] } } }[] } } } }
    }
    const parent = data.repository.pullRequest.mergeCommit.parents.nodes[0]
    parent?.policies.object.entries.push({
      name: 'diagram.png',
      path: 'policies/diagram.png',
      type: 'blob',
      oid: 'd'.repeat(40),
      object: { text: null, byteSize: 4096, isTruncated: false },
    })
    const api = createFakeGitHubApi({ graphql: () => data })
    const facts = await readMergedRequest(api, params)
    expect(facts.rules.problems).toEqual([])
    expect(Object.keys(facts.rules.policyBlobShas)).toEqual(['policies/prod-ec2-incident.yaml', 'policies/staging-debug.yaml'])
  })

  it('names every record of the request that already exists at the default branch head', async () => {
    const api = createFakeGitHubApi({ graphql: () => mergedRequestData({ existing: ['revoked', 'failed'] }) })
    expect((await readMergedRequest(api, params)).existingRecords).toEqual(['grants/revoked/pr-42.yaml', 'grants/failed/pr-42.yaml'])
  })
})
