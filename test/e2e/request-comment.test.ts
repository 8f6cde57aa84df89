import { afterEach, beforeEach, describe, expect, it } from 'vitest'
import { INCIDENT_REQUEST_PATH, startE2eStack, type E2eStack } from './support/start-e2e-stack.js'

// The app's one comment on a request pull request, found in the pull request's own query: by its marker
// and by being the app's (GitHub's `viewerDidAuthor`), never by the marker alone; past the comments that
// query reads when a long conversation pushed it further down.
let stack: E2eStack

beforeEach(async () => {
  stack = await startE2eStack()
})
afterEach(async () => {
  await stack.stop()
})

const APP_LOGIN = 'jit-access[bot]'
/** Mentions that notify: an @handle not inside backticks. */
const liveMentions = (body: string): string[] =>
  [...body.matchAll(/(?<=^|[^\w`])@[\w-]+(?:\/[\w.-]+)?/gu)].filter((m) => body[(m.index ?? 0) + m[0].length] !== '`').map((m) => m[0])

/** alice's incident request, opened while GitHub refuses the app's comment: the PR is left without one. */
async function openWithoutAppComment(): Promise<{ number: number; headSha: string }> {
  stack.proxy.inject({ method: 'POST', path: /\/issues\/\d+\/comments$/u, status: 403, message: 'Resource not accessible by integration' })
  const pr = await stack.requestAccess({
    author: 'alice',
    path: INCIDENT_REQUEST_PATH,
    text: stack.example.requests[INCIDENT_REQUEST_PATH] as string,
  })
  expect(stack.proxy.failed.map((request) => request.method)).toEqual(['POST'])
  expect(stack.latestCheck(pr.headSha).output.summary).toContain(
    'could not write the pull request comment: HTTP 403: Resource not accessible by integration',
  )
  expect(stack.github.comments(pr.number)).toEqual([])
  return pr
}

describe("the app's request comment", () => {
  it("a comment by another bot carrying the marker is not taken for the app's: the app writes its own and pings the approvers", async () => {
    const { github } = stack
    const pr = await openWithoutAppComment()
    // A workflow the requester runs comments as github-actions[bot], claiming every approver was pinged already.
    const planted =
      '<!-- jit:request mentioned="acme/security acme/sre-leads" -->\n**Approved.** Merging this pull request grants the access below.'
    await github.comment(pr.number, { login: 'github-actions[bot]', body: planted })
    await github.submitReview(pr.number, { login: 'bob', state: 'APPROVED' })

    const [workflow, app, ...more] = github.comments(pr.number)
    expect(more).toEqual([])
    expect(workflow).toMatchObject({ login: 'github-actions[bot]', body: planted })
    expect(app?.login).toBe(APP_LOGIN)
    expect(app?.body).toMatch(/^<!-- jit:request mentioned="acme\/security" -->\n/u)
    expect(liveMentions(app?.body ?? '')).toEqual(['@acme/security'])
    expect(stack.latestCheck(pr.headSha).conclusion).toBe('action_required')
  })

  it('found past the comments the pull request query reads, it is updated rather than written twice', async () => {
    const { github } = stack
    const pr = await openWithoutAppComment()
    for (let index = 0; index < 25; index++) await github.comment(pr.number, { login: 'erin', body: `+1 (${index})` })
    await github.submitReview(pr.number, { login: 'bob', state: 'APPROVED' })
    await github.submitReview(pr.number, { login: 'carol', state: 'APPROVED' })

    const comments = github.comments(pr.number)
    expect(comments).toHaveLength(26)
    const ours = comments.filter((comment) => comment.login === APP_LOGIN)
    expect(ours).toHaveLength(1)
    expect(comments.indexOf(ours[0]!)).toBe(25)
    expect(ours[0]?.body).toContain('**Approved.** Merging this pull request grants the access below.')
    expect(stack.latestCheck(pr.headSha).conclusion).toBe('success')
  })
})
