import { afterEach, beforeEach, describe, expect, it } from 'vitest'
import { startE2eStack, type E2eStack } from './support/start-e2e-stack.js'

// What goes wrong in production, end to end: AWS throttling, two sweepers at once, and a crash between
// the AWS put and the record commit. Same stack as request-lifecycle.test.ts; faults are injected in the
// IAM emulator (`injectFault`) and in a proxy between the app and GitHub.
let stack: E2eStack

beforeEach(async () => {
  stack = await startE2eStack()
})
afterEach(async () => {
  await stack.stop()
})

const REBOOT_REQUEST_PATH = 'requests/sre/inc-4822-reboot-web.yaml'
const REBOOT_REQUEST = `reason: Reboot the web node that stopped answering in INC-4822
ticket: INC-4822
duration: 1h
access:
  - account: "111111111111"
    actions: [ec2:RebootInstances]
    resources: ["arn:aws:ec2:us-east-1:111111111111:instance/i-0def456"]
`

describe('AWS throttling', () => {
  it('retries the grant with backoff and grants once AWS answers; the sweep retries its delete too', async () => {
    stack.aws.injectFault({ action: 'PutRolePolicy', code: 'Throttling', times: 2 })

    const merged = await stack.mergeApprovedIncidentRequest()
    expect(merged.mergeStatus).toBe(200)

    const puts = stack.aws.state.calls.filter((call) => call.action === 'PutRolePolicy')
    expect(puts.map((call) => call.error)).toEqual(['Throttling', 'Throttling', undefined])
    // The app backed off twice; its waits were recorded, never slept.
    expect(stack.appSleeps).toHaveLength(2)
    expect(stack.appSleeps.every((ms) => ms > 0)).toBe(true)
    expect(Object.keys(stack.policiesOf('alice'))).toEqual(['jit-bb0610eed9-pr-1-exp-20270302T110500Z'])
    expect(await stack.recordsOnMain()).toEqual(['grants/active/pr-1.yaml'])
    expect(await stack.actionsOnMain()).toEqual(['grant', 'intent'])

    // At expiry AWS throttles the delete twice: `jit sweep` retries (its waits recorded, never slept).
    stack.clock.set(new Date('2027-03-02T11:10:00Z'))
    stack.aws.injectFault({ action: 'DeleteRolePolicy', code: 'Throttling', times: 2 })
    const { exitCode, report } = await stack.sweep()
    expect(exitCode).toBe(0)
    expect(report.grants.map((grant) => [grant.id, grant.status])).toEqual([['pr-1', 'revoked']])
    expect(stack.aws.state.calls.filter((call) => call.action === 'DeleteRolePolicy').map((call) => call.error)).toEqual([
      'Throttling',
      'Throttling',
      undefined,
    ])
    expect(stack.sleeps).toHaveLength(2)
    expect(stack.policiesOf('alice')).toEqual({})
    expect(await stack.actionsOnMain()).toEqual(['revoke', 'grant', 'intent'])
    expect(stack.appErrors()).toEqual([])
  })

  it('records a failed grant when AWS refuses for good, without retrying, and leaves nothing in AWS', async () => {
    stack.aws.injectFault({ action: 'PutRolePolicy', code: 'AccessDenied', message: 'jit-granter may not write to jit-alice' })

    const merged = await stack.mergeApprovedIncidentRequest()
    expect(merged.mergeStatus).toBe(200)

    expect(stack.policiesOf('alice')).toEqual({})
    expect(stack.aws.state.calls.filter((call) => call.action === 'PutRolePolicy').map((call) => call.error)).toEqual(['AccessDenied'])
    expect(await stack.recordsOnMain()).toEqual(['grants/failed/pr-1.yaml'])
    expect(await stack.actionsOnMain()).toEqual(['fail', 'intent'])
    expect(await stack.readOnMain('grants/failed/pr-1.yaml')).toContain('jit-granter may not write to jit-alice')
    expect(stack.appErrors()).toEqual([
      'error: did not grant pr-1: request pr-1: could not put inline policy jit-bb0610eed9-pr-1-exp-20270302T110500Z on role jit-alice in 111111111111 (AccessDenied: jit-granter may not write to jit-alice)',
    ])
  })
})

describe('two sweeps at once', () => {
  it('revoke the expired grant and record it in exactly one commit', async () => {
    await stack.mergeApprovedIncidentRequest()
    expect(await stack.actionsOnMain()).toEqual(['grant', 'intent'])
    stack.clock.set(new Date('2027-03-02T11:30:00Z'))

    // Say the scheduled `jit sweep` workflow and a second replica run in the same second.
    const runs = await Promise.all([stack.sweep(), stack.sweep()])
    expect(runs.map((run) => run.exitCode)).toEqual([0, 0])
    const reports = runs.map((run) => run.report)

    expect(stack.policiesOf('alice')).toEqual({})
    expect(await stack.actionsOnMain()).toEqual(['revoke', 'grant', 'intent'])
    expect(await stack.recordsOnMain()).toEqual(['grants/revoked/pr-1.yaml'])
    const committed = reports.filter((report) => report.commit !== null)
    expect(committed).toHaveLength(1)
    expect(committed[0]?.grants.map((grant) => [grant.id, grant.status])).toEqual([['pr-1', 'revoked']])
    // The loser deleted too (idempotently) or saw nothing left, and says so instead of committing again.
    const loser = reports.find((report) => report.commit === null)
    expect(loser?.grants.every((grant) => grant.status === 'revoked-by-another-sweeper')).toBe(true)
    const head = await stack.github.git(['log', '-1', '--format=%s', 'main'])
    expect(head).toBe('Revoke grant: pr-1\n')
    expect(stack.appErrors()).toEqual([])
  })
})

describe('a crash between the AWS put and the record commit', () => {
  it('leaves the intent on main, which the sweep reads back and completes after the grace, then revokes at expiry', async () => {
    const { github, clock } = stack
    // A first grant of alice's, recorded: the sweep inspects the principals its active records name.
    const first = await stack.mergeApprovedIncidentRequest()
    expect(first.mergeStatus).toBe(200)

    const pr = await stack.requestAccess({ author: 'alice', path: REBOOT_REQUEST_PATH, text: REBOOT_REQUEST })
    await github.submitReview(pr.number, { login: 'bob', state: 'APPROVED' })
    await github.submitReview(pr.number, { login: 'dan', state: 'APPROVED' })
    expect(stack.latestCheck(pr.headSha).conclusion).toBe('success')

    // GitHub fails the outcome's commit (the first GraphQL call after the second put): the policy is in AWS, the intent names it in git.
    const puts = () => stack.aws.state.calls.filter((call) => call.action === 'PutRolePolicy' && call.error === undefined).length
    stack.proxy.inject({
      method: 'POST',
      path: /^\/graphql$/,
      status: 502,
      message: 'Server Error',
      when: () => puts() === 2,
    })
    const merge = await github.mergePullRequest(pr.number, { by: 'dan' })
    expect(merge.delivery.status).toBe(500)
    expect(stack.proxy.failed.map((request) => request.method)).toEqual(['POST'])
    await github.settle()

    const policyName = 'jit-bb0610eed9-pr-2-exp-20270302T100500Z'
    expect(Object.keys(stack.policiesOf('alice')).sort()).toEqual(['jit-bb0610eed9-pr-1-exp-20270302T110500Z', policyName])
    expect((await stack.recordsOnMain()).sort()).toEqual(['grants/active/pr-1.yaml', 'grants/pending/pr-2.yaml'])
    expect(github.comments(pr.number).at(-1)?.body).toContain(
      `**The access was granted in AWS** (\`${policyName}\`, until 2027-03-02 10:05 UTC), but its record \`grants/active/pr-2.yaml\` could not be committed.`,
    )

    // Within the grace the sweep leaves it alone: not an orphan, not a lost merge, the grant may be running.
    clock.advance(5 * 60_000)
    const { report: early } = await stack.sweep()
    expect(early.orphans).toEqual([])
    expect(early.intents.map((intent) => [intent.id, intent.status])).toEqual([['pr-2', 'waiting']])
    expect(Object.keys(stack.policiesOf('alice'))).toContain(policyName)

    // Later, the sweep reads it back from AWS, finds it as planned and completes it. Nothing is put again.
    clock.advance(20 * 60_000)
    const { exitCode, report } = await stack.sweep()
    expect(exitCode).toBe(0)
    expect(report.orphans).toEqual([])
    expect(report.healedMerges).toEqual([])
    expect(report.intents.map((intent) => [intent.id, intent.status])).toEqual([['pr-2', 'completed']])
    expect(puts()).toBe(2)
    expect((await stack.recordsOnMain()).sort()).toEqual(['grants/active/pr-1.yaml', 'grants/active/pr-2.yaml'])
    expect(await stack.readOnMain('grants/active/pr-2.yaml')).toContain(`aws_policy_name: ${policyName}`)
    expect(await stack.actionsOnMain()).toEqual(['grant', 'intent', 'grant', 'intent'])
    expect((await stack.subjects())[0]).toBe('Grant pr-2: alice gets ec2:RebootInstances in 111111111111 until 2027-03-02 10:05 UTC')

    // At its expiry the completed grant is revoked like any other; the first one still runs.
    clock.set(new Date('2027-03-02T10:06:00Z'))
    const { report: expiry } = await stack.sweep()
    expect(expiry.grants.map((grant) => [grant.id, grant.status])).toEqual([['pr-2', 'revoked']])
    expect(Object.keys(stack.policiesOf('alice'))).toEqual(['jit-bb0610eed9-pr-1-exp-20270302T110500Z'])
    expect((await stack.recordsOnMain()).sort()).toEqual(['grants/active/pr-1.yaml', 'grants/revoked/pr-2.yaml'])
    expect(await stack.actionsOnMain()).toEqual(['revoke', 'grant', 'intent', 'grant', 'intent'])
    const errors = stack.appErrors()
    expect(errors[0]).toBe(
      'error: Could not commit grants/active/pr-2.yaml to main: Server Error - https://docs.github.com/rest (the access WAS granted in AWS but is not recorded) (Server Error - https://docs.github.com/rest)',
    )
    expect(errors.every((error) => error.includes('Could not commit grants/active/pr-2.yaml to main'))).toBe(true)
  })
})
