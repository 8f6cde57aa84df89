import { readFile } from 'node:fs/promises'
import { afterEach, beforeEach, describe, expect, it } from 'vitest'
import { INCIDENT_REQUEST_PATH, startE2eStack, type E2eStack } from './support/start-e2e-stack.js'

// The access repository as a real organisation runs it: the ruleset of examples/rulesets/ on the default branch
// (loaded from that very file, with the app's id filled in as the README says), enforced by the emulator on every
// branch move. The app's record commits must pass; everyone else goes through a reviewed, checked pull request.
const RULESET_FILE = new URL('../../examples/rulesets/access-repository.json', import.meta.url)

/** The example ruleset with `appId` as the required check's source and (unless `appBypasses: false`) the one bypass actor. */
async function exampleRuleset(appId: number, options: { appBypasses?: boolean } = {}): Promise<Record<string, unknown>> {
  const ruleset = JSON.parse(await readFile(RULESET_FILE, 'utf8')) as {
    name: string
    rules: Array<{ type: string; parameters?: { required_status_checks?: Array<{ context: string; integration_id?: number }> } }>
    bypass_actors: Array<{ actor_id: number; actor_type: string; bypass_mode: string }>
  }
  for (const rule of ruleset.rules) for (const check of rule.parameters?.required_status_checks ?? []) check.integration_id = appId
  ruleset.bypass_actors = options.appBypasses === false ? [] : ruleset.bypass_actors.map((actor) => ({ ...actor, actor_id: appId }))
  return ruleset
}

let stack: E2eStack
let appId: number

beforeEach(async () => {
  stack = await startE2eStack()
  appId = (await (await stack.installationApi()).appId?.()) ?? 0
  expect(appId).toBeGreaterThan(0)
})
afterEach(async () => {
  await stack.stop()
})

describe('the example ruleset on the default branch', () => {
  it('lets the app record a grant and its revocation, and shows the rules through the REST API', async () => {
    const { github, clock } = stack
    github.importRuleset(await exampleRuleset(appId))
    const api = await stack.installationApi()
    const rules = await api.request<Array<{ type: string; ruleset_id: number }>>('GET /repos/{owner}/{repo}/rules/branches/{branch}', {
      owner: 'acme',
      repo: 'access',
      branch: 'main',
    })
    expect(rules.data.map((rule) => rule.type)).toEqual(['deletion', 'non_fast_forward', 'pull_request', 'required_status_checks'])

    const merged = await stack.mergeApprovedIncidentRequest()
    expect(merged.mergeStatus).toBe(200)
    expect(await stack.recordsOnMain()).toEqual(['grants/active/pr-1.yaml'])
    expect(Object.keys(stack.policiesOf('alice'))).toHaveLength(1)

    clock.set(new Date('2027-03-02T11:06:00Z'))
    await stack.tickSweeper()
    expect(stack.policiesOf('alice')).toEqual({})
    expect(await stack.actionsOnMain()).toEqual(['revoke', 'grant', 'intent'])
    expect(await stack.recordsOnMain()).toEqual(['grants/revoked/pr-1.yaml'])
    await github.settle()
    expect(stack.appErrors()).toEqual([])
  })

  it("refuses a person's direct push to the default branch, as GitHub's GH013", async () => {
    const { github } = stack
    github.importRuleset(await exampleRuleset(appId))
    const before = await github.git(['rev-parse', 'main'])
    await expect(
      github.commitToDefaultBranch({ files: { 'grants/active/pr-9.yaml': 'state: active\n' }, author: 'mallory' }),
    ).rejects.toMatchObject({
      message: [
        'GH013: Repository rule violations found for refs/heads/main.',
        '- Changes must be made through a pull request.',
        '- Required status check "jit / access request" is expected.',
      ].join('\n'),
    })
    expect(await github.git(['rev-parse', 'main'])).toBe(before)
  })

  it('refuses to merge a request without the required check and the code owner review (405)', async () => {
    const { github } = stack
    github.importRuleset(await exampleRuleset(appId))
    const pr = await stack.requestAccess({
      author: 'alice',
      path: INCIDENT_REQUEST_PATH,
      text: stack.example.requests[INCIDENT_REQUEST_PATH] as string,
    })
    expect(stack.latestCheck(pr.headSha).conclusion).toBe('action_required')
    const before = await github.git(['rev-parse', 'main'])
    await expect(github.mergePullRequest(pr.number, { by: 'carol' })).rejects.toMatchObject({
      status: 405,
      message: [
        'Repository rule violations found',
        'At least 1 approving review is required by reviewers with write access.',
        'Approval of the most recent reviewable push is required: it must come from someone other than the last pusher.',
        'Waiting on code owner review from @acme/sre-leads.',
        '1 of 1 required status check is expected.',
        '',
      ].join('\n\n'),
    })
    expect(await github.git(['rev-parse', 'main'])).toBe(before)
    expect(github.pullRequest(pr.number).merged).toBe(false)

    // carol's approval alone is not the code owner's, and the check still wants the owner: still refused.
    await github.submitReview(pr.number, { login: 'carol', state: 'APPROVED' })
    await expect(github.mergePullRequest(pr.number, { by: 'carol' })).rejects.toMatchObject({
      status: 405,
      message: expect.stringContaining('Waiting on code owner review from @acme/sre-leads.'),
    })
    // A rebase merge is off in the example ruleset, even once everything else holds.
    await github.submitReview(pr.number, { login: 'bob', state: 'APPROVED' })
    await expect(github.mergePullRequest(pr.number, { by: 'carol', method: 'rebase' })).rejects.toMatchObject({
      status: 405,
      message: expect.stringContaining('Merge method rebase is not allowed.'),
    })
    expect(stack.policiesOf('alice')).toEqual({})
  })

  it('says what to change when the app is not on the bypass list: comment and log name the ruleset', async () => {
    const { github } = stack
    github.importRuleset(await exampleRuleset(appId, { appBypasses: false }))
    const merged = await stack.mergeApprovedIncidentRequest()
    expect(merged.mergeStatus).toBe(500)
    expect(await stack.recordsOnMain()).toEqual([])
    expect(stack.policiesOf('alice')).toEqual({})
    const fix =
      'so it must be allowed to bypass "jit access repository": in the repository\'s Settings → Rules → Rulesets, open "jit access repository" and add this GitHub App to the bypass list with "Always allow"'
    const comment = github.comments(merged.number).at(-1)?.body ?? ''
    expect(comment).toContain('GitHub refused the app')
    expect(comment).toContain('Changes must be made through a pull request.')
    expect(comment).toContain(fix)
    expect(stack.appErrors().join('\n')).toContain(fix)
  })
})
