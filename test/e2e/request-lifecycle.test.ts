import { afterEach, beforeEach, describe, expect, it } from 'vitest'
import { ALICE_ROLE, INCIDENT_REQUEST_PATH, PROD, startE2eStack, type E2eStack } from './support/start-e2e-stack.js'

// The whole lifecycle as people and the app see it: the app behind Probot's middleware (signed webhooks,
// installation tokens), the emulated GitHub backed by real git, the emulated IAM/STS (the real SDK,
// SigV4), and one manual clock for all of them. Each scenario starts its own servers and git directory.
// Scenarios share a file so that one process pays the emulators' warm-up (API description, schemas) once.
let stack: E2eStack

beforeEach(async () => {
  stack = await startE2eStack()
})
afterEach(async () => {
  await stack.stop()
})

describe('a request from pull request to revocation', () => {
  it('checks, grants on merge, records in git, and the sweeper revokes at expiry', async () => {
    const { github, clock } = stack
    const request = stack.example.requests[INCIDENT_REQUEST_PATH] as string

    // alice (@acme/sre) asks for the incident access.
    const pr = await stack.requestAccess({
      author: 'alice',
      path: INCIDENT_REQUEST_PATH,
      text: request,
      title: 'INC-4821: terminate the stuck web node',
    })
    expect(pr.status).toBe(200)
    let check = stack.latestCheck(pr.headSha)
    expect([check.status, check.conclusion]).toEqual(['completed', 'action_required'])
    expect(check.output.summary).toContain('- Requested by @alice in `requests/sre/inc-4821-terminate-web.yaml`')
    expect(check.output.summary).toContain(
      '- ⏳ rule 1: 0/1 approval from code owners of requests/sre/inc-4821-terminate-web\\.yaml \\(`@acme/sre-leads`\\)',
    )
    expect(check.output.summary).toContain('- ⏳ rule 2: 0/1 approval from `@acme/security`')
    expect(github.comments(pr.number).map((comment) => comment.login)).toEqual(['jit-access[bot]'])

    // bob, the code owner of requests/, approves: one rule of two.
    await github.submitReview(pr.number, { login: 'bob', state: 'APPROVED' })
    check = stack.latestCheck(pr.headSha)
    expect(check.conclusion).toBe('action_required')
    expect(check.output.title).toBe('Pending: 1 more approval from @acme/security (policy prod-ec2-incident)')

    // carol (@acme/security) approves: the check turns green.
    await github.submitReview(pr.number, { login: 'carol', state: 'APPROVED' })
    check = stack.latestCheck(pr.headSha)
    expect(check.conclusion).toBe('success')
    expect(check.output.title).toBe('Approved: approved by @bob, @carol under policy prod-ec2-incident')
    expect(stack.policiesOf('alice')).toEqual({})

    // Merged five minutes later: the grant starts at the merge and lasts the requested 2h.
    clock.advance(5 * 60_000)
    const merge = await github.mergePullRequest(pr.number, { by: 'carol' })
    expect(merge.delivery.status).toBe(200)
    await github.settle()

    const policyName = 'jit-bb0610eed9-pr-1-exp-20270302T110500Z'
    const policies = stack.policiesOf('alice')
    expect(Object.keys(policies)).toEqual([policyName])
    expect(JSON.parse(policies[policyName] as string)).toEqual({
      Version: '2012-10-17',
      Statement: [
        {
          Sid: 'JitPr1Grant',
          Effect: 'Allow',
          Action: ['ec2:StopInstances', 'ec2:TerminateInstances'],
          Resource: ['arn:aws:ec2:us-east-1:111111111111:instance/i-0abc123'],
          Condition: {
            DateGreaterThan: { 'aws:CurrentTime': '2027-03-02T09:05:00Z' },
            DateLessThan: { 'aws:CurrentTime': '2027-03-02T11:05:00Z' },
          },
        },
      ],
    })
    // Written through the granter role, in a session CloudTrail ties to the request.
    const put = stack.aws.state.calls.find((call) => call.action === 'PutRolePolicy')
    expect([put?.account, put?.sessionName, put?.callerArn]).toEqual([
      PROD,
      'jit-pr-1-grant',
      `arn:aws:sts::${PROD}:assumed-role/jit-granter/jit-pr-1-grant`,
    ])

    expect(await stack.subjects()).toEqual([
      'Grant pr-1: alice gets ec2:StopInstances, ec2:TerminateInstances in 111111111111 until 2027-03-02 11:05 UTC',
      // Written ahead: the intent is committed before AWS is called, the grant replaces it.
      'Granting pr-1: alice is about to get ec2:StopInstances, ec2:TerminateInstances in 111111111111 until 2027-03-02 11:05 UTC',
      'Merge pull request #1 from acme/access/alice-sre-inc-4821-terminate-web',
      'INC-4821: terminate the stuck web node',
      'Initial commit',
    ])
    expect(
      await github.git(['log', '-1', '--format=%an%n%(trailers:key=Jit-Request,key=Jit-Approved-By,valueonly,separator=%x2C)', 'main']),
    ).toBe('jit-access[bot]\npr-1,bob,carol\n')
    const active = await stack.readOnMain('grants/active/pr-1.yaml')
    expect(active).toContain(`principal: ${ALICE_ROLE}`)
    expect(active).toContain(`aws_policy_name: ${policyName}`)
    expect(github.comments(pr.number).at(-1)?.body).toContain('## ✅ Access granted: pr-1')

    // An hour in, the sweeper leaves it alone.
    clock.set(new Date('2027-03-02T10:05:00Z'))
    await stack.tickSweeper()
    expect(Object.keys(stack.policiesOf('alice'))).toEqual([policyName])
    expect(await stack.actionsOnMain()).toEqual(['grant', 'intent'])

    // Past the expiry, the app's own sweeper deletes the policy, then records it.
    clock.set(new Date('2027-03-02T11:06:00Z'))
    await stack.tickSweeper()
    expect(stack.policiesOf('alice')).toEqual({})
    const deleted = stack.aws.state.calls.filter((call) => call.action === 'DeleteRolePolicy')
    expect(deleted.map((call) => [call.params['PolicyName'], call.error])).toEqual([[policyName, undefined]])
    expect(await stack.actionsOnMain()).toEqual(['revoke', 'grant', 'intent'])
    expect((await stack.subjects())[0]).toBe('Revoke grant: pr-1')
    expect(await stack.recordsOnMain()).toEqual(['grants/revoked/pr-1.yaml'])
    const revoked = await stack.readOnMain('grants/revoked/pr-1.yaml')
    expect(revoked).toContain('state: revoked')
    expect(revoked).toMatch(
      /revocation:\n {2}revoked_at: "2027-03-02T11:06:00(\.000)?Z"\n {2}revoked_by: jit-sweeper\n {2}reason: expired\n/,
    )
    await github.settle()
    expect(stack.appErrors()).toEqual([])
  })
})

describe('a push after approval', () => {
  it('turns a green check back to action_required and names the stale approvals', async () => {
    const { github } = stack
    const request = stack.example.requests[INCIDENT_REQUEST_PATH] as string
    const pr = await github.openPullRequest({
      author: 'alice',
      branch: 'access/inc-4821',
      files: { [INCIDENT_REQUEST_PATH]: request },
      title: 'INC-4821: terminate the stuck web node',
    })
    await github.submitReview(pr.number, { login: 'bob', state: 'APPROVED' })
    await github.submitReview(pr.number, { login: 'carol', state: 'APPROVED' })
    expect(stack.latestCheck(pr.headSha).conclusion).toBe('success')

    // alice widens the request after both approvals: the same PR, a new head.
    const widened = request.replace('duration: 2h', 'duration: 4h')
    expect(widened).not.toBe(request)
    const push = await github.pushToPullRequest(pr.number, { [INCIDENT_REQUEST_PATH]: widened })
    expect(push.delivery.status).toBe(200)

    const check = stack.latestCheck(push.headSha)
    expect(check.conclusion).toBe('action_required')
    expect(check.output.title).toMatch(/^Pending: /)
    expect(check.output.summary).toContain(`stale: approved ${pr.headSha.slice(0, 7)}, the head is now ${push.headSha.slice(0, 7)}`)
    expect(check.output.summary).toContain('Duration: 4h')
    // The earlier head keeps the verdict it had: GitHub shows checks per commit.
    expect(stack.latestCheck(pr.headSha).conclusion).toBe('success')

    // Approving the new head counts again.
    await github.submitReview(pr.number, { login: 'bob', state: 'APPROVED' })
    await github.submitReview(pr.number, { login: 'dan', state: 'APPROVED' })
    expect(stack.latestCheck(push.headSha).conclusion).toBe('success')
    expect(stack.latestCheck(push.headSha).output.title).toBe('Approved: approved by @bob, @dan under policy prod-ec2-incident')
    await github.settle()
    expect(stack.appErrors()).toEqual([])
  })
})

describe('an admin merging past a failing check', () => {
  it('grants nothing and records the refusal under grants/refused/', async () => {
    const { github } = stack
    // frank is not in @acme/sre, the only requesters of prod-ec2-incident.
    const pr = await stack.requestAccess({
      author: 'frank',
      path: INCIDENT_REQUEST_PATH,
      text: stack.example.requests[INCIDENT_REQUEST_PATH] as string,
    })
    await github.submitReview(pr.number, { login: 'bob', state: 'APPROVED' })
    await github.submitReview(pr.number, { login: 'carol', state: 'APPROVED' })
    const check = stack.latestCheck(pr.headSha)
    expect(check.conclusion).toBe('failure')
    expect(check.output.title).toMatch(/^Denied: /)

    // The emulator, like GitHub without branch protection, lets an admin merge anyway.
    const merge = await github.mergePullRequest(pr.number, { by: 'erin' })
    expect(merge.delivery.status).toBe(200)
    await github.settle()

    expect(stack.policiesOf('frank', PROD)).toEqual({})
    expect(stack.aws.state.calls).toEqual([])
    expect(await stack.recordsOnMain()).toEqual(['grants/refused/pr-1.yaml'])
    expect(await stack.actionsOnMain()).toEqual(['refuse'])
    expect((await stack.subjects())[0]).toBe('Refuse pr-1: merged while denied by erin, nothing granted')
    const record = await stack.readOnMain('grants/refused/pr-1.yaml')
    expect(record).toContain('state: refused')
    expect(record).toContain('verdict: denied')
    expect(record).toContain('merged_by: erin')
    await github.settle()
    expect(stack.appErrors()).toEqual([])
  })
})

describe('the merge webhook delivered twice', () => {
  it('grants once: one policy, one put, one record commit', async () => {
    const { github } = stack
    const merged = await stack.mergeApprovedIncidentRequest()
    expect(merged.mergeStatus).toBe(200)

    // GitHub's "Redeliver" sends the same delivery id and payload again.
    const again = await github.redeliver(merged.mergeDeliveryId)
    expect(again.status).toBe(200)
    expect(again.attempts).toBe(2)
    await github.settle()

    expect(Object.keys(stack.policiesOf('alice'))).toEqual(['jit-bb0610eed9-pr-1-exp-20270302T110500Z'])
    expect(stack.aws.state.calls.filter((call) => call.action === 'PutRolePolicy')).toHaveLength(1)
    expect(await stack.actionsOnMain()).toEqual(['grant', 'intent'])
    expect(await stack.recordsOnMain()).toEqual(['grants/active/pr-1.yaml'])
    // One "granted" comment, not two.
    expect(github.comments(merged.number).filter((comment) => comment.body.includes('Access granted: pr-1'))).toHaveLength(1)
    expect(stack.appErrors()).toEqual([])
  })
})
