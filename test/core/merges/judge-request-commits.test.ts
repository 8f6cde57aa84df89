import { describe, expect, it } from 'vitest'
import {
  judgeRequestCommits,
  planCommitReads,
  type CommitChange,
  type RequestCommit,
} from '../../../src/core/merges/judge-request-commits.js'

const REQUEST = 'requests/alice.yaml'
const sha = (c: string) => c.repeat(40)
const commit = (c: string, parents: string[], changedFiles: number | null): RequestCommit => ({
  sha: sha(c),
  parents: parents.map(sha),
  changedFiles,
})

// One row per rule: the commits, what was read about them, and the short SHAs that break the one-file rule.
const CASES: { name: string; commits: RequestCommit[]; changes?: Record<string, CommitChange>; offenders: string[] }[] = [
  { name: 'one ordinary commit: its change is the net diff, judged elsewhere', commits: [commit('a', ['0'], 5)], offenders: [] },
  {
    name: 'two commits that each change only the request',
    commits: [commit('a', ['0'], 1), commit('b', ['a'], 1)],
    changes: { [sha('a')]: { requestChanged: true }, [sha('b')]: { requestChanged: true } },
    offenders: [],
  },
  {
    name: 'a commit changing one file that is not the request (settings edited, then reverted)',
    commits: [commit('a', ['0'], 1), commit('b', ['a'], 2)],
    changes: { [sha('a')]: { requestChanged: false } },
    offenders: ['a', 'b'],
  },
  {
    name: 'an empty commit is harmless',
    commits: [commit('a', ['0'], 1), commit('b', ['a'], 0)],
    changes: { [sha('a')]: { requestChanged: true } },
    offenders: [],
  },
  {
    name: 'a count GitHub did not give fails safe',
    commits: [commit('a', ['0'], 1), commit('b', ['a'], null)],
    changes: { [sha('a')]: { requestChanged: true } },
    offenders: ['b'],
  },
  {
    name: 'one changed file never confirmed fails safe',
    commits: [commit('a', ['0'], 1), commit('b', ['a'], 1)],
    changes: { [sha('a')]: { requestChanged: true } },
    offenders: ['b'],
  },
  {
    name: '"Update branch": a merge whose diff against the base parent is the request',
    commits: [commit('a', ['0'], 1), commit('m', ['a', '9'], 3)],
    changes: { [sha('a')]: { requestChanged: true }, [sha('m')]: { pathsAgainstParents: [['docs/x.md', 'policies/p.yaml'], [REQUEST]] } },
    offenders: [],
  },
  {
    name: 'a merge that brings changes of its own',
    commits: [commit('a', ['0'], 1), commit('m', ['a', '9'], 2)],
    changes: {
      [sha('a')]: { requestChanged: true },
      [sha('m')]: { pathsAgainstParents: [['.github/jit.yml'], [REQUEST, '.github/jit.yml']] },
    },
    offenders: ['m'],
  },
  {
    name: 'a merge whose diffs were not read',
    commits: [commit('a', ['0'], 1), commit('m', ['a', '9'], 1)],
    changes: { [sha('a')]: { requestChanged: true } },
    offenders: ['m'],
  },
  { name: 'a root commit', commits: [commit('a', [], 1), commit('b', ['a'], 0)], offenders: ['a'] },
]

describe('judgeRequestCommits', () => {
  it.each(CASES)('$name', ({ commits, changes, offenders }) => {
    const violations = judgeRequestCommits({ commits, requestPath: REQUEST, changes: new Map(Object.entries(changes ?? {})) })
    expect(violations.map((v) => v.sha.slice(0, 1))).toEqual(offenders)
  })

  it('names what an offending commit touched, without the request', () => {
    const [violation] = judgeRequestCommits({
      commits: [commit('a', ['0'], 2), commit('b', ['a'], 0)],
      requestPath: REQUEST,
      changes: new Map([[sha('a'), { pathsAgainstParents: [[REQUEST, '.github/jit.yml']] }]]),
    })
    expect(violation).toEqual({ sha: sha('a'), touched: ['.github/jit.yml'], reason: 'changes 2 files other than the request' })
  })
})

describe('planCommitReads', () => {
  it('reads nothing for one ordinary commit, the request blob for one-file commits, and the diffs of merges', () => {
    expect(planCommitReads([commit('a', ['0'], 1)])).toEqual({ requestChangeOf: [], diffsOf: [] })
    const merge = commit('m', ['b', '9'], 4)
    expect(planCommitReads([commit('a', ['0'], 1), commit('b', ['a'], 3), merge])).toEqual({
      requestChangeOf: [sha('a')],
      diffsOf: [merge],
    })
  })
})
