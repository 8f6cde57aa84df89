import { afterEach, beforeEach, describe, expect, it } from 'vitest'
import { startE2eStack, type E2eStack } from './support/start-e2e-stack.js'

// A maintenance window: short staging requests are auto-approved on Tuesday mornings (Berlin time) only.
// The window is judged when the check runs and again at the merge: approved inside it, merged outside it,
// nothing is granted.
let stack: E2eStack

const POLICY = `name: staging-debug
grants:
  accounts: ["222222222222"]
  actions: ["ec2:Describe*", "logs:GetLogEvents", "logs:FilterLogEvents", "logs:Describe*"]
  resources: ["*"]
requesters:
  teams: ["@acme/engineering"]
request_paths: ["requests/staging/**"]
max_duration: 8h
approvals:
  - from: codeowners
    count: 1
auto_approve:
  max_duration: 1h
  windows:
    - days: [tue]
      from: "10:00"
      to: "10:30"
      time_zone: Europe/Berlin
`
const REQUEST = `reason: Look at the checkout service logs
duration: 30m
access:
  - account: "222222222222"
    actions: [logs:GetLogEvents]
`

beforeEach(async () => {
  stack = await startE2eStack()
  await stack.github.commitToDefaultBranch({ files: { 'policies/staging-debug.yaml': POLICY }, message: 'Maintenance window' })
})
afterEach(async () => {
  await stack.stop()
})

describe('auto-approval in a maintenance window', () => {
  it('auto-approves inside the window, and refuses the merge made after it closed', async () => {
    const { github, clock } = stack
    // 09:00 UTC on Tuesday 2027-03-02 is 10:00 in Berlin: the window is open.
    const pr = await stack.requestAccess({ author: 'frank', path: 'requests/staging/logs.yaml', text: REQUEST })
    const check = stack.latestCheck(pr.headSha)
    expect(check.conclusion).toBe('success')
    expect(check.output.summary).toContain('Tue 10\\:00 Europe/Berlin, inside the maintenance window tue 10\\:00-10\\:30 Europe/Berlin')
    expect(check.output.summary).toContain(
      'the window is judged again at the merge: merged after it closes, the request needs its approvals',
    )

    // 45 minutes later (10:45 in Berlin) it is merged: judged at the merge, outside the window.
    clock.advance(45 * 60_000)
    await github.mergePullRequest(pr.number, { by: 'frank' })
    await github.settle()
    expect(await stack.recordsOnMain()).toEqual(['grants/refused/pr-1.yaml'])
    expect(stack.policiesOf('frank', '222222222222')).toEqual({})
    const refused = (await stack.readOnMain('grants/refused/pr-1.yaml')) as string
    expect(refused).toContain(
      'not auto-approved: evaluated at 2027-03-02 09:45 UTC, Tue 10:45 Europe/Berlin, outside every maintenance window of auto_approve.windows (tue 10:00-10:30 Europe/Berlin)',
    )
  })
})
