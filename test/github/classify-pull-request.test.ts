import { describe, expect, it } from 'vitest'
import { classifyPullRequest, type PullRequestKind } from '../../src/github/classify-pull-request.js'
import type { ChangedFile, FileChange } from '../../src/github/pull-request-facts.js'

const file = (path: string, change: FileChange = 'ADDED'): ChangedFile => ({ path, change })
const REQUEST = file('requests/sre/inc-1.yaml')

// Each row: the changed files (and fork/size flags), and the kind and title the PR gets.
const cases: { name: string; files: ChangedFile[]; fork?: boolean; more?: boolean; kind: PullRequestKind['kind']; title?: RegExp }[] = [
  { name: 'one added request', files: [REQUEST], kind: 'request' },
  { name: 'one modified request', files: [file('requests/sre/inc-1.yaml', 'MODIFIED')], kind: 'request' },
  {
    name: 'a request and a policy',
    files: [REQUEST, file('policies/prod.yaml', 'MODIFIED')],
    kind: 'rejected',
    title: /cannot change the rules/,
  },
  {
    name: 'a request and .github/CODEOWNERS',
    files: [REQUEST, file('.github/CODEOWNERS', 'MODIFIED')],
    kind: 'rejected',
    title: /cannot change the rules/,
  },
  { name: 'a request and root CODEOWNERS', files: [REQUEST, file('CODEOWNERS')], kind: 'rejected', title: /cannot change the rules/ },
  { name: 'a request and docs/CODEOWNERS', files: [REQUEST, file('docs/CODEOWNERS')], kind: 'rejected', title: /cannot change the rules/ },
  {
    name: 'a request and .github/jit.yml',
    files: [REQUEST, file('.github/jit.yml', 'MODIFIED')],
    kind: 'rejected',
    title: /cannot change the rules/,
  },
  { name: 'a request and a grant record', files: [REQUEST, file('grants/pr-41.json')], kind: 'rejected', title: /cannot change the rules/ },
  { name: 'a request and a README', files: [REQUEST, file('README.md', 'MODIFIED')], kind: 'rejected', title: /only its request file/ },
  { name: 'two requests', files: [REQUEST, file('requests/sre/inc-2.yaml')], kind: 'rejected', title: /2 request files/ },
  { name: 'a renamed request', files: [file('requests/sre/inc-1.yaml', 'RENAMED')], kind: 'rejected', title: /not renamed/ },
  { name: 'a deleted request', files: [file('requests/sre/inc-1.yaml', 'DELETED')], kind: 'ignored', title: /grants nothing/ },
  { name: 'a policy change', files: [file('policies/prod.yaml', 'MODIFIED')], kind: 'rules' },
  { name: 'a CODEOWNERS change with docs', files: [file('.github/CODEOWNERS', 'MODIFIED'), file('README.md', 'MODIFIED')], kind: 'rules' },
  { name: 'a grant record alone', files: [file('grants/pr-41.json', 'MODIFIED')], kind: 'rejected', title: /written by the app/ },
  { name: 'nothing governed', files: [file('README.md', 'MODIFIED')], kind: 'ignored', title: /No request or rule file/ },
  { name: 'a request from a fork', files: [REQUEST], fork: true, kind: 'rejected', title: /forks are never granted/ },
  { name: 'a policy change from a fork', files: [file('policies/prod.yaml')], fork: true, kind: 'rejected', title: /forks/ },
  { name: 'a README fix from a fork', files: [file('README.md', 'MODIFIED')], fork: true, kind: 'ignored' },
  { name: 'over 100 files', files: [REQUEST], more: true, kind: 'rejected', title: /Too many/ },
]

describe('classifyPullRequest', () => {
  it.each(cases)('$name → $kind', ({ files, fork, more, kind, title }) => {
    const result = classifyPullRequest({ files, isCrossRepository: fork ?? false, hasMoreFiles: more ?? false })
    expect(result.kind).toBe(kind)
    if (title && 'title' in result) expect(result.title).toMatch(title)
  })

  it('names the request and the governed files in the explanation of a mixed PR', () => {
    const result = classifyPullRequest({
      files: [REQUEST, file('policies/prod.yaml', 'MODIFIED')],
      isCrossRepository: false,
      hasMoreFiles: false,
    })
    expect(result).toMatchObject({
      kind: 'rejected',
      touchesRequest: true,
      reason: expect.stringContaining('Besides the request `requests/sre/inc-1.yaml`, this pull request changes `policies/prod.yaml`.'),
    })
  })

  it('returns the request path for a request PR', () => {
    expect(classifyPullRequest({ files: [REQUEST], isCrossRepository: false, hasMoreFiles: false })).toEqual({
      kind: 'request',
      path: 'requests/sre/inc-1.yaml',
    })
  })
})

describe('who contributed', () => {
  it('rejects a request with more than 100 commits, whose contributors the app cannot all see', () => {
    const kind = classifyPullRequest({
      files: [{ path: 'requests/a.yaml', change: 'ADDED' }],
      hasMoreFiles: false,
      isCrossRepository: false,
      hasMoreCommits: true,
    })
    expect(kind).toMatchObject({ kind: 'rejected', title: 'Too many commits to tell who contributed' })
  })

  it('accepts the same request with its commits all visible', () => {
    const kind = classifyPullRequest({
      files: [{ path: 'requests/a.yaml', change: 'ADDED' }],
      hasMoreFiles: false,
      isCrossRepository: false,
      hasMoreCommits: false,
    })
    expect(kind).toEqual({ kind: 'request', path: 'requests/a.yaml' })
  })
})
