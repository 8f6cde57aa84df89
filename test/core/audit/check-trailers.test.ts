import { describe, expect, it } from 'vitest'
import { checkTrailers } from '../../../src/core/audit/check-trailers.js'
import type { RevokedGrantRecord } from '../../../src/core/records/grant-record.js'
import { formatRecordCommitMessage, parseCommitTrailers } from '../../../src/core/records/record-document.js'
import { renderRevocationMessage } from '../../../src/workflows/sweep/revocation-commit.js'
import { GRANT, REFUSAL } from '../../fixtures/grant/records.js'

const REVOKED: RevokedGrantRecord = {
  ...GRANT,
  state: 'revoked',
  revocation: { revoked_at: '2026-11-29T10:00:00Z', revoked_by: 'alice', reason: 'early', aws: [] },
}
const trailersOf = (message: string) => parseCommitTrailers(message)

describe('checkTrailers', () => {
  it("the app's own messages agree with their records", () => {
    expect(checkTrailers(trailersOf(formatRecordCommitMessage(GRANT)), GRANT)).toEqual([])
    expect(checkTrailers(trailersOf(formatRecordCommitMessage(REFUSAL)), REFUSAL)).toEqual([])
    expect(checkTrailers(trailersOf(renderRevocationMessage([{ record: REVOKED, source: 'active', summary: 's' }])), REVOKED)).toEqual([])
  })

  it('names each trailer that says something else', () => {
    const grant = formatRecordCommitMessage(GRANT)
    expect(checkTrailers(trailersOf(grant.replace('Jit-Accounts: 111111111111', 'Jit-Accounts: 999999999999')), GRANT)).toEqual([
      'Jit-Accounts says "999999999999", the record says "111111111111"',
    ])
    expect(checkTrailers(trailersOf(grant.replace('Jit-Approved-By: carol\n', '')), GRANT)).toEqual([
      'Jit-Approved-By says bob, the record says bob, carol',
    ])
    expect(checkTrailers(trailersOf(grant), REVOKED)).toEqual(['Jit-Action grant wrote a record in state revoked'])
    const revoke = renderRevocationMessage([{ record: REVOKED, source: 'active', summary: 's' }])
    expect(checkTrailers(trailersOf(revoke.replace('pr-42 early by alice', 'pr-42 expired by jit-sweeper')), REVOKED)).toEqual([
      'Jit-Revocation says expired by jit-sweeper for pr-42, the record says early by alice',
    ])
  })

  it('old commits without the newer trailers are read as they are', () => {
    const old = formatRecordCommitMessage(GRANT).replace(/^Jit-(Start|Accounts): .*\n/gmu, '')
    expect(checkTrailers(trailersOf(old), GRANT)).toEqual([])
    const oldRevoke = renderRevocationMessage([{ record: REVOKED, source: 'active', summary: 's' }]).replace(/^Jit-Revocation: .*\n/gmu, '')
    expect(checkTrailers(trailersOf(oldRevoke), REVOKED)).toEqual([])
  })
})
