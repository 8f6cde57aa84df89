import { describe, expect, it } from 'vitest'
import {
  findRequestComment,
  upsertRequestComment,
  type CommentPage,
  type RequestCommentLookup,
} from '../../src/github/upsert-request-comment.js'
import { createFakeGitHubApi } from './support/fake-github-api.js'

const MARKER = '<!-- jit:request mentioned="acme/security" -->'
const target = { owner: 'acme', repo: 'access', number: 42 }

type Node = NonNullable<CommentPage['nodes']>[number]
const byApp = (id: number, body: string): Node => ({ databaseId: id, body, viewerDidAuthor: true, author: { __typename: 'Bot' } })
const byOther = (id: number, body: string, typename = 'User'): Node => ({
  databaseId: id,
  body,
  viewerDidAuthor: false,
  author: { __typename: typename },
})
const page = (nodes: Node[], endCursor: string | null = null): CommentPage => ({
  nodes,
  pageInfo: { hasNextPage: endCursor !== null, endCursor },
})

describe('findRequestComment', () => {
  it("takes the app's own comment with the marker, never another's that carries it", () => {
    const planted = [byOther(1, `${MARKER}\nplanted`), byOther(2, `${MARKER}\nby a workflow`, 'Bot'), byApp(3, 'no marker')]
    expect(findRequestComment(page(planted))).toEqual({ kind: 'absent' })
    expect(findRequestComment(page([...planted, byApp(4, `${MARKER}\nours`)]))).toEqual({ kind: 'found', id: 4, body: `${MARKER}\nours` })
  })

  it('says where to read on when the PR has more comments than were read, and to read all when the page is missing', () => {
    expect(findRequestComment(page([byOther(1, 'hi')], 'c20'))).toEqual({ kind: 'beyond', after: 'c20' })
    expect(findRequestComment(undefined)).toEqual({ kind: 'beyond', after: null })
  })
})

describe('upsertRequestComment', () => {
  const render = (already: ReadonlySet<string>) => `${MARKER}\nbody (already: ${[...already].join(' ')})`

  it('updates the comment the pull-request query found, reading nothing', async () => {
    const api = createFakeGitHubApi({ request: () => ({ id: 901 }) })
    const existing: RequestCommentLookup = { kind: 'found', id: 901, body: `${MARKER}\nold` }
    expect(await upsertRequestComment(api, { ...target, existing, create: true, render })).toBe('updated')
    expect(api.recorded.map((call) => [call.name, call.variables['comment_id'], call.variables['body']])).toEqual([
      ['PATCH /repos/{owner}/{repo}/issues/comments/{comment_id}', 901, `${MARKER}\nbody (already: @acme/security)`],
    ])
  })

  it('creates the comment when none exists, or leaves it absent when asked not to create one, reading nothing', async () => {
    const api = createFakeGitHubApi({ request: () => ({ id: 902 }) })
    expect(await upsertRequestComment(api, { ...target, existing: { kind: 'absent' }, create: false, render })).toBe('absent')
    expect(await upsertRequestComment(api, { ...target, existing: { kind: 'absent' }, create: true, render })).toBe('created')
    expect(api.recorded.map((call) => call.name)).toEqual(['POST /repos/{owner}/{repo}/issues/{issue_number}/comments'])
  })

  it('finds its comment past the comments the pull-request query read, one page of 100 at a time, and updates it', async () => {
    const pages: Record<string, CommentPage> = {
      c20: page(
        Array.from({ length: 100 }, (_, i) => byOther(100 + i, `${MARKER}\nplanted ${i}`, i % 2 ? 'Bot' : 'User')),
        'c120',
      ),
      c120: page([byOther(300, 'LGTM'), byApp(301, `${MARKER}\nours`)]),
    }
    const api = createFakeGitHubApi({
      graphql: (_query, variables) => ({ repository: { pullRequest: { comments: pages[String(variables['after'])] } } }),
      request: () => ({ id: 301 }),
    })
    const outcome = await upsertRequestComment(api, { ...target, existing: { kind: 'beyond', after: 'c20' }, create: true, render })
    expect(outcome).toBe('updated')
    expect(api.recorded.map((call) => [call.name, call.variables['after'] ?? call.variables['comment_id']])).toEqual([
      ['jitMoreComments', 'c20'],
      ['jitMoreComments', 'c120'],
      ['PATCH /repos/{owner}/{repo}/issues/comments/{comment_id}', 301],
    ])
  })

  it("creates one when no comment past those read is the app's", async () => {
    const api = createFakeGitHubApi({
      graphql: () => ({ repository: { pullRequest: { comments: page([byOther(300, `${MARKER}\nplanted`, 'Bot')]) } } }),
      request: () => ({ id: 302 }),
    })
    expect(await upsertRequestComment(api, { ...target, existing: { kind: 'beyond', after: 'c20' }, create: true, render })).toBe('created')
    expect(api.recorded.map((call) => call.name)).toEqual(['jitMoreComments', 'POST /repos/{owner}/{repo}/issues/{issue_number}/comments'])
  })

  it('fails naming what it could not read, writing nothing', async () => {
    const api = createFakeGitHubApi({
      graphql: () => Promise.reject(Object.assign(new Error('Server Error'), { status: 502 })),
      request: () => ({ id: 1 }),
    })
    await expect(
      upsertRequestComment(api, { ...target, existing: { kind: 'beyond', after: 'c20' }, create: true, render }),
    ).rejects.toThrow('Could not read the comments of pull request #42 from GitHub: HTTP 502: Server Error')
    expect(api.calls.rest).toBe(0)
  })
})
