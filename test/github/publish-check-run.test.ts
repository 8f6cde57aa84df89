import { describe, expect, it } from 'vitest'
import type { CheckAnnotation } from '../../src/github/check-run-report.js'
import { publishCheckRun } from '../../src/github/publish-check-run.js'
import { createFakeGitHubApi } from './support/fake-github-api.js'

const NOW = new Date('2026-11-29T09:30:00Z')
const annotation = (line: number): CheckAnnotation => ({
  path: 'policies/p.yaml',
  start_line: line,
  end_line: line,
  annotation_level: 'failure',
  title: 'Invalid rule',
  message: `error ${line}`,
})

describe('publishCheckRun', () => {
  it('creates a completed check run with the PR number as external id, in one call', async () => {
    const api = createFakeGitHubApi({ request: () => ({ id: 77 }) })
    const report = { conclusion: 'action_required' as const, title: 'Pending: 1 more approval', summary: 'details', annotations: [] }
    expect(await publishCheckRun(api, { owner: 'acme', repo: 'access', headSha: 'abc', pullNumber: 42, report, now: NOW })).toEqual({
      id: 77,
    })
    expect(api.recorded).toEqual([
      {
        kind: 'rest',
        name: 'POST /repos/{owner}/{repo}/check-runs',
        variables: {
          owner: 'acme',
          repo: 'access',
          name: 'jit / access request',
          head_sha: 'abc',
          external_id: '42',
          status: 'completed',
          conclusion: 'action_required',
          completed_at: '2026-11-29T09:30:00.000Z',
          output: { title: 'Pending: 1 more approval', summary: 'details', annotations: [] },
        },
      },
    ])
  })

  it('writes one call whatever the report holds: never more than 50 annotations', async () => {
    const api = createFakeGitHubApi({ request: () => ({ id: 77 }) })
    const annotations = Array.from({ length: 120 }, (_, i) => annotation(i + 1))
    await publishCheckRun(api, {
      owner: 'acme',
      repo: 'access',
      headSha: 'abc',
      report: { conclusion: 'failure', title: 't', summary: 's', annotations },
      now: NOW,
    })
    expect(api.recorded.map((call) => call.name)).toEqual(['POST /repos/{owner}/{repo}/check-runs'])
    const sent = api.recorded.map((call) => (call.variables['output'] as { annotations: CheckAnnotation[] }).annotations)
    expect(sent).toEqual([annotations.slice(0, 50)])
  })
})
