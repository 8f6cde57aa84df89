import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { startEmulatorFixture, type EmulatorFixture } from './emulator-fixture.js'

// The branch moves GitHub's activity API lists and the comparison of two commits, as a rebase merge leaves them.
describe('GET /activity and GET /compare/{basehead}', () => {
  let fixture: EmulatorFixture
  const repo = { owner: 'acme', repo: 'access' }
  let opened: { number: number; headSha: string }
  let merged: { mergeCommitSha: string; commits: string[] }
  let before: string

  beforeAll(async () => {
    fixture = await startEmulatorFixture({ initialFiles: { '.github/jit.yml': 'a: 1\n' } })
    const { emulator } = fixture
    opened = await emulator.openPullRequest({ author: 'alice', branch: 'access/alice', files: { '.github/jit.yml': 'a: 2\n' }, title: 'x' })
    await emulator.pushToPullRequest(opened.number, { '.github/jit.yml': 'a: 1\n', 'requests/a.yaml': 'r\n' })
    before = (await emulator.git(['rev-parse', 'main'])).trim()
    merged = await emulator.mergePullRequest(opened.number, { by: 'carol', method: 'rebase' })
  })
  afterAll(async () => {
    await fixture.close()
  })

  it('lists every branch move newest first, with its kind, and filters by ref and type', async () => {
    const { data } = await fixture.octokit.request('GET /repos/{owner}/{repo}/activity', { ...repo, ref: 'refs/heads/main' })
    expect(data.map((entry) => [entry.activity_type, entry.actor?.login])).toEqual([
      ['pr_merge', 'carol'],
      ['branch_creation', 'admin'],
    ])
    expect(data[0]).toMatchObject({ before, after: merged.mergeCommitSha, ref: 'refs/heads/main' })
    const pushes = await fixture.octokit.request('GET /repos/{owner}/{repo}/activity', { ...repo, activity_type: 'push' })
    expect(pushes.data.map((entry) => entry.ref)).toEqual(['refs/heads/access/alice'])
  })

  it('compares from the merge base: the rebase merge against the branch before it changed only the request', async () => {
    const { data } = await fixture.octokit.request('GET /repos/{owner}/{repo}/compare/{basehead}', {
      ...repo,
      basehead: `${before}...${merged.mergeCommitSha}`,
    })
    expect([data.status, data.ahead_by, data.behind_by, data.total_commits]).toEqual(['ahead', 2, 0, 2])
    expect(data.files?.map((file) => [file.filename, file.status])).toEqual([['requests/a.yaml', 'added']])
    // Its last commit's first parent is the PR's own first commit, which changed the settings.
    const [first] = merged.commits
    const own = await fixture.octokit.request('GET /repos/{owner}/{repo}/compare/{basehead}', { ...repo, basehead: `${before}...${first}` })
    expect(own.data.files?.map((file) => file.filename)).toEqual(['.github/jit.yml'])
  })
})
