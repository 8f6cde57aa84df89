import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { startEmulatorFixture, type EmulatorFixture } from './emulator-fixture.js'

describe('REST endpoints the app reads and writes', () => {
  let fixture: EmulatorFixture
  const repo = { owner: 'acme', repo: 'access' }
  let firstCommit: string

  beforeAll(async () => {
    fixture = await startEmulatorFixture({ initialFiles: { 'policies/read.yaml': 'name: read\n', 'policies/nested/deep.yaml': 'x: 1\n' } })
    firstCommit = (await fixture.emulator.git(['rev-parse', 'main'])).trim()
    await fixture.emulator.commitToDefaultBranch({ files: { 'policies/read.yaml': 'name: read\nmax: 2h\n' }, message: 'Tighten read' })
  })
  afterAll(async () => {
    await fixture.close()
  })

  it('reads a file at a ref as base64, and a directory as a listing', async () => {
    const { octokit } = fixture
    const old = await octokit.rest.repos.getContent({ ...repo, path: 'policies/read.yaml', ref: firstCommit })
    expect(Array.isArray(old.data)).toBe(false)
    const file = old.data as { type: string; content: string; encoding: string; sha: string }
    expect(file.type).toBe('file')
    expect(Buffer.from(file.content, 'base64').toString('utf8')).toBe('name: read\n')
    expect(file.sha).toBe((await fixture.emulator.git(['rev-parse', `${firstCommit}:policies/read.yaml`])).trim())

    const current = await octokit.rest.repos.getContent({ ...repo, path: 'policies/read.yaml' })
    expect(Buffer.from((current.data as { content: string }).content, 'base64').toString('utf8')).toBe('name: read\nmax: 2h\n')

    const listing = await octokit.rest.repos.getContent({ ...repo, path: 'policies', ref: 'main' })
    expect((listing.data as Array<{ path: string; type: string }>).map((entry) => [entry.path, entry.type])).toEqual([
      ['policies/nested', 'dir'],
      ['policies/read.yaml', 'file'],
    ])
    await expect(octokit.rest.repos.getContent({ ...repo, path: 'policies/none.yaml' })).rejects.toMatchObject({ status: 404 })
  })

  it('creates, updates and lists check runs on a commit', async () => {
    const { octokit, emulator } = fixture
    const head = (await emulator.git(['rev-parse', 'main'])).trim()
    const created = await octokit.rest.checks.create({ ...repo, name: 'jit/decision', head_sha: head, status: 'in_progress' })
    expect(created.data).toMatchObject({ name: 'jit/decision', status: 'in_progress', conclusion: null, app: { slug: 'jit-access' } })
    const updated = await octokit.rest.checks.update({
      ...repo,
      check_run_id: created.data.id,
      conclusion: 'action_required',
      output: { title: '0/1 approvals', summary: 'Needs an approval from @acme/sre' },
    })
    expect(updated.data).toMatchObject({ status: 'completed', conclusion: 'action_required', output: { title: '0/1 approvals' } })
    const listed = await octokit.rest.checks.listForRef({ ...repo, ref: 'main' })
    expect(listed.data.total_count).toBe(1)
    expect(listed.data.check_runs[0]?.id).toBe(created.data.id)
    expect(emulator.checkRuns(head).map((run) => run.conclusion)).toEqual(['action_required'])
    await expect(octokit.rest.checks.create({ ...repo, name: 'x', head_sha: '1'.repeat(40) })).rejects.toMatchObject({ status: 422 })
  })

  it('posts, edits and lists issue comments on a pull request with Link pagination', async () => {
    const { octokit, emulator } = fixture
    const opened = await emulator.openPullRequest({
      author: 'alice',
      branch: 'comments',
      files: { 'requests/a.yaml': 'a: 1\n' },
      title: 'comments',
    })
    const posted = []
    for (const body of ['one', 'two', 'three'])
      posted.push(await octokit.rest.issues.createComment({ ...repo, issue_number: opened.number, body }))
    expect(posted[0]?.data.user?.login).toBe('jit-access[bot]')
    await octokit.rest.issues.updateComment({ ...repo, comment_id: posted[1]?.data.id ?? 0, body: 'two, edited' })
    const page = await octokit.rest.issues.listComments({ ...repo, issue_number: opened.number, per_page: 2 })
    expect(page.headers.link).toContain('rel="next"')
    const all = await octokit.paginate(octokit.rest.issues.listComments, { ...repo, issue_number: opened.number, per_page: 2 })
    expect(all.map((comment) => comment.body)).toEqual(['one', 'two, edited', 'three'])
    await emulator.settle()
  })

  it('lets the app open a pull request from a branch it pushed', async () => {
    const { octokit, emulator } = fixture
    const main = (await octokit.rest.git.getRef({ ...repo, ref: 'heads/main' })).data.object.sha
    const tree = await octokit.rest.git.createTree({
      ...repo,
      base_tree: (await octokit.rest.git.getCommit({ ...repo, commit_sha: main })).data.tree.sha,
      tree: [{ path: 'records/revoked.yaml', mode: '100644', type: 'blob', content: 'revoked: true\n' }],
    })
    const commit = await octokit.rest.git.createCommit({ ...repo, message: 'Revoke', tree: tree.data.sha, parents: [main] })
    await octokit.rest.git.createRef({ ...repo, ref: 'refs/heads/revoke/1', sha: commit.data.sha })
    await expect(octokit.rest.pulls.create({ ...repo, head: 'main', base: 'main', title: 'nothing' })).rejects.toMatchObject({
      status: 422,
    })
    const created = await octokit.rest.pulls.create({ ...repo, head: 'revoke/1', base: 'main', title: 'Revoke grant 1' })
    expect(created.data).toMatchObject({
      state: 'open',
      head: { sha: commit.data.sha, ref: 'revoke/1' },
      user: { login: 'jit-access[bot]' },
      changed_files: 1,
    })
    expect(emulator.pullRequest(created.data.number).headSha).toBe(commit.data.sha)
    await emulator.settle()
  })

  it('answers team members and memberships', async () => {
    const { octokit, emulator } = fixture
    emulator.setTeam('@acme/sre', ['carol', 'dave'])
    const members = await octokit.rest.teams.listMembersInOrg({ org: 'acme', team_slug: 'sre' })
    expect(members.data.map((member) => member.login)).toEqual(['carol', 'dave'])
    const membership = await octokit.rest.teams.getMembershipForUserInOrg({ org: 'acme', team_slug: 'sre', username: 'dave' })
    expect(membership.data).toMatchObject({ role: 'member', state: 'active' })
    await expect(
      octokit.rest.teams.getMembershipForUserInOrg({ org: 'acme', team_slug: 'sre', username: 'mallory' }),
    ).rejects.toMatchObject({ status: 404 })
    await expect(octokit.rest.teams.listMembersInOrg({ org: 'acme', team_slug: 'nobody' })).rejects.toMatchObject({ status: 404 })
  })

  it('answers the app and installation routes only to the app JWT', async () => {
    const { appOctokit, octokit } = fixture
    expect((await appOctokit.rest.apps.getRepoInstallation(repo)).data.id).toBe(1)
    expect((await appOctokit.rest.apps.listInstallations()).data.map((installation) => installation.id)).toEqual([1])
    expect((await octokit.rest.repos.get(repo)).data.default_branch).toBe('main')
    await expect(octokit.request('GET /repos/{owner}/{repo}', { owner: 'acme', repo: 'elsewhere' })).rejects.toMatchObject({ status: 404 })
  })

  it('lists the repositories an installation may act on, to its token only', async () => {
    const { appOctokit, octokit } = fixture
    const page = await octokit.rest.apps.listReposAccessibleToInstallation({ per_page: 100 })
    expect(page.data.total_count).toBe(1)
    expect(page.data.repository_selection).toBe('all')
    expect(page.data.repositories.map((repository) => [repository.full_name, repository.default_branch, repository.private])).toEqual([
      ['acme/access', 'main', true],
    ])
    // Octokit's paginate unwraps GitHub's `{ total_count, repositories }` shape, as the app's sweeper uses it.
    const all = await octokit.paginate('GET /installation/repositories', { per_page: 100 })
    expect(all.map((repository) => repository.full_name)).toEqual(['acme/access'])
    // With the app's JWT instead of an installation token, GitHub refuses.
    const { token: jwt } = (await appOctokit.auth({ type: 'app' })) as { token: string }
    const refused = await fetch(`${fixture.emulator.url}/installation/repositories`, {
      headers: { authorization: `Bearer ${jwt}`, accept: 'application/vnd.github+json' },
    })
    expect(refused.status).toBe(403)
    expect(((await refused.json()) as { message: string }).message).toBe(
      'A JSON web token could not be used for this route; use an installation access token',
    )
  })
})
