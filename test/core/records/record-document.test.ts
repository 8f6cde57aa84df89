import fc from 'fast-check'
import { describe, expect, it } from 'vitest'
import type { GrantRecord } from '../../../src/core/records/grant-record.js'
import {
  formatRecordCommitMessage,
  formatRecordDocument,
  parseCommitTrailers,
  parseRecordDocument,
} from '../../../src/core/records/record-document.js'
import { FAILURE, GRANT, REFUSAL, SHA } from '../../fixtures/grant/records.js'

describe('formatRecordDocument and parseRecordDocument', () => {
  it.each([
    ['an active grant', GRANT, 'grants/active/pr-42.yaml'],
    [
      'a revoked grant',
      {
        ...GRANT,
        state: 'revoked',
        revocation: {
          revoked_at: '2026-11-29T10:00:00Z',
          revoked_by: 'alice',
          reason: 'early',
          aws: [
            {
              account: '111111111111',
              principal: 'arn:aws:iam::111111111111:role/jit-alice',
              aws_policy_name: 'jit-pr-42-exp-20261129T113000Z',
              outcome: 'revoked',
            },
          ],
        },
      } satisfies GrantRecord,
      'grants/revoked/pr-42.yaml',
    ],
    ['a refusal', REFUSAL, 'grants/refused/pr-43.yaml'],
    ['a failure', FAILURE, 'grants/failed/pr-44.yaml'],
  ] as const)('round-trips %s through YAML, valid against the schema', (_name, record, file) => {
    const text = formatRecordDocument(record)
    expect(parseRecordDocument({ file, text })).toEqual({ ok: true, value: record })
  })

  it('writes readable YAML: a header, snake_case keys in story order, account ids and SHAs as strings', () => {
    const text = formatRecordDocument(GRANT)
    expect(text.startsWith('# Written by the jit-access app')).toBe(true)
    expect(text).toContain('  - account: "111111111111"\n')
    expect(text).toContain(`merge_commit_sha: "${SHA('4')}"`)
    const keys = text
      .split('\n')
      .filter((line) => /^[a-z_]+:/.test(line))
      .map((line) => line.split(':')[0])
    expect(keys).toEqual([
      'id',
      'state',
      'request',
      'pull_request',
      'requester',
      'reason',
      'ticket',
      'duration',
      'extends',
      'approvals',
      'policies',
      'targets',
      'not_before',
      'expires_at',
      'granted_at',
      'revoke_sessions',
      'dry_run',
    ])
  })

  it('round-trips any reason text, however it is quoted or broken over lines', () => {
    fc.assert(
      fc.property(fc.string({ unit: 'grapheme', maxLength: 200 }), (reason) => {
        const record = { ...GRANT, reason }
        expect(parseRecordDocument({ file: 'grants/active/pr-42.yaml', text: formatRecordDocument(record) })).toEqual({
          ok: true,
          value: record,
        })
      }),
      { numRuns: 200 },
    )
  })

  it('refuses a misspelt key, at its line', () => {
    const text = formatRecordDocument(GRANT).replace('expires_at:', 'expires:')
    const parsed = parseRecordDocument({ file: 'grants/active/pr-42.yaml', text })
    expect(parsed.ok).toBe(false)
    const line = text.split('\n').findIndex((l) => l.startsWith('expires:')) + 1
    expect(!parsed.ok && parsed.errors).toEqual(
      expect.arrayContaining([{ file: 'grants/active/pr-42.yaml', line, message: expect.stringContaining('unknown key "expires"') }]),
    )
  })

  it('refuses an account id that is not 12 digits and a policy without blob SHA', () => {
    const text = formatRecordDocument({
      ...GRANT,
      targets: [{ ...GRANT.targets[0]!, account: '1111' }],
      policies: [{ ...GRANT.policies[0]!, blob_sha: 'main' }],
    })
    const parsed = parseRecordDocument({ file: 'grants/active/pr-42.yaml', text })
    expect(!parsed.ok && parsed.errors.map((error) => error.message)).toEqual([
      expect.stringContaining('"main" is not text matching'),
      expect.stringContaining('"1111" is not a 12-digit AWS account id'),
    ])
  })

  it('refuses a record filed under the wrong state or id, and an unknown state', () => {
    expect(parseRecordDocument({ file: 'grants/revoked/pr-42.yaml', text: formatRecordDocument(GRANT) })).toEqual({
      ok: false,
      errors: [
        {
          file: 'grants/revoked/pr-42.yaml',
          line: 4,
          message: 'the record of pr-42 says state active, so it belongs in grants/active/pr-42.yaml, not grants/revoked/pr-42.yaml',
        },
      ],
    })
    const unknown = parseRecordDocument({ file: 'x.yaml', text: formatRecordDocument(GRANT).replace('state: active', 'state: granted') })
    expect(!unknown.ok && unknown.errors[0]?.message).toBe(
      'state must be one of granting, active, revoked, refused, failed, found "granted"',
    )
  })
})

describe('formatRecordCommitMessage', () => {
  it('a grant: one subject line saying what happened, a body, and machine-readable trailers', () => {
    const message = formatRecordCommitMessage(GRANT)
    const [subject, blank] = message.split('\n')
    expect(subject).toBe('Grant pr-42: alice gets ec2:StopInstances, ec2:TerminateInstances in 111111111111 until 2026-11-29 11:30 UTC')
    expect(blank).toBe('')
    expect(message).toContain('Approved by bob, carol under prod-ec2-incident.')
    expect(parseCommitTrailers(message)).toEqual([
      ['Jit-Request', 'pr-42'],
      ['Jit-Action', 'grant'],
      ['Jit-Requester', 'alice'],
      ['Jit-Approved-By', 'bob'],
      ['Jit-Approved-By', 'carol'],
      ['Jit-Expires', '2026-11-29T11:30:00Z'],
      ['Jit-Start', '2026-11-29T09:30:00Z'],
      ['Jit-Accounts', '111111111111'],
    ])
  })

  it('a dry run says so in the subject and in a trailer', () => {
    const message = formatRecordCommitMessage({ ...GRANT, dry_run: true })
    expect(message.split('\n')[0]).toBe(
      'Dry-run grant pr-42: alice would get ec2:StopInstances, ec2:TerminateInstances in 111111111111 until 2026-11-29 11:30 UTC',
    )
    expect(parseCommitTrailers(message)).toContainEqual(['Jit-Dry-Run', 'true'])
  })

  it('a refusal names the verdict and who merged', () => {
    const message = formatRecordCommitMessage(REFUSAL)
    expect(message.split('\n')[0]).toBe('Refuse pr-43: merged while pending by root, nothing granted')
    expect(parseCommitTrailers(message)).toEqual([
      ['Jit-Request', 'pr-43'],
      ['Jit-Action', 'refuse'],
      ['Jit-Requester', 'alice'],
      ['Jit-Verdict', 'pending'],
      ['Jit-Merged-By', 'root'],
    ])
  })

  it('a failure says nothing was granted', () => {
    const message = formatRecordCommitMessage(FAILURE)
    expect(message.split('\n')[0]).toBe('Grant failed pr-44: nothing granted to alice')
    expect(parseCommitTrailers(message)).toEqual([
      ['Jit-Request', 'pr-44'],
      ['Jit-Action', 'fail'],
      ['Jit-Requester', 'alice'],
    ])
  })

  it('shortens long action lists in the subject', () => {
    const many = { ...GRANT, targets: [{ ...GRANT.targets[0]!, actions: ['ec2:A', 'ec2:B', 'ec2:C', 'ec2:D', 'ec2:E'] }] }
    expect(formatRecordCommitMessage(many).split('\n')[0]).toBe(
      'Grant pr-42: alice gets ec2:A, ec2:B, ec2:C and 2 more in 111111111111 until 2026-11-29 11:30 UTC',
    )
  })
})

describe('incomplete grants', () => {
  it('rejects a grant record that names no policy', () => {
    const text = formatRecordDocument({ ...GRANT, policies: [] })
    const parsed = parseRecordDocument({ file: 'grants/active/pr-42.yaml', text })
    expect(parsed).toMatchObject({ ok: false, errors: [{ message: 'a grant record names at least one policy' }] })
  })

  it('rejects a target without actions, unless the record was rebuilt from an orphan policy', () => {
    const bare = { ...GRANT, targets: GRANT.targets.map((target) => ({ ...target, actions: [] })) }
    expect(parseRecordDocument({ file: 'grants/active/pr-42.yaml', text: formatRecordDocument(bare) }).ok).toBe(false)
    const orphan = {
      ...bare,
      policies: [],
      state: 'revoked' as const,
      revocation: { revoked_at: '2026-12-01T12:00:00Z', revoked_by: 'jit-sweeper', reason: 'orphan' as const, aws: [] },
    }
    expect(parseRecordDocument({ file: 'grants/revoked/pr-42.yaml', text: formatRecordDocument(orphan) }).ok).toBe(true)
  })
})
