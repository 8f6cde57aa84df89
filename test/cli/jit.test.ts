import { describe, expect, it } from 'vitest'
import { mkdtemp, mkdir, writeFile } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { main } from '../../src/cli/jit.js'
import { createJitCommands } from '../../src/cli/jit-commands.js'
import { AUDIT_USAGE } from '../../src/cli/audit-command.js'
import { CHECK_USAGE } from '../../src/cli/check-command.js'
import type { CliIo } from '../../src/cli/cli-io.js'
import { REVOKE_USAGE, SWEEP_USAGE } from '../../src/cli/sweep-command.js'
import { DOCTOR_USAGE } from '../../src/cli/doctor-command.js'
import { VALIDATE_USAGE } from '../../src/cli/validate-command.js'
import { EXAMPLE_REPO } from '../support/example-repo.js'

interface RunResult {
  code: number
  stdout: string
  stderr: string
}

async function jit(args: string[], cwd = EXAMPLE_REPO): Promise<RunResult> {
  let stdout = ''
  let stderr = ''
  const code = await main(
    args,
    {
      stdout: { write: (text: string) => (stdout += text) },
      stderr: { write: (text: string) => (stderr += text) },
      cwd,
      env: {},
      now: () => new Date('2026-12-01T08:00:00Z'),
    },
    createJitCommands(),
  )
  return { code, stdout, stderr }
}

const TEAMS = ['--teams', 'teams.yaml']
const check = (args: string[], cwd?: string): Promise<RunResult> => jit(['check', ...args], cwd)
const INCIDENT = 'requests/sre/inc-4821-terminate-web.yaml'

describe('jit check', () => {
  it.each([
    ['approved', [INCIDENT, '--author', 'alice', '--approved-by', 'bob,carol'], 0],
    ['pending', [INCIDENT, '--author', 'alice', '--approved-by', 'bob'], 1],
    [
      'pending, blocked by changes requested',
      [INCIDENT, '--author', 'alice', '--approved-by', 'bob,carol', '--changes-requested-by', 'dan'],
      1,
    ],
    ['denied', [INCIDENT, '--author', 'frank'], 3],
    ['auto-approved', ['requests/staging/debug-logs.yaml', '--author', 'frank'], 0],
    ['two security approvals for break-glass', ['requests/sre/iam-cleanup.yaml', '--author', 'erin', '--approved-by', 'carol,dan'], 0],
    ['data fix needs the data owners', ['requests/data/fix-orders.yaml', '--author', 'grace'], 1],
    ['a future window', ['requests/network/open-vpn.yaml', '--author', 'heidi', '--approved-by', 'ivan,carol'], 0],
  ])('%s: exit code', async (_name, args, expected) => {
    const result = await check([...args, ...TEAMS])
    expect(result.stderr).toBe('')
    expect(result.code).toBe(expected)
  })

  it('explains a pending request in words a reviewer understands', async () => {
    const result = await check([INCIDENT, '--author', 'alice', '--approved-by', 'bob,frank', ...TEAMS])
    expect(result.stdout).toContain('Pending: 1 more approval from @acme/security (policy prod-ec2-incident)')
    expect(result.stdout).toContain('- Reason: Terminate the stuck web node from INC-4821')
    expect(result.stdout).toContain('counted: @bob')
    expect(result.stdout).toContain('not counted: @frank: not a code owner of the request file')
    expect(result.stdout).toContain('Still missing:')
  })

  it('warns when a team that matters is missing from --teams, instead of silently counting it empty', async () => {
    const result = await check([INCIDENT, '--author', 'alice', '--approved-by', 'bob,carol'])
    expect(result.code).toBe(3)
    expect(result.stderr).toBe(
      'warning: team membership unknown for @acme/security, @acme/sre, @acme/sre-leads (not in --teams): counted as empty\n',
    )
  })

  it('prints one JSON object with --json', async () => {
    const result = await check([INCIDENT, '--author', 'frank', '--json', ...TEAMS])
    const json = JSON.parse(result.stdout)
    expect(json.verdict).toBe('denied')
    expect(json.errors).toEqual([])
    expect(json.items[0].nearMisses[0].reasons).toEqual(['frank is not one of its requesters (@acme/sre)'])
    expect(json.warnings).toEqual([])
  })

  it('reports invalid input with file and line, exit 2', async () => {
    const dir = await mkdtemp(join(tmpdir(), 'jit-check-'))
    await mkdir(join(dir, 'requests'))
    await writeFile(
      join(dir, 'requests', 'bad.yaml'),
      'reason: x\nduration: 0m\naccess:\n  - account: 111111111111\n    actions: [ec2:StopInstances]\n',
    )
    const result = await check(['requests/bad.yaml', '--author', 'alice', '--json'], dir)
    expect(result.code).toBe(2)
    const json = JSON.parse(result.stdout)
    expect(json.verdict).toBe('invalid')
    expect(json.errors.map((error: { file: string; line: number }) => `${error.file}:${error.line}`)).toEqual([
      'requests/bad.yaml:2',
      'requests/bad.yaml:4',
    ])
  })

  it('takes the request path relative to --repo for CODEOWNERS', async () => {
    const result = await check(
      [
        join(EXAMPLE_REPO, INCIDENT),
        '--repo',
        EXAMPLE_REPO,
        '--author',
        'alice',
        '--approved-by',
        'bob,carol',
        ...['--teams', join(EXAMPLE_REPO, 'teams.yaml')],
      ],
      '/',
    )
    expect(result.code).toBe(0)
  })

  it.each([
    ['no request file', [], 'expected one request file'],
    ['a missing file', ['requests/nope.yaml', '--author', 'alice'], 'request file not found: requests/nope.yaml'],
    ['no author', [INCIDENT], '--author is required'],
    ['a bad --at', [INCIDENT, '--author', 'alice', '--at', 'tomorrow'], '--at must be an ISO 8601 time'],
    ['an unknown flag', [INCIDENT, '--autor', 'alice'], 'unknown option --autor (did you mean --author?)'],
    ['a file outside the repository', ['/etc/hostname', '--author', 'alice'], 'is not inside the access repository'],
    ['a directory as the request file', ['requests/sre', '--author', 'alice'], 'request file not found: requests/sre'],
    ['a directory as the teams file', [INCIDENT, '--author', 'alice', '--teams', 'requests'], 'teams file not found: requests'],
    ['a --repo that does not exist', [INCIDENT, '--author', 'alice', '--repo', 'no-such-dir'], '--repo no-such-dir is not a directory'],
    [
      'an --at that does not exist (31 February)',
      [INCIDENT, '--author', 'alice', '--at', '2026-02-31T09:00:00Z'],
      '--at must be an ISO 8601 time',
    ],
    [
      'an --at without a timezone',
      [INCIDENT, '--author', 'alice', '--at', '2026-12-01T09:00:00'],
      '--at must be an ISO 8601 time with a timezone',
    ],
  ])('exits 2 with a clear message for %s', async (_name, args, message) => {
    const result = await check(args)
    expect(result.code).toBe(2)
    expect(result.stderr).toContain(message)
  })

  it('reports a broken teams file with its line', async () => {
    const dir = await mkdtemp(join(tmpdir(), 'jit-teams-'))
    await writeFile(join(dir, 'teams.yaml'), '"@acme/sre": [alice]\nsre: [bob]\n')
    const result = await check([
      join(EXAMPLE_REPO, INCIDENT),
      '--repo',
      EXAMPLE_REPO,
      '--author',
      'alice',
      '--teams',
      join(dir, 'teams.yaml'),
    ])
    expect(result.code).toBe(2)
    expect(result.stderr).toContain('teams.yaml:2: "sre" is not a team name like "@acme/sre"')
  })
})

describe('jit validate', () => {
  it('accepts the example repository', async () => {
    const result = await jit(['validate'])
    expect(result).toMatchObject({ code: 0, stdout: 'OK: 5 policies, .github/CODEOWNERS, .github/jit.yml valid\n' })
  })

  it('reports every error with file and line, exit 2', async () => {
    const dir = await mkdtemp(join(tmpdir(), 'jit-validate-'))
    await mkdir(join(dir, 'policies'))
    await mkdir(join(dir, '.github'))
    const policy = (name: string, action: string): string =>
      `name: ${name}\ngrants:\n  accounts: ["*"]\n  actions: ["${action}"]\nrequesters:\n  users: [alice]\nmax_duration: 1h\napprovals:\n  - from: codeowners\n`
    await writeFile(join(dir, 'policies', 'a.yaml'), policy('same', 'ec2:StopInstances'))
    await writeFile(join(dir, 'policies', 'b.yaml'), policy('same', 'ec2:StopInstances'))
    await writeFile(join(dir, 'policies', 'c.yaml'), policy('typo', 'ec2:StopInstance'))
    await writeFile(join(dir, '.github', 'CODEOWNERS'), '/requests/ @acme/sre\n/policies/ security\n')
    const result = await jit(['validate', '--json'], dir)
    expect(result.code).toBe(2)
    const json = JSON.parse(result.stdout)
    expect(json.errors.map((error: { file: string; line: number }) => `${error.file}:${error.line}`)).toEqual([
      'policies/b.yaml:1',
      'policies/c.yaml:4',
      '.github/CODEOWNERS:2',
    ])
    expect(json.errors[0].message).toBe('policy name "same" is already used by policies/a.yaml:1; names must be unique')
    expect(json.errors[1].message).toContain('did you mean ec2:StopInstances')
  })

  it('refuses a --repo that is not a directory, rather than validating nothing', async () => {
    const result = await jit(['validate', '--repo', 'no-such-dir'])
    expect(result.code).toBe(2)
    expect(result.stderr).toBe(
      `jit validate: --repo no-such-dir is not a directory (${join(EXAMPLE_REPO, 'no-such-dir')})\nusage: ${VALIDATE_USAGE}\n`,
    )
    expect(result.stdout).toBe('')
  })

  it('warns that an empty repository denies everything', async () => {
    const dir = await mkdtemp(join(tmpdir(), 'jit-empty-'))
    const result = await jit(['validate'], dir)
    expect(result.code).toBe(0)
    expect(result.stdout).toContain('warning: policies/ holds no policy file: every request will be denied')
  })
})

describe('jit', () => {
  it('prints usage and exits 2 for an unknown command', async () => {
    const result = await jit(['chek'])
    expect(result.code).toBe(2)
    expect(result.stderr).toContain('jit: unknown command "chek" (did you mean "check"?)')
  })

  it.each([
    ['check', CHECK_USAGE],
    ['validate', VALIDATE_USAGE],
    ['sweep', SWEEP_USAGE],
    ['revoke', REVOKE_USAGE],
  ])('answers `jit %s --help` with its usage and exit 0, doing nothing else', async (name, usage) => {
    for (const flag of ['--help', '-h']) {
      expect(await jit([name, flag])).toEqual({ code: 0, stdout: `usage: ${usage}\n`, stderr: '' })
    }
  })

  it('ends every usage error with the usage of the command, and suggests the flag meant', async () => {
    const result = await jit(['validate', '--jsn'])
    expect(result).toEqual({
      code: 2,
      stdout: '',
      stderr: `jit validate: unknown option --jsn (did you mean --json?)\nusage: ${VALIDATE_USAGE}\n`,
    })
    const missing = await jit(['check'])
    expect(missing.stderr).toBe(`jit check: expected one request file\nusage: ${CHECK_USAGE}\n`)
    // No suggestion when nothing is close.
    expect((await jit(['validate', '--xyzzy'])).stderr).toBe(`jit validate: unknown option --xyzzy\nusage: ${VALIDATE_USAGE}\n`)
  })

  it('lists its commands in the usage text in the order it was given them', async () => {
    const result = await jit(['--help'])
    expect(result).toEqual({
      code: 0,
      stdout: `usage:
  ${CHECK_USAGE}
  ${VALIDATE_USAGE}
  ${SWEEP_USAGE}
  ${REVOKE_USAGE}
  ${DOCTOR_USAGE}
  ${AUDIT_USAGE}
`,
      stderr: '',
    })
  })

  it('runs only the commands it is given', async () => {
    let stderr = ''
    const io: CliIo = { stdout: { write: () => true }, stderr: { write: (text: string) => (stderr += text) }, cwd: '/', env: {} }
    const seen: (readonly string[])[] = []
    const echo = {
      name: 'echo',
      usage: 'jit echo [WORD...]',
      run: async (args: readonly string[]) => {
        seen.push(args)
        return 0
      },
    }
    expect(await main(['echo', 'a', 'b'], io, [echo])).toBe(0)
    expect(seen).toEqual([['a', 'b']])
    expect(await main(['check'], io, [echo])).toBe(2)
    expect(stderr).toBe('jit: unknown command "check"\nusage:\n  jit echo [WORD...]\n')
  })

  it('treats a name every object inherits as an unknown command', async () => {
    const result = await jit(['constructor'])
    expect(result.code).toBe(2)
    expect(result.stderr).toContain('jit: unknown command "constructor"')
  })
})
