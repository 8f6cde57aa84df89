import { afterEach, beforeEach, describe, expect, it } from 'vitest'
import { startE2eStack, type E2eStack } from './support/start-e2e-stack.js'

// A grant record is the app's word on what AWS holds. A person with push access can edit it on main;
// the app must notice (the path's history says who wrote it last) and act on what it wrote itself.
let stack: E2eStack

beforeEach(async () => {
  stack = await startE2eStack()
})
afterEach(async () => {
  await stack.stop()
})

const POLICY = 'jit-bb0610eed9-pr-1-exp-20270302T110500Z'
const FAKE = 'jit-bb0610eed9-pr-1-exp-20270302T110500Z-gone'

/** Merges the incident request, then erin rewrites the policy name of its record in a direct commit to main. */
async function mergeThenTamper(): Promise<{ number: number; editSha: string }> {
  const merged = await stack.mergeApprovedIncidentRequest()
  const written = (await stack.readOnMain('grants/active/pr-1.yaml')) as string
  expect(written).toContain(`aws_policy_name: ${POLICY}`)
  const edited = await stack.github.commitToDefaultBranch({
    files: { 'grants/active/pr-1.yaml': written.replace(`aws_policy_name: ${POLICY}`, `aws_policy_name: ${FAKE}`) },
    author: 'erin',
    message: 'Fix the policy name of pr-1',
  })
  expect(await stack.readOnMain('grants/active/pr-1.yaml')).toContain(FAKE)
  expect(Object.keys(stack.policiesOf('alice'))).toEqual([POLICY])
  return { number: merged.number, editSha: edited.sha }
}

describe('a person edits the policy name in an active record on main', () => {
  it('the sweep at expiry reports the tampering, comments on the request, and deletes the real policy', async () => {
    const { github, clock } = stack
    // The record now names a policy that never existed.
    const { number, editSha } = await mergeThenTamper()
    const edited = { sha: editSha }

    clock.set(new Date('2027-03-02T11:06:00Z'))
    const { exitCode, report } = await stack.sweep()
    expect(exitCode).toBe(0)
    expect(report.tampered.map((record) => [record.id, record.path, record.commitSha, record.action])).toEqual([
      ['pr-1', 'grants/active/pr-1.yaml', edited.sha, 'app-record'],
    ])
    expect(report.tampered[0]?.explanation).toMatch(
      new RegExp(
        `^grants/active/pr-1\\.yaml was changed by erin in ${edited.sha.slice(0, 7)} after the app wrote it in [0-9a-f]{7}; the app acts on its own record$`,
      ),
    )
    expect(report.summary).toContain('1 tampered record (not obeyed)')
    expect(report.grants.map((grant) => [grant.id, grant.status])).toEqual([['pr-1', 'revoked']])

    // AWS: the real policy is gone, deleted by name; nothing was asked about the name the person wrote.
    expect(stack.policiesOf('alice')).toEqual({})
    const deletes = stack.aws.state.calls.filter((call) => call.action === 'DeleteRolePolicy')
    expect(deletes.map((call) => [call.params['PolicyName'], call.error])).toEqual([[POLICY, undefined]])
    expect(report.orphans).toEqual([])

    // Git: the revoked record is the app's, naming the real policy; the commit is the sweep's.
    expect(await stack.recordsOnMain()).toEqual(['grants/revoked/pr-1.yaml'])
    const revoked = (await stack.readOnMain('grants/revoked/pr-1.yaml')) as string
    expect(revoked).toContain(`aws_policy_name: ${POLICY}`)
    expect(revoked).not.toContain(FAKE)
    expect(await stack.actionsOnMain()).toEqual(['revoke', 'grant', 'intent'])

    // The request's pull request says what happened, in a reviewer's words.
    const comment = github.comments(number).at(-1)?.body ?? ''
    expect(comment).toContain('The grant record of this request was changed by hand, and the app did not obey it.')
    expect(comment).toContain(`changed by erin in ${edited.sha.slice(0, 7)}`)
    expect(comment).toContain(`The sweep revoked the grant as the app recorded it`)
    expect(comment).toContain(
      `| the app recorded (revoked) | \`${POLICY}\` | \`arn:aws:iam::111111111111:role/jit-alice\` | \`111111111111\` |`,
    )
    expect(comment).toContain(`| the edited record said (ignored) | \`${FAKE}\` |`)
  })
})

describe("the app's own sweeper meets a tampered record", () => {
  it('logs the tampering as a warning and revokes what the app wrote', async () => {
    const { number, editSha } = await mergeThenTamper()
    stack.clock.set(new Date('2027-03-02T11:06:00Z'))
    await stack.tickSweeper()
    await stack.github.settle()

    const warnings = stack.appLog.filter((entry) => entry.level === 'warn').map((entry) => entry.message)
    expect(warnings).toContainEqual(expect.stringContaining(`grants/active/pr-1.yaml was changed by erin in ${editSha.slice(0, 7)}`))
    expect(stack.policiesOf('alice')).toEqual({})
    expect(await stack.readOnMain('grants/revoked/pr-1.yaml')).toContain(`aws_policy_name: ${POLICY}`)
    expect(stack.github.comments(number).at(-1)?.body).toContain('changed by hand')
    expect(stack.appErrors()).toEqual([])
  })
})

describe("the app's own records", () => {
  it('are not reported as tampered, and nothing is revoked before the expiry', async () => {
    await stack.mergeApprovedIncidentRequest()
    stack.clock.advance(20 * 60_000)
    const { report } = await stack.sweep()
    expect(report.tampered).toEqual([])
    expect(report.grants).toEqual([])
    expect(Object.keys(stack.policiesOf('alice'))).toEqual([POLICY])
  })
})

describe('`/jit revoke` on a grant whose record a person edited on main', () => {
  it('deletes the policy the app recorded, not the one the edit names, and says so in the reply', async () => {
    const { github } = stack
    const { number, editSha } = await mergeThenTamper()
    stack.clock.advance(10 * 60_000)
    await github.comment(number, { login: 'alice', body: '/jit revoke' })
    await github.settle()

    // AWS: the real policy is gone; the name the person wrote was never asked about.
    expect(stack.policiesOf('alice')).toEqual({})
    const deletes = stack.aws.state.calls.filter((call) => call.action === 'DeleteRolePolicy')
    expect(deletes.map((call) => call.params['PolicyName'])).toEqual([POLICY])

    // Git: the revoked record is the app's, naming the real policy, committed as a revocation.
    expect(await stack.recordsOnMain()).toEqual(['grants/revoked/pr-1.yaml'])
    const revoked = (await stack.readOnMain('grants/revoked/pr-1.yaml')) as string
    expect(revoked).toContain(`aws_policy_name: ${POLICY}`)
    expect(revoked).toContain('reason: early')
    expect(revoked).not.toContain(FAKE)
    expect(await stack.actionsOnMain()).toEqual(['revoke', 'grant', 'intent'])

    const reply = github.comments(number).at(-1)?.body ?? ''
    expect(reply).toContain('Revoked `pr-1` at your request, @alice')
    expect(reply).toContain('The grant record of this request was changed by hand, and the app did not obey it.')
    expect(reply).toContain(`changed by erin in ${editSha.slice(0, 7)}`)
    expect(reply).toContain(`| the app recorded (acted on) | \`${POLICY}\` |`)
    expect(reply).toContain(`| the edited record said (ignored) | \`${FAKE}\` |`)
    expect(stack.appErrors()).toEqual([])
  })
})
