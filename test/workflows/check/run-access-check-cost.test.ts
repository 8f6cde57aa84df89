import { describe, expect, it } from 'vitest'
import { MAX_REQUEST_ITEMS } from '../../../src/core/files/access-request.js'
import { createActionCatalogue } from '../../../src/core/matching/action-catalogue.js'
import type { Logger } from '../../../src/core/ports/logger.js'
import { MAX_ANNOTATIONS } from '../../../src/github/check-run-report.js'
import { createFilesCache } from '../../../src/github/files-at-commit.js'
import { CORE_ENGINE } from '../../../src/workflows/check/evaluate-pull-request.js'
import { runAccessCheck } from '../../../src/workflows/check/run-access-check.js'
import {
  appComment,
  filesQueryData,
  FIXTURE_POLICY_ACTIONS,
  INCIDENT_REQUEST,
  pullRequestQueryData,
  readFixture,
} from '../../github/support/access-repo-fixture.js'

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

const check = (octokit: { graphql: unknown; request: unknown }, logger: Logger = log) =>
  runAccessCheck({
    octokit,
    log: logger,
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

// The check run and the comment do not depend on each other: they are written at once (one round trip
// instead of two), and a failure of either, or of both, is told on the failing check that replaces them.

const CHECK_RUNS = 'POST /repos/{owner}/{repo}/check-runs'
const UPDATE_COMMENT = 'PATCH /repos/{owner}/{repo}/issues/comments/{comment_id}'

/** A GitHub 10 ms away for a request PR whose app comment exists; `fail` answers the first write of a route with an error. */
function createGitHub(fail: Partial<Record<string, { status: number; message: string }>> = {}) {
  const events: string[] = []
  const writes: Write[] = []
  const errors: unknown[] = []
  const graphql = async (query: string) => {
    if (query.includes('query jitPullRequest('))
      return pullRequestQueryData({ files: [{ path: INCIDENT_REQUEST }], comments: appComment('<!-- jit:request mentioned="" -->\nold') })
    if (query.includes('query jitFiles(')) return filesQueryData({ request: readFixture(INCIDENT_REQUEST) })
    if (query.includes('query jitTeams(')) return { o0: {} }
    throw new Error(`unexpected query ${query}`)
  }
  const request = async (route: string, params: Record<string, unknown>) => {
    const failure = fail[route]
    const name = `${route.split(' ')[0]} ${writes.filter((write) => write.route === route).length + 1}`
    writes.push({ route, params })
    events.push(`start ${name}`)
    await new Promise((resolve) => setTimeout(resolve, 10))
    events.push(`end ${name}`)
    if (failure) {
      delete fail[route]
      throw Object.assign(new Error(failure.message), { status: failure.status })
    }
    return { data: { id: 1 }, status: 201 }
  }
  const logger: Logger = { ...log, error: (fields) => void errors.push(fields) }
  return { check: () => check({ graphql, request }, logger), events, writes, errors }
}

const summaryOf = (write: Write | undefined) => (write?.params['output'] as { title: string; summary: string }).summary

describe('runAccessCheck publishes the check run and the comment', () => {
  it('at once: the comment is written before the check run is answered', async () => {
    const github = createGitHub()
    const outcome = await github.check()
    // No team is shown, so alice is no requester: denied, and the comment says so.
    expect(outcome).toMatchObject({ conclusion: 'failure', title: expect.stringMatching(/^Denied: /u), comment: 'updated' })
    expect(github.events).toEqual(['start POST 1', 'start PATCH 1', 'end POST 1', 'end PATCH 1'])
  })

  it('and when the comment fails, the check run that follows says so in words, after both writes ended', async () => {
    const github = createGitHub({ [UPDATE_COMMENT]: { status: 403, message: 'Resource not accessible by integration' } })
    const outcome = await github.check()
    expect(outcome).toMatchObject({ conclusion: 'failure', title: 'The access check failed', comment: 'none' })
    expect(github.writes.map((write) => write.route)).toEqual([CHECK_RUNS, UPDATE_COMMENT, CHECK_RUNS])
    expect(summaryOf(github.writes[2])).toContain(
      'The access check failed: could not write the pull request comment: HTTP 403: Resource not accessible by integration.',
    )
  })

  it('and when both fail, the failing check names both failures, neither swallowed', async () => {
    const github = createGitHub({
      [CHECK_RUNS]: { status: 422, message: 'Invalid request' },
      [UPDATE_COMMENT]: { status: 403, message: 'Resource not accessible by integration' },
    })
    const outcome = await github.check()
    expect(outcome.conclusion).toBe('failure')
    expect(github.events.slice(0, 2)).toEqual(['start POST 1', 'start PATCH 1'])
    expect(summaryOf(github.writes[2])).toContain(
      'The access check failed: could not write the check run: HTTP 422: Invalid request; could not write the pull request comment: HTTP 403: Resource not accessible by integration.',
    )
    expect(github.errors).toEqual([expect.objectContaining({ err: expect.any(AggregateError) })])
  })
})
