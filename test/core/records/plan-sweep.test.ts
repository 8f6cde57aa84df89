import { describe, expect, it } from 'vitest'
import type { RevokeOutcome } from '../../../src/core/ports/cloud-provider.js'
import {
  buildRevokedRecord,
  decideEarlyRevoke,
  listRevokeTargets,
  planSweep,
  summariseAwsOutcome,
} from '../../../src/core/records/plan-sweep.js'
import { activeRecord } from '../../workflows/sweep/support/grant-records.js'

const NOW = new Date('2026-12-01T12:00:00Z')

describe('planSweep', () => {
  it.each([
    ['an hour ago', '2026-12-01T11:00:00Z', 'due'],
    ['at this very instant (IAM already denies)', '2026-12-01T12:00:00Z', 'due'],
    ['a millisecond from now', '2026-12-01T12:00:00.001Z', 'kept'],
    ['tomorrow', '2026-12-02T12:00:00Z', 'kept'],
  ])('a grant that expires %s is %s', (_, expiresAt, expected) => {
    const plan = planSweep({ records: [activeRecord({ number: 1, expiresAt })], now: NOW })
    expect(plan.due.length === 1 ? 'due' : plan.kept.length === 1 ? 'kept' : 'neither').toBe(expected)
  })

  it('explains each decision and sorts ids by number', () => {
    const plan = planSweep({
      records: [
        activeRecord({ number: 10, expiresAt: '2026-12-01T10:00:00Z' }),
        activeRecord({ number: 9, expiresAt: '2026-12-01T11:00:00Z' }),
        activeRecord({ number: 11, expiresAt: '2026-12-01T13:00:00Z' }),
      ],
      now: NOW,
    })
    expect(plan.due.map((d) => d.explanation)).toEqual(['pr-9 expired at 2026-12-01T11:00:00Z', 'pr-10 expired at 2026-12-01T10:00:00Z'])
    expect(plan.kept).toEqual([
      { id: 'pr-11', expiresAt: '2026-12-01T13:00:00Z', explanation: 'pr-11 is in force until 2026-12-01T13:00:00Z' },
    ])
  })

  it('judges an extension and the grant it extends each by its own expiry', () => {
    const original = activeRecord({ number: 42, expiresAt: '2026-12-01T11:00:00Z' })
    const extension = activeRecord({ number: 57, expiresAt: '2026-12-01T15:00:00Z', extends: 'pr-42' })
    const plan = planSweep({ records: [original, extension], now: NOW })
    expect(plan.due.map((d) => d.explanation)).toEqual([
      'pr-42 expired at 2026-12-01T11:00:00Z; pr-57 extends it and keeps its own policy until 2026-12-01T15:00:00Z',
    ])
    expect(plan.kept.map((k) => k.id)).toEqual(['pr-57'])
    // Later, the extension expires on its own and the original is no longer there to matter.
    const later = planSweep({ records: [extension], now: new Date('2026-12-01T15:00:00Z') })
    expect(later.due.map((d) => d.record.id)).toEqual(['pr-57'])
    // The two grants name different policies, so revoking one never deletes the other's.
    expect(listRevokeTargets(original)[0]!.policyName).not.toBe(listRevokeTargets(extension)[0]!.policyName)
  })

  it('leaves a record whose expiry is not a date for a person, never revoking it blindly', () => {
    const plan = planSweep({ records: [activeRecord({ number: 3, expiresAt: 'soon' })], now: NOW })
    expect(plan.due).toEqual([])
    expect(plan.problems).toEqual([
      { id: 'pr-3', explanation: 'pr-3: expires_at "soon" is not a date; left active for a person to look at' },
    ])
  })
})

function outcome(ok: boolean, cut = false): RevokeOutcome {
  return {
    requestId: 'pr-1',
    ok,
    dryRun: false,
    summary: ok ? 'revoked pr-1 on 1 target' : 'revocation of pr-1 failed',
    targets: [
      {
        account: '111111111111',
        principalArn: 'arn:aws:iam::111111111111:role/jit-alice',
        policyName: 'jit-pr-1-exp-20261201T110000Z',
        granterRoleArn: 'arn:aws:iam::111111111111:role/jit-granter',
        status: ok ? 'already-revoked' : 'failed',
        description: '',
        ...(cut ? { sessionCut: { policyName: 'jit-pr-1-revoked-20261201T120000Z', policyDocument: '{}', status: 'cut' as const } } : {}),
      },
    ],
  }
}

describe('buildRevokedRecord', () => {
  const record = activeRecord({ number: 1, expiresAt: '2026-12-01T11:00:00Z' })

  it('moves the record to revoked with what AWS said, the cut as its own entry', () => {
    const revoked = buildRevokedRecord({ record, revokedAt: NOW, revokedBy: 'bob', reason: 'early', outcome: outcome(true, true) })
    expect(revoked).toEqual({
      ...record,
      state: 'revoked',
      revocation: {
        revoked_at: '2026-12-01T12:00:00Z',
        revoked_by: 'bob',
        reason: 'early',
        aws: [
          {
            account: '111111111111',
            principal: 'arn:aws:iam::111111111111:role/jit-alice',
            aws_policy_name: 'jit-pr-1-exp-20261201T110000Z',
            outcome: 'already-revoked',
          },
          {
            account: '111111111111',
            principal: 'arn:aws:iam::111111111111:role/jit-alice',
            aws_policy_name: 'jit-pr-1-revoked-20261201T120000Z',
            outcome: 'sessions-cut',
          },
        ],
      },
    })
    expect(summariseAwsOutcome(outcome(true))).toHaveLength(1)
  })

  it('refuses to record a revocation AWS did not confirm', () => {
    expect(() => buildRevokedRecord({ record, revokedAt: NOW, revokedBy: 'bob', reason: 'expired', outcome: outcome(false) })).toThrow(
      'pr-1: refusing to record a revocation AWS did not confirm (revocation of pr-1 failed)',
    )
  })
})

describe('decideEarlyRevoke', () => {
  const record = activeRecord({ number: 42, expiresAt: '2026-12-01T13:00:00Z', requester: 'alice', approvers: ['bob', 'carol'] })
  it.each([
    ['alice', true, '@alice requested pr-42'],
    ['Alice', true, '@Alice requested pr-42'],
    ['carol', true, '@carol approved pr-42'],
    ['mallory', false, 'only the requester (alice) or an approver recorded in the grant (bob, carol) may revoke pr-42 early'],
  ])('%s may revoke: %s', (login, allowed, explanation) => {
    expect(decideEarlyRevoke({ record, login })).toEqual({ allowed, explanation })
  })
})
