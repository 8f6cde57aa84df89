import { describe, expect, it } from 'vitest'
import type { Decision, PolicyResult } from '../../src/core/decision/decision.js'
import { listApproversNeeded, readMentioned, renderRequestComment } from '../../src/github/request-comment.js'

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
