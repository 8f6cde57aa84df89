import { describe, expect, it } from 'vitest'
import { buildBreakGlassNotice, buildReviewOverdueNotice, NOTIFICATIONS_NOT_CONFIGURED } from '../../../src/core/ports/notifier.js'
import type { GrantRecord } from '../../../src/core/records/grant-record.js'
import { buildReviewDue, findOverdueReviews, formatReviewDue, parseReviewDue } from '../../../src/core/records/review-due.js'
import { GRANT, SHA } from '../../fixtures/grant/records.js'

const BREAK_GLASS: GrantRecord = {
  ...GRANT,
  break_glass: {
    invoked_by: GRANT.requester,
    invoked_at: '2026-12-01T03:00:00Z',
    comment_url: 'https://github.com/acme/access/pull/42#issuecomment-1',
    head_sha: SHA('a'),
    review_within: '24h',
    review_due: '2026-12-02T03:00:00Z',
    reviewers: ['frank', '@acme/security'],
    reviewed_at: null,
    reviewed_by: [],
  },
}

describe('break-glass events for the notification sinks', () => {
  it('says who broke the glass, for what, until when, and who must review by when', () => {
    const notice = buildBreakGlassNotice({
      record: BREAK_GLASS,
      repository: 'acme/access',
      issueUrl: 'https://github.com/acme/access/issues/43',
    })
    expect(notice).toEqual({
      kind: 'break-glass-granted',
      repository: 'acme/access',
      requestId: GRANT.id,
      pullNumber: GRANT.pull_request.number,
      pullUrl: GRANT.pull_request.url,
      requester: GRANT.requester,
      reason: GRANT.reason,
      ticket: GRANT.ticket,
      policies: GRANT.policies.map((policy) => policy.name),
      accounts: [...new Set(GRANT.targets.map((target) => target.account))],
      actions: [...new Set(GRANT.targets.flatMap((target) => target.actions))],
      notBefore: GRANT.not_before,
      expiresAt: GRANT.expires_at,
      reviewDue: '2026-12-02T03:00:00Z',
      reviewers: ['frank', '@acme/security'],
      issueUrl: 'https://github.com/acme/access/issues/43',
    })
  })

  it('is refused for a grant that was not a break-glass', () => {
    expect(() => buildBreakGlassNotice({ record: GRANT, repository: 'acme/access', issueUrl: null })).toThrow(/not a break-glass grant/)
  })

  it('flags a late review once, from the marker the grant leaves', () => {
    const marker = buildReviewDue(BREAK_GLASS)
    expect(marker).toBeDefined()
    expect(buildReviewDue(GRANT)).toBeUndefined()
    const read = parseReviewDue({ file: 'grants/review-due/pr-42.yaml', text: formatReviewDue(marker!) })
    expect(read).toEqual({ ok: true, value: marker })
    expect(findOverdueReviews([marker!], new Date('2026-12-02T02:59:59Z'))).toEqual([])
    expect(findOverdueReviews([marker!], new Date('2026-12-02T03:00:00Z'))).toEqual([marker])
    expect(findOverdueReviews([{ ...marker!, flagged_at: '2026-12-02T03:05:00Z' }], new Date('2026-12-03T00:00:00Z'))).toEqual([])
    expect(buildReviewOverdueNotice({ marker: marker!, repository: 'acme/access', flaggedAt: new Date('2026-12-02T03:05:00Z') })).toEqual({
      kind: 'break-glass-review-overdue',
      repository: 'acme/access',
      requestId: GRANT.id,
      pullNumber: GRANT.pull_request.number,
      requester: GRANT.requester,
      invokedAt: '2026-12-01T03:00:00Z',
      reviewDue: '2026-12-02T03:00:00Z',
      reviewers: ['frank', '@acme/security'],
      flaggedAt: '2026-12-02T03:05:00.000Z',
    })
  })

  it('has a default that delivers nothing, and says so by its name', async () => {
    await expect(
      NOTIFICATIONS_NOT_CONFIGURED.notify(buildBreakGlassNotice({ record: BREAK_GLASS, repository: 'a/b', issueUrl: null })),
    ).resolves.toBeUndefined()
  })
})
