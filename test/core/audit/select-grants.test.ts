import { describe, expect, it } from 'vitest'
import type { GrantHistory } from '../../../src/core/audit/grant-history.js'
import { toGrantRow } from '../../../src/core/audit/render-audit.js'
import { findHolders, selectTimeline } from '../../../src/core/audit/select-grants.js'

function grant(id: string, params: Partial<GrantHistory> & { actions?: string[]; resources?: string[]; account?: string }): GrantHistory {
  const { actions = ['ec2:TerminateInstances'], resources = ['*'], account = '111111111111', ...rest } = params
  return {
    id,
    requester: 'alice',
    reason: 'r',
    ticket: null,
    approvals: [],
    policies: ['p'],
    targets: [{ account, principal: `arn:aws:iam::${account}:role/jit-alice`, actions, resources }],
    notBefore: '2026-03-01T09:00:00Z',
    expiresAt: '2026-03-01T11:00:00Z',
    grantedAt: '2026-03-01T09:00:02Z',
    dryRun: false,
    pullRequest: { number: 1, url: 'u', mergeCommit: null, mergedBy: null },
    outcome: { kind: 'revoked', reason: 'expired', at: '2026-03-01T11:01:00Z', by: 'jit-sweeper', whileGranting: false },
    recordCommits: [],
    breakGlass: null,
    ...rest,
  }
}

const at = (iso: string) => ({ from: Date.parse(iso), to: Date.parse(iso) })
const ids = (holders: { grant: GrantHistory }[]) => holders.map((holder) => holder.grant.id)
const query = { account: '111111111111', action: 'ec2:TerminateInstances', ...at('2026-03-01T10:00:00Z') }

describe('findHolders: the engine coverage, in the window', () => {
  it.each([
    ['the action itself', ['ec2:TerminateInstances'], true],
    ['a wildcard over it', ['ec2:Terminate*'], true],
    ['the service', ['ec2:*'], true],
    ['everything', ['*'], true],
    ['case-insensitive, as IAM', ['EC2:terminateinstances'], true],
    ['another action', ['ec2:StopInstances'], false],
    ['another service', ['s3:*'], false],
  ])('%s', (_, actions, held) => {
    expect(ids(findHolders([grant('pr-1', { actions })], query))).toEqual(held ? ['pr-1'] : [])
  })

  it('a requested pattern is held only by a grant covering all it matches', () => {
    const describe = { ...query, action: 'ec2:Describe*' }
    expect(
      ids(findHolders([grant('pr-1', { actions: ['ec2:DescribeInstances'] }), grant('pr-2', { actions: ['ec2:*'] })], describe)),
    ).toEqual(['pr-2'])
  })

  it('resources, when asked, by ARN coverage; accounts exactly', () => {
    const grants = [
      grant('pr-1', { resources: ['arn:aws:ec2:*:111111111111:instance/*'] }),
      grant('pr-2', { resources: ['arn:aws:ec2:us-east-1:111111111111:volume/*'] }),
    ]
    expect(ids(findHolders(grants, { ...query, resource: 'arn:aws:ec2:us-east-1:111111111111:instance/i-1' }))).toEqual(['pr-1'])
    expect(ids(findHolders(grants, { ...query, account: '222222222222' }))).toEqual([])
  })

  it('held from the start (inclusive) to the revocation or expiry (exclusive), whichever is first', () => {
    const early = grant('pr-1', {
      outcome: { kind: 'revoked', reason: 'early', at: '2026-03-01T09:30:00Z', by: 'alice', whileGranting: false },
    })
    expect(ids(findHolders([early], { ...query, ...at('2026-03-01T09:00:00Z') }))).toEqual(['pr-1'])
    expect(ids(findHolders([early], { ...query, ...at('2026-03-01T09:29:59Z') }))).toEqual(['pr-1'])
    expect(ids(findHolders([early], { ...query, ...at('2026-03-01T09:30:00Z') }))).toEqual([])
    // Revoked late by the sweep: the policy's own condition ended it at the expiry.
    expect(ids(findHolders([grant('pr-2', {})], { ...query, ...at('2026-03-01T11:00:30Z') }))).toEqual([])
    const between = findHolders([early], { ...query, from: Date.parse('2026-03-01T08:00:00Z'), to: Date.parse('2026-03-01T12:00:00Z') })
    expect(between.map((holder) => [holder.from, holder.to])).toEqual([['2026-03-01T09:00:00Z', '2026-03-01T09:30:00Z']])
  })

  it('dry runs, refusals and failures held nothing; an intent with no outcome may have', () => {
    const grants = [
      grant('pr-1', { dryRun: true }),
      grant('pr-2', { outcome: { kind: 'failed', at: '2026-03-01T09:00:01Z', error: 'x' } }),
      grant('pr-3', { outcome: { kind: 'granting' } }),
      grant('pr-4', { outcome: { kind: 'active' } }),
    ]
    expect(ids(findHolders(grants, query))).toEqual(['pr-3', 'pr-4'])
  })
})

describe('selectTimeline', () => {
  const grants = [
    grant('pr-1', { requester: 'Alice' }),
    grant('pr-2', { requester: 'bob', notBefore: '2026-04-01T09:00:00Z', expiresAt: '2026-04-01T10:00:00Z', outcome: { kind: 'active' } }),
    grant('pr-3', {
      requester: 'bob',
      notBefore: null,
      expiresAt: null,
      outcome: { kind: 'refused', at: '2026-03-15T00:00:00Z', verdict: 'denied', summary: 's' },
      targets: [],
    }),
  ]
  it('by window overlap, requester (case-insensitive), account and action', () => {
    const ids = (selected: GrantHistory[]) => selected.map((g) => g.id)
    expect(ids(selectTimeline(grants, {}))).toEqual(['pr-1', 'pr-2', 'pr-3'])
    expect(ids(selectTimeline(grants, { since: Date.parse('2026-03-01T10:59:00Z'), until: Date.parse('2026-03-31T00:00:00Z') }))).toEqual([
      'pr-1',
      'pr-3',
    ])
    expect(ids(selectTimeline(grants, { requester: 'ALICE' }))).toEqual(['pr-1'])
    expect(ids(selectTimeline(grants, { account: '111111111111', action: 'ec2:terminateinstances' }))).toEqual(['pr-1', 'pr-2'])
  })
})

describe('a curated permission set in the audit', () => {
  const curated = grant('pr-9', {
    targets: [
      {
        account: '111111111111',
        principal: 'identity-center-user:alice@acme.com',
        actions: [],
        resources: [],
        permissionSet: 'ReadOnlyAccess',
      },
    ],
  })
  it('is listed by a query for an action or resource, since what it allows is not in the records', () => {
    expect(ids(findHolders([curated], query))).toEqual(['pr-9'])
    expect(ids(findHolders([curated], { ...query, resource: 'arn:aws:s3:::logs/x' }))).toEqual(['pr-9'])
    expect(ids(findHolders([curated], { ...query, account: '222222222222' }))).toEqual([])
  })
  it('names the set where actions are listed', () => {
    expect(toGrantRow(curated).actions).toBe('permission-set:ReadOnlyAccess')
  })
})
