import type { AccessRecord, RecordState } from '../records/grant-record.js'
import { REVOCATION_TRAILER, parseRevocationTrailer } from '../records/record-document.js'

/** The record state each `Jit-Action` writes. */
const STATE_OF_ACTION: Readonly<Record<string, RecordState>> = {
  intent: 'granting',
  grant: 'active',
  revoke: 'revoked',
  refuse: 'refused',
  fail: 'failed',
}

/**
 * Where the trailers of the app's commit disagree with the record it wrote, one line each (empty when
 * they agree). Trailers an older app did not write (`Jit-Accounts`, `Jit-Start`, `Jit-Revocation`) are
 * checked only when present, so old histories stay readable.
 */
export function checkTrailers(trailers: readonly (readonly [string, string])[], record: AccessRecord): string[] {
  const values = (key: string) => trailers.filter(([name]) => name === key).map(([, value]) => value)
  const problems: string[] = []
  const compare = (key: string, expected: string | null | undefined) => {
    const found = values(key)
    if (found.length === 0 || expected === undefined) return
    if (found.length > 1 || found[0] !== (expected ?? ''))
      problems.push(`${key} says ${JSON.stringify(found.join(', '))}, the record says ${JSON.stringify(expected ?? '')}`)
  }
  const action = values('Jit-Action')[0] ?? ''
  const state = STATE_OF_ACTION[action]
  if (state === undefined) problems.push(`Jit-Action ${JSON.stringify(action)} is not one the app writes`)
  else if (state !== record.state) problems.push(`Jit-Action ${action} wrote a record in state ${record.state}`)
  if (action !== 'revoke') compare('Jit-Requester', record.requester)
  if (record.state === 'granting' || record.state === 'active' || record.state === 'revoked') {
    if (action !== 'revoke') {
      compare('Jit-Expires', record.expires_at)
      compare('Jit-Start', record.not_before)
      compare('Jit-Accounts', [...new Set(record.targets.map((target) => target.account))].join(', '))
    }
    if (action === 'grant') {
      const said = [...new Set(values('Jit-Approved-By'))].sort()
      const recorded = [...new Set(record.approvals.map((approval) => approval.login))].sort()
      if (said.join(',') !== recorded.join(','))
        problems.push(`Jit-Approved-By says ${said.join(', ') || 'nobody'}, the record says ${recorded.join(', ') || 'nobody'}`)
    }
    if (action === 'revoke' && record.state === 'revoked' && record.revocation) {
      const lines = values(REVOCATION_TRAILER)
      const mine = lines.map(parseRevocationTrailer).filter((parsed) => parsed?.id === record.id)
      const { reason, revoked_by } = record.revocation
      if (lines.length > 0 && !mine.some((parsed) => parsed?.reason === reason && parsed.by === revoked_by))
        problems.push(
          `${REVOCATION_TRAILER} says ${mine.length ? mine.map((p) => `${p!.reason} by ${p!.by}`).join(', ') : 'nothing'} for ${record.id}, the record says ${reason} by ${revoked_by}`,
        )
    }
  }
  if (record.state === 'refused') {
    compare('Jit-Verdict', record.verdict)
    compare('Jit-Merged-By', record.pull_request.merged_by)
  }
  return problems
}
