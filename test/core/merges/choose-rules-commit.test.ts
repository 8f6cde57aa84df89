import { describe, expect, it } from 'vitest'
import { checkMergedChange, chooseRulesCommit } from '../../../src/core/merges/choose-rules-commit.js'

const [BEFORE, MERGE, OWN, HEAD, OTHER] = ['b', 'm', 'o', 'h', 'x'].map((c) => c.repeat(40)) as [string, string, string, string, string]
const base = { defaultBranch: 'main', mergeCommitSha: MERGE, headSha: HEAD }
const move = (after: string, ref = 'refs/heads/main') => ({ ref, before: BEFORE, after, activityType: 'pr_merge' })

describe('chooseRulesCommit', () => {
  it.each([
    [
      'the activity entry ending at the merge commit, whatever its parents',
      { moves: [move(OTHER), move(MERGE)], mergeCommitParents: [OWN], commitCount: 2 },
      { ok: true, sha: BEFORE, source: 'activity' },
    ],
    [
      'without one: a merge commit whose second parent is the head',
      { moves: [], mergeCommitParents: [OWN, HEAD], commitCount: 3 },
      { ok: true, sha: OWN, source: 'merge-commit' },
    ],
    [
      'without one: the only parent when the PR has one commit',
      { moves: [move(MERGE, 'refs/heads/other')], mergeCommitParents: [OWN], commitCount: 1 },
      { ok: true, sha: OWN, source: 'single-commit' },
    ],
  ] as const)('%s', (_name, params, expected) => {
    expect(chooseRulesCommit({ ...base, ...params })).toEqual(expected)
  })

  it('refuses a rebase of several commits that the activity does not show, and says why', () => {
    const chosen = chooseRulesCommit({ ...base, moves: [], mergeCommitParents: [OWN], commitCount: 2 })
    expect(chosen.ok).toBe(false)
    expect(!chosen.ok && chosen.reason).toMatch(/cannot be named\. Nothing is granted/)
  })
})

describe('checkMergedChange', () => {
  const params = { requestPath: 'requests/a.yaml', rulesCommitSha: BEFORE, mergeCommitSha: MERGE, comparison: 'ahead' }
  it.each([
    ['exactly the request, added', [{ path: 'requests/a.yaml', status: 'added' }], undefined],
    [
      'the request and the settings',
      [
        { path: 'requests/a.yaml', status: 'added' },
        { path: '.github/jit.yml', status: 'modified' },
      ],
      /more than the request .*`\.github\/jit\.yml`/,
    ],
    ['nothing', [], /did not add or change/],
    ['the request removed', [{ path: 'requests/a.yaml', status: 'removed' }], /did not add or change/],
  ] as const)('%s', (_name, files, expected) => {
    const problem = checkMergedChange({ ...params, files })
    if (expected === undefined) expect(problem).toBeUndefined()
    else expect(problem).toMatch(expected)
  })

  it('refuses a merge commit that does not descend from the rules commit', () => {
    expect(checkMergedChange({ ...params, comparison: 'diverged', files: [] })).toMatch(/does not descend/)
  })
})
