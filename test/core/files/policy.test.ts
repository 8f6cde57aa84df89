import { readFileSync } from 'node:fs'
import { describe, expect, it } from 'vitest'
import { parsePolicy } from '../../../src/core/files/policy.js'
import type { Policy } from '../../../src/core/files/policy.js'

const FILE = 'policies/prod-ec2.yaml'
const fixture = readFileSync(new URL('../../fixtures/files/policy.yaml', import.meta.url), 'utf8')

function parseOk(text: string): Policy {
  const parsed = parsePolicy({ file: FILE, text })
  if (!parsed.ok) throw new Error(`expected a valid policy: ${JSON.stringify(parsed.errors)}`)
  return parsed.value
}

const base = [
  'name: prod-ec2', // 1
  'grants:', // 2
  '  accounts: ["111111111111"]', // 3
  '  actions: ["ec2:StopInstances"]', // 4
  'requesters:', // 5
  '  users: [alice]', // 6
  'max_duration: 4h', // 7
  'approvals:', // 8
  '  - from: codeowners', // 9
]
const policyText = (replace: Record<number, string | null> = {}, extra: string[] = []) =>
  [
    ...base.flatMap((line, index) => (index + 1 in replace ? (replace[index + 1] === null ? [] : [replace[index + 1]!]) : [line])),
    ...extra,
  ].join('\n')

describe('parsePolicy: valid files', () => {
  it('reads the documented example, lower-casing logins and teams', () => {
    const policy = parseOk(fixture)
    expect(policy).toEqual({
      name: 'prod-ec2-incident',
      description: 'Stop or terminate production EC2 instances',
      file: FILE,
      line: 1,
      grants: {
        accounts: ['111111111111'],
        actions: ['ec2:StopInstances', 'ec2:TerminateInstances', 'ec2:Describe*'],
        actionLines: [5, 5, 5],
        resources: ['arn:aws:ec2:*:111111111111:instance/*'],
        permissionSets: [],
      },
      requesters: { users: ['alice'], teams: ['@acme/sre'] },
      maxDurationMs: 4 * 3_600_000,
      maxDurationText: '4h',
      ticket: /^(INC|CHG)-[0-9]+$/u,
      approvals: [
        { from: { kind: 'codeowners' }, count: 1, line: 13 },
        { from: { kind: 'principals', users: ['carol'], teams: ['@acme/security'] }, count: 2, line: 15 },
      ],
      selfApproval: false,
      autoApprove: { maxDurationMs: 30 * 60_000, maxDurationText: '30m' },
      revokeSessions: true,
    })
  })

  it('applies the defaults', () => {
    const policy = parseOk(policyText())
    expect(policy.grants.resources).toEqual(['*'])
    expect(policy.requesters.teams).toEqual([])
    expect(policy.approvals).toEqual([{ from: { kind: 'codeowners' }, count: 1, line: 9 }])
    expect(policy.selfApproval).toBe(false)
    expect(policy.revokeSessions).toBe(false)
    expect(policy.ticket).toBeUndefined()
    expect(policy.autoApprove).toBeUndefined()
  })

  it('accepts auto_approve without approval rules', () => {
    const policy = parseOk(policyText({ 8: 'auto_approve:', 9: '  max_duration: 4h' }))
    expect(policy.approvals).toEqual([])
    expect(policy.autoApprove).toEqual({ maxDurationMs: 4 * 3_600_000, maxDurationText: '4h' })
  })

  it('reports the line of `name:` after leading comments', () => {
    expect(parseOk(`# Production EC2\n\n${policyText()}`).line).toBe(3)
  })
})

describe('parsePolicy: invalid files name the line and the problem', () => {
  const cases: { name: string; text: string; errors: { line: number; message: string }[] }[] = [
    {
      name: 'a bad name',
      text: policyText({ 1: 'name: Prod_EC2' }),
      errors: [{ line: 1, message: '`name` "Prod_EC2" is not a policy name' }],
    },
    { name: 'a missing name', text: policyText({ 1: null }), errors: [{ line: 1, message: 'missing required key "name" in policy' }] },
    {
      name: 'a misspelt top-level key',
      text: policyText({ 7: 'max_durations: 4h' }),
      errors: [
        { line: 1, message: 'missing required key "max_duration" in policy' },
        { line: 7, message: 'unknown key "max_durations" in policy (did you mean "max_duration"?)' },
      ],
    },
    {
      name: 'a camel-cased key',
      text: policyText({}, ['selfApproval: true']),
      errors: [{ line: 10, message: 'unknown key "selfApproval" in policy (did you mean "self_approval"?)' }],
    },
    {
      name: 'a misspelt nested key',
      text: policyText({ 3: '  acounts: ["111111111111"]' }),
      errors: [
        { line: 2, message: 'missing required key "accounts" in `grants`' },
        { line: 3, message: 'unknown key "acounts" in `grants` (did you mean "accounts"?)' },
      ],
    },
    {
      name: 'an unquoted account',
      text: policyText({ 3: '  accounts: [111111111111]' }),
      errors: [
        {
          line: 3,
          message:
            '`grants.accounts[0]` must be a string, found number 111111111111: YAML reads 111111111111 as a number, so quote it ("111111111111")',
        },
      ],
    },
    {
      name: 'an account that is neither an id nor *',
      text: policyText({ 3: '  accounts: ["all"]' }),
      errors: [{ line: 3, message: '`grants.accounts[0]` "all" is not a 12-digit AWS account id or "*"' }],
    },
    {
      name: 'requesters with neither users nor teams',
      text: policyText({ 5: 'requesters: {}', 6: null }),
      errors: [{ line: 5, message: '`requesters` must not be empty: add users or teams' }],
    },
    {
      name: 'an empty team list',
      text: policyText({ 6: '  teams: []' }),
      errors: [{ line: 6, message: '`requesters.teams` must list at least 1 entry' }],
    },
    {
      name: 'a team without its org',
      text: policyText({ 6: '  teams: [sre]' }),
      errors: [{ line: 6, message: '`requesters.teams[0]` "sre" is not a team written as @org/team' }],
    },
    {
      name: 'an unknown approval source',
      text: policyText({ 9: '  - from: owners' }),
      errors: [{ line: 9, message: '`approvals[0].from` must be "codeowners" or a list, found string "owners"' }],
    },
    {
      name: 'an approval source of the wrong type',
      text: policyText({ 9: '  - from: 5' }),
      errors: [{ line: 9, message: '`approvals[0].from` must be "codeowners" or a list, found number 5' }],
    },
    {
      name: 'a misspelt key in auto_approve',
      text: policyText({}, ['auto_approve: {max_duraton: 5m}']),
      errors: [
        { line: 10, message: 'missing required key "max_duration" in `auto_approve`' },
        { line: 10, message: 'unknown key "max_duraton" in `auto_approve` (did you mean "max_duration"?)' },
      ],
    },
    {
      name: 'an empty approver list',
      text: policyText({ 9: '  - from: []' }),
      errors: [{ line: 9, message: '`approvals[0].from` must list at least 1 entry' }],
    },
    {
      name: 'a bad approver in a list',
      text: policyText({ 9: '  - from: [carol, "@acme"]' }),
      errors: [{ line: 9, message: '`approvals[0].from[1]` "@acme" is not a GitHub login or a team written as @org/team' }],
    },
    {
      name: 'a count of zero',
      text: policyText({}, ['    count: 0']),
      errors: [{ line: 10, message: '`approvals[0].count` must be at least 1, found number 0' }],
    },
    {
      name: 'a fractional count',
      text: policyText({}, ['    count: 1.5']),
      errors: [{ line: 10, message: '`approvals[0].count` must be a whole number, found number 1.5' }],
    },
    {
      name: 'no approval rule and no auto_approve',
      text: policyText({ 8: null, 9: null }),
      errors: [{ line: 1, message: 'the policy has no approval rule: add at least one under `approvals`, or set `auto_approve`' }],
    },
    {
      name: 'an empty approvals list',
      text: policyText({ 8: 'approvals: []', 9: null }),
      errors: [{ line: 8, message: 'the policy has no approval rule' }],
    },
    {
      name: 'a ticket regex that does not compile',
      text: policyText({}, ['ticket: "^(INC-[0-9]+$"']),
      errors: [{ line: 10, message: 'ticket "^(INC-[0-9]+$" is not a valid regular expression' }],
    },
    {
      name: 'a ticket regex invalid only with the u flag',
      text: policyText({}, ['ticket: "\\\\-INC"']),
      errors: [{ line: 10, message: 'is not a valid regular expression' }],
    },
    {
      name: 'a bad max_duration',
      text: policyText({ 7: 'max_duration: 4 hours' }),
      errors: [{ line: 7, message: '`max_duration` "4 hours" is not a duration: use Nm, Nh or Nd' }],
    },
    {
      name: 'a max_duration over 90 days',
      text: policyText({ 7: 'max_duration: 91d' }),
      errors: [{ line: 7, message: 'max_duration "91d" is too long: the maximum is 90d' }],
    },
    {
      name: 'auto_approve longer than max_duration',
      text: policyText({}, ['auto_approve:', '  max_duration: 5h']),
      errors: [{ line: 11, message: 'auto_approve.max_duration "5h" is longer than the policy\'s max_duration "4h"' }],
    },
    {
      name: 'auto_approve below the minimum',
      text: policyText({}, ['auto_approve:', '  max_duration: 1m']),
      errors: [{ line: 11, message: 'auto_approve.max_duration "1m" is too short' }],
    },
    {
      name: 'self_approval as text',
      text: policyText({}, ['self_approval: "no"']),
      errors: [{ line: 10, message: '`self_approval` must be a boolean, found string "no"' }],
    },
    // IAM's grammar: a policy cannot grant what IAM would reject or read differently.
    {
      name: 'a granted action with a wildcard service',
      text: policyText({ 4: '  actions: ["*:Get*"]' }),
      errors: [{ line: 4, message: '`grants.actions[0]` "*:Get*" is not an IAM action: "*", or service:Action' }],
    },
    {
      name: 'a granted action with a ? in its service',
      text: policyText({ 4: '  actions: ["e?2:Describe*"]' }),
      errors: [{ line: 4, message: '`grants.actions[0]` "e?2:Describe*" is not an IAM action' }],
    },
    {
      name: 'granted resources IAM would refuse or match literally',
      text: policyText({ 4: '  actions: ["ec2:StopInstances"]\n  resources:\n    - "arn:x"\n    - "arn:aws:ec2:*:111111111111:in*/i-1"' }),
      errors: [
        { line: 6, message: 'grants.resources: resource "arn:x" is not an ARN' },
        {
          line: 7,
          message: 'grants.resources: resource "arn:aws:ec2:*:111111111111:in*/i-1" has a wildcard in its resource type ("in*/")',
        },
      ],
    },
    { name: 'a scalar document', text: 'prod-ec2\n', errors: [{ line: 1, message: 'the policy file must be a YAML mapping' }] },
  ]

  for (const { name, text, errors } of cases) {
    it(name, () => {
      const parsed = parsePolicy({ file: FILE, text })
      expect(parsed.ok).toBe(false)
      if (parsed.ok) return
      expect(
        parsed.errors.map(({ file, line }) => ({ file, line })),
        JSON.stringify(parsed.errors),
      ).toEqual(errors.map(({ line }) => ({ file: FILE, line })))
      parsed.errors.forEach((error, index) => expect(error.message).toContain(errors[index]!.message))
    })
  }
})
