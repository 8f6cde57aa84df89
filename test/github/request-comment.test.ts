import { describe, expect, it } from 'vitest'
import type { Decision, PolicyResult } from '../../src/core/decision/decision.js'
import { chooseReviewersToRequest } from '../../src/core/decision/choose-reviewers.js'
import {
  applyReminder,
  listApproversNeeded,
  readCommentState,
  readMentioned,
  renderRequestComment,
} from '../../src/github/request-comment.js'

const policy = { name: 'prod-ec2-incident', file: 'policies/prod-ec2-incident.yaml' } as PolicyResult['policy']

function pending(rules: PolicyResult['rules']): Decision {
  return {
    verdict: 'pending',
    summary: 'Pending: 1 more approval from @acme/security (policy prod-ec2-incident)',
    errors: [],
    requestPath: 'requests/sre/a.yaml',
    author: 'alice',
    headSha: 'a'.repeat(40),
    evaluatedAt: new Date('2026-11-29T09:30:00Z'),
    items: [],
    policies: [{ policy, autoApproved: false, rules, satisfied: false, impossible: false }],
    blockers: [],
    missing: ['1 more approval from @acme/security (policy prod-ec2-incident)'],
  }
}

const rule = (
  from: PolicyResult['rules'][number]['rule']['from'],
  satisfied = false,
  owners?: string[],
): PolicyResult['rules'][number] => ({
  rule: { from, count: 1, line: 10 },
  source: 'x',
  counted: [],
  ignored: [],
  missing: satisfied ? 0 : 1,
  satisfied,
  ...(owners ? { codeownersRule: { pattern: '/requests/', owners, line: 2 } } : {}),
})

describe('listApproversNeeded', () => {
  it('lists the owners of unsatisfied rules, without e-mail owners, the author or satisfied rules', () => {
    const decision = pending([
      rule({ kind: 'codeowners' }, false, ['@acme/sre-leads', 'ops@example.com', '@alice']),
      rule({ kind: 'principals', users: ['carol'], teams: ['@acme/security'] }),
      rule({ kind: 'principals', users: ['dan'], teams: [] }, true),
    ])
    expect(listApproversNeeded(decision)).toEqual(['@acme/sre-leads', '@carol', '@acme/security'])
  })
})

describe('renderRequestComment', () => {
  const decision = pending([
    rule({ kind: 'principals', users: [], teams: ['@acme/security'] }),
    rule({ kind: 'codeowners' }, false, ['@acme/sre-leads']),
  ])

  it('mentions the needed approvers the first time and records them in the marker without @', () => {
    const { body, mentioned } = renderRequestComment(decision, new Set())
    expect(mentioned).toEqual(['@acme/security', '@acme/sre-leads'])
    expect(body.split('\n')[0]).toBe('<!-- jit:request mentioned="acme/security acme/sre-leads" -->')
    expect(body).toContain('**Approval needed from:** @acme/security, @acme/sre-leads')
    expect(body).toContain('- 1 more approval from `@acme/security` \\(policy prod-ec2-incident\\)')
    expect(readMentioned(body)).toEqual(new Set(mentioned))
  })

  it('quotes approvers already mentioned and mentions only new ones', () => {
    const { body } = renderRequestComment(decision, new Set(['@acme/security']))
    expect(body).toContain('**Approval needed from:** `@acme/security`, @acme/sre-leads')
  })
})

describe('chooseReviewersToRequest', () => {
  const decision: Decision = {
    ...pending([
      rule({ kind: 'codeowners' }, false, ['@acme/sre-leads', 'ops@example.com', '@Alice', '@mallory', '@other-org/team']),
      rule({ kind: 'principals', users: ['carol', 'dan', 'renovate[bot]'], teams: ['@acme/security'] }),
      rule({ kind: 'principals', users: ['erin'], teams: ['@acme/dba'] }, true),
    ]),
    pushes: { pushes: [{ login: 'mallory', sha: 'b'.repeat(40) }], headPusherKnown: true },
  }

  it('asks who can give a missing approval: never the author, a pusher, a bot, an e-mail owner or another organisation', () => {
    expect(chooseReviewersToRequest({ decision, organisation: 'acme', current: { users: [], teams: [] }, reviewedHead: [] })).toEqual({
      users: ['carol', 'dan'],
      teams: ['security', 'sre-leads'],
    })
  })

  it('asks only who is not asked yet and has not reviewed the head: an unchanged set asks nobody', () => {
    expect(
      chooseReviewersToRequest({
        decision,
        organisation: 'ACME',
        current: { users: ['Carol'], teams: ['security'] },
        reviewedHead: ['dan'],
      }),
    ).toEqual({ users: [], teams: ['sre-leads'] })
    expect(
      chooseReviewersToRequest({
        decision,
        organisation: 'acme',
        current: { users: ['carol', 'dan'], teams: ['security', 'sre-leads'] },
        reviewedHead: [],
      }),
    ).toEqual({ users: [], teams: [] })
    expect(
      chooseReviewersToRequest({
        decision: { ...decision, verdict: 'approved' },
        organisation: 'acme',
        current: { users: [], teams: [] },
        reviewedHead: [],
      }),
    ).toEqual({
      users: [],
      teams: [],
    })
  })
})

describe('reminders in the comment', () => {
  const body = renderRequestComment(pending([rule({ kind: 'principals', users: [], teams: ['@acme/security'] })]), new Set()).body
  const since = new Date('2026-11-29T09:30:00Z').getTime()

  it('reminds once remind_after has passed since pending, then once per remind_after, judged from the comment itself', () => {
    expect(readCommentState(body)).toEqual({ verdict: 'pending', needed: ['@acme/security'], pendingSince: '2026-11-29T09:30:00.000Z' })
    expect(applyReminder(body, { now: new Date(since + 3_599_000), remindAfterMs: 3_600_000 })).toBeUndefined()
    const reminded = applyReminder(body, { now: new Date(since + 3_600_000), remindAfterMs: 3_600_000 }) as string
    expect(reminded).toContain(
      '\n⏰ **Reminder** (2026-11-29 10:30 UTC): this request is still waiting for approval from @acme/security.\n',
    )
    expect(reminded.trimEnd().split('\n').at(-1)).toBe(
      '<!-- jit:state verdict="pending" needed="acme/security" pending-since="2026-11-29T09:30:00.000Z" reminded="2026-11-29T10:30:00.000Z" -->',
    )
    expect(applyReminder(reminded, { now: new Date(since + 5_000_000), remindAfterMs: 3_600_000 })).toBeUndefined()
    const again = applyReminder(reminded, { now: new Date(since + 7_200_000), remindAfterMs: 3_600_000 }) as string
    expect(again.match(/⏰/gu)).toHaveLength(1)
    expect(again).toContain('(2026-11-29 11:30 UTC)')
  })

  it('never reminds about an approved request, or a comment without state', () => {
    const approved = renderRequestComment({ ...pending([]), verdict: 'approved', missing: [] }, new Set()).body
    expect(applyReminder(approved, { now: new Date(since + 10 * 3_600_000), remindAfterMs: 3_600_000 })).toBeUndefined()
    expect(
      applyReminder('<!-- jit:request mentioned="" -->\nold', { now: new Date(since + 10 * 3_600_000), remindAfterMs: 3_600_000 }),
    ).toBeUndefined()
  })

  it('keeps the reminder while a new evaluation finds it still pending, and drops it once approved', () => {
    const reminded = applyReminder(body, { now: new Date(since + 3_600_000), remindAfterMs: 3_600_000 }) as string
    const decision = pending([rule({ kind: 'principals', users: [], teams: ['@acme/security'] })])
    const rendered = renderRequestComment(decision, new Set(['@acme/security']), readCommentState(reminded)).body
    expect(readCommentState(rendered)?.remindedAt).toBe('2026-11-29T10:30:00.000Z')
    expect(rendered).toContain('⏰ **Reminder**')
    const approved = renderRequestComment({ ...decision, verdict: 'approved' }, new Set(), readCommentState(reminded)).body
    expect(approved).not.toContain('⏰')
  })
})
