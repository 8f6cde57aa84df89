import { describe, expect, it } from 'vitest'
import { createActionCatalogue } from '../../../src/core/matching/action-catalogue.js'
import type { Decision, DecisionInput } from '../../../src/core/decision/decision.js'
import type { Logger } from '../../../src/core/ports/logger.js'
import { CORE_ENGINE, evaluatePullRequest, type Engine } from '../../../src/workflows/check/evaluate-pull-request.js'
import { createFilesCache } from '../../../src/github/files-at-commit.js'
import {
  BASE_SHA,
  filesQueryData,
  FIXTURE_POLICY_ACTIONS,
  HEAD_SHA,
  INCIDENT_REQUEST,
  pullRequestQueryData,
  readFixture,
} from '../../github/support/access-repo-fixture.js'
import { createFakeGitHubApi } from '../../github/support/fake-github-api.js'

// Every action the fixture policies grant, so both load.
const catalogue = createActionCatalogue(FIXTURE_POLICY_ACTIONS)
const target = { owner: 'acme', repo: 'access', number: 42 }
const ignore = (): void => undefined
const log: Logger = { debug: ignore, info: ignore, warn: ignore, error: ignore }

/** An engine whose decision is fixed, recording what it was given: the test is about what the adapter fetched. */
function recordingEngine(teams: string[]): Engine & { inputs: DecisionInput[] } {
  const inputs: DecisionInput[] = []
  return {
    inputs,
    loadAccessRepository: CORE_ENGINE.loadAccessRepository,
    teamsToResolve: () => teams,
    decide: (input) => {
      inputs.push(input)
      return {
        verdict: 'pending',
        summary: 'Pending: fake',
        errors: [],
        requestPath: input.requestFile.path,
        author: input.author,
        headSha: input.headSha,
        evaluatedAt: input.now,
        items: [],
        policies: [],
        blockers: [],
        missing: [],
      } satisfies Decision
    },
  }
}

function answer(query: string): unknown {
  if (query.includes('query jitPullRequest('))
    return pullRequestQueryData({
      files: [{ path: INCIDENT_REQUEST }],
      reviews: [{ id: 7, login: 'dependabot', state: 'APPROVED', bot: true }],
    })
  if (query.includes('query jitFiles(')) return filesQueryData({ request: readFixture(INCIDENT_REQUEST) })
  if (query.includes('query jitTeams('))
    return { o0: { t0: { members: { nodes: [{ login: 'Carol' }], pageInfo: { hasNextPage: false, endCursor: null } } } } }
  throw new Error(`unexpected query ${query}`)
}

describe('evaluatePullRequest', () => {
  it('gives the engine the request at the head, the rules at the base, the reviews and only the teams it asked for', async () => {
    const api = createFakeGitHubApi({ graphql: answer })
    const engine = recordingEngine(['@acme/security'])
    const evaluation = await evaluatePullRequest(
      { api, cache: createFilesCache(), catalogue, now: new Date('2026-11-29T09:30:00Z'), engine, log },
      target,
    )

    expect(api.recorded.map((call) => call.name)).toEqual(['jitPullRequest', 'jitFiles', 'jitTeams'])
    expect(api.recorded[2]?.variables).toEqual({ o0: 'acme', t0: 'security' })
    const [input] = engine.inputs
    expect(input?.requestFile).toEqual(readFixture(INCIDENT_REQUEST))
    expect(input?.headSha).toBe(HEAD_SHA)
    expect(input?.repository.policies.map((p) => p.name)).toEqual(['prod-ec2-incident', 'staging-debug'])
    expect(input?.reviews).toEqual([
      { id: 7, login: 'dependabot', state: 'APPROVED', commitId: HEAD_SHA, submittedAt: '2026-11-29T09:00:00.000Z', isBot: true },
    ])
    expect(input?.teams).toEqual(new Map([['@acme/security', ['carol']]]))
    expect(evaluation).toMatchObject({
      kind: 'request',
      headSha: HEAD_SHA,
      report: { conclusion: 'action_required', title: 'Pending: fake' },
    })
    expect(api.recorded[1]?.variables['policies']).toBe(`${BASE_SHA}:policies`)
  })

  it('reads no team when the engine needs none', async () => {
    const api = createFakeGitHubApi({ graphql: answer })
    await evaluatePullRequest({ api, cache: createFilesCache(), catalogue, now: new Date(), engine: recordingEngine([]), log }, target)
    expect(api.recorded.map((call) => call.name)).toEqual(['jitPullRequest', 'jitFiles'])
  })

  it('reads nothing but the pull request for a fork, and never decides', async () => {
    const api = createFakeGitHubApi({
      graphql: () => pullRequestQueryData({ files: [{ path: INCIDENT_REQUEST }], isCrossRepository: true }),
    })
    const engine = recordingEngine(['@acme/security'])
    const evaluation = await evaluatePullRequest({ api, cache: createFilesCache(), catalogue, now: new Date(), engine, log }, target)
    expect(api.calls).toEqual({ graphql: 1, rest: 0 })
    expect(engine.inputs).toEqual([])
    expect(evaluation.report.conclusion).toBe('failure')
    expect(evaluation.comment).toEqual({
      kind: 'withdrawn',
      title: 'Pull requests from forks are never granted',
      reason: expect.any(String),
    })
  })
})
