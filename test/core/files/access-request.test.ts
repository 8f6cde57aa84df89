import { readFileSync } from 'node:fs'
import { describe, expect, it } from 'vitest'
import { listRequestItems, parseAccessRequest } from '../../../src/core/files/access-request.js'
import type { AccessRequest } from '../../../src/core/files/access-request.js'

const FILE = 'requests/alice/web.yaml'
const fixture = readFileSync(new URL('../../fixtures/files/request.yaml', import.meta.url), 'utf8')

function parseOk(text: string): AccessRequest {
  const parsed = parseAccessRequest({ file: FILE, text })
  if (!parsed.ok) throw new Error(`expected a valid request: ${JSON.stringify(parsed.errors)}`)
  return parsed.value
}

const minimal = (lines: string[]) =>
  ['reason: stuck node', 'duration: 2h', 'access:', '  - account: "111111111111"', '    actions: [ec2:StopInstances]', ...lines].join('\n')

describe('parseAccessRequest: valid files', () => {
  it('reads the documented example into typed values with lines', () => {
    expect(parseOk(fixture)).toEqual({
      file: FILE,
      reason: 'Terminate the stuck web node from INC-4821',
      ticket: 'INC-4821',
      durationText: '2h',
      durationMs: 2 * 3_600_000,
      start: new Date('2026-12-01T09:00:00Z'),
      extends: 'pr-42',
      access: [
        {
          account: '111111111111',
          actions: ['ec2:StopInstances', 'ec2:TerminateInstances'],
          resources: ['arn:aws:ec2:us-east-1:111111111111:instance/i-0abc123'],
          line: 7,
          actionLines: [8, 8],
        },
        { account: '222222222222', actions: ['ec2:Describe*'], resources: ['*'], line: 10, actionLines: [12] },
      ],
      lines: { duration: 3, start: 4, extends: 5 },
    })
  })

  it.each([
    ['an ISO duration', minimal([]).replace('2h', 'PT1H30M'), { durationText: 'PT1H30M', durationMs: 90 * 60_000 }],
    ['a start with an offset', minimal(['start: "2026-12-01T09:00:00.5+02:00"']), { start: new Date('2026-12-01T07:00:00.500Z') }],
    [
      'an upper-case service prefix, as IAM accepts it',
      minimal([]).replace('[ec2:StopInstances]', '[EC2:StopInstances]'),
      { access: [expect.objectContaining({ actions: ['EC2:StopInstances'] })] },
    ],
    ['every action', minimal([]).replace('[ec2:StopInstances]', '["*"]'), { access: [expect.objectContaining({ actions: ['*'] })] }],
    ['a reason with surrounding blanks', minimal([]).replace('reason: stuck node', 'reason: "  stuck node  "'), { reason: 'stuck node' }],
  ])('accepts %s', (_, text, expected) => {
    expect(parseOk(text)).toMatchObject(expected)
  })

  it('omits optional fields that are not written', () => {
    const request = parseOk(minimal([]))
    expect(Object.keys(request).sort()).toEqual(['access', 'durationMs', 'durationText', 'file', 'lines', 'reason'])
    expect(request.lines).toEqual({ duration: 2 })
  })
})

describe('parseAccessRequest: invalid files name the line and the problem', () => {
  const cases: { name: string; text: string; errors: { line: number; message: string }[] }[] = [
    {
      name: 'a misspelt key',
      text: minimal(['duraton: 3h']),
      errors: [{ line: 6, message: 'unknown key "duraton" in request (did you mean "duration"?)' }],
    },
    {
      name: 'a misspelt key inside an access entry',
      text: minimal(['    resource: ["*"]']),
      errors: [{ line: 6, message: 'unknown key "resource" in `access[0]` (did you mean "resources"?)' }],
    },
    {
      name: 'an unknown key with nothing close',
      text: minimal(['colour: blue']),
      errors: [{ line: 6, message: 'unknown key "colour" in request (known keys: reason, ticket, duration, start, extends, access)' }],
    },
    {
      name: 'a missing reason',
      text: minimal([]).replace('reason: stuck node\n', ''),
      errors: [{ line: 1, message: 'missing required key "reason" in request' }],
    },
    {
      name: 'a blank reason',
      text: minimal([]).replace('reason: stuck node', 'reason: "   "'),
      errors: [{ line: 1, message: '`reason` "   " is not non-blank text' }],
    },
    {
      name: 'an unquoted account id',
      text: minimal([]).replace('"111111111111"', '111111111111'),
      errors: [
        {
          line: 4,
          message:
            '`access[0].account` must be a string, found number 111111111111: YAML reads 111111111111 as a number, so quote it ("111111111111")',
        },
      ],
    },
    {
      name: 'an unquoted account id with a leading zero keeps its digits in the hint',
      text: minimal([]).replace('"111111111111"', '011111111111'),
      errors: [{ line: 4, message: 'quote it ("011111111111")' }],
    },
    {
      name: 'a short account id',
      text: minimal([]).replace('"111111111111"', '"1234"'),
      errors: [{ line: 4, message: '`access[0].account` "1234" is not a 12-digit AWS account id' }],
    },
    {
      name: 'an action without a service',
      text: minimal([]).replace('[ec2:StopInstances]', '[ec2:StopInstances, StopInstances]'),
      errors: [{ line: 5, message: '`access[0].actions[1]` "StopInstances" is not an IAM action: "*", or service:Action' }],
    },
    // IAM's grammar: never a wildcard in the service prefix.
    {
      name: 'an action with a wildcard service',
      text: minimal([]).replace('[ec2:StopInstances]', '["*:Get*"]'),
      errors: [{ line: 5, message: '`access[0].actions[0]` "*:Get*" is not an IAM action: "*", or service:Action' }],
    },
    {
      name: 'an action with a ? in its service',
      text: minimal([]).replace('[ec2:StopInstances]', ['[ec2:StopInstances,', '"e?2:Describe*"]'].join(' ')),
      errors: [{ line: 5, message: '`access[0].actions[1]` "e?2:Describe*" is not an IAM action: "*", or service:Action' }],
    },
    {
      name: 'a resource that is too short to be an ARN',
      text: minimal(['    resources: ["arn:x"]']),
      errors: [{ line: 6, message: 'resource "arn:x" is not an ARN: write "*" or arn:partition:service:region:account:resource' }],
    },
    {
      name: 'a resource in a partition AWS does not have',
      text: minimal([
        '    resources:',
        '      - "arn:aws:ec2:us-east-1:111111111111:instance/i-1"',
        '      - "arn:awz:ec2:us-east-1:111111111111:instance/i-1"',
      ]),
      errors: [
        {
          line: 8,
          message: 'resource "arn:awz:ec2:us-east-1:111111111111:instance/i-1" names the partition "awz", which AWS does not have',
        },
      ],
    },
    {
      name: 'a resource with a character IAM does not accept',
      text: minimal(['    resources: ["arn:aws:s3:::bucket/\u20ac"]']),
      errors: [
        { line: 6, message: 'resource "arn:aws:s3:::bucket/\u20ac" contains "\u20ac" (U+20AC), which IAM does not accept in a policy' },
      ],
    },
    {
      name: 'a resource that is not an ARN',
      text: minimal(['    resources: ["i-0abc123"]']),
      errors: [{ line: 6, message: '`access[0].resources[0]` "i-0abc123" is not a resource: "*" or an ARN pattern starting with "arn:"' }],
    },
    {
      name: 'no access entries',
      text: 'reason: r\nduration: 2h\naccess: []\n',
      errors: [{ line: 3, message: '`access` must list at least 1 entry' }],
    },
    {
      name: 'an entry without actions',
      text: 'reason: r\nduration: 2h\naccess:\n  - account: "111111111111"\n',
      errors: [{ line: 4, message: 'the access entry asks for nothing: add actions (with resources), or a permission_set' }],
    },
    {
      name: 'access written as a mapping',
      text: 'reason: r\nduration: 2h\naccess:\n  account: "111111111111"\n',
      errors: [{ line: 4, message: '`access` must be a list, found a mapping' }],
    },
    {
      name: 'a zero duration',
      text: minimal([]).replace('2h', '0m'),
      errors: [{ line: 2, message: 'duration "0m" is too short: the minimum is 5m' }],
    },
    {
      name: 'a 4-minute duration',
      text: minimal([]).replace('2h', '4m'),
      errors: [{ line: 2, message: 'duration "4m" is too short: the minimum is 5m' }],
    },
    {
      name: 'a huge duration',
      text: minimal([]).replace('2h', '999999d'),
      errors: [{ line: 2, message: 'duration "999999d" is too long: the maximum is 90d' }],
    },
    {
      name: 'a duration in words',
      text: minimal([]).replace('2h', '2 hours'),
      errors: [
        {
          line: 2,
          message:
            '`duration` "2 hours" is not a duration: use Nm, Nh or Nd (e.g. 30m, 2h, 1d) or an ISO 8601 duration (e.g. PT2H, PT1H30M, P1D)',
        },
      ],
    },
    {
      name: 'a duration as a number',
      text: minimal([]).replace('2h', '120'),
      errors: [{ line: 2, message: '`duration` must be a string, found number 120' }],
    },
    {
      name: 'a start without a timezone',
      text: minimal(['start: 2026-12-01T09:00:00']),
      errors: [{ line: 6, message: '`start` "2026-12-01T09:00:00" is not an RFC 3339 date-time with a timezone' }],
    },
    {
      name: 'an impossible start',
      text: minimal(['start: 2026-02-30T09:00:00Z']),
      errors: [{ line: 6, message: 'start "2026-02-30T09:00:00Z" is not a real date and time' }],
    },
    {
      name: 'a bad extends id',
      text: minimal(['extends: 42']),
      errors: [{ line: 6, message: '`extends` must be a string, found number 42' }],
    },
    {
      name: 'a bad extends text',
      text: minimal(['extends: pr42']),
      errors: [{ line: 6, message: '`extends` "pr42" is not a grant id such as pr-42' }],
    },
    {
      name: 'several problems at once, in line order',
      text: 'reason: ""\nduraton: 2h\naccess:\n  - account: 111111111111\n    actions: []\n',
      errors: [
        { line: 1, message: 'missing required key "duration" in request' },
        { line: 1, message: '`reason` "" is not non-blank text' },
        { line: 2, message: 'unknown key "duraton"' },
        { line: 4, message: '`access[0].account` must be a string' },
        { line: 5, message: '`access[0].actions` must list at least 1 entry' },
      ],
    },
    { name: 'a list document', text: '- reason: x\n', errors: [{ line: 1, message: 'the request file must be a YAML mapping' }] },
    { name: 'an empty file', text: '', errors: [{ line: 1, message: 'the request file is empty' }] },
    { name: 'a duplicate key', text: minimal(['reason: again']), errors: [{ line: 6, message: 'invalid YAML: duplicated mapping key' }] },
    {
      name: 'an alias',
      text: minimal(['ticket: &t INC-1', 'extends: *t']),
      errors: [{ line: 7, message: 'YAML aliases are not allowed' }],
    },
  ]

  for (const { name, text, errors } of cases) {
    it(name, () => {
      const parsed = parseAccessRequest({ file: FILE, text })
      expect(parsed.ok).toBe(false)
      if (parsed.ok) return
      expect(parsed.errors.map(({ file, line }) => ({ file, line }))).toEqual(errors.map(({ line }) => ({ file: FILE, line })))
      parsed.errors.forEach((error, index) => expect(error.message).toContain(errors[index]!.message))
    })
  }
})

describe('listRequestItems', () => {
  it('gives one item per account, action and resource, carrying the entry line', () => {
    const request = parseOk(
      [
        'reason: r',
        'duration: 1h',
        'access:',
        '  - account: "111111111111"',
        '    actions: [ec2:StopInstances, ec2:StartInstances]',
        '    resources: ["arn:aws:ec2:*:111111111111:instance/i-1", "arn:aws:ec2:*:111111111111:instance/i-2"]',
        '  - account: "222222222222"',
        '    actions: [s3:GetObject]',
      ].join('\n'),
    )
    expect(listRequestItems(request)).toEqual([
      { account: '111111111111', action: 'ec2:StopInstances', resource: 'arn:aws:ec2:*:111111111111:instance/i-1', line: 4 },
      { account: '111111111111', action: 'ec2:StopInstances', resource: 'arn:aws:ec2:*:111111111111:instance/i-2', line: 4 },
      { account: '111111111111', action: 'ec2:StartInstances', resource: 'arn:aws:ec2:*:111111111111:instance/i-1', line: 4 },
      { account: '111111111111', action: 'ec2:StartInstances', resource: 'arn:aws:ec2:*:111111111111:instance/i-2', line: 4 },
      { account: '222222222222', action: 's3:GetObject', resource: '*', line: 7 },
    ])
  })
})

describe('parseAccessRequest: characters that hide what the file says', () => {
  it.each([
    ['a right-to-left override in the reason', 'reason: "stuck \u202Enode"', 1, 'U+202E'],
    [
      'a zero-width space in an action',
      'reason: stuck node\nduration: 2h\naccess:\n  - account: "111111111111"\n    actions: [ec2:Stop\u200BInstances]',
      5,
      'U+200B',
    ],
    ['a left-to-right isolate', 'reason: a \u2066b\u2069', 1, 'U+2066, U+2069'],
    ['a byte-order mark inside the file', 'reason: a\uFEFFb', 1, 'U+FEFF'],
    ['an escape character (C0 control)', 'reason: a\u001B[31mred', 1, 'U+001B'],
    ['a C1 control', 'reason: a\u0085b', 1, 'U+0085'],
  ])('rejects %s, naming the line and the characters', (_name, firstLines, lineOfCharacter, names) => {
    const text = `${firstLines}\nduration: 2h\naccess:\n  - account: "111111111111"\n    actions: [ec2:StopInstances]\n`
    const parsed = parseAccessRequest({ file: FILE, text })
    expect(parsed).toEqual({
      ok: false,
      errors: [
        {
          file: FILE,
          line: lineOfCharacter,
          message: `the line contains invisible or control characters (${names}), which can make the request show other than it is; remove them`,
        },
      ],
    })
  })

  it('accepts tabs and Windows line endings', () => {
    expect(parseOk(minimal(['    resources: ["*"]\t']).replaceAll('\n', '\r\n')).reason).toBe('stuck node')
  })
})
