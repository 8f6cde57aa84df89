import { describe, expect, it } from 'vitest'
import { MAX_REQUEST_ITEMS } from '../../../src/core/files/access-request.js'
import { createActionCatalogue } from '../../../src/core/matching/action-catalogue.js'
import type { Logger } from '../../../src/core/ports/logger.js'
import { MAX_ANNOTATIONS } from '../../../src/github/check-run-report.js'
import { createFilesCache } from '../../../src/github/files-at-commit.js'
import { CORE_ENGINE } from '../../../src/workflows/check/evaluate-pull-request.js'
import { runAccessCheck } from '../../../src/workflows/check/run-access-check.js'
import { filesQueryData, FIXTURE_POLICY_ACTIONS, INCIDENT_REQUEST, pullRequestQueryData } from '../../github/support/access-repo-fixture.js'

// A denied request of a thousand items, each a near miss of every policy, is published in a bounded number
// of GitHub writes: it used to take one check-run call per 50 annotations, an installation's hourly budget
// for a 5.5 KB file.

const ACTIONS = Array.from({ length: 40 }, (_, i) => `ec2:Custom${i}Instances`)
const RESOURCES = Array.from({ length: MAX_REQUEST_ITEMS / ACTIONS.length }, (_, i) => `arn:aws:ec2:us-east-1:111111111111:instance/i-${i}`)
const catalogue = createActionCatalogue([...ACTIONS, ...FIXTURE_POLICY_ACTIONS])
const crossProduct = {
  path: INCIDENT_REQUEST,
  text: [
    'reason: clean up',
    'duration: 2h',
    'access:',
    '  - account: "111111111111"',
    `    actions: [${ACTIONS.join(', ')}]`,
    `    resources: [${RESOURCES.map((r) => `"${r}"`).join(', ')}]`,
    '',
  ].join('\n'),
}
const ignore = (): void => undefined
const log: Logger = { debug: ignore, info: ignore, warn: ignore, error: ignore }

interface Write {
  readonly route: string
  readonly params: Record<string, unknown>
}

/** An Octokit that answers like GitHub for one request PR with no comment yet, and records every write. */
function createOctokit(request: { path: string; text: string }): { octokit: { graphql: unknown; request: unknown }; writes: Write[] } {
  const writes: Write[] = []
  const graphql = async (query: string) => {
    if (query.includes('query jitPullRequest(')) return pullRequestQueryData({ files: [{ path: INCIDENT_REQUEST }] })
    if (query.includes('query jitFiles(')) return filesQueryData({ request })
    if (query.includes('query jitTeams('))
      return { o0: { t0: { members: { nodes: [{ login: 'bob' }], pageInfo: { hasNextPage: false, endCursor: null } } } } }
    throw new Error(`unexpected query ${query}`)
  }
  const requestFn = async (route: string, params: Record<string, unknown>) => {
    if (route.startsWith('GET ')) return { data: [], status: 200 }
    writes.push({ route, params })
    return { data: { id: 1 }, status: 201 }
  }
  return { octokit: { graphql, request: requestFn }, writes }
}

const check = (octokit: { graphql: unknown; request: unknown }) =>
  runAccessCheck({
    octokit,
    log,
    owner: 'acme',
    repo: 'access',
    number: 42,
    eventHeadSha: 'unused',
    cache: createFilesCache(),
    catalogue,
    now: new Date('2026-11-29T09:30:00Z'),
    engine: CORE_ENGINE,
  })

describe('runAccessCheck: a denied request with a thousand near misses', () => {
  it('publishes its check run and comment in at most 3 writes, each within what GitHub accepts', async () => {
    const { octokit, writes } = createOctokit(crossProduct)
    const outcome = await check(octokit)
    expect(outcome.conclusion).toBe('failure')
    expect(outcome.title).toMatch(/^Denied: .* \(and 999 more\)$/u)
    expect(writes.map((write) => write.route)).toEqual([
      'POST /repos/{owner}/{repo}/check-runs',
      'POST /repos/{owner}/{repo}/issues/{issue_number}/comments',
    ])
    const output = writes[0]?.params['output'] as { summary: string; annotations: unknown[] }
    expect(output.annotations).toHaveLength(MAX_ANNOTATIONS)
    expect(output.summary).toContain(`and ${MAX_REQUEST_ITEMS - MAX_ANNOTATIONS} more not shown as annotations`)
    expect(output.summary.length).toBeLessThanOrEqual(65_535)
    expect(String(writes[1]?.params['body']).length).toBeLessThanOrEqual(65_536)
  })
})
