import { afterEach, beforeEach, describe, expect, it } from 'vitest'
import { INCIDENT_REQUEST_PATH, startE2eStack, type E2eStack } from './support/start-e2e-stack.js'

// A merge queue asks for the required checks on the group's temporary merge commit, not on the pull request's
// head: the app must answer there, and answer only for what was reviewed.
let stack: E2eStack

beforeEach(async () => {
  stack = await startE2eStack()
})
afterEach(async () => {
  await stack.stop()
})

const incidentRequest = () => stack.example.requests[INCIDENT_REQUEST_PATH] as string

async function approve(number: number): Promise<void> {
  await stack.github.submitReview(number, { login: 'bob', state: 'APPROVED' })
  await stack.github.submitReview(number, { login: 'carol', state: 'APPROVED' })
}

describe('a request in a merge queue', () => {
  it('approved: the group commit gets the same green check as the pull request', async () => {
    const pr = await stack.requestAccess({ author: 'alice', path: INCIDENT_REQUEST_PATH, text: incidentRequest() })
    await approve(pr.number)
    expect(stack.latestCheck(pr.headSha).conclusion).toBe('success')

    const group = await stack.github.enqueuePullRequest(pr.number, { by: 'carol' })
    expect(group.headRef).toBe(`refs/heads/gh-readonly-queue/main/pr-${pr.number}-${pr.headSha}`)
    expect(group.delivery.status).toBe(200)
    const check = stack.latestCheck(group.headSha)
    expect(check).toMatchObject({ status: 'completed', conclusion: 'success' })
    expect(check.output?.title).toBe('Approved: approved by @bob, @carol under policy prod-ec2-incident')
    expect(check.output?.summary).toContain(`This merge group holds #${pr.number} and changes exactly what its reviewed head changes.`)
    expect(stack.appErrors()).toEqual([])
  })

  it('queued behind another request: each group is judged against the group ahead of it, and both are green', async () => {
    const first = await stack.requestAccess({ author: 'alice', path: INCIDENT_REQUEST_PATH, text: incidentRequest() })
    await approve(first.number)
    const second = await stack.requestAccess({
      author: 'alice',
      path: 'requests/sre/inc-4822-stop-web.yaml',
      text: incidentRequest().replace('TerminateInstances', 'DescribeInstances').replace('INC-4821', 'INC-4822'),
    })
    await approve(second.number)

    const ahead = await stack.github.enqueuePullRequest(first.number, { by: 'carol' })
    const behind = await stack.github.enqueuePullRequest(second.number, { by: 'carol' })
    expect(behind.baseSha).toBe(ahead.headSha)
    expect(stack.latestCheck(ahead.headSha).conclusion).toBe('success')
    expect(stack.latestCheck(behind.headSha).conclusion).toBe('success')
  })

  it('whose group merges in a change nobody reviewed (the same file widened on main): the group fails and says so', async () => {
    // The request is already on main (an earlier grant); alice asks to shorten it, and it is approved as it stands.
    await stack.github.commitToDefaultBranch({ files: { [INCIDENT_REQUEST_PATH]: incidentRequest() }, message: 'Earlier request' })
    const pr = await stack.requestAccess({
      author: 'alice',
      path: INCIDENT_REQUEST_PATH,
      text: incidentRequest().replace('duration: 2h', 'duration: 1h'),
    })
    await approve(pr.number)
    expect(stack.latestCheck(pr.headSha).conclusion).toBe('success')

    // Meanwhile main widens the resource a few lines further down: git merges both changes without a conflict.
    const widened = incidentRequest().replace('instance/i-0abc123', 'instance/*')
    expect(widened).not.toBe(incidentRequest())
    await stack.github.commitToDefaultBranch({ files: { [INCIDENT_REQUEST_PATH]: widened }, message: 'Widen the request' })

    const group = await stack.github.enqueuePullRequest(pr.number, { by: 'carol' })
    const merged = await stack.github.git(['show', `${group.headSha}:${INCIDENT_REQUEST_PATH}`])
    expect(merged).toContain('duration: 1h')
    expect(merged).toContain('instance/*')
    const check = stack.latestCheck(group.headSha)
    expect(check.conclusion).toBe('failure')
    expect(check.output?.title).toBe(`The merge group changes more than #${pr.number}`)
    expect(check.output?.summary).toContain(
      `The merge group's \`${INCIDENT_REQUEST_PATH}\` is not the one reviewed in #${pr.number} at ${pr.headSha.slice(0, 7)}.`,
    )
  })
})
