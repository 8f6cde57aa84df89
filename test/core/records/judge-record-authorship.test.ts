import { describe, expect, it } from 'vitest'
import { isAppRecordCommit, judgeRecordAuthorship, type RecordPathCommit } from '../../../src/core/records/judge-record-authorship.js'

const APP = 'jit-access[bot]'
const PATH = 'grants/active/pr-1.yaml'
const app = { name: APP, email: `123+${APP}@users.noreply.github.com` }
const erin = { name: 'erin', email: 'erin@example.com' }
const github = { name: 'GitHub', email: 'noreply@github.com' }

function commit(sha: string, fields: Partial<RecordPathCommit> = {}): RecordPathCommit {
  return {
    sha: sha.padEnd(40, '0'),
    message: 'Grant pr-1\n\nJit-Request: pr-1\nJit-Action: grant\nJit-Requester: alice',
    author: app,
    committer: app,
    signedByGitHub: true,
    blobSha: 'b1',
    ...fields,
  }
}

describe('isAppRecordCommit', () => {
  it.each<[string, Partial<RecordPathCommit>, string | undefined, boolean]>([
    ['the app, with its trailers', {}, APP, true],
    [
      'the app, known by its noreply e-mail alone',
      { author: { name: 'x', email: app.email }, committer: { name: 'y', email: app.email } },
      APP,
      true,
    ],
    ['the app through createCommitOnBranch: committed and signed by GitHub', { committer: github }, APP, true],
    ['a person as author', { author: erin }, APP, false],
    ['a person as author, committed by GitHub (a web edit)', { author: erin, committer: github }, APP, false],
    ["a pushed commit forging the app's identity, unsigned", { signedByGitHub: false }, APP, false],
    ["a pushed commit forging the app's bot and GitHub as committer, unsigned", { committer: github, signedByGitHub: false }, APP, false],
    ['someone else named GitHub as committer', { committer: { name: 'GitHub', email: 'gh@example.com' } }, APP, false],
    ['a person as committer', { committer: erin }, APP, false],
    ['no author at all', { author: null }, APP, false],
    ['the app without Jit-Action', { message: 'Grant pr-1\n\nJit-Request: pr-1' }, APP, false],
    ['the app naming another request', { message: 'Grant pr-2\n\nJit-Request: pr-2\nJit-Action: grant' }, APP, false],
    ['another id that starts the same', { message: 'x\n\nJit-Request: pr-10\nJit-Action: grant' }, APP, false],
    ['a person copying the trailers, the app login unknown', { author: erin, committer: erin }, undefined, true],
    ['a person copying the trailers, the app login known', { author: erin, committer: erin }, APP, false],
  ])('%s', (_, fields, login, expected) => {
    expect(isAppRecordCommit(commit('a', fields), 'pr-1', login)).toBe(expected)
  })
})

describe('judgeRecordAuthorship', () => {
  const judge = (currentBlobSha: string | null, history: RecordPathCommit[]) =>
    judgeRecordAuthorship({ path: PATH, id: 'pr-1', currentBlobSha, history, appLogin: APP })

  it('is the app’s when the newest commit of the path is the app’s and wrote this blob', () => {
    expect(judge('b1', [commit('a')])).toEqual({ kind: 'app' })
  })

  it('is the app’s when a person changed it and changed it back to the letter', () => {
    const history = [
      commit('c', { author: erin, committer: erin, blobSha: 'b1' }),
      commit('b', { author: erin, blobSha: 'b2' }),
      commit('a'),
    ]
    expect(judge('b1', history)).toEqual({ kind: 'app' })
  })

  it('is tampered with when a person edited it after the app wrote it, and names both commits', () => {
    const history = [commit('e', { author: erin, committer: erin, message: 'Fix the policy name', blobSha: 'b2' }), commit('a')]
    expect(judge('b2', history)).toEqual({
      kind: 'tampered',
      commitSha: 'e'.padEnd(40, '0'),
      by: 'erin',
      appCommitSha: 'a'.padEnd(40, '0'),
      explanation: `${PATH} was changed by erin in e000000 after the app wrote it in a000000; the app acts on its own record`,
    })
  })

  it('is tampered with when a commit forged the trailers but not the app’s identity', () => {
    const forged = commit('f', { author: erin, committer: erin, blobSha: 'b9' })
    expect(judge('b9', [forged, commit('a')])).toMatchObject({ kind: 'tampered', appCommitSha: 'a'.padEnd(40, '0') })
  })

  it('is tampered with when the blob differs from the app’s newest write, whatever the history says after it', () => {
    expect(judge('b7', [commit('a')])).toMatchObject({
      kind: 'tampered',
      appCommitSha: 'a'.padEnd(40, '0'),
      commitSha: null,
      by: 'someone',
    })
  })

  it('was not written by the app when no commit of the app wrote the path', () => {
    expect(judge('b2', [commit('e', { author: erin, committer: erin, message: 'Add a grant' })])).toEqual({
      kind: 'tampered',
      commitSha: 'e'.padEnd(40, '0'),
      by: 'erin',
      appCommitSha: null,
      explanation: `${PATH} was not written by the app (last changed by erin in e000000); it is not obeyed`,
    })
  })

  it('was not written by the app when the app’s newest commit of the path deleted it', () => {
    const history = [commit('e', { author: erin, committer: erin, blobSha: 'b1' }), commit('d', { blobSha: null }), commit('a')]
    expect(judge('b1', history)).toMatchObject({ kind: 'tampered', appCommitSha: null })
  })

  it('shows an author name as one plain line, its invisible characters named', () => {
    const sly = commit('e', { author: { name: 'erin\n\u202Eevil', email: 'e@example.com' }, committer: erin, blobSha: 'b2' })
    const judged = judge('b2', [sly, commit('a')])
    expect(judged.kind === 'tampered' && judged.by).toBe('erin <U+202E>evil')
  })
})
