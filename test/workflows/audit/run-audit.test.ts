import { mkdtemp, readFile, rm } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { generateAuditHistory, grantRecord } from '../../../bench/generate-audit-history.js'
import type { IntentRecord, RevokedGrantRecord } from '../../../src/core/records/grant-record.js'
import { formatRecordDocument } from '../../../src/core/records/record-document.js'
import { renderRevocationMessage } from '../../../src/workflows/sweep/revocation-commit.js'
import { runAudit } from '../../../src/workflows/audit/run-audit.js'
import { APP, commitFiles, commitRecord } from './audit-history.js'

// A history of 30 requests written as the app writes them (27 granted and revoked, pr-10/20/30 refused
// by an admin merge), then anomalies planted with real `git commit`s.
let dir: string
const planted: Record<string, string> = {}
const NOW = new Date('2026-12-01T00:00:00Z')
const erin = { name: 'erin', email: 'erin@example.com' }

beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'jit-audit-'))
  await generateAuditHistory({ dir, grants: 30 })
  // erin edits pr-3's revoked record (its reason) in a direct commit.
  const revoked3 = await readFile(join(dir, 'grants/revoked/pr-3.yaml'), 'utf8')
  planted['edit'] = await commitFiles({
    dir,
    files: { 'grants/revoked/pr-3.yaml': revoked3.replace('Incident INC-3', 'Routine INC-3') },
    message: 'Fix a typo',
    who: erin,
    at: '2026-02-01T10:00:00Z',
  })
  // erin writes an active record the app never wrote.
  const forged = grantRecord(77, Date.parse('2026-02-02T09:00:00Z'))
  planted['forged'] = await commitRecord({ dir, record: forged, at: '2026-02-02T09:00:00Z', who: erin })
  // The app grants pr-40, and no sweep ever revokes it.
  const stale = grantRecord(40, Date.parse('2026-03-01T09:00:00Z'))
  planted['stale'] = await commitRecord({ dir, record: stale, at: '2026-03-01T09:00:02Z' })
  // The app's intent for pr-41, with no outcome ever.
  const { granted_at: _granted, revocation: _revocation, ...rest } = grantRecord(41, Date.parse('2026-03-02T09:00:00Z'))
  const intent: IntentRecord = { ...rest, state: 'granting', intended_at: '2026-03-02T09:00:00Z' }
  planted['intent'] = await commitRecord({ dir, record: intent, at: '2026-03-02T09:00:00Z' })
  // The app's grant of pr-42 whose trailer names another requester, then a revocation 3 hours late.
  const late = grantRecord(42, Date.parse('2026-03-03T09:00:00Z'))
  planted['mismatch'] = await commitRecord({
    dir,
    record: late,
    at: '2026-03-03T09:00:02Z',
    editMessage: (message) => message.replace('Jit-Requester: user42', 'Jit-Requester: mallory'),
  })
  const revokedLate: RevokedGrantRecord = {
    ...late,
    state: 'revoked',
    revocation: { revoked_at: '2026-03-03T13:00:00Z', revoked_by: 'jit-sweeper', reason: 'expired', aws: [] },
  }
  // An orphan the sweep found in AWS and deleted.
  const orphan: RevokedGrantRecord = {
    ...grantRecord(43, Date.parse('2026-03-03T10:00:00Z')),
    state: 'revoked',
    policies: [],
    approvals: [],
    revocation: { revoked_at: '2026-03-03T13:00:00Z', revoked_by: 'jit-sweeper', reason: 'orphan', aws: [] },
  }
  // Two break-glass grants by the app: pr-44 never reviewed (its review was due on 2026-03-05), pr-45 reviewed.
  const glass = (index: number, reviewed: boolean) => {
    const record = grantRecord(index, Date.parse('2026-03-04T09:00:00Z'))
    return {
      ...record,
      approvals: [],
      break_glass: {
        invoked_by: record.requester,
        invoked_at: '2026-03-04T09:00:00Z',
        comment_url: `https://github.com/acme/access/pull/${index}#issuecomment-1`,
        head_sha: 'a'.repeat(40),
        review_within: '24h',
        review_due: '2026-03-05T09:00:00Z',
        reviewers: ['@acme/security'],
        reviewed_at: reviewed ? '2026-03-04T15:00:00Z' : null,
        reviewed_by: reviewed ? ['carol'] : [],
      },
    }
  }
  planted['glass'] = await commitRecord({ dir, record: glass(44, false), at: '2026-03-04T09:00:02Z' })
  planted['reviewed'] = await commitRecord({ dir, record: glass(45, true), at: '2026-03-04T09:00:03Z' })
  planted['late'] = await commitFiles({
    dir,
    files: {
      'grants/active/pr-42.yaml': null,
      'grants/revoked/pr-42.yaml': formatRecordDocument(revokedLate),
      'grants/revoked/pr-43.yaml': formatRecordDocument(orphan),
    },
    message: renderRevocationMessage([
      { record: revokedLate, source: 'active', summary: 'deleted' },
      { record: orphan, source: 'orphan', summary: 'deleted an orphan' },
    ]),
    who: APP,
    at: '2026-03-03T13:00:00Z',
  })
}, 60_000)
afterAll(async () => {
  await rm(dir, { recursive: true, force: true })
})

describe('runAudit over a clone', () => {
  it('reads every request, and flags exactly what was planted, by kind, with the commit', async () => {
    const result = await runAudit({ dir, ref: 'HEAD', now: NOW })
    expect(result.appLogin).toBe('jit-access[bot]')
    expect(result.appLoginSource).toBe('settings')
    expect(result.grants.map((grant) => grant.id)).toHaveLength(30 + 6)
    const found = result.anomalies.map((anomaly) => [anomaly.kind, anomaly.id, anomaly.commit])
    expect(found.filter(([kind]) => kind !== 'rules-changed' && kind !== 'refused-merge')).toEqual([
      ['record-edited', 'pr-3', planted['edit']],
      ['record-not-by-app', 'pr-77', planted['forged']],
      ['trailer-mismatch', 'pr-42', planted['mismatch']],
      ['late-revocation', 'pr-42', planted['late']],
      ['orphan', 'pr-43', planted['late']],
      ['active-past-expiry', 'pr-40', planted['stale']],
      ['no-end', 'pr-41', planted['intent']],
      ['active-past-expiry', 'pr-44', planted['glass']],
      // pr-45 was never revoked either, but its review is recorded: only pr-44 is unreviewed.
      ['active-past-expiry', 'pr-45', planted['reviewed']],
      ['break-glass-unreviewed', 'pr-44', planted['glass']],
    ])
    expect(found.filter(([kind]) => kind === 'refused-merge').map(([, id]) => id)).toEqual(['pr-10', 'pr-20', 'pr-30'])
    const messages = new Map(result.anomalies.map((anomaly) => [anomaly.kind, anomaly.message]))
    expect(messages.get('record-edited')).toBe(
      `grants/revoked/pr-3.yaml was changed by erin in ${planted['edit']!.slice(0, 7)} after the app wrote it in ${result.grants.find((g) => g.id === 'pr-3')!.recordCommits[2]!.sha.slice(0, 7)}`,
    )
    expect(messages.get('trailer-mismatch')).toContain('Jit-Requester says "mallory", the record says "user42"')
    expect(messages.get('late-revocation')).toBe(
      'pr-42 expired at 2026-03-03T10:00:00Z but was revoked only at 2026-03-03T13:00:00Z (3 h late): the sweep was not running',
    )
  })

  it('believes the app, not the edit: pr-3 keeps the reason the app wrote; the forged pr-77 is no grant', async () => {
    const result = await runAudit({ dir, ref: 'HEAD', now: NOW })
    const pr3 = result.grants.find((grant) => grant.id === 'pr-3')!
    expect(pr3.reason).toBe('Incident INC-3: restart the stuck instances')
    expect(pr3.recordCommits.map((commit) => commit.state)).toEqual(['granting', 'active', 'revoked'])
    expect(pr3.outcome).toEqual({ kind: 'revoked', reason: 'expired', at: '2026-01-01T01:16:00Z', by: 'jit-sweeper', whileGranting: false })
    expect(result.grants.some((grant) => grant.id === 'pr-77')).toBe(false)
  })

  it('--app-login overrides the settings: under another identity no commit of the app is believed', async () => {
    const result = await runAudit({ dir, ref: 'HEAD', now: NOW, appLogin: 'someone-else[bot]' })
    // Under another identity, none of the app's commits is believed: every record is someone else's.
    expect(result.grants).toEqual([])
    expect(result.anomalies.filter((anomaly) => anomaly.kind === 'record-not-by-app').length).toBeGreaterThan(30)
  })
})
