import { createHash } from 'node:crypto'
import { describe, expect, it } from 'vitest'
import { formatRecordDocument, parseRecordDocument } from '../../../src/core/records/record-document.js'
import { buildOrphanRecord } from '../../../src/core/records/reconcile.js'
import { boundDocument } from '../../../src/workflows/sweep/removed-documents.js'
import { ALICE_ROLE } from './support/grant-records.js'

describe('the document an orphan record keeps', () => {
  it('is kept whole when it fits, and cut to the bound with the SHA-256 and length of the whole when it does not', () => {
    const small = '{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Action":"*","Resource":"*"}]}'
    expect(boundDocument(small)).toEqual({
      text: small,
      sha256: createHash('sha256').update(small).digest('hex'),
      length: small.length,
      truncated: false,
    })
    // A document far over IAM's own limit (a hand-made emulator one): the record still reads back.
    const huge = `{"Version":"2012-10-17","Statement":[${Array.from({ length: 3_000 }, (_, index) => `{"Sid":"S${index}","Effect":"Allow","Action":"s3:GetObject","Resource":"*"}`).join(',')}]}`
    const kept = boundDocument(huge)
    expect([kept.text.length, kept.length, kept.truncated]).toEqual([10_240, huge.length, true])
    expect(kept.sha256).toBe(createHash('sha256').update(huge).digest('hex'))
    const record = buildOrphanRecord({
      orphan: {
        account: '111111111111',
        principalArn: ALICE_ROLE,
        policyName: 'jit-0123456789-pr-7-exp-20261201T100000Z',
        requestId: 'pr-7',
        expiresAt: new Date('2026-12-01T10:00:00Z'),
        explanation: 'no active record',
      },
      revokedAt: new Date('2026-12-01T12:00:00Z'),
      revokedBy: 'jit-sweeper',
      aws: [
        {
          account: '111111111111',
          principal: ALICE_ROLE,
          aws_policy_name: 'jit-0123456789-pr-7-exp-20261201T100000Z',
          outcome: 'revoked',
          document: kept,
        },
      ],
      repositoryUrl: 'https://github.com/acme/access',
    })
    const parsed = parseRecordDocument({ file: 'grants/revoked/pr-7.yaml', text: formatRecordDocument(record) })
    expect(parsed.ok ? parsed.value : parsed.errors).toMatchObject({ revocation: { aws: [{ document: { truncated: true } }] } })
    // One character over the bound is refused by the reader: the writer never gets there.
    const over = {
      ...record,
      revocation: { ...record.revocation, aws: [{ ...record.revocation.aws[0]!, document: { ...kept, text: huge.slice(0, 10_241) } }] },
    }
    expect(parseRecordDocument({ file: 'grants/revoked/pr-7.yaml', text: formatRecordDocument(over) }).ok).toBe(false)
  })
})
