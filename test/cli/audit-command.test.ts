import { mkdtemp, rm } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { generateAuditHistory, grantRecord } from '../../bench/generate-audit-history.js'
import { runJit } from '../support/run-jit.js'
import { commitRecord } from '../workflows/audit/audit-history.js'

let dir: string
let clean: string

const jit = (args: string[], cwd = dir) => runJit({ args, cwd, now: () => new Date('2026-12-01T00:00:00Z') })

beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'jit-audit-cli-'))
  await generateAuditHistory({ dir, grants: 12 })
  // The app grants pr-50 with a reason a spreadsheet would run as a formula.
  const formula = { ...grantRecord(50, Date.parse('2026-02-01T09:00:00Z')), reason: '=HYPERLINK("https://evil.example","open me")' }
  await commitRecord({ dir, record: formula, at: '2026-02-01T09:00:02Z' })
  clean = await mkdtemp(join(tmpdir(), 'jit-audit-clean-'))
  await generateAuditHistory({ dir: clean, grants: 5 })
}, 60_000)
afterAll(async () => {
  await rm(dir, { recursive: true, force: true })
  await rm(clean, { recursive: true, force: true })
})

describe('jit audit', () => {
  it('who: the grants that covered the action in the account at that time, with approvers and review ids', async () => {
    // Account 111111111111 gets pr-1 (00:05 to 01:05 on 2026-01-01) and pr-11 (00:55 to 01:55).
    const { code, stdout } = await jit([
      'audit',
      'who',
      '--account',
      '111111111111',
      '--action',
      'ec2:TerminateInstances',
      '--at',
      '2026-01-01T01:02:00Z',
    ])
    expect(code).toBe(0)
    const lines = stdout.trimEnd().split('\n')
    expect(lines[0]).toMatch(/^id +requester +held from +held to +principal +approved by \(review\) +outcome +records$/)
    expect(lines.slice(1).map((line) => line.split(/ {2,}/).slice(0, 6))).toEqual([
      ['pr-1', 'user1', '2026-01-01T01:02:00Z', '2026-01-01T01:02:00Z', 'arn:aws:iam::111111111111:role/jit-user1', 'lead1 (5000001)'],
      ['pr-11', 'user11', '2026-01-01T01:02:00Z', '2026-01-01T01:02:00Z', 'arn:aws:iam::111111111111:role/jit-user11', 'lead4 (5000011)'],
    ])
    // Another account, or an action none of them covers: nobody.
    expect(
      (await jit(['audit', 'who', '--account', '222222222222', '--action', 'ec2:TerminateInstances', '--at', '2026-01-01T01:02:00Z']))
        .stdout,
    ).toBe('Nobody held a grant that covers it then.\n')
    expect(
      (await jit(['audit', 'who', '--account', '111111111111', '--action', 's3:GetObject', '--between', '2026-01-01', '2026-01-02']))
        .stdout,
    ).toBe('Nobody held a grant that covers it then.\n')
  })

  it('timeline --csv: stable columns for an access review; a formula in a reason stays text', async () => {
    const { code, stdout } = await jit(['audit', 'timeline', '--csv', '--requester', 'USER0'])
    expect(code).toBe(0)
    const [header, ...rows] = stdout.trimEnd().split('\r\n')
    expect(header).toBe(
      '"id","requester","approvers","review_ids","reason","ticket","policies","accounts","actions","resources","not_before","expires_at","outcome","ended_at","ended_by","pull_request","merged_by","record_commits"',
    )
    // Logins compare case-insensitively: user0 asked once, for pr-50.
    expect(rows.map((row) => row.split('","').slice(0, 3))).toEqual([['"pr-50', 'user0', 'lead1']])
    const formula = await jit(['audit', 'timeline', '--csv', '--since', '2026-02-01', '--until', '2026-02-01'])
    expect(formula.stdout).toContain(`"'=HYPERLINK(""https://evil.example"",""open me"")"`)
  })

  it('timeline: every grant in range, how it ended and by whom', async () => {
    const { stdout } = await jit(['audit', 'timeline', '--json', '--until', '2026-01-01T00:30:00Z'])
    const { grants } = JSON.parse(stdout) as { grants: Record<string, string>[] }
    expect(
      grants.map((grant) => [grant['id'], grant['outcome'], grant['ended_at'], grant['ended_by'], grant['approvers'], grant['review_ids']]),
    ).toEqual([
      ['pr-1', 'expired', '2026-01-01T01:05:00Z', 'jit-sweeper', 'lead1', '5000001'],
      ['pr-2', 'expired', '2026-01-01T01:10:00Z', 'jit-sweeper', 'lead2', '5000002'],
      ['pr-3', 'expired', '2026-01-01T01:15:00Z', 'jit-sweeper', 'lead3', '5000003'],
      ['pr-4', 'expired', '2026-01-01T01:20:00Z', 'jit-sweeper', 'lead4', '5000004'],
      ['pr-5', 'expired', '2026-01-01T01:25:00Z', 'jit-sweeper', 'lead5', '5000005'],
      ['pr-6', 'expired', '2026-01-01T01:30:00Z', 'jit-sweeper', 'lead6', '5000006'],
    ])
  })

  it('verify: exit 1 with the anomalies, exit 0 on a clean period', async () => {
    const dirty = await jit(['audit', 'verify'])
    expect(dirty.code).toBe(1)
    expect(dirty.stdout).toContain('refused-merge')
    expect(dirty.stdout).toContain('#10 was merged by root while pending; nothing was granted')
    expect(dirty.stdout).toContain('active-past-expiry')
    expect(dirty.stdout.trimEnd().split('\n').at(-1)).toBe('3 anomalies.')
    const ok = await jit(['audit', 'verify', '--since', '2026-01-01'], clean)
    expect(ok).toEqual({ code: 0, stdout: 'No anomaly found.\n', stderr: '' })
  })

  it('usage mistakes exit 2 and say what to write', async () => {
    expect(await jit(['audit', 'who', '--account', '111111111111', '--action', 'ec2:StopInstances'])).toMatchObject({
      code: 2,
      stderr: expect.stringContaining('jit audit: who needs one of --at T and --between T1 T2'),
    })
    expect(await jit(['audit', 'timeline', '--since', 'yesterday'])).toMatchObject({
      code: 2,
      stderr: expect.stringContaining('--since must be a day (2026-03-01) or an ISO 8601 time with a timezone'),
    })
    expect(await jit(['audit', 'verify'], tmpdir())).toMatchObject({ code: 2, stderr: expect.stringMatching(/^jit audit: /) })
  })
})
