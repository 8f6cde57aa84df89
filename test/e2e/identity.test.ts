import { afterEach, beforeEach, describe, expect, it } from 'vitest'
import { INCIDENT_REQUEST_PATH, startE2eStack, type E2eStack } from './support/start-e2e-stack.js'

// Identities the app trusts come from what GitHub authenticates: the sender of a push, the actor of a
// dismissal, a code owner's permission. Each scenario is an attack tried on the emulated GitHub.
let stack: E2eStack

beforeEach(async () => {
  stack = await startE2eStack()
})
afterEach(async () => {
  await stack.stop()
})

const short = (sha: string): string => sha.slice(0, 7)

async function openIncidentRequest(): Promise<{ number: number; headSha: string }> {
  return stack.requestAccess({
    author: 'alice',
    path: INCIDENT_REQUEST_PATH,
    text: stack.example.requests[INCIDENT_REQUEST_PATH] as string,
    title: 'INC-4821: terminate the stuck web node',
  })
}

describe('pushes', () => {
  it("a push forged with the author's name and e-mail is still the pusher's: their approval does not count, and the merge grants nothing", async () => {
    const { github } = stack
    const pr = await openIncidentRequest()
    // carol (@acme/security) widens the request in a commit that says alice wrote and committed it.
    const widened = (stack.example.requests[INCIDENT_REQUEST_PATH] as string).replace('instance/i-0abc123', 'instance/*')
    const push = await github.pushToPullRequest(pr.number, { [INCIDENT_REQUEST_PATH]: widened }, { author: 'alice', pusher: 'carol' })
    expect(await github.git(['log', '-1', '--format=%an <%ae> / %cn <%ce>', push.headSha])).toMatch(/^alice <.*\+alice@.*> \/ alice /)
    await github.submitReview(pr.number, { login: 'bob', state: 'APPROVED' })
    await github.submitReview(pr.number, { login: 'carol', state: 'APPROVED' })

    const check = stack.latestCheck(push.headSha)
    expect(check.conclusion).toBe('action_required')
    expect(check.output.title).toBe('Pending: 1 more approval from @acme/security (policy prod-ec2-incident)')
    expect(check.output.summary).toContain(`- Pushes: @alice pushed ${short(pr.headSha)}, @carol pushed ${short(push.headSha)}`)
    expect(check.output.summary).toContain(
      `  - not counted: @carol: pushed ${short(push.headSha)} to this pull request, so approving it would be approving their own change \\(policy prod-ec2-incident does not allow self-approval\\)`,
    )

    // An admin merges past the check: the merge reads the same pushers and refuses.
    await github.mergePullRequest(pr.number, { by: 'bob' })
    await github.settle()
    expect(stack.policiesOf('alice')).toEqual({})
    expect(await stack.recordsOnMain()).toEqual(['grants/refused/pr-1.yaml'])
    expect(stack.appErrors()).toEqual([])
  })

  it('a head pushed while the app was not told fails safe: no approval counts, and the check says why', async () => {
    const { github } = stack
    const pr = await openIncidentRequest()
    const push = await github.pushToPullRequest(
      pr.number,
      { [INCIDENT_REQUEST_PATH]: (stack.example.requests[INCIDENT_REQUEST_PATH] as string).replace('INC-4821', 'INC-4822') },
      { pusher: 'carol', deliver: false },
    )
    await github.submitReview(pr.number, { login: 'bob', state: 'APPROVED' })
    await github.submitReview(pr.number, { login: 'carol', state: 'APPROVED' })

    const check = stack.latestCheck(push.headSha)
    expect(check.conclusion).toBe('action_required')
    expect(check.output.title).toBe(
      `Pending: who pushed ${short(push.headSha)} (the head commit) is unknown, because the app missed that push: no approval counts until someone pushes a new commit (and 2 more)`,
    )
    expect(check.output.summary).toContain(
      `- Who pushed ${short(push.headSha)} (the head commit) is unknown: the app did not see that push, so no approval counts`,
    )
    expect(check.output.summary).toContain(
      `  - not counted: @carol: the app did not see who pushed ${short(push.headSha)} \\(the head commit\\), so it cannot tell whether this approver pushed it`,
    )

    // The next push the app sees names its pusher; approvals on it count again.
    const next = await github.pushToPullRequest(
      pr.number,
      { [INCIDENT_REQUEST_PATH]: stack.example.requests[INCIDENT_REQUEST_PATH] as string },
      { pusher: 'alice' },
    )
    await github.submitReview(pr.number, { login: 'bob', state: 'APPROVED' })
    await github.submitReview(pr.number, { login: 'dan', state: 'APPROVED' })
    expect(stack.latestCheck(next.headSha).conclusion).toBe('success')
  })
})

describe('dismissals', () => {
  it("the author's dismissal of a security engineer's request for changes keeps it blocking; a security engineer's dismissal lifts it", async () => {
    const { github } = stack
    const pr = await openIncidentRequest()
    await github.submitReview(pr.number, { login: 'bob', state: 'APPROVED' })
    await github.submitReview(pr.number, { login: 'carol', state: 'APPROVED' })
    const changes = await github.submitReview(pr.number, { login: 'dan', state: 'CHANGES_REQUESTED' })
    expect(stack.latestCheck(pr.headSha).conclusion).toBe('action_required')

    await github.dismissReview(pr.number, changes.reviewId, { by: 'alice' })
    let check = stack.latestCheck(pr.headSha)
    expect(check.conclusion).toBe('action_required')
    expect(check.output.title).toBe(
      'Pending: changes requested by @dan still block: @alice dismissed the review, but the author cannot lift a request for changes (their new approval, or a dismissal by someone else)',
    )
    expect(check.output.summary).toContain(
      "- @dan's request for changes was dismissed by @alice, the author; it still blocks: a dismissal by the author or a pusher does not count",
    )

    // GitHub records one dismissal per review: dan asks again, and carol (@acme/security) dismisses it.
    const again = await github.submitReview(pr.number, { login: 'dan', state: 'CHANGES_REQUESTED' })
    await github.dismissReview(pr.number, again.reviewId, { by: 'carol' })
    check = stack.latestCheck(pr.headSha)
    expect(check.conclusion).toBe('success')
    expect(check.output.summary).toContain("- @dan's request for changes was dismissed by @carol; it no longer blocks")
  })
})

describe('code owners', () => {
  it('a code owner team without write access does not count, as GitHub ignores it', async () => {
    const { github } = stack
    github.setPermission('@acme/sre-leads', 'read')
    const pr = await openIncidentRequest()
    await github.submitReview(pr.number, { login: 'bob', state: 'APPROVED' })
    await github.submitReview(pr.number, { login: 'carol', state: 'APPROVED' })

    const check = stack.latestCheck(pr.headSha)
    expect(check.conclusion).toBe('failure')
    expect(check.output.summary).toContain('  - @acme/sre-leads is a code owner without write access; GitHub ignores such owners')
    expect(check.output.summary).toContain(
      '  - not counted: @bob: `@acme/sre-leads` is a code owner without write access; GitHub ignores such owners',
    )
  })
})
