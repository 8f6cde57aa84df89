import { describe, expect, it } from 'vitest'
import { DEFAULT_SETTINGS } from '../../../src/core/files/settings.js'
import { decideFullPass, formatFullPassRecord, readLastFullPass } from '../../../src/core/records/full-pass.js'
import {
  buildGrantPolicyDocument,
  readPolicyDocumentExpiry,
  serializePolicyDocument,
} from '../../../src/core/records/iam-policy-document.js'
import { parsePrincipalPattern, planInventoryRequest } from '../../../src/core/records/principal-pattern.js'
import { buildUnreadableRecordRevocation, reconcileGrants } from '../../../src/core/records/reconcile.js'
import { formatRecordDocument, parseRecordDocument } from '../../../src/core/records/record-document.js'
import { ALICE_ROLE } from '../../workflows/sweep/support/grant-records.js'
import { TEST_NAMESPACE } from '../../fixtures/namespace.js'

const NOW = new Date('2026-12-01T12:00:00Z')
const HOUR = 3_600_000

describe('the patterns of a full pass', () => {
  const settings = {
    ...DEFAULT_SETTINGS,
    principalOverrides: { grace: 'arn:aws:iam::{account}:user/people/grace', bob: 'arn:aws:iam::{account}:role/team/{login}/jit' },
    accountBackends: { '333333333333': 'identity_center' as const },
  }

  it('fills {account}, turns {login} into *, skips "*" and lists none for an Identity Center account', () => {
    expect(
      planInventoryRequest({
        namespace: TEST_NAMESPACE,
        settings,
        accounts: ['222222222222', '*', '111111111111', '333333333333', '111111111111'],
      }),
    ).toEqual({
      namespace: TEST_NAMESPACE,
      accounts: {
        '111111111111': [
          'arn:aws:iam::111111111111:role/jit-*',
          'arn:aws:iam::111111111111:user/people/grace',
          'arn:aws:iam::111111111111:role/team/*/jit',
        ],
        '222222222222': [
          'arn:aws:iam::222222222222:role/jit-*',
          'arn:aws:iam::222222222222:user/people/grace',
          'arn:aws:iam::222222222222:role/team/*/jit',
        ],
        '333333333333': [],
      },
    })
  })

  it('matches the principals a login can become, and lists under the longest fixed path', () => {
    const jit = parsePrincipalPattern('arn:aws:iam::111111111111:role/jit-*')!
    expect(jit).toMatchObject({ kind: 'role', account: '111111111111', pathPrefix: '/' })
    expect(jit.matches('arn:aws:iam::111111111111:role/jit-mallory')).toBe(true)
    expect(jit.matches('arn:aws:iam::111111111111:role/Jit-Alice')).toBe(true)
    expect(jit.matches('arn:aws:iam::111111111111:role/jit-')).toBe(false)
    expect(jit.matches('arn:aws:iam::111111111111:role/app/jit-alice')).toBe(false)
    expect(jit.matches('arn:aws:iam::222222222222:role/jit-alice')).toBe(false)
    expect(jit.matches('arn:aws:iam::111111111111:role/jit-a.b')).toBe(false)
    const nested = parsePrincipalPattern('arn:aws:iam::111111111111:role/team/*/jit')!
    expect(nested.pathPrefix).toBe('/team/')
    expect(nested.matches('arn:aws:iam::111111111111:role/team/bob/jit')).toBe(true)
    expect(parsePrincipalPattern('arn:aws:iam::111111111111:user/people/grace')).toMatchObject({ kind: 'user', pathPrefix: '/people/' })
    expect(parsePrincipalPattern('identity-center-user:*')).toBeUndefined()
  })
})

describe('when a full pass is due', () => {
  it('is due with none recorded, once full_every has passed, or when the file cannot be trusted', () => {
    const every = 24 * HOUR
    expect(decideFullPass({ last: readLastFullPass(null, NOW), now: NOW, everyMs: every })).toMatchObject({ due: true })
    const written = formatFullPassRecord({ lastFullPass: new Date(NOW.getTime() - 2 * HOUR), principalsListed: 4, problems: ['x'] })
    expect(readLastFullPass(written, NOW)).toEqual({ kind: 'read', at: new Date('2026-12-01T10:00:00Z') })
    expect(decideFullPass({ last: readLastFullPass(written, NOW), now: NOW, everyMs: every })).toEqual({
      due: false,
      reason: 'the last full pass was at 2026-12-01T10:00:00Z; the next is due at 2026-12-02T10:00:00Z',
    })
    expect(decideFullPass({ last: readLastFullPass(written, NOW), now: NOW, everyMs: 2 * HOUR }).due).toBe(true)
    expect(decideFullPass({ last: readLastFullPass(written, NOW), now: NOW, everyMs: every, forcedBy: 'an unreadable record' }).due).toBe(
      true,
    )
    // A time in the future (written by hand to put the next pass off) or no time at all is not trusted.
    expect(readLastFullPass('last_full_pass: "2099-01-01T00:00:00Z"\n', NOW)).toMatchObject({ kind: 'unreadable' })
    expect(readLastFullPass('last_full_pass: [\n', NOW)).toMatchObject({ kind: 'unreadable' })
    expect(readLastFullPass('principals_listed: 3\n', NOW)).toMatchObject({ kind: 'unreadable' })
  })
})

describe('an active record that cannot be read', () => {
  const policy = {
    kind: 'grant' as const,
    namespace: TEST_NAMESPACE,
    requestId: 'pr-9',
    expiresAt: new Date('2026-12-01T11:00:00Z'),
    policyName: `jit-${TEST_NAMESPACE}-pr-9-exp-20261201T110000Z`,
  }

  it('keeps its policies out of the orphans: they are revoked at their expiry, not at once', () => {
    const listed = [{ account: '111111111111', principalArn: ALICE_ROLE, policies: [policy] }]
    const base = { namespace: TEST_NAMESPACE, records: [], listed, revoking: new Set<string>(), now: NOW }
    expect(reconcileGrants(base).orphans.map((orphan) => orphan.requestId)).toEqual(['pr-9'])
    const result = reconcileGrants({ ...base, unreadableIds: new Set(['pr-9']) })
    expect(result.orphans).toEqual([])
    expect(result.ofUnreadableRecords.map((found) => found.policyName)).toEqual([policy.policyName])
    // A record the app never wrote (tampering, no version of the app's): nothing is revoked for it.
    const held = reconcileGrants({ ...base, heldIds: new Set(['pr-9']) })
    expect([held.orphans, held.held.map((found) => found.requestId)]).toEqual([[], ['pr-9']])
  })

  it('reads the expiry a grant document enforces, and nothing from a document without one', () => {
    const document = serializePolicyDocument(
      buildGrantPolicyDocument({
        requestId: 'pr-9',
        actions: ['ec2:StopInstances'],
        resources: ['*'],
        notBefore: new Date('2026-12-01T10:00:00Z'),
        expiresAt: new Date('2026-12-01T11:30:00Z'),
      }),
    )
    expect(readPolicyDocumentExpiry(document)).toEqual(new Date('2026-12-01T11:30:00Z'))
    expect(
      readPolicyDocumentExpiry('{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Action":"*","Resource":"*"}]}'),
    ).toBeUndefined()
    expect(readPolicyDocumentExpiry('not json')).toBeUndefined()
  })

  it('is recorded as revoked at expiry, naming the unreadable file and what the parser said', () => {
    const record = buildUnreadableRecordRevocation({
      id: 'pr-9',
      unreadable: { path: 'grants/active/pr-9.yaml', blob_sha: 'a'.repeat(40), error: 'line 3: bad indentation' },
      policies: [{ ...policy, account: '111111111111', principalArn: ALICE_ROLE, explanation: '' }],
      expiresAt: policy.expiresAt,
      revokedAt: NOW,
      revokedBy: 'jit-sweeper',
      aws: [],
      repositoryUrl: 'https://github.com/acme/access',
    })
    expect(record.revocation).toMatchObject({
      reason: 'expired',
      unreadable_record: { path: 'grants/active/pr-9.yaml', blob_sha: 'a'.repeat(40), error: 'line 3: bad indentation' },
    })
    expect(record.targets.map((target) => target.aws_policy_name)).toEqual([policy.policyName])
    expect(record.expires_at).toBe('2026-12-01T11:00:00Z')
    // The app can read back what it writes: what was approved is unknown, as in an orphan's record.
    expect(parseRecordDocument({ file: 'grants/revoked/pr-9.yaml', text: formatRecordDocument(record) })).toMatchObject({ ok: true })
  })
})
