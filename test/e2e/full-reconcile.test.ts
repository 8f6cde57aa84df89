import { createHash } from 'node:crypto'
import { afterEach, beforeEach, describe, expect, it } from 'vitest'
import { nameRepositoryNamespace } from '../../src/aws/repository-namespace.js'
import type { RevokedGrantRecord } from '../../src/core/records/grant-record.js'
import { parseRecordDocument } from '../../src/core/records/record-document.js'
import { PROD, startE2eStack, type E2eStack } from './support/start-e2e-stack.js'

// A policy of this repository's namespace on a principal no record names (a crash between the put and
// the record on a login that never asked again, or a policy planted by someone who can write IAM): the
// sweep lists only the principals its records name, so only a full pass over every principal the
// settings can map to finds it. The record it leaves keeps what the policy allowed.
let stack: E2eStack
const NAMESPACE = nameRepositoryNamespace({ owner: 'acme', repo: 'access' })
const ROGUE = `jit-${NAMESPACE}-pr-77-exp-20270309T090000Z`
const LATER_ROGUE = `jit-${NAMESPACE}-pr-78-exp-20270309T090000Z`
const OTHER_REPOSITORY = `jit-${nameRepositoryNamespace({ owner: 'acme', repo: 'access-platform' })}-pr-77-exp-20270309T090000Z`
const ALLOW_ALL = '{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Action":"*","Resource":"*"}]}'

beforeEach(async () => {
  stack = await startE2eStack()
  // mallory has a role the principal template maps to, and no request of hers was ever recorded.
  const mallory = stack.aws.state.seedRole({ account: PROD, roleName: 'jit-mallory', now: stack.clock.now() })
  mallory.inlinePolicies.set(ROGUE, ALLOW_ALL)
  mallory.inlinePolicies.set(OTHER_REPOSITORY, ALLOW_ALL)
})
afterEach(async () => {
  await stack.stop()
})

/** The record on main, read back as the app reads it (so it is one the app can read). */
async function revokedRecord(id: string): Promise<RevokedGrantRecord> {
  const path = `grants/revoked/${id}.yaml`
  const parsed = parseRecordDocument({ file: path, text: (await stack.readOnMain(path)) ?? '' })
  if (!parsed.ok) throw new Error(`${path} does not parse: ${JSON.stringify(parsed.errors)}`)
  return parsed.value as RevokedGrantRecord
}

const listRolesCalls = () => stack.aws.state.calls.filter((call) => call.action === 'ListRoles').length

describe('the full reconcile pass', () => {
  it('deletes and records an orphan on a principal no record names, then waits full_every before listing everyone again', async () => {
    const first = await stack.sweep()
    expect(first.exitCode).toBe(0)
    expect(first.report.fullPass).toMatchObject({ ran: true, reason: 'no full pass is recorded in .jit/reconcile.yaml', problems: [] })
    expect(first.report.fullPass.principalsListed).toBeGreaterThan(0)
    expect(first.report.orphans.map((orphan) => [orphan.requestId, orphan.principalArn, orphan.status])).toEqual([
      ['pr-77', `arn:aws:iam::${PROD}:role/jit-mallory`, 'revoked'],
    ])
    // AWS: the rogue policy is gone; the other repository's policy on the same role is not this sweep's.
    expect(stack.policiesOf('mallory')).toEqual({ [OTHER_REPOSITORY]: ALLOW_ALL })

    // Git: the orphan's record keeps the whole document it removed, and the pass's time is kept.
    const record = await revokedRecord('pr-77')
    expect(record.revocation.reason).toBe('orphan')
    expect(record.revocation.aws).toEqual([
      {
        account: PROD,
        principal: `arn:aws:iam::${PROD}:role/jit-mallory`,
        aws_policy_name: ROGUE,
        outcome: 'revoked',
        document: {
          text: ALLOW_ALL,
          sha256: createHash('sha256').update(ALLOW_ALL).digest('hex'),
          length: ALLOW_ALL.length,
          truncated: false,
        },
      },
    ])
    expect(record.revocation.aws[0]?.document?.text).toContain('"Action":"*"')
    expect(await stack.readOnMain('.jit/reconcile.yaml')).toContain('last_full_pass: "2027-03-02T09:00:00Z"')
    expect(await stack.recordsOnMain()).toEqual(['grants/revoked/pr-77.yaml'])
    const listedOnce = listRolesCalls()
    expect(listedOnce).toBeGreaterThan(0)

    // An hour later another policy appears on mallory's role: within full_every (1d) no one lists every principal.
    stack.clock.advance(3_600_000)
    stack.aws.state.findRole(PROD, 'jit-mallory')!.inlinePolicies.set(LATER_ROGUE, ALLOW_ALL)
    const commitsBefore = (await stack.subjects()).length
    const second = await stack.sweep()
    expect(second.report.fullPass).toMatchObject({ ran: false, principalsListed: 0 })
    expect(second.report.fullPass.reason).toBe('the last full pass was at 2027-03-02T09:00:00Z; the next is due at 2027-03-03T09:00:00Z')
    expect(listRolesCalls()).toBe(listedOnce)
    expect(second.report.commit).toBeNull()
    expect((await stack.subjects()).length).toBe(commitsBefore)
    expect(Object.keys(stack.policiesOf('mallory')).sort()).toEqual([LATER_ROGUE, OTHER_REPOSITORY].sort())

    // A day after the first pass, the next one finds it.
    stack.clock.set(new Date('2027-03-03T09:00:00Z'))
    const third = await stack.sweep()
    expect(third.report.fullPass.ran).toBe(true)
    expect(listRolesCalls()).toBeGreaterThan(listedOnce)
    expect(third.report.orphans.map((orphan) => [orphan.requestId, orphan.status])).toEqual([['pr-78', 'revoked']])
    expect(stack.policiesOf('mallory')).toEqual({ [OTHER_REPOSITORY]: ALLOW_ALL })
    expect((await revokedRecord('pr-78')).revocation.aws[0]?.document?.text).toContain('"Action":"*"')
    expect(await stack.readOnMain('.jit/reconcile.yaml')).toContain('last_full_pass: "2027-03-03T09:00:00Z"')
  })
})
