import { recordPath, type RevokedGrantRecord } from '../../core/records/grant-record.js'
import type { CommitPlan, FileChange } from '../../github/commit-to-branch.js'
import { renderGrantRecordYaml } from './record-yaml.js'
import { REVOCATION_TRAILER, formatRevocationTrailer } from '../../core/records/record-document.js'

/** A revocation AWS confirmed, waiting to be committed. */
export interface ConfirmedRevocation {
  /** The record as it will be written under `grants/revoked/` (with `revocation`). */
  readonly record: RevokedGrantRecord
  /**
   * `active`: moves `grants/active/<id>.yaml`; `granting`: moves the intent `grants/pending/<id>.yaml`;
   * `orphan`: a new record for a policy no record knew; `unreadable`: replaces an active record file that
   * does not parse with the record rebuilt from AWS (git keeps the unreadable blob in history).
   */
  readonly source: 'active' | 'granting' | 'orphan' | 'unreadable'
  /** One line for the commit body, e.g. "expired at 2026-12-01T11:00:00Z; deleted jit-pr-42-... on ...". */
  readonly summary: string
}

/** The commit to write, which revocations it records, and which another writer recorded first. */
export interface RevocationCommitPlan {
  readonly plan: CommitPlan
  readonly recorded: ConfirmedRevocation[]
  readonly skipped: ConfirmedRevocation[]
}

const SUBJECT_IDS = 5

/**
 * The one commit that records a batch of revocations against the branch as it is now: a revocation
 * of an active record is kept only if that record is still active at this head (another sweeper may
 * have moved it), and an orphan only if no active record for its id appeared. Undefined when nothing
 * is left to record. The trailers (`Jit-Action: revoke`, one `Jit-Request:` per grant) let
 * `git log --grep` or a trailer parser find every revocation.
 */
export function planRevocationCommit(params: {
  revocations: readonly ConfirmedRevocation[]
  activeIds: ReadonlySet<string>
  revokedIds: ReadonlySet<string>
  /** Ids with an intent in `grants/pending/`; none when not given. */
  pendingIds?: ReadonlySet<string>
  /** The record of a full reconcile pass (`.jit/reconcile.yaml`): written in the same commit, or alone when nothing else is. */
  fullPass?: FileChange & { readonly summary: string }
}): RevocationCommitPlan | undefined {
  const pendingIds = params.pendingIds ?? new Set<string>()
  const recorded: ConfirmedRevocation[] = []
  const skipped: ConfirmedRevocation[] = []
  const changes: FileChange[] = []
  for (const revocation of params.revocations) {
    const { record } = revocation
    const active = params.activeIds.has(record.id)
    const pending = pendingIds.has(record.id)
    const stillThere =
      revocation.source === 'active' || revocation.source === 'unreadable'
        ? active
        : revocation.source === 'granting'
          ? pending && !active
          : !active && !pending
    if (!stillThere) {
      skipped.push(revocation)
      continue
    }
    recorded.push(revocation)
    if (revocation.source !== 'orphan') {
      changes.push({ path: recordPath(revocation.source === 'granting' ? 'granting' : 'active', record.id), content: null })
      changes.push({ path: recordPath('revoked', record.id), content: renderGrantRecordYaml(record) })
    } else {
      // An earlier record of the same id (a grant revoked long ago) is never overwritten.
      const path = params.revokedIds.has(record.id)
        ? `grants/revoked/${record.id}.orphan-${record.revocation.revoked_at.replace(/[-:.]/g, '')}.yaml`
        : recordPath('revoked', record.id)
      changes.push({ path, content: renderGrantRecordYaml(record) })
    }
  }
  const { fullPass } = params
  if (recorded.length === 0) {
    if (!fullPass) return undefined
    const message = `Record a full reconcile pass\n\n${fullPass.summary}\n`
    return { plan: { message, changes: [{ path: fullPass.path, content: fullPass.content }] }, recorded, skipped }
  }
  const message = renderRevocationMessage(recorded)
  if (!fullPass) return { plan: { message, changes }, recorded, skipped }
  // The full pass is one more line of the body, before the trailers.
  const [head, ...trailers] = message.split('\n\nJit-Action:')
  return {
    plan: {
      message: `${head}\n${fullPass.summary}\n\nJit-Action:${trailers.join('\n\nJit-Action:')}`,
      changes: [...changes, { path: fullPass.path, content: fullPass.content }],
    },
    recorded,
    skipped,
  }
}

/** `Revoke 3 grants: pr-41, pr-42, pr-7`, a line per grant, then the trailers. */
export function renderRevocationMessage(revocations: readonly ConfirmedRevocation[]): string {
  const ids = revocations.map((revocation) => revocation.record.id)
  const shown = ids.slice(0, SUBJECT_IDS).join(', ') + (ids.length > SUBJECT_IDS ? ` and ${ids.length - SUBJECT_IDS} more` : '')
  const subject = `Revoke ${ids.length === 1 ? 'grant' : `${ids.length} grants`}: ${shown}`
  const body = revocations.map((revocation) => {
    const { reason, revoked_by } = revocation.record.revocation
    return `${revocation.record.id} (${reason} by ${revoked_by}): ${revocation.summary}`
  })
  const trailers = [
    'Jit-Action: revoke',
    ...ids.map((id) => `Jit-Request: ${id}`),
    ...revocations.map(
      ({ record }) =>
        `${REVOCATION_TRAILER}: ${formatRevocationTrailer({ id: record.id, reason: record.revocation.reason, by: record.revocation.revoked_by })}`,
    ),
  ]
  return `${subject}\n\n${body.join('\n')}\n\n${trailers.join('\n')}\n`
}
