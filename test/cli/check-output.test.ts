import { mkdtemp, mkdir, writeFile } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { Ajv2020 } from 'ajv/dist/2020.js'
import { beforeAll, describe, expect, it } from 'vitest'
import { checkCommand } from '../../src/cli/check-command.js'
import { main } from '../../src/cli/jit.js'
import { checkOutputSchema } from '../../src/core/files/schemas/check-output-schema.js'
import { EXAMPLE_REPO } from '../support/example-repo.js'

// Real `jit check --json` outputs, one per kind of answer, each valid for schemas/check-output.schema.json.
const validate = new Ajv2020({ strict: true, allErrors: true }).compile(checkOutputSchema)

async function checkJson(args: string[], cwd = EXAMPLE_REPO): Promise<{ code: number; json: Record<string, unknown> }> {
  let stdout = ''
  const code = await main(
    ['check', ...args, '--json'],
    {
      stdout: { write: (text: string) => (stdout += text) },
      stderr: { write: () => true },
      cwd,
      env: {},
      now: () => new Date('2026-12-01T08:00:00Z'),
    },
    [checkCommand],
  )
  return { code, json: JSON.parse(stdout) as Record<string, unknown> }
}

const INCIDENT = 'requests/sre/inc-4821-terminate-web.yaml'
const TEAMS = ['--teams', 'teams.yaml']
let scratch: string

beforeAll(async () => {
  scratch = await mkdtemp(join(tmpdir(), 'jit-check-output-'))
  await mkdir(join(scratch, 'requests'))
  await mkdir(join(scratch, 'policies'))
  await writeFile(
    join(scratch, 'requests', 'bad.yaml'),
    'reason: x\nduration: 0m\naccess:\n  - account: 111111111111\n    actions: [ec2:StopInstances]\n',
  )
  await writeFile(
    join(scratch, 'requests', 'stop.yaml'),
    'reason: stop the node\nduration: 30m\naccess:\n  - account: "111111111111"\n    actions: [ec2:StopInstances]\n',
  )
  // Two approvals from a list of one: a rule that can never be met.
  await writeFile(
    join(scratch, 'policies', 'two-of-one.yaml'),
    'name: two-of-one\ngrants:\n  accounts: ["111111111111"]\n  actions: [ec2:StopInstances]\nrequesters:\n  users: [alice]\nmax_duration: 1h\napprovals:\n  - from: [carol]\n    count: 2\n',
  )
  await writeFile(join(scratch, 'teams.yaml'), '"@acme/sre": [alice]\nsre: [bob]\n')
})

describe('jit check --json output matches schemas/check-output.schema.json', () => {
  it.each([
    ['approved', () => [INCIDENT, '--author', 'alice', '--approved-by', 'bob,carol', ...TEAMS], 0, 'approved'],
    ['pending', () => [INCIDENT, '--author', 'alice', '--approved-by', 'bob,frank', ...TEAMS], 1, 'pending'],
    [
      'pending, blocked by changes requested',
      () => [INCIDENT, '--author', 'alice', '--approved-by', 'bob,carol', '--changes-requested-by', 'dan', ...TEAMS],
      1,
      'pending',
    ],
    ['denied, with near misses', () => [INCIDENT, '--author', 'frank', ...TEAMS], 3, 'denied'],
    [
      'denied, with warnings (teams missing from --teams)',
      () => [INCIDENT, '--author', 'alice', '--approved-by', 'bob,carol'],
      3,
      'denied',
    ],
    ['auto-approved', () => ['requests/staging/debug-logs.yaml', '--author', 'frank', ...TEAMS], 0, 'approved'],
    [
      'a future window',
      () => ['requests/network/open-vpn.yaml', '--author', 'heidi', '--approved-by', 'ivan,carol', ...TEAMS],
      0,
      'approved',
    ],
    ['invalid request', () => [join(scratch, 'requests', 'bad.yaml'), '--repo', scratch, '--author', 'alice'], 2, 'invalid'],
    ['a rule that can never be met', () => [join(scratch, 'requests', 'stop.yaml'), '--repo', scratch, '--author', 'alice'], 3, 'denied'],
    ['invalid teams file', () => [INCIDENT, '--author', 'alice', '--teams', join(scratch, 'teams.yaml')], 2, 'invalid'],
  ] as const)('%s', async (_name, args, code, verdict) => {
    const result = await checkJson([...args()])
    expect(result.code).toBe(code)
    expect(result.json.verdict).toBe(verdict)
    expect(validate(result.json), JSON.stringify(validate.errors, null, 2)).toBe(true)
  })

  it('covers the optional parts of the contract: warnings, near misses, blockers, an impossible rule', async () => {
    const warned = await checkJson([INCIDENT, '--author', 'alice', '--approved-by', 'bob,carol'])
    expect(warned.json.warnings).toHaveLength(1)
    const denied = await checkJson([INCIDENT, '--author', 'frank', ...TEAMS])
    expect((denied.json.items as { nearMisses: unknown[] }[])[0]!.nearMisses.length).toBeGreaterThan(0)
    const blocked = await checkJson([
      INCIDENT,
      '--author',
      'alice',
      '--approved-by',
      'bob,carol',
      '--changes-requested-by',
      'dan',
      ...TEAMS,
    ])
    expect(blocked.json.blockers).toEqual(['dan'])
    const impossible = await checkJson([join(scratch, 'requests', 'stop.yaml'), '--repo', scratch, '--author', 'alice'])
    expect((impossible.json.policies as { rules: { impossible?: string }[] }[])[0]!.rules[0]!.impossible).toEqual(expect.any(String))
    const teams = await checkJson([INCIDENT, '--author', 'alice', '--teams', join(scratch, 'teams.yaml')])
    expect(Object.keys(teams.json)).toEqual(['verdict', 'summary', 'errors'])
  })

  it('refuses an output with a key the contract does not name, or without one it requires', async () => {
    const { json } = await checkJson([INCIDENT, '--author', 'alice', '--approved-by', 'bob,carol', ...TEAMS])
    expect(validate({ ...json, extra: true })).toBe(false)
    const { warnings: _warnings, ...withoutWarnings } = json
    expect(validate(withoutWarnings)).toBe(false)
  })
})
