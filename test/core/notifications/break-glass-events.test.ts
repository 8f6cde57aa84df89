import { describe, expect, it } from 'vitest'
import { describeBreakGlassEvent, describeReviewOverdueEvent } from '../../../src/core/notifications/describe-events.js'
import { renderSlackMessage } from '../../../src/core/notifications/render-slack-message.js'
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
    const event = describeBreakGlassEvent({
      record: BREAK_GLASS,
      issueUrl: 'https://github.com/acme/access/issues/43',
      place: { repository: 'acme/access', at: new Date('2026-12-01T03:00:05Z') },
    })
    expect(event).toEqual({
      type: 'break-glass',
      stage: 'granted',
      repository: 'acme/access',
      requestId: GRANT.id,
      url: GRANT.pull_request.url,
      at: '2026-12-01T03:00:05.000Z',
      requester: GRANT.requester,
      reason: GRANT.reason,
      ticket: GRANT.ticket,
      duration: GRANT.duration,
      access: GRANT.targets.map((target) => ({
        account: target.account,
        actions: target.actions,
        resources: target.resources,
        principal: target.principal,
      })),
      invokedBy: GRANT.requester,
      notBefore: GRANT.not_before,
      expiresAt: GRANT.expires_at,
      policies: GRANT.policies.map((policy) => policy.name),
      reviewDue: '2026-12-02T03:00:00Z',
      reviewers: ['frank', '@acme/security'],
      issueUrl: 'https://github.com/acme/access/issues/43',
    })
    const slack = JSON.stringify(renderSlackMessage(event))
    expect(slack).toContain('Break-glass')
    expect(slack).toContain('Review due by 2026-12-02T03:00:00Z')
  })

  it('is refused for a grant that was not a break-glass', () => {
    expect(() => describeBreakGlassEvent({ record: GRANT, issueUrl: null, place: { repository: 'acme/access', at: new Date() } })).toThrow(
      /not a break-glass grant/,
    )
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
    expect(
      describeReviewOverdueEvent({
        marker: marker!,
        url: null,
        place: { repository: 'acme/access', at: new Date('2026-12-02T03:05:00Z') },
      }),
    ).toEqual({
      type: 'break-glass',
      stage: 'review-overdue',
      repository: 'acme/access',
      requestId: GRANT.id,
      url: null,
      at: '2026-12-02T03:05:00.000Z',
      requester: GRANT.requester,
      invokedAt: '2026-12-01T03:00:00Z',
      reviewDue: '2026-12-02T03:00:00Z',
      reviewers: ['frank', '@acme/security'],
    })
  })
})
