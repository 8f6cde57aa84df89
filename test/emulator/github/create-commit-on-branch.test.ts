import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { BranchMovedError, commitToBranch, CREATE_COMMIT_MUTATION } from '../../../src/github/commit-to-branch.js'
import { createGitHubApi } from '../../../src/github/github-api.js'
import { startEmulatorFixture, type EmulatorFixture } from './emulator-fixture.js'

// createCommitOnBranch on real git, validated against GitHub's published schema.
describe('createCommitOnBranch', () => {
  let fixture: EmulatorFixture
  const git = async (...args: string[]) => (await fixture.emulator.git(args)).trim()
  const input = (expectedHeadOid: string, path = 'grants/active/pr-7.yaml') => ({
    branch: { repositoryNameWithOwner: 'acme/access', branchName: 'main' },
    expectedHeadOid,
    fileChanges: { additions: [{ path, contents: Buffer.from('id: pr-7\n').toString('base64') }] },
    message: { headline: 'Grant pr-7', body: 'Jit-Request: pr-7\nJit-Action: grant' },
  })

  beforeAll(async () => {
    fixture = await startEmulatorFixture({ initialFiles: { 'policies/read.yaml': 'name: read\n' } })
  })
  afterAll(async () => {
    await fixture.close()
  })

  it('commits on the expected head, authored by the app, committed and signed by GitHub', async () => {
    const head = await git('rev-parse', 'main')
    const data = await fixture.octokit.graphql<{ createCommitOnBranch: { commit: { oid: string } } }>(CREATE_COMMIT_MUTATION, {
      input: input(head),
    })
    const oid = data.createCommitOnBranch.commit.oid
    expect(await git('rev-parse', 'main')).toBe(oid)
    expect(await git('rev-parse', `${oid}^`)).toBe(head)
    expect(await git('show', `main:grants/active/pr-7.yaml`)).toBe('id: pr-7')
    expect(await git('log', '-1', '--format=%an <%ae>|%cn <%ce>|%B', oid)).toBe(
      'jit-access[bot] <4242+jit-access[bot]@users.noreply.github.com>|GitHub <noreply@github.com>|Grant pr-7\n\nJit-Request: pr-7\nJit-Action: grant',
    )
    const read = await fixture.octokit.graphql<{ repository: { object: { signature: unknown } } }>(
      `query($oid: GitObjectID!) { repository(owner: "acme", name: "access") { object(oid: $oid) { ... on Commit { signature { isValid wasSignedByGitHub signer { login } } } } } }`,
      { oid },
    )
    expect(read.repository.object.signature).toEqual({ isValid: true, wasSignedByGitHub: true, signer: { login: 'web-flow' } })
    // A commit a person pushed carries no signature of GitHub's.
    const pushed = await fixture.emulator.commitToDefaultBranch({ files: { 'README.md': 'hi\n' }, author: 'erin' })
    const unsigned = await fixture.octokit.graphql<{ repository: { object: { signature: unknown } } }>(
      `query($oid: GitObjectID!) { repository(owner: "acme", name: "access") { object(oid: $oid) { ... on Commit { signature { isValid } } } } }`,
      { oid: pushed.sha },
    )
    expect(unsigned.repository.object.signature).toBeNull()
  })

  it('refuses a stale expectedHeadOid as GitHub does (STALE_DATA), and leaves the branch alone', async () => {
    const head = await git('rev-parse', 'main')
    const stale = await git('rev-parse', 'main~1')
    const refused = await fixture.octokit.graphql(CREATE_COMMIT_MUTATION, { input: input(stale, 'grants/active/pr-8.yaml') }).then(
      () => undefined,
      (error: { errors?: unknown }) => error.errors,
    )
    expect(refused).toEqual([
      expect.objectContaining({
        type: 'STALE_DATA',
        path: ['createCommitOnBranch'],
        message: `Expected branch to point to "${stale}" but it did not. Pull and try again.`,
      }),
    ])
    expect(await git('rev-parse', 'main')).toBe(head)
  })

  it('refuses to delete a path that is not there', async () => {
    const head = await git('rev-parse', 'main')
    const refused = await fixture.octokit
      .graphql(CREATE_COMMIT_MUTATION, {
        input: { ...input(head), fileChanges: { deletions: [{ path: 'grants/pending/nothing.yaml' }] } },
      })
      .then(
        () => undefined,
        (error: { errors?: { message: string }[] }) => error.errors?.[0]?.message,
      )
    expect(refused).toBe(`A path was requested for deletion which does not exist as of commit oid \`${head}\``)
  })

  it('commitToBranch: a known head that moved is refused, the head read again, the change built again on it', async () => {
    const api = createGitHubApi(fixture.octokit)
    const old = await git('rev-parse', 'main')
    await fixture.emulator.commitToDefaultBranch({ files: { 'README.md': 'moved\n' }, author: 'erin' })
    const moved = await git('rev-parse', 'main')
    const builtOn: string[] = []
    const outcome = await commitToBranch({
      api,
      owner: 'acme',
      repo: 'access',
      branch: 'main',
      knownHead: { commitSha: old },
      build: async (head) => {
        builtOn.push(head.commitSha)
        return {
          message: 'Revoke pr-7\n\nJit-Request: pr-7\nJit-Action: revoke',
          changes: [{ path: 'grants/active/pr-7.yaml', content: null }],
        }
      },
    })
    expect(builtOn).toEqual([old, moved])
    expect(outcome).toMatchObject({ committed: true, attempts: 2 })
    expect(api.calls).toEqual({ graphql: 3, rest: 0 })
    expect(await git('ls-tree', '--name-only', 'main', 'grants/active/')).toBe('')
  })

  it('commitToBranch gives up after maxAttempts when the branch keeps moving', async () => {
    const api = createGitHubApi(fixture.octokit)
    let moves = 0
    const attempt = commitToBranch({
      api,
      owner: 'acme',
      repo: 'access',
      branch: 'main',
      maxAttempts: 2,
      build: async () => {
        // Another writer moves main between every read of the head and the commit.
        await fixture.emulator.commitToDefaultBranch({ files: { 'README.md': `move ${++moves}\n` }, author: 'erin' })
        return {
          message: 'x\n\nJit-Request: pr-9\nJit-Action: grant',
          changes: [{ path: 'grants/active/pr-9.yaml', content: 'id: pr-9\n' }],
        }
      },
    })
    await expect(attempt).rejects.toBeInstanceOf(BranchMovedError)
  })
})
