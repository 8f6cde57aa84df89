import { describe, expect, it } from 'vitest'
import type { ManagedPolicy } from '../../../src/core/ports/cloud-provider.js'
import {
  confirmOrphans,
  findUnrecordedMerges,
  listPrincipalsToInspect,
  reconcileGrants,
  type MergedPullRequest,
  type OrphanPolicy,
} from '../../../src/core/records/reconcile.js'
import { ALICE_ROLE, activeRecord } from '../../workflows/sweep/support/grant-records.js'
import { TEST_NAMESPACE } from '../../fixtures/namespace.js'

const NOW = new Date('2026-12-01T12:00:00Z')
const BOB_ROLE = 'arn:aws:iam::111111111111:role/jit-bob'
const OTHER_NAMESPACE = '0123456789'
const grant = (requestId: string, expiresAt: string, namespace: string | null = TEST_NAMESPACE): ManagedPolicy => ({
  kind: 'grant',
  namespace,
  requestId,
  expiresAt: new Date(expiresAt),
  policyName: `jit-${namespace === null ? '' : `${namespace}-`}${requestId}-exp-${expiresAt.replace(/[-:]/g, '')}`,
})

describe('reconcileGrants', () => {
  const inForce = activeRecord({ number: 57, expiresAt: '2026-12-01T15:00:00Z' })
  const due = activeRecord({ number: 41, expiresAt: '2026-12-01T11:00:00Z' })

  it('inspects every principal the records name, once', () => {
    const onBob = activeRecord({ number: 60, expiresAt: '2026-12-01T15:00:00Z', principal: BOB_ROLE })
    expect(listPrincipalsToInspect([inForce, due, onBob])).toEqual([
      { account: '111111111111', principalArn: ALICE_ROLE },
      { account: '111111111111', principalArn: BOB_ROLE },
    ])
  })

  it('finds orphans (no record), drift (no policy), and ignores grants this sweep is revoking', () => {
    const result = reconcileGrants({
      namespace: TEST_NAMESPACE,
      records: [inForce, due],
      listed: [
        {
          account: '111111111111',
          principalArn: ALICE_ROLE,
          policies: [grant('pr-7', '2026-12-01T10:00:00Z'), grant('pr-8', '2026-12-01T18:00:00Z')],
        },
      ],
      revoking: new Set(['pr-41']),
      now: NOW,
    })
    expect(result.orphans.map((o) => o.explanation)).toEqual([
      `jit-${TEST_NAMESPACE}-pr-7-exp-20261201T100000Z on ${ALICE_ROLE} has no active record and expired at 2026-12-01T10:00:00.000Z`,
      `jit-${TEST_NAMESPACE}-pr-8-exp-20261201T180000Z on ${ALICE_ROLE} has no active record (it would have lasted until 2026-12-01T18:00:00.000Z)`,
    ])
    expect(result.drift).toEqual([
      {
        id: 'pr-57',
        account: '111111111111',
        principalArn: ALICE_ROLE,
        policyName: 'jit-pr-57-exp-20261201T150000Z',
        explanation: `pr-57 is active until 2026-12-01T15:00:00Z but jit-pr-57-exp-20261201T150000Z is missing on ${ALICE_ROLE}: access was removed outside the app; the record is left as it is`,
      },
    ])
  })

  it('sees no drift or orphan when AWS and the records agree, and none on a principal it could not list', () => {
    const agree = reconcileGrants({
      namespace: TEST_NAMESPACE,
      records: [inForce],
      listed: [{ account: '111111111111', principalArn: ALICE_ROLE, policies: [grant('pr-57', '2026-12-01T15:00:00Z', null)] }],
      revoking: new Set(),
      now: NOW,
    })
    expect(agree).toEqual({ orphans: [], ofUnreadableRecords: [], held: [], drift: [], spentSessionCuts: [] })
    const unlisted = reconcileGrants({ namespace: TEST_NAMESPACE, records: [inForce], listed: [], revoking: new Set(), now: NOW })
    expect(unlisted.drift).toEqual([])
  })

  it('lets a session cut go once the longest session it could target has ended', () => {
    const cut = (revokedAt: string): ManagedPolicy => ({
      kind: 'session-cut',
      namespace: TEST_NAMESPACE,
      requestId: 'pr-3',
      revokedAt: new Date(revokedAt),
      policyName: `jit-${TEST_NAMESPACE}-pr-3-revoked-${revokedAt}`,
    })
    const result = reconcileGrants({
      namespace: TEST_NAMESPACE,
      records: [],
      listed: [{ account: '111111111111', principalArn: ALICE_ROLE, policies: [cut('2026-11-30T23:59:59Z'), cut('2026-12-01T00:00:01Z')] }],
      revoking: new Set(),
      now: NOW,
    })
    expect(result.spentSessionCuts.map((c) => c.policyName)).toEqual([`jit-${TEST_NAMESPACE}-pr-3-revoked-2026-11-30T23:59:59Z`])
    expect(result.orphans).toEqual([])
  })
})

describe('reconcileGrants across namespaces', () => {
  it("never claims another repository's policy, or one from before namespaces, as its orphan", () => {
    const inForce = activeRecord({ number: 57, expiresAt: '2026-12-01T15:00:00Z' })
    const result = reconcileGrants({
      namespace: TEST_NAMESPACE,
      records: [inForce],
      listed: [
        {
          account: '111111111111',
          principalArn: ALICE_ROLE,
          policies: [
            grant('pr-7', '2026-12-01T10:00:00Z', OTHER_NAMESPACE),
            grant('pr-8', '2026-12-01T10:00:00Z', null),
            grant('pr-9', '2026-12-01T10:00:00Z'),
            {
              kind: 'session-cut',
              namespace: OTHER_NAMESPACE,
              policyName: 'x',
              requestId: 'pr-3',
              revokedAt: new Date('2026-11-01T00:00:00Z'),
            },
          ],
        },
      ],
      revoking: new Set(),
      now: NOW,
    })
    expect(result.orphans.map((orphan) => orphan.policyName)).toEqual([`jit-${TEST_NAMESPACE}-pr-9-exp-20261201T100000Z`])
    expect(result.spentSessionCuts).toEqual([])
  })

  it('still sees a record whose policy was named before namespaces (no drift while it is there)', () => {
    const legacy = activeRecord({ number: 57, expiresAt: '2026-12-01T15:00:00Z' })
    expect(legacy.targets[0]?.aws_policy_name).toBe('jit-pr-57-exp-20261201T150000Z')
    const result = reconcileGrants({
      namespace: TEST_NAMESPACE,
      records: [legacy],
      listed: [{ account: '111111111111', principalArn: ALICE_ROLE, policies: [grant('pr-57', '2026-12-01T15:00:00Z', null)] }],
      revoking: new Set(),
      now: NOW,
    })
    expect(result).toEqual({ orphans: [], ofUnreadableRecords: [], held: [], drift: [], spentSessionCuts: [] })
  })
})

describe('confirmOrphans', () => {
  const orphan = (requestId: string, expiresAt: string): OrphanPolicy => ({
    account: '1',
    principalArn: 'p',
    policyName: requestId,
    requestId,
    expiresAt: new Date(expiresAt),
    explanation: '',
  })
  it.each([
    ['expired, merged a minute ago', '2026-12-01T11:00:00Z', new Date('2026-12-01T11:59:00Z'), 'confirmed'],
    [
      'unexpired, merged a minute ago (its grant commit may be in flight)',
      '2026-12-01T18:00:00Z',
      new Date('2026-12-01T11:59:00Z'),
      'deferred',
    ],
    ['unexpired, merged an hour ago (a crash)', '2026-12-01T18:00:00Z', new Date('2026-12-01T11:00:00Z'), 'confirmed'],
    ['unexpired, never merged', '2026-12-01T18:00:00Z', null, 'confirmed'],
    ['unexpired, merge time unknown', '2026-12-01T18:00:00Z', undefined, 'deferred'],
  ])('%s: %s', (_, expiresAt, merged, expected) => {
    const mergedAt = new Map<string, Date | null>(merged === undefined ? [] : [['pr-1', merged]])
    const result = confirmOrphans({ orphans: [orphan('pr-1', expiresAt)], mergedAt, now: NOW, graceMs: 15 * 60_000 })
    expect(result.confirmed.length === 1 ? 'confirmed' : 'deferred').toBe(expected)
  })
})

describe('confirmOrphans while this sweep heals merges', () => {
  const orphan = (requestId: string, expiresAt: string): OrphanPolicy => ({
    account: '1',
    principalArn: 'p',
    policyName: requestId,
    requestId,
    expiresAt: new Date(expiresAt),
    explanation: '',
  })

  it('leaves an unexpired orphan of a healed merge to the heal, and confirms an expired one', () => {
    const mergedLongAgo = new Map<string, Date | null>([
      ['pr-1', new Date('2026-12-01T08:00:00Z')],
      ['pr-2', new Date('2026-12-01T08:00:00Z')],
      ['pr-3', new Date('2026-12-01T08:00:00Z')],
    ])
    const result = confirmOrphans({
      orphans: [orphan('pr-1', '2026-12-01T18:00:00Z'), orphan('pr-2', '2026-12-01T10:00:00Z'), orphan('pr-3', '2026-12-01T18:00:00Z')],
      mergedAt: mergedLongAgo,
      now: NOW,
      graceMs: 15 * 60_000,
      healing: new Set(['pr-1', 'pr-2']),
    })
    expect(result.healing.map((o) => o.requestId)).toEqual(['pr-1'])
    expect(result.confirmed.map((o) => o.requestId)).toEqual(['pr-2', 'pr-3'])
    expect(result.deferred).toEqual([])
  })
})

describe('findUnrecordedMerges', () => {
  const merged = (number: number, at: string, isRequest = true): MergedPullRequest => ({ number, mergedAt: new Date(at), isRequest })
  const find = (merges: MergedPullRequest[], recorded: string[] = [], limit = 10) =>
    findUnrecordedMerges({ merges, recordedIds: new Set(recorded), now: NOW, graceMs: 15 * 60_000, limit })
  const ids = (list: readonly { id: string }[]) => list.map((merge) => merge.id)

  it.each([
    ['a request merged an hour ago with no record', merged(7, '2026-12-01T11:00:00Z'), [], 'due'],
    ['a request with a record (any state)', merged(7, '2026-12-01T11:00:00Z'), ['pr-7'], 'none'],
    ['a request merged 14 minutes ago', merged(7, '2026-12-01T11:46:00Z'), [], 'recent'],
    ['a request merged exactly the grace period ago', merged(7, '2026-12-01T11:45:00Z'), [], 'due'],
    ['a pull request that is no request', merged(7, '2026-12-01T11:00:00Z', false), [], 'none'],
  ] as const)('%s: %s', (_name, merge, recorded, expected) => {
    const result = find([merge], [...recorded])
    const where = result.due.length ? 'due' : result.recent.length ? 'recent' : result.overLimit.length ? 'overLimit' : 'none'
    expect(where).toBe(expected)
  })

  it('takes the newest merges up to the limit and keeps the rest for later, each with its reason', () => {
    const result = find([merged(3, '2026-12-01T09:00:00Z'), merged(5, '2026-12-01T11:00:00Z'), merged(4, '2026-12-01T10:00:00Z')], [], 2)
    expect(ids(result.due)).toEqual(['pr-5', 'pr-4'])
    expect(ids(result.overLimit)).toEqual(['pr-3'])
    expect(result.due[0]!.explanation).toBe(
      'pr-5 merged at 2026-12-01T11:00:00Z but has no record (its webhook was lost, or the app stopped before committing the record)',
    )
  })
})
