import { afterEach, beforeEach, describe, expect, it } from 'vitest'
import { classifyRuleViolation } from '../../../src/github/rule-violation.js'
import { startEmulatorFixture, type EmulatorFixture } from './emulator-fixture.js'

// Rulesets through the REST API (validated against GitHub's OpenAPI description by the emulator itself), and the
// refusals of the git refs API for an app that is not on the bypass list.
describe('repository rulesets', () => {
  let fixture: EmulatorFixture
  const repo = { owner: 'acme', repo: 'access' }
  const rules = [
    { type: 'deletion' as const },
    { type: 'non_fast_forward' as const },
    {
      type: 'pull_request' as const,
      parameters: {
        required_approving_review_count: 1,
        require_code_owner_review: true,
        require_last_push_approval: true,
        dismiss_stale_reviews_on_push: true,
        required_review_thread_resolution: false,
      },
    },
  ]

  beforeEach(async () => {
    fixture = await startEmulatorFixture()
  })
  afterEach(async () => {
    await fixture.close()
  })

  async function commitOn(parent: string, path: string): Promise<string> {
    const { octokit } = fixture
    const parentCommit = await octokit.rest.git.getCommit({ ...repo, commit_sha: parent })
    const tree = await octokit.rest.git.createTree({
      ...repo,
      base_tree: parentCommit.data.tree.sha,
      tree: [{ path, mode: '100644', type: 'blob', content: 'x\n' }],
    })
    return (await octokit.rest.git.createCommit({ ...repo, message: path, tree: tree.data.sha, parents: [parent] })).data.sha
  }

  it('creates, lists, reads and applies a ruleset; the list leaves out the rules, as GitHub does', async () => {
    const { octokit } = fixture
    const created = await octokit.request('POST /repos/{owner}/{repo}/rulesets', {
      ...repo,
      name: 'main is reviewed',
      enforcement: 'active',
      conditions: { ref_name: { include: ['~DEFAULT_BRANCH'], exclude: [] } },
      rules,
      bypass_actors: [{ actor_id: 4242, actor_type: 'Integration', bypass_mode: 'always' }],
    })
    expect(created.status).toBe(201)
    expect(created.data).toMatchObject({ name: 'main is reviewed', current_user_can_bypass: 'always', source_type: 'Repository' })
    const listed = await octokit.request('GET /repos/{owner}/{repo}/rulesets', repo)
    expect(listed.data.map((ruleset) => [ruleset.id, ruleset.name, 'rules' in ruleset])).toEqual([
      [created.data.id, 'main is reviewed', false],
    ])
    const one = await octokit.request('GET /repos/{owner}/{repo}/rulesets/{ruleset_id}', { ...repo, ruleset_id: created.data.id })
    expect(one.data.rules?.map((rule) => rule.type)).toEqual(['deletion', 'non_fast_forward', 'pull_request'])
    const onMain = await octokit.request('GET /repos/{owner}/{repo}/rules/branches/{branch}', { ...repo, branch: 'main' })
    expect(onMain.data.map((rule) => [rule.type, rule.ruleset_id])).toEqual([
      ['deletion', created.data.id],
      ['non_fast_forward', created.data.id],
      ['pull_request', created.data.id],
    ])
    const elsewhere = await octokit.request('GET /repos/{owner}/{repo}/rules/branches/{branch}', { ...repo, branch: 'feature' })
    expect(elsewhere.data).toEqual([])
    // The app bypasses: its own commit moves main.
    const main = (await octokit.rest.git.getRef({ ...repo, ref: 'heads/main' })).data.object.sha
    const sha = await commitOn(main, 'grants/active/pr-1.yaml')
    expect((await octokit.rest.git.updateRef({ ...repo, ref: 'heads/main', sha })).data.object.sha).toBe(sha)
  })

  it('answers 422 "Repository rule violations found" to an app that may not bypass: update, force push, deletion', async () => {
    const { octokit, emulator } = fixture
    emulator.importRuleset({
      name: 'main is reviewed',
      enforcement: 'active',
      conditions: { ref_name: { include: ['refs/heads/main'], exclude: [] } },
      rules,
      bypass_actors: [],
    })
    const main = (await octokit.rest.git.getRef({ ...repo, ref: 'heads/main' })).data.object.sha
    const sha = await commitOn(main, 'grants/active/pr-1.yaml')
    const refused = await octokit.rest.git.updateRef({ ...repo, ref: 'heads/main', sha }).catch((error: unknown) => error)
    expect(refused).toMatchObject({
      status: 422,
      response: { data: { message: 'Repository rule violations found\n\nChanges must be made through a pull request.\n\n' } },
    })
    expect(classifyRuleViolation(refused)).toEqual({ rules: ['Changes must be made through a pull request.'] })

    const root = await octokit.rest.git.getCommit({ ...repo, commit_sha: main })
    const unrelated = (await octokit.rest.git.createCommit({ ...repo, message: 'rewrite', tree: root.data.tree.sha, parents: [] })).data.sha
    const forced = await octokit.rest.git
      .updateRef({ ...repo, ref: 'heads/main', sha: unrelated, force: true })
      .catch((error: { response?: { data?: { message?: string } } }) => error.response?.data?.message)
    expect(forced).toBe(
      'Repository rule violations found\n\nCannot force-push to this branch\n\nChanges must be made through a pull request.\n\n',
    )
    const deleted = await octokit.rest.git
      .deleteRef({ ...repo, ref: 'heads/main' })
      .catch((error: { status?: number; response?: { data?: { message?: string } } }) => [error.status, error.response?.data?.message])
    expect(deleted).toEqual([422, 'Repository rule violations found\n\nCannot delete this branch\n\n'])
    expect(await emulator.git(['rev-parse', 'main'])).toBe(`${main}\n`)
  })
})
