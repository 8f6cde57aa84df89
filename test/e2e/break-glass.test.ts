import { afterEach, beforeEach, describe, expect, it } from 'vitest'
import { INCIDENT_REQUEST_PATH, startE2eStack, type E2eStack } from './support/start-e2e-stack.js'

// Break-glass as people live it: the on-call engineer cannot wait for a reviewer at 3 a.m., so they comment
// `/jit break-glass`; the app grants at once and makes noise; the reviewers' approvals later are the review.
let stack: E2eStack

/** prod-ec2-incident as in examples/, with break-glass allowed for at most 2h, reviewed within 24h, frank told. */
const BREAK_GLASS_POLICY = `name: prod-ec2-incident
description: Stop, reboot or terminate production EC2 instances during an incident
grants:
  accounts: ["111111111111"]
  actions: ["ec2:StopInstances", "ec2:RebootInstances", "ec2:TerminateInstances", "ec2:Describe*"]
  resources: ["arn:aws:ec2:*:111111111111:instance/*"]
requesters:
  teams: ["@acme/sre"]
request_paths: ["requests/sre/**"]
max_duration: 4h
ticket: "^(INC|CHG)-[0-9]+$"
approvals:
  - from: codeowners
    count: 1
  - from: ["@acme/security"]
    count: 1
break_glass:
  max_duration: 2h
  review_within: 24h
  notify: [frank]
`

const request = (duration = '2h') => `reason: Terminate the stuck web node from INC-4821
ticket: INC-4821
duration: ${duration}
access:
  - account: "111111111111"
    actions: [ec2:StopInstances, ec2:TerminateInstances]
    resources: ["arn:aws:ec2:us-east-1:111111111111:instance/i-0abc123"]
`

beforeEach(async () => {
  stack = await startE2eStack()
  await stack.github.commitToDefaultBranch({
    files: { 'policies/prod-ec2-incident.yaml': BREAK_GLASS_POLICY },
    message: 'Allow break-glass',
  })
})
afterEach(async () => {
  await stack.stop()
})

const lastComment = (number: number) => stack.github.comments(number).at(-1)?.body ?? ''

describe('break-glass', () => {
  it('grants at once on the requester’s comment, makes noise, and the approved merge later is the review', async () => {
    const { github, clock } = stack
    const pr = await stack.requestAccess({ author: 'alice', path: INCIDENT_REQUEST_PATH, text: request(), title: 'INC-4821' })
    expect(stack.latestCheck(pr.headSha).conclusion).toBe('action_required')

    // 3 a.m.: nobody to approve. alice breaks the glass.
    clock.advance(60_000)
    await github.comment(pr.number, { login: 'alice', body: '/jit break-glass' })
    await github.settle()

    const policyName = 'jit-bb0610eed9-pr-1-exp-20270302T110100Z'
    expect(Object.keys(stack.policiesOf('alice'))).toEqual([policyName])
    expect(await stack.recordsOnMain()).toEqual(['grants/active/pr-1.yaml', 'grants/review-due/pr-1.yaml'])
    expect(await stack.actionsOnMain()).toEqual(['grant', 'intent'])
    expect((await stack.subjects())[0]).toBe(
      'Break-glass grant pr-1: alice gets ec2:StopInstances, ec2:TerminateInstances in 111111111111 until 2027-03-02 11:01 UTC',
    )
    const record = (await stack.readOnMain('grants/active/pr-1.yaml')) as string
    expect(record).toContain('break_glass:\n  invoked_by: alice\n')
    expect(record).toContain('review_within: 24h\n  review_due: "2027-03-03T09:01:00Z"')
    expect(record).toContain('reviewed_at: null')
    expect(record).toContain('  reviewers:\n    - frank\n    - "@acme/security"\n    - "@acme/sre-leads"\n')
    expect(record).toMatch(/pull_request:\n {2}number: 1\n {2}url: \S+\n {2}merge_commit_sha: null\n {2}merged_by: null\n/)
    console.log(`--- grants/active/pr-1.yaml ---\n${record}`)

    // Loud: the reviewers are mentioned, the review issue is assigned, the pull request stays open.
    const comment = lastComment(pr.number)
    expect(comment).toContain('## 🚨 Break-glass: pr-1 granted without approval')
    expect(comment).toContain('@acme/security @acme/sre-leads @frank: please review this now.')
    expect(comment).toContain('The review is due by **2027-03-03 09:01 UTC** (review_within 24h)')
    expect(comment).toContain('Post-incident review: #2.')
    console.log(`--- PR comment ---\n${comment}`)
    expect(github.issues().map((issue) => [issue.number, issue.title, issue.assignees])).toEqual([
      [2, 'Post-incident review: pr-1', ['frank']],
    ])
    expect(github.pullRequest(pr.number).state).toBe('open')

    // A second break-glass grants nothing more.
    await github.comment(pr.number, { login: 'alice', body: '/jit break-glass' })
    await github.settle()
    expect(lastComment(pr.number)).toContain('pr-1 already has a record (grants/active/pr-1.yaml)')
    expect(await stack.actionsOnMain()).toEqual(['grant', 'intent'])

    // The morning after: the policy's ordinary approvals, then the merge, are the review. Nothing new is granted.
    clock.advance(5 * 60 * 60_000)
    await github.submitReview(pr.number, { login: 'bob', state: 'APPROVED' })
    await github.submitReview(pr.number, { login: 'carol', state: 'APPROVED' })
    const merge = await github.mergePullRequest(pr.number, { by: 'carol' })
    expect(merge.delivery.status).toBe(200)
    await github.settle()
    expect(await stack.actionsOnMain()).toEqual(['review', 'grant', 'intent'])
    const reviewed = (await stack.readOnMain('grants/revoked/pr-1.yaml')) ?? ((await stack.readOnMain('grants/active/pr-1.yaml')) as string)
    expect(reviewed).toContain('reviewed_at: "2027-03-02T14:01:00Z"\n  reviewed_by:\n    - bob\n    - carol\n')
    expect(lastComment(pr.number)).toContain('## ✅ Break-glass pr-1 reviewed')
    expect(await stack.recordsOnMain()).not.toContain('grants/review-due/pr-1.yaml')
    expect(stack.aws.state.calls.filter((call) => call.action === 'PutRolePolicy')).toHaveLength(1)
    expect(stack.appErrors()).toEqual([])
  })

  it('flags a break-glass grant left unreviewed past review_within, once, on the pull request', async () => {
    const { github, clock } = stack
    const pr = await stack.requestAccess({ author: 'alice', path: INCIDENT_REQUEST_PATH, text: request(), title: 'INC-4821' })
    await github.comment(pr.number, { login: 'alice', body: '/jit break-glass' })
    await github.settle()

    // The grant expires after 2h and is swept; its review is not due yet, so nothing is flagged.
    clock.advance(2 * 60 * 60_000 + 60_000)
    await stack.tickSweeper()
    expect(await stack.actionsOnMain()).toEqual(['revoke', 'grant', 'intent'])
    expect(await stack.recordsOnMain()).toEqual(['grants/review-due/pr-1.yaml', 'grants/revoked/pr-1.yaml'])
    expect(lastComment(pr.number)).not.toContain('unreviewed past its deadline')

    // A day later nobody has reviewed it: the sweep flags it, mentioning the reviewers.
    clock.advance(22 * 60 * 60_000)
    await stack.tickSweeper()
    await github.settle()
    expect(await stack.actionsOnMain()).toEqual(['flag', 'revoke', 'grant', 'intent'])
    const flag = lastComment(pr.number)
    expect(flag).toContain('## 🚩 Break-glass pr-1 is unreviewed past its deadline')
    expect(flag).toContain(
      'was due for review by **2027-03-03 09:00 UTC** (review_within 24h), and nobody has reviewed it. @acme/security @acme/sre-leads @frank:',
    )
    expect(await stack.readOnMain('grants/review-due/pr-1.yaml')).toContain('flagged_at: "2027-03-03T09:01:00Z"')
    expect(await stack.readOnMain('grants/revoked/pr-1.yaml')).toContain('reviewed_at: null')

    // Flagged once: the next sweeps say nothing more.
    const comments = github.comments(pr.number).length
    clock.advance(60 * 60_000)
    await stack.tickSweeper()
    await github.settle()
    expect(github.comments(pr.number)).toHaveLength(comments)
    expect(await stack.actionsOnMain()).toEqual(['flag', 'revoke', 'grant', 'intent'])
    expect(stack.appErrors()).toEqual([])
  })

  it('refuses a commenter who is not the requester, and grants nothing', async () => {
    const pr = await stack.requestAccess({ author: 'alice', path: INCIDENT_REQUEST_PATH, text: request(), title: 'INC-4821' })
    // erin is in @acme/sre, an eligible requester of the policy, but this is alice's request.
    await stack.github.comment(pr.number, { login: 'erin', body: '/jit break-glass' })
    await stack.github.settle()
    expect(lastComment(pr.number)).toContain(
      '⛔ Sorry @erin, break-glass was refused: only the requester @alice can break the glass on this request; @erin is not the requester.',
    )
    expect(stack.policiesOf('alice')).toEqual({})
    expect(await stack.recordsOnMain()).toEqual([])
  })

  it('refuses a pull request that changes more than its request file', async () => {
    const opened = await stack.github.openPullRequest({
      author: 'alice',
      branch: 'access/alice-more',
      files: { [INCIDENT_REQUEST_PATH]: request(), 'docs/runbook.md': 'an unreviewed change\n' },
      title: 'INC-4821 and a runbook',
    })
    await stack.github.comment(opened.number, { login: 'alice', body: '/jit break-glass' })
    await stack.github.settle()
    expect(lastComment(opened.number)).toContain(
      '⛔ Sorry @alice, break-glass was refused: this pull request is not a request pull request',
    )
    expect(stack.policiesOf('alice')).toEqual({})
    expect(await stack.recordsOnMain()).toEqual([])
  })

  it('refuses a request longer than break_glass.max_duration, though within the policy’s max_duration', async () => {
    const pr = await stack.requestAccess({ author: 'alice', path: INCIDENT_REQUEST_PATH, text: request('3h'), title: 'INC-4821' })
    await stack.github.comment(pr.number, { login: 'alice', body: '/jit break-glass' })
    await stack.github.settle()
    expect(lastComment(pr.number)).toContain(
      'break-glass was refused: ec2:StopInstances on arn:aws:ec2:us-east-1:111111111111:instance/i-0abc123 in 111111111111: duration 3h is longer than break_glass.max_duration 2h of policy prod-ec2-incident.',
    )
    expect(stack.policiesOf('alice')).toEqual({})
    expect(await stack.recordsOnMain()).toEqual([])
  })
})
