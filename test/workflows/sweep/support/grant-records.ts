import type { GrantRecord } from '../../../../src/core/records/grant-record.js'

export const ALICE_ROLE = 'arn:aws:iam::111111111111:role/jit-alice'
const SHA = 'a'.repeat(40)

/** A valid active record (it passes the record schema), ending at `expiresAt`. */
export function activeRecord(params: {
  number: number
  expiresAt: string
  principal?: string
  extends?: string | null
  revokeSessions?: boolean
  requester?: string
  approvers?: string[]
}): GrantRecord {
  const id = `pr-${params.number}`
  const compact = params.expiresAt.replace(/[-:]/g, '').replace(/\.\d{3}/, '')
  return {
    id,
    state: 'active',
    request: { path: `requests/${id}.yaml`, blob_sha: SHA },
    pull_request: {
      number: params.number,
      url: `https://github.com/acme/access/pull/${params.number}`,
      merge_commit_sha: SHA,
      merged_by: 'bob',
    },
    requester: params.requester ?? 'alice',
    reason: 'incident INC-1',
    ticket: null,
    duration: '1h',
    extends: params.extends ?? null,
    approvals: (params.approvers ?? ['bob']).map((login) => ({
      login,
      review_id: 7,
      commit: SHA,
      submitted_at: '2026-12-01T09:00:00Z',
      rule: 'ops rule 1: @acme/sre',
    })),
    policies: [{ name: 'ops', file: 'policies/ops.yaml', blob_sha: SHA }],
    targets: [
      {
        account: '111111111111',
        principal: params.principal ?? ALICE_ROLE,
        actions: ['ec2:StopInstances'],
        resources: ['*'],
        aws_policy_name: `jit-${id}-exp-${compact}`,
      },
    ],
    not_before: '2026-12-01T09:00:00Z',
    expires_at: params.expiresAt,
    granted_at: '2026-12-01T09:00:01Z',
    revoke_sessions: params.revokeSessions ?? false,
  }
}
