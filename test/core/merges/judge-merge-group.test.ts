import { describe, expect, it } from 'vitest'
import { judgeMergeGroup, parseMergeGroupRef } from '../../../src/core/merges/judge-merge-group.js'

const SHA = 'a'.repeat(40)
const REQUEST = 'requests/sre/x.yaml'

describe('parseMergeGroupRef', () => {
  it.each([
    [`refs/heads/gh-readonly-queue/main/pr-42-${SHA}`, 'refs/heads/main', { baseBranch: 'main', number: 42, headSha: SHA }],
    [
      `refs/heads/gh-readonly-queue/release/2026/pr-7-${SHA}`,
      'refs/heads/release/2026',
      { baseBranch: 'release/2026', number: 7, headSha: SHA },
    ],
  ])('reads %s', (headRef, baseRef, pull) => {
    expect(parseMergeGroupRef({ headRef, baseRef })).toEqual({ ok: true, pull })
  })

  it.each([
    ['refs/heads/main', 'refs/heads/main'],
    [`refs/heads/gh-readonly-queue/pr-42-${SHA}`, 'refs/heads/main'],
    [`refs/heads/gh-readonly-queue/main/pr-042-${SHA}`, 'refs/heads/main'],
    [`refs/heads/gh-readonly-queue/main/pr-42-${SHA.toUpperCase()}`, 'refs/heads/main'],
    [`refs/heads/gh-readonly-queue/main/pr-42-${SHA}x`, 'refs/heads/main'],
    [`refs/tags/gh-readonly-queue/main/pr-42-${SHA}`, 'refs/heads/main'],
    [`refs/heads/gh-readonly-queue/dev/pr-42-${SHA}`, 'refs/heads/main'],
  ])('refuses %s (base %s)', (headRef, baseRef) => {
    expect(parseMergeGroupRef({ headRef, baseRef }).ok).toBe(false)
  })
})

describe('judgeMergeGroup', () => {
  const reviewed = [{ path: REQUEST, status: 'added', sha: 'b'.repeat(40) }]
  const judge = (group: { path: string; status: string; sha?: string }[], groupStatus = 'ahead') =>
    judgeMergeGroup({ number: 42, reviewedSha: SHA, groupStatus, group, reviewed })

  it('accepts exactly the reviewed blob', () => expect(judge(reviewed)).toEqual([]))
  it('refuses another blob of the request', () =>
    expect(judge([{ path: REQUEST, status: 'added', sha: 'c'.repeat(40) }])).toEqual([
      "The merge group's `requests/sre/x.yaml` is not the one reviewed in #42 at aaaaaaa.",
    ]))
  it('refuses a blob GitHub did not name', () => expect(judge([{ path: REQUEST, status: 'added' }])).toHaveLength(1))
  it('refuses a removed request', () => expect(judge([{ path: REQUEST, status: 'removed', sha: 'b'.repeat(40) }])).toHaveLength(1))
  it('refuses more files, and fewer', () => {
    expect(judge([...reviewed, { path: 'CODEOWNERS', status: 'modified', sha: 'd'.repeat(40) }])).toEqual([
      'The merge group also changes `CODEOWNERS`, which #42 at aaaaaaa does not change.',
    ])
    expect(judge([])).toEqual(['The merge group does not change `requests/sre/x.yaml`, which #42 at aaaaaaa changes.'])
  })
  it('refuses a group that is not ahead of its base', () => expect(judge(reviewed, 'diverged')).toHaveLength(1))
})
