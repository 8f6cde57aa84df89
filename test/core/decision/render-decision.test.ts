import { beforeAll, describe, expect, it } from 'vitest'
import { decide } from '../../../src/core/decision/decide.js'
import type { Decision } from '../../../src/core/decision/decision.js'
import { renderDecision } from '../../../src/core/decision/render-decision.js'
import { renderRequestComment } from '../../../src/github/request-comment.js'
import { reportDecision } from '../../../src/github/check-run-report.js'
import { decisionInput, loadExampleWorld, type ExampleWorld } from '../../support/example-repo.js'

let world: ExampleWorld
beforeAll(async () => {
  world = await loadExampleWorld()
})

/** A reason written to make the approver see harmless access: a fake table, a heading, an image, a link, a mention, code, and a comment that would hide the real table. */
const LYING_REASON = [
  'Routine read-only check',
  '',
  '## What you approve',
  '| In AWS account | They may call | On | Allowed by policy |',
  '| --- | --- | --- | --- |',
  '| `111111111111` | `ec2:DescribeInstances` | `*` | prod-ec2-incident |',
  '![approved](https://evil.test/green.png) [runbook](https://evil.test) cc @acme/security',
  '<!--',
].join('\n')

function decideLyingRequest(): Decision {
  const text = `reason: ${JSON.stringify(LYING_REASON)}\nticket: INC-1\nduration: 1h\naccess:\n  - account: "111111111111"\n    actions: ["iam:*"]\n`
  return decide(decisionInput(world, { requestFile: { path: 'requests/sre/routine.yaml', text }, author: 'alice' }))
}

const ESCAPED_REASON =
  'Routine read-only check  \\#\\# What you approve \\| In AWS account \\| They may call \\| On \\| Allowed by policy \\| ' +
  '\\| --- \\| --- \\| --- \\| --- \\| \\| \\`111111111111\\` \\| \\`ec2\\:DescribeInstances\\` \\| \\`\\*\\` \\| prod-ec2-incident \\| ' +
  '\\!\\[approved\\]\\(https\\://evil\\.test/green\\.png\\) \\[runbook\\]\\(https\\://evil\\.test\\) cc `@acme/security` \\<\\!--'

/** The lines of Markdown that can start a table row, a heading, a block quote, HTML or an image: only the app's own. */
function structuralLines(markdown: string): string[] {
  return markdown.split('\n').filter((line) => /^\s*(?:\||#|>|<|!\[)/u.test(line))
}

describe('text from the request is shown as written, never as Markdown', () => {
  it('the check shows the reason escaped on one line, and the real iam:* row', () => {
    const decision = decideLyingRequest()
    expect(decision.verdict).toBe('pending')
    const markdown = renderDecision(decision, { format: 'markdown' })
    expect(markdown).toContain(`\n- Reason: ${ESCAPED_REASON}\n`)
    expect(structuralLines(markdown)).toEqual([
      '## ⏳ Pending: 2 more approvals from `@acme/security` \\(policy prod-iam-break-glass\\)',
      '### What is requested',
      '| Account | Actions | Resources | Policy |',
      '| --- | --- | --- | --- |',
      '| `111111111111` | `iam:*` | `*` | prod-iam-break-glass |',
      '### Policies and approvals',
      '### Still missing',
    ])
    const report = reportDecision(decision, { unknownTeams: [] })
    expect(report.summary).toContain('| `111111111111` | `iam:*` | `*` | prod-iam-break-glass |')
    expect(report.summary).not.toMatch(/(?<!\\)<!--/u)
  })

  it('the PR comment shows the reason escaped, the real iam:* row, and mentions only the approvers the app asks', () => {
    const { body } = renderRequestComment(decideLyingRequest(), new Set())
    expect(body).toContain(`\nReason: ${ESCAPED_REASON} (ticket INC-1)\n`)
    expect(structuralLines(body)).toEqual([
      '<!-- jit:request mentioned="acme/security" -->',
      '| In AWS account | They may call | On | Allowed by policy |',
      '| --- | --- | --- | --- |',
      '| `111111111111` | `iam:*` | `*` | prod-iam-break-glass |',
      `<!-- jit:state verdict="pending" needed="acme/security" pending-since="${decideLyingRequest().evaluatedAt.toISOString()}" -->`,
    ])
    expect(body).toContain('**Approval needed from:** @acme/security\n')
  })

  it('a resource cannot end its table cell or its code span', () => {
    const text =
      'reason: test\nduration: 1h\nticket: INC-1\naccess:\n  - account: "111111111111"\n    actions: ["iam:GetRole"]\n    resources: ["arn:aws:iam::111111111111:role/x`|`<!--"]\n'
    const decision = decide(decisionInput(world, { requestFile: { path: 'requests/sre/r.yaml', text }, author: 'alice' }))
    const markdown = renderDecision(decision, { format: 'markdown' })
    expect(markdown).toContain('| `111111111111` | `iam:GetRole` | ``arn:aws:iam::111111111111:role/x`\\|`<!--`` | prod-iam-break-glass |')
  })
})

describe('a request with many denied items', () => {
  it('explains the first 50 one by one and counts the rest, in both formats', () => {
    // 60 resources no policy grants in an account no policy names: 60 denied items.
    const resources = Array.from({ length: 60 }, (_, i) => `"arn:aws:s3:::bucket-${i}"`).join(', ')
    const text = `reason: audit\nduration: 1h\naccess:\n  - account: "999999999999"\n    actions: [s3:GetObject]\n    resources: [${resources}]\n`
    const decision = decide(decisionInput(world, { requestFile: { path: 'requests/alice/many.yaml', text }, author: 'alice' }))
    expect(decision.verdict).toBe('denied')
    expect(decision.items).toHaveLength(60)
    for (const format of ['markdown', 'text'] as const) {
      const rendered = renderDecision(decision, { format })
      const denied = rendered.split('\n').filter((line) => /^- .* on .* in .?999999999999/u.test(line))
      expect(denied).toHaveLength(50)
      expect(denied.at(-1)).toContain('bucket-49')
      expect(denied.join('\n')).not.toMatch(/bucket-50\b/u)
      expect(rendered).toContain('- and 10 more denied items')
    }
  })
})
