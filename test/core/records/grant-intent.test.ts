import { describe, expect, it } from 'vitest'
import type { GrantInspection, PolicyFound } from '../../../src/core/ports/cloud-provider.js'
import { completeIntent, failIntent, planFromIntent, resolveIntent } from '../../../src/core/records/grant-intent.js'
import type { IntentRecord } from '../../../src/core/records/grant-record.js'
import {
  parseRecordDocument,
  formatRecordDocument,
  formatRecordCommitMessage,
  parseCommitTrailers,
} from '../../../src/core/records/record-document.js'
import { GRANT } from '../../fixtures/grant/records.js'

const { granted_at: _grantedAt, dry_run: _dryRun, revocation: _revocation, ...story } = GRANT
const INTENT: IntentRecord = { ...story, state: 'granting', intended_at: '2026-11-29T09:30:07Z' }
const GRACE = 15 * 60_000
const at = (iso: string) => new Date(iso)

/** What AWS holds under each target's planned name. */
function inspection(...found: PolicyFound[]): GrantInspection {
  return {
    requestId: INTENT.id,
    dryRun: false,
    targets: INTENT.targets.map((target, index) => ({
      account: target.account,
      principalArn: target.principal,
      policyName: target.aws_policy_name,
      policyDocument: '{}',
      found: found[index] ?? 'absent',
      description: `${target.aws_policy_name} is ${found[index] ?? 'absent'}`,
    })),
  }
}

describe('resolveIntent: what the sweep does with a grant left granting', () => {
  const cases: { name: string; found: PolicyFound[] | undefined; now: string; kind: string }[] = [
    { name: 'too young to judge: the grant may be running now', found: ['as-planned'], now: '2026-11-29T09:40:00Z', kind: 'wait' },
    { name: 'not read back (inside the grace)', found: undefined, now: '2026-11-29T10:00:00Z', kind: 'wait' },
    { name: 'in AWS as planned, window open: complete it', found: ['as-planned'], now: '2026-11-29T10:00:00Z', kind: 'complete' },
    {
      name: 'in AWS as planned, window ended: delete it, record it revoked',
      found: ['as-planned'],
      now: '2026-11-29T12:00:00Z',
      kind: 'expire',
    },
    { name: 'not in AWS: nothing to delete, record the failure', found: ['absent'], now: '2026-11-29T10:00:00Z', kind: 'undo' },
    { name: 'a document nobody approved: delete it', found: ['different'], now: '2026-11-29T10:00:00Z', kind: 'undo' },
  ]
  for (const { name, found, now, kind } of cases) {
    it(name, () => {
      const resolution = resolveIntent({ intent: INTENT, inspection: found && inspection(...found), now: at(now), graceMs: GRACE })
      expect(resolution.kind).toBe(kind)
    })
  }

  it('undoes exactly what it found, and says what it read back', () => {
    const resolution = resolveIntent({
      intent: INTENT,
      inspection: inspection('different'),
      now: at('2026-11-29T10:00:00Z'),
      graceMs: GRACE,
    })
    expect(resolution).toEqual({
      kind: 'undo',
      explanation: `pr-42 was left granting since 2026-11-29T09:30:07Z and AWS does not hold it as planned; read back from AWS: ${INTENT.targets[0]?.aws_policy_name} is different`,
      present: [
        {
          account: INTENT.targets[0]?.account,
          principalArn: INTENT.targets[0]?.principal,
          policyName: INTENT.targets[0]?.aws_policy_name,
          policyDocument: '{}',
        },
      ],
    })
    const absent = resolveIntent({ intent: INTENT, inspection: inspection('absent'), now: at('2026-11-29T10:00:00Z'), graceMs: GRACE })
    expect(absent.kind === 'undo' && absent.present).toEqual([])
  })
})

describe('the intent record', () => {
  it('is a document of its own state in grants/pending/, committed with Jit-Action: intent', () => {
    const parsed = parseRecordDocument({ file: 'grants/pending/pr-42.yaml', text: formatRecordDocument(INTENT) })
    expect(parsed).toEqual({ ok: true, value: INTENT })
    expect(parseRecordDocument({ file: 'grants/active/pr-42.yaml', text: formatRecordDocument(INTENT) }).ok).toBe(false)
    expect(parseCommitTrailers(formatRecordCommitMessage(INTENT))).toContainEqual(['Jit-Action', 'intent'])
  })

  it('plans exactly the grant it names, and becomes the active or the failure record', () => {
    expect(planFromIntent(INTENT)).toMatchObject({
      requestId: 'pr-42',
      notBefore: new Date(INTENT.not_before),
      expiresAt: new Date(INTENT.expires_at),
      targets: INTENT.targets.map((target) => ({ account: target.account, principalArn: target.principal, actions: target.actions })),
    })
    expect(completeIntent(INTENT, at('2026-11-29T10:00:00Z'))).toEqual({ ...story, granted_at: '2026-11-29T10:00:00Z' })
    const failed = failIntent({ intent: INTENT, error: 'not in AWS', failedAt: at('2026-11-29T10:00:00Z'), targets: [] })
    expect(failed).toMatchObject({ state: 'failed', error: 'not in AWS', targets: [{ outcome: 'not-attempted', error: null }] })
    expect(parseRecordDocument({ file: 'grants/failed/pr-42.yaml', text: formatRecordDocument(failed) }).ok).toBe(true)
  })
})

describe('completeIntent of a curated permission set', () => {
  it('names what the read-back found copied, as the grant record would', () => {
    const curated: IntentRecord = {
      ...INTENT,
      targets: [
        {
          account: '111111111111',
          principal: 'identity-center-user:alice@acme.com',
          actions: [],
          resources: [],
          aws_policy_name: 'jit-a9ad9cb2-pr-42',
          curated_permission_set: { name: 'ReadOnlyAccess' },
        },
      ],
    }
    const copied = {
      name: 'ReadOnlyAccess',
      arn: 'arn:aws:sso:::permissionSet/ssoins-1234567890abcdef/ps-0123456789abcdef',
      managedPolicyArns: ['arn:aws:iam::aws:policy/ReadOnlyAccess'],
      customerManagedPolicies: [{ name: 'logs', path: '/' }],
      inlinePolicy: '',
    }
    const read: GrantInspection = {
      requestId: INTENT.id,
      dryRun: false,
      targets: [
        {
          account: '111111111111',
          principalArn: 'identity-center-user:alice@acme.com',
          policyName: 'jit-a9ad9cb2-pr-42',
          policyDocument: '{}',
          found: 'as-planned',
          description: 'assigned',
          copied,
        },
      ],
    }
    expect(planFromIntent(curated).targets[0]!.permissionSet).toBe('ReadOnlyAccess')
    expect(completeIntent(curated, at('2026-11-29T10:00:00Z'), read).targets[0]!.curated_permission_set).toEqual({
      name: 'ReadOnlyAccess',
      arn: copied.arn,
      managed_policies: ['arn:aws:iam::aws:policy/ReadOnlyAccess'],
      customer_managed_policies: [{ name: 'logs', path: '/' }],
      inline_policy: '',
    })
    expect(completeIntent(curated, at('2026-11-29T10:00:00Z')).targets[0]!.curated_permission_set).toEqual({ name: 'ReadOnlyAccess' })
  })
})
