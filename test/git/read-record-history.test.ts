import { mkdtemp, rm } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { afterEach, beforeEach, describe, expect, it } from 'vitest'
import { runGit } from '../../bench/generate-audit-history.js'
import { readFileAtRef, readRecordHistory } from '../../src/git/read-record-history.js'
import { GitReadError } from '../../src/git/git-read-error.js'
import { commitFiles } from '../workflows/audit/audit-history.js'

let dir: string
const erin = { name: 'erin', email: 'erin@example.com' }

beforeEach(async () => {
  dir = await mkdtemp(join(tmpdir(), 'jit-git-'))
  await runGit(dir, ['init', '-q', '-b', 'main'])
})
afterEach(async () => {
  await rm(dir, { recursive: true, force: true })
})

async function readAll() {
  const commits = []
  for await (const commit of readRecordHistory({ dir, ref: 'HEAD' })) commits.push(commit)
  return commits
}

describe('readRecordHistory', () => {
  it('streams the commits that touched records or rules, oldest first, with the record texts', async () => {
    const first = await commitFiles({
      dir,
      files: { 'policies/a.yaml': 'name: a\n', 'README.md': 'x' },
      message: 'Rules',
      who: erin,
      at: '2026-01-01T00:00:00Z',
    })
    await commitFiles({ dir, files: { 'README.md': 'y' }, message: 'Docs only', who: erin, at: '2026-01-02T00:00:00Z' })
    const second = await commitFiles({
      dir,
      files: { 'grants/active/pr-1.yaml': 'state: active\n' },
      message: 'Grant\n\nJit-Request: pr-1',
      who: erin,
      at: '2026-01-03T00:00:00Z',
    })
    const third = await commitFiles({
      dir,
      files: { 'grants/active/pr-1.yaml': null, 'grants/revoked/pr-1.yaml': 'state: revoked\n' },
      message: 'Revoke',
      who: erin,
      at: '2026-01-04T00:00:00Z',
    })
    const commits = await readAll()
    expect(commits.map((commit) => commit.sha)).toEqual([first, second, third])
    expect(commits[0]).toMatchObject({
      parents: [],
      author: erin,
      committer: erin,
      committedAt: '2026-01-01T00:00:00Z',
      message: 'Rules\n',
    })
    expect(commits[0]!.changes.map((change) => [change.path, change.status, change.text])).toEqual([['policies/a.yaml', 'A', undefined]])
    expect(commits[1]!.message).toBe('Grant\n\nJit-Request: pr-1\n')
    expect(commits[2]!.changes.map((change) => [change.path, change.status, change.newBlob === null, change.text])).toEqual([
      ['grants/active/pr-1.yaml', 'D', true, undefined],
      ['grants/revoked/pr-1.yaml', 'A', false, 'state: revoked\n'],
    ])
  })

  it('a commit message that imitates git log output is read as that commit message, nothing more', async () => {
    const forged = `Innocent\n\n${'a'.repeat(40)}\n:000000 100644 ${'0'.repeat(40)} ${'b'.repeat(40)} A\ngrants/active/pr-9.yaml\n`
    const sha = await commitFiles({
      dir,
      files: { 'grants/active/pr-1.yaml': 'state: active\n' },
      message: forged,
      who: erin,
      at: '2026-01-01T00:00:00Z',
    })
    const commits = await readAll()
    expect(commits.map((commit) => [commit.sha, commit.message, commit.changes.map((change) => change.path)])).toEqual([
      [sha, forged, ['grants/active/pr-1.yaml']],
    ])
  })

  it('reads a file at a ref, or null; outside a clone it fails with what git said', async () => {
    await commitFiles({ dir, files: { '.github/jit.yml': 'audit: {}\n' }, message: 'Settings', who: erin, at: '2026-01-01T00:00:00Z' })
    expect(await readFileAtRef({ dir, ref: 'HEAD', path: '.github/jit.yml' })).toBe('audit: {}\n')
    expect(await readFileAtRef({ dir, ref: 'HEAD', path: 'missing.yml' })).toBeNull()
    const outside = await mkdtemp(join(tmpdir(), 'jit-not-git-'))
    try {
      await expect(readFileAtRef({ dir: outside, ref: 'HEAD', path: 'x' })).rejects.toThrow(GitReadError)
      const read = async () => {
        for await (const commit of readRecordHistory({ dir: outside, ref: 'HEAD' })) void commit
      }
      await expect(read()).rejects.toThrow(/git log failed .*not a git repository/is)
    } finally {
      await rm(outside, { recursive: true, force: true })
    }
  })
})
