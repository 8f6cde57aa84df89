import { afterEach, beforeEach, describe, expect, it } from 'vitest'
import type { RevokedGrantRecord } from '../../src/core/records/grant-record.js'
import { parseRecordDocument } from '../../src/core/records/record-document.js'
import { startE2eStack, type E2eStack } from './support/start-e2e-stack.js'

// An active record that no longer parses (edited by hand into invalid YAML, cut short): the sweep
// cannot read what it granted, yet AWS holds the policy. Its grant must still end at its expiry.
let stack: E2eStack
const POLICY = 'jit-bb0610eed9-pr-1-exp-20270302T110500Z'
const BROKEN = 'id: pr-1\nstate: active\ntargets: [\n  { account: "111111111111", principal: arn:aws:iam::111111111111:role/jit-alice\n'

beforeEach(async () => {
  stack = await startE2eStack()
})
afterEach(async () => {
  await stack.stop()
})

describe('an active record that cannot be read', () => {
  it('leaves the grant until the end its policy document says, then revokes it in AWS and commits the record', async () => {
    await stack.mergeApprovedIncidentRequest()
    const granted = stack.policiesOf('alice')[POLICY] ?? ''
    expect(granted).toContain('"DateLessThan":{"aws:CurrentTime":"2027-03-02T11:05:00Z"}')
    const broken = await stack.github.commitToDefaultBranch({
      files: { 'grants/active/pr-1.yaml': BROKEN },
      author: 'erin',
      message: 'Tidy pr-1',
    })
    const blobSha = (await stack.github.git(['rev-parse', `${broken.sha}:grants/active/pr-1.yaml`])).trim()

    // Before its end: the grant is found in AWS and left, with its end.
    stack.clock.set(new Date('2027-03-02T10:00:00Z'))
    const early = await stack.sweep()
    expect(early.report.fullPass.ran).toBe(true)
    expect(early.report.unreadableRecords?.map((record) => [record.id, record.status])).toEqual([['pr-1', 'left']])
    expect(early.report.unreadableRecords?.[0]?.explanation).toContain(
      `its grant is left until it ends at 2027-03-02T11:05:00Z, then revoked from what AWS holds: ${POLICY} ends at 2027-03-02T11:05:00Z (from its document)`,
    )
    expect(early.report.orphans).toEqual([])
    expect(Object.keys(stack.policiesOf('alice'))).toEqual([POLICY])
    expect(await stack.readOnMain('grants/active/pr-1.yaml')).toBe(BROKEN)

    // After its end: deleted in AWS, and the record says the file could not be read, and keeps its blob.
    stack.clock.set(new Date('2027-03-02T11:06:00Z'))
    const { exitCode, report } = await stack.sweep()
    expect(exitCode).toBe(0)
    expect(report.unreadableRecords?.map((record) => [record.id, record.status])).toEqual([['pr-1', 'revoked']])
    expect(report.summary).toContain('revoked 1 grant whose record cannot be read')
    expect(stack.policiesOf('alice')).toEqual({})
    expect(await stack.recordsOnMain()).toEqual(['grants/revoked/pr-1.yaml'])
    const text = (await stack.readOnMain('grants/revoked/pr-1.yaml')) ?? ''
    const parsed = parseRecordDocument({ file: 'grants/revoked/pr-1.yaml', text })
    expect(parsed.ok ? [] : parsed.errors).toEqual([])
    const record = (parsed.ok ? parsed.value : undefined) as RevokedGrantRecord
    expect(record.revocation).toMatchObject({
      reason: 'expired',
      revoked_by: 'jit-sweeper',
      unreadable_record: { path: 'grants/active/pr-1.yaml', blob_sha: blobSha, error: expect.stringMatching(/^line \d+: /u) },
    })
    expect(record.revocation.aws.map((entry) => [entry.aws_policy_name, entry.outcome, entry.document?.text])).toEqual([
      [POLICY, 'revoked', granted],
    ])
    expect(record.expires_at).toBe('2027-03-02T11:05:00Z')
    // Git keeps the unreadable file's blob, where the record points.
    expect(await stack.github.git(['cat-file', '-p', blobSha])).toBe(BROKEN)
  })
})
