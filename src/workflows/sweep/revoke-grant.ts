import type { CloudProvider } from '../../core/ports/cloud-provider.js'
import type { GrantRecord, RevocationReason, RevokedGrantRecord } from '../../core/records/grant-record.js'
import { buildRevokedRecord, listRevokeTargets } from '../../core/records/plan-sweep.js'
import type { GitHubApi } from '../../github/github-api.js'
import { commitRevocations } from './commit-revocations.js'
import { type DefaultBranch, readDefaultBranch, readLiveRecord } from './read-grant-records.js'
import { grantOfIntent } from '../../core/records/grant-intent.js'
import { nameRepositoryNamespace } from '../../aws/repository-namespace.js'
import { shortSha } from '../../core/text/short-sha.js'
import { readSettingsOrDefaults } from '../../core/files/settings.js'
import { SILENT_NOTIFIER, type Notifier } from '../../core/ports/notifier.js'
import { notifyRevocations } from '../notify/notify-records.js'
import { judgeLiveRecord, type TamperedRecord } from './tampered-records.js'

/** What revoking one grant did, in words for a comment or a terminal; `tampered` when its record was edited by hand. */
export type RevokeGrantResult = RevokeGrantStatus & { readonly tampered?: TamperedRecord }

type RevokeGrantStatus =
  | { readonly status: 'not-active'; readonly id: string; readonly explanation: string }
  | { readonly status: 'refused'; readonly id: string; readonly record: GrantRecord; readonly explanation: string }
  | { readonly status: 'failed'; readonly id: string; readonly record: GrantRecord; readonly explanation: string }
  | { readonly status: 'would-revoke'; readonly id: string; readonly record: GrantRecord; readonly explanation: string }
  | {
      readonly status: 'revoked'
      readonly id: string
      readonly record: RevokedGrantRecord
      readonly commitSha: string | undefined
      readonly explanation: string
    }

/**
 * Revokes one grant now (`/jit revoke`, `jit revoke <id>`): reads its record at the default branch head
 * (active, or an intent in `grants/pending/`: a grant being written, or left behind by a crash, may be
 * live), asks `authorize` (a refusal is returned, nothing is touched), deletes its policies, and commits
 * the record to `grants/revoked/` only once AWS confirmed. If a sweep recorded it first, the commit is
 * skipped and the result says so. A grant workflow still writing the intent's grant finds the intent gone
 * when it commits its outcome, and undoes its put.
 */
export async function revokeGrant(params: {
  api: GitHubApi
  owner: string
  repo: string
  provider: CloudProvider
  id: string
  revokedBy: string
  reason: RevocationReason
  now: Date
  dryRun?: boolean
  /** Returns why the revocation is refused, or undefined to go ahead. */
  authorize?: (record: GrantRecord) => string | undefined
  /** Already read by the caller (to read the settings the provider needs). */
  branch?: DefaultBranch
  /** Told the revocation once it is committed (default: nobody). */
  notifier?: Notifier
  /** The app's bot login: a record last written by anyone else is not obeyed (see `judgeRecordAuthorship`). */
  appLogin?: string
}): Promise<RevokeGrantResult> {
  const { api, owner, repo, id, now } = params
  const branch = params.branch ?? (await readDefaultBranch({ api, owner, repo }))
  const read = await readLiveRecord({ api, owner, repo, commitSha: branch.commitSha, id })
  if (!read)
    return {
      status: 'not-active',
      id,
      explanation: `${id} has no active grant on ${branch.name} (it was never granted, or it was already revoked)`,
    }
  // A record edited by hand is not obeyed: who may revoke, and what is deleted, come from the app's own last record.
  const judged = await judgeLiveRecord({ api, owner, repo, commitSha: branch.commitSha, live: read, appLogin: params.appLogin })
  const tampered = judged.tampered ? { tampered: judged.tampered } : {}
  const live = judged.live
  if (!live)
    return {
      status: 'not-active',
      id,
      explanation: judged.tampered?.explanation ?? `${id} has no record the app wrote`,
      ...tampered,
    }
  const whileGranting = live.state === 'granting'
  const record = live.state === 'granting' ? grantOfIntent(live.record) : live.record
  const refusal = params.authorize?.(record)
  if (refusal !== undefined) return { status: 'refused', id, record, explanation: refusal, ...tampered }

  const outcome = await params.provider.revoke({
    namespace: nameRepositoryNamespace({ owner, repo }),
    requestId: id,
    targets: listRevokeTargets(record),
    revokedAt: now,
    cutSessions: record.revoke_sessions,
  })
  if (outcome.dryRun) {
    // What a dry run would do, target by target: which granter session, what it would delete where.
    const steps = outcome.targets.map((target) => target.description).join('; ')
    return { status: 'would-revoke', id, record, explanation: steps ? `${outcome.summary}: ${steps}` : outcome.summary, ...tampered }
  }
  if (!outcome.ok)
    return {
      status: 'failed',
      id,
      record,
      explanation: `${outcome.summary}; the grant stays active (the sweep retries it once it expires)`,
      ...tampered,
    }

  const revoked = buildRevokedRecord({ record, revokedAt: now, revokedBy: params.revokedBy, reason: params.reason, outcome, whileGranting })
  const summary = `revoked ${params.reason === 'early' ? 'early ' : ''}by ${params.revokedBy} before ${record.expires_at}; ${outcome.summary}`
  const committed = await commitRevocations({
    api,
    owner,
    repo,
    branch: branch.name,
    readAt: {
      commitSha: branch.commitSha,
      records: whileGranting ? [] : [record],
      intents: live.state === 'granting' ? [live.record] : [],
      revokedIds: new Set(),
    },
    revocations: [{ record: revoked, source: live.state, summary }],
  })
  if (committed.commitSha)
    notifyRevocations(params.notifier ?? SILENT_NOTIFIER, {
      sinks: readSettingsOrDefaults(branch.settingsText).settings.notifications,
      records: [revoked],
      repository: `${owner}/${repo}`,
      at: now,
    })
  const note = committed.commitSha ? `recorded in ${shortSha(committed.commitSha)}` : 'another writer recorded its revocation first'
  return {
    status: 'revoked',
    id,
    record: revoked,
    commitSha: committed.commitSha,
    explanation: `${outcome.summary}; ${note}`,
    ...tampered,
  }
}
