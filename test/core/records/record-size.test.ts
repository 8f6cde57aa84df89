import { describe, expect, it } from 'vitest'
import { MAX_FILE_BYTES } from '../../../src/core/files/yaml-document.js'
import { formatRecordDocument, parseRecordDocument, RecordTooLargeError } from '../../../src/core/records/record-document.js'
import { GRANT, REFUSAL } from '../../fixtures/grant/records.js'

// A record the app wrote is one it can read back: the reader stops at 64 KiB, and a grant whose record it
// cannot read can be neither revoked early (`/jit revoke`) nor swept.

describe('formatRecordDocument never writes more than the app reads back', () => {
  it('a grant whose reason is 15,000 invisible U+FEFF (written before reasons were bounded) stays readable', () => {
    const record = { ...GRANT, reason: `stuck node${'\uFEFF'.repeat(15_000)}` }
    const text = formatRecordDocument(record)
    expect(Buffer.byteLength(text, 'utf8')).toBeLessThanOrEqual(MAX_FILE_BYTES)
    const parsed = parseRecordDocument({ file: 'grants/active/pr-42.yaml', text })
    expect(parsed.ok).toBe(true)
    if (!parsed.ok) return
    expect(parsed.value).toEqual({
      ...GRANT,
      reason: expect.stringMatching(/^stuck node\uFEFF+ … \(cut short to fit the record; the pull request has the full text\)$/u),
    })
  })

  it('a refusal of a thousand-item request keeps its explanation as long as fits', () => {
    const explanation = Array.from(
      { length: 2_000 },
      (_, i) => `- No policy grants ec2:Custom${i}Instances on arn:aws:ec2:us-east-1:111111111111:instance/i-${i}`,
    ).join('\n')
    const text = formatRecordDocument({ ...REFUSAL, explanation })
    expect(Buffer.byteLength(text, 'utf8')).toBeLessThanOrEqual(MAX_FILE_BYTES)
    const parsed = parseRecordDocument({ file: 'grants/refused/pr-43.yaml', text })
    expect(parsed.ok && parsed.value.state === 'refused' && parsed.value.explanation.startsWith(explanation.slice(0, 20_000))).toBe(true)
  })

  it('a record that cannot fit even with its free text cut is refused before it is written, with its id', () => {
    const target = GRANT.targets[0]!
    const targets = Array.from({ length: 400 }, (_, i) => ({ ...target, resources: [`arn:aws:s3:::bucket-${i}-${'x'.repeat(150)}`] }))
    expect(() => formatRecordDocument({ ...GRANT, targets })).toThrow(RecordTooLargeError)
    expect(() => formatRecordDocument({ ...GRANT, targets })).toThrow(/^the record of pr-42 would be [0-9]+ bytes/u)
  })
})
