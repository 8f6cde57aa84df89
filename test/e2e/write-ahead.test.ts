import { afterEach, beforeEach, describe, expect, it } from 'vitest'
import { startE2eStack, type E2eStack, INCIDENT_REQUEST_PATH } from './support/start-e2e-stack.js'

// Git is the auditors' truth: it must never say "nothing granted" while AWS holds access, and a revoked
// grant must never come back. Each scenario injects a fault where records and AWS used to disagree, then
// asserts what git (the records on main, the `Jit-Action` trailers) and AWS (alice's inline policies) hold.
let stack: E2eStack

beforeEach(async () => {
  stack = await startE2eStack()
})
afterEach(async () => {
  await stack.stop()
})

const POLICY = 'jit-bb0610eed9-pr-1-exp-20270302T110500Z'
// The record commit after the put: the first GraphQL call the grant makes once AWS holds the policy (createCommitOnBranch).
const RECORD_COMMIT = /^\/graphql$/
const putSucceeded = () => stack.aws.state.calls.some((call) => call.action === 'PutRolePolicy' && call.error === undefined)

/** Opens, approves and merges the incident request without waiting for the merge's webhook to be handled. */
async function startMerge(): Promise<{ number: number; merged: Promise<unknown> }> {
  const pr = await stack.requestAccess({
    author: 'alice',
    path: INCIDENT_REQUEST_PATH,
    text: stack.example.requests[INCIDENT_REQUEST_PATH] as string,
  })
  await stack.github.submitReview(pr.number, { login: 'bob', state: 'APPROVED' })
  await stack.github.submitReview(pr.number, { login: 'carol', state: 'APPROVED' })
  stack.clock.advance(5 * 60_000)
  return { number: pr.number, merged: stack.github.mergePullRequest(pr.number, { by: 'carol' }) }
}

describe('GitHub answers 5xx on the record commit after the AWS put succeeded', () => {
  it('leaves the intent on main, which `/jit revoke` sees and revokes; no sweep grants it again', async () => {
    const { github, clock } = stack
    stack.proxy.inject({ method: 'POST', path: RECORD_COMMIT, status: 502, message: 'Server Error', when: putSucceeded })
    const merged = await stack.mergeApprovedIncidentRequest()
    expect(merged.mergeStatus).toBe(500)
    expect(stack.proxy.failed.map((request) => request.method)).toEqual(['POST'])

    // AWS holds the grant, and git says so: the intent, written before the put, names the policy.
    expect(Object.keys(stack.policiesOf('alice'))).toEqual([POLICY])
    expect(await stack.recordsOnMain()).toEqual(['grants/pending/pr-1.yaml'])
    expect(await stack.actionsOnMain()).toEqual(['intent'])
    expect(await stack.readOnMain('grants/pending/pr-1.yaml')).toContain(`aws_policy_name: ${POLICY}`)

    await github.comment(merged.number, { login: 'alice', body: '/jit revoke' })
    await github.settle()
    expect(github.comments(merged.number).at(-1)?.body).toContain('revoked')
    expect(stack.policiesOf('alice')).toEqual({})
    expect(await stack.recordsOnMain()).toEqual(['grants/revoked/pr-1.yaml'])
    expect(await stack.actionsOnMain()).toEqual(['revoke', 'intent'])
    const revoked = await stack.readOnMain('grants/revoked/pr-1.yaml')
    expect(revoked).toContain('while_granting: true')
    expect(revoked).toContain('outcome: revoked')

    // Long after: nothing is healed, nothing granted again, and no commit says "nothing granted".
    clock.advance(30 * 60_000)
    const { exitCode, report } = await stack.sweep()
    expect(exitCode).toBe(0)
    expect(report.healedMerges).toEqual([])
    expect(report.intents).toEqual([])
    expect(stack.policiesOf('alice')).toEqual({})
    expect(await stack.actionsOnMain()).toEqual(['revoke', 'intent'])
    expect((await stack.subjects()).some((subject) => subject.includes('nothing granted'))).toBe(false)
  })

  it('is finished by the sweep after the grace: read back from AWS, the grant is completed, never recorded as failed', async () => {
    const { clock } = stack
    stack.proxy.inject({ method: 'POST', path: RECORD_COMMIT, status: 502, message: 'Server Error', when: putSucceeded })
    await stack.mergeApprovedIncidentRequest()
    expect(await stack.recordsOnMain()).toEqual(['grants/pending/pr-1.yaml'])

    // Within the grace the grant may still be running: the sweep waits, and does not call it an orphan.
    clock.advance(5 * 60_000)
    const { report: early } = await stack.sweep()
    expect(early.intents.map((intent) => [intent.id, intent.status])).toEqual([['pr-1', 'waiting']])
    expect(early.orphans).toEqual([])
    expect(early.healedMerges).toEqual([])

    clock.advance(15 * 60_000)
    const { exitCode, report } = await stack.sweep()
    expect(exitCode).toBe(0)
    expect(report.intents.map((intent) => [intent.id, intent.status])).toEqual([['pr-1', 'completed']])
    expect(Object.keys(stack.policiesOf('alice'))).toEqual([POLICY])
    expect(await stack.recordsOnMain()).toEqual(['grants/active/pr-1.yaml'])
    expect(await stack.actionsOnMain()).toEqual(['grant', 'intent'])
    const message = await stack.github.git(['log', '-1', '--format=%B', 'main'])
    expect(message).toContain('Settled by the sweep from grants/pending/pr-1.yaml')
    expect(message).toContain(`inline policy ${POLICY} on role jit-alice in 111111111111 is in place with the planned document`)

    // At expiry it is revoked like any grant.
    clock.set(new Date('2027-03-02T11:06:00Z'))
    const { report: expiry } = await stack.sweep()
    expect(expiry.grants.map((grant) => [grant.id, grant.status])).toEqual([['pr-1', 'revoked']])
    expect(stack.policiesOf('alice')).toEqual({})
    expect(await stack.actionsOnMain()).toEqual(['revoke', 'grant', 'intent'])
  })
})

describe('AWS applies the put but its answer is lost (5xx five times)', () => {
  it('reads the grant back, finds it in place as planned, and records it as granted', async () => {
    stack.aws.injectFault({ action: 'PutRolePolicy', code: 'ServiceUnavailable', status: 503, times: 5, afterApplying: true })
    const merged = await stack.mergeApprovedIncidentRequest()
    expect(merged.mergeStatus).toBe(200)

    const puts = stack.aws.state.calls.filter((call) => call.action === 'PutRolePolicy')
    expect(puts.map((call) => call.error)).toEqual(Array(5).fill('ServiceUnavailable'))
    expect(stack.aws.state.calls.some((call) => call.action === 'GetRolePolicy' && call.params['PolicyName'] === POLICY)).toBe(true)
    expect(Object.keys(stack.policiesOf('alice'))).toEqual([POLICY])
    expect(await stack.recordsOnMain()).toEqual(['grants/active/pr-1.yaml'])
    expect(await stack.actionsOnMain()).toEqual(['grant', 'intent'])
    expect(stack.github.comments(merged.number).at(-1)?.body).not.toContain('failed')
  })
})

describe('two replicas: a slow one puts the grant after an early revoke', () => {
  it('re-checks the branch after its put, finds the revocation, and undoes the put', async () => {
    const { github } = stack
    const held = stack.aws.holdCalls('PutRolePolicy')
    const { number, merged } = await startMerge()
    await held.reached

    // The intent is on main before AWS is called; alice ends the grant while the put is in flight.
    expect(await stack.recordsOnMain()).toEqual(['grants/pending/pr-1.yaml'])
    await github.comment(number, { login: 'alice', body: '/jit revoke' })
    expect(await stack.recordsOnMain()).toEqual(['grants/revoked/pr-1.yaml'])

    held.release()
    await merged
    await github.settle()
    const puts = stack.aws.state.calls.filter((call) => call.action === 'PutRolePolicy' && call.error === undefined)
    expect(puts).toHaveLength(1)
    expect(stack.policiesOf('alice')).toEqual({})
    expect(await stack.recordsOnMain()).toEqual(['grants/revoked/pr-1.yaml'])
    expect(await stack.actionsOnMain()).toEqual(['revoke', 'intent'])

    // A redelivery of the merge grants nothing either.
    const first = github.deliveries.find((delivery) => delivery.event === 'pull_request' && delivery.action === 'closed')
    await github.redeliver(first?.id as string)
    await github.settle()
    expect(stack.policiesOf('alice')).toEqual({})
    expect(await stack.actionsOnMain()).toEqual(['revoke', 'intent'])
  })
})

describe('a person deletes a revoked record', () => {
  it('the next sweep judges the merge from the branch history and does not grant it again', async () => {
    const { github, clock } = stack
    const merged = await stack.mergeApprovedIncidentRequest()
    await github.comment(merged.number, { login: 'alice', body: '/jit revoke' })
    await github.settle()
    expect(await stack.recordsOnMain()).toEqual(['grants/revoked/pr-1.yaml'])
    expect(stack.policiesOf('alice')).toEqual({})

    await github.commitToDefaultBranch({ files: { 'grants/revoked/pr-1.yaml': null }, author: 'erin', message: 'Tidy up old grants' })
    expect(await stack.recordsOnMain()).toEqual([])

    clock.advance(20 * 60_000)
    const { report } = await stack.sweep()
    expect(report.healedMerges.map((merge) => [merge.id, merge.status])).toEqual([['pr-1', 'record-removed']])
    expect(report.healedMerges[0]?.explanation).toContain(
      'grants/active/pr-1.yaml, grants/revoked/pr-1.yaml, grants/pending/pr-1.yaml were committed before and deleted since',
    )
    expect(stack.policiesOf('alice')).toEqual({})
    expect(await stack.recordsOnMain()).toEqual([])
    expect(await stack.actionsOnMain()).toEqual(['revoke', 'grant', 'intent'])
    expect(stack.aws.state.calls.filter((call) => call.action === 'PutRolePolicy')).toHaveLength(1)
  })
})
