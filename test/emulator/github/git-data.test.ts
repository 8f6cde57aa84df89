import { createHash } from 'node:crypto'
import { afterEach, beforeEach, describe, expect, it } from 'vitest'
import { startEmulatorFixture, type EmulatorFixture } from './emulator-fixture.js'

describe('Git Data API backed by a real repository', () => {
  let fixture: EmulatorFixture
  const repo = { owner: 'acme', repo: 'access' }

  beforeEach(async () => {
    fixture = await startEmulatorFixture({ initialFiles: { 'policies/admin.yaml': 'name: admin\n', 'README.md': 'hello\n' } })
  })
  afterEach(async () => {
    await fixture.close()
  })

  it('creates blob, tree, commit and ref that git log shows', async () => {
    const { octokit, emulator } = fixture
    const main = await octokit.rest.git.getRef({ ...repo, ref: 'heads/main' })
    const parent = main.data.object.sha
    const parentCommit = await octokit.rest.git.getCommit({ ...repo, commit_sha: parent })
    const blob = await octokit.rest.git.createBlob({
      ...repo,
      content: Buffer.from('grant: alice\n').toString('base64'),
      encoding: 'base64',
    })
    expect(blob.data.sha).toBe(createHash('sha1').update('blob 13\0grant: alice\n').digest('hex'))
    expect(await emulator.git(['cat-file', '-p', blob.data.sha])).toBe('grant: alice\n')
    const tree = await octokit.rest.git.createTree({
      ...repo,
      base_tree: parentCommit.data.tree.sha,
      tree: [
        { path: 'records/2026/alice.yaml', mode: '100644', type: 'blob', sha: blob.data.sha },
        { path: 'README.md', mode: '100644', type: 'blob', sha: null },
      ],
    })
    expect(tree.data.tree.map((entry) => entry.path).sort()).toEqual(['policies', 'records'])
    const commit = await octokit.rest.git.createCommit({
      ...repo,
      message: 'Record grant for alice',
      tree: tree.data.sha,
      parents: [parent],
    })
    expect(commit.data.parents.map((p) => p.sha)).toEqual([parent])
    expect(commit.data.author.name).toBe('jit-access[bot]')
    const updated = await octokit.rest.git.updateRef({ ...repo, ref: 'heads/main', sha: commit.data.sha })
    expect(updated.data.object.sha).toBe(commit.data.sha)

    const log = await emulator.git(['log', '--format=%H %an %s', 'main'])
    expect(log.split('\n')[0]).toBe(`${commit.data.sha} jit-access[bot] Record grant for alice`)
    expect(await emulator.git(['show', 'main:records/2026/alice.yaml'])).toBe('grant: alice\n')
    expect(await emulator.git(['ls-tree', '--name-only', 'main'])).toBe('policies\nrecords\n')

    const recursive = await octokit.rest.git.getTree({ ...repo, tree_sha: commit.data.sha, recursive: '1' })
    expect(recursive.data.tree.map((entry) => `${entry.type} ${entry.path}`)).toEqual([
      'tree policies',
      'blob policies/admin.yaml',
      'tree records',
      'tree records/2026',
      'blob records/2026/alice.yaml',
    ])
  })

  it('refuses a non-fast-forward ref update with 422 unless forced', async () => {
    const { octokit, emulator } = fixture
    const first = (await octokit.rest.git.getRef({ ...repo, ref: 'heads/main' })).data.object.sha
    const tree = (await octokit.rest.git.getCommit({ ...repo, commit_sha: first })).data.tree.sha
    const ahead = await octokit.rest.git.createCommit({ ...repo, message: 'ahead', tree, parents: [first] })
    await octokit.rest.git.updateRef({ ...repo, ref: 'heads/main', sha: ahead.data.sha })
    const sideways = await octokit.rest.git.createCommit({ ...repo, message: 'sideways', tree, parents: [first] })

    const error = await octokit.rest.git
      .updateRef({ ...repo, ref: 'heads/main', sha: sideways.data.sha })
      .catch((caught: unknown) => caught)
    expect(error).toMatchObject({ name: 'HttpError', status: 422, message: expect.stringContaining('Update is not a fast forward') })
    expect((await emulator.git(['rev-parse', 'main'])).trim()).toBe(ahead.data.sha)

    await octokit.rest.git.updateRef({ ...repo, ref: 'heads/main', sha: sideways.data.sha, force: true })
    expect((await emulator.git(['rev-parse', 'main'])).trim()).toBe(sideways.data.sha)
  })

  it('creates a branch ref once and answers 422 when it already exists, 404 for an unknown ref', async () => {
    const { octokit } = fixture
    const main = (await octokit.rest.git.getRef({ ...repo, ref: 'heads/main' })).data.object.sha
    const created = await octokit.rest.git.createRef({ ...repo, ref: 'refs/heads/revoke/alice', sha: main })
    expect(created.status).toBe(201)
    expect((await octokit.rest.git.getRef({ ...repo, ref: 'heads/revoke/alice' })).data.ref).toBe('refs/heads/revoke/alice')
    await expect(octokit.rest.git.createRef({ ...repo, ref: 'refs/heads/revoke/alice', sha: main })).rejects.toMatchObject({
      status: 422,
      message: expect.stringContaining('Reference already exists'),
    })
    await expect(octokit.rest.git.getRef({ ...repo, ref: 'heads/nope' })).rejects.toMatchObject({ status: 404 })
  })

  it('reads a blob back as base64', async () => {
    const { octokit } = fixture
    const blob = await octokit.rest.git.createBlob({ ...repo, content: 'plain text', encoding: 'utf-8' })
    const read = await octokit.rest.git.getBlob({ ...repo, file_sha: blob.data.sha })
    expect(Buffer.from(read.data.content, 'base64').toString('utf8')).toBe('plain text')
    expect(read.data.size).toBe(10)
  })
})
