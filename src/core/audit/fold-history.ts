import type { AccessRecord, RecordedTarget } from '../records/grant-record.js'
import { isAppRecordCommit } from '../records/judge-record-authorship.js'
import { parseCommitTrailers, parseRecordDocument } from '../records/record-document.js'
import { toPlainLine } from '../text/inert-text.js'
import { shortSha } from '../text/short-sha.js'
import type { Anomaly } from './anomaly.js'
import type { GrantHistory, GrantOutcome, GrantTargetSummary, RecordCommit } from './grant-history.js'
import { formatInstant, isRecordFile, isRulesFile, type HistoryChange, type HistoryCommit } from './history-commit.js'
import { checkTrailers } from './check-trailers.js'

/** What folding a history yields: every request's story, and what is wrong in it. */
export interface AuditHistory {
  readonly grants: readonly GrantHistory[]
  readonly anomalies: readonly Anomaly[]
  /** Commits read (that touched records or rules). */
  readonly commits: number
}

export interface HistoryFold {
  /** Adds the next commit, oldest first. */
  add(commit: HistoryCommit): void
  /** The grants as they stand, and the anomalies, including those of the state at `now`. */
  finish(now: Date): AuditHistory
}

/**
 * Folds a first-parent history into grant histories, reading each record with the parser the sweep
 * uses. Only the app's own record commits (`isAppRecordCommit`: its identity and trailers) make the
 * story; a record anyone else wrote, changed or removed is an anomaly and is not believed.
 * `appLogin` unknown: identity is not checked, only the trailers.
 */
export function createHistoryFold(params: { appLogin: string | undefined; graceMs: number }): HistoryFold {
  const { appLogin, graceMs } = params
  const grants = new Map<string, GrantHistory>()
  /** The blob and commit the app last wrote at each record path. */
  const appWrites = new Map<string, { blob: string; sha: string }>()
  const anomalies: Anomaly[] = []
  /** The app's intents and active records not read yet, by grant key, oldest first. */
  const deferred = new Map<string, DeferredRecord[]>()
  let commits = 0

  const note = (commit: { sha: string; committedAt: string }, anomaly: Omit<Anomaly, 'at' | 'commit'>) =>
    anomalies.push({ at: commit.committedAt, commit: commit.sha, ...anomaly })

  const addRecordChange = (commit: HistoryCommit, change: HistoryChange) => {
    const { path } = change
    const fileId = recordKeyOf(path)
    const by = toPlainLine(commit.author.name)
    // A clone alone cannot tell GitHub's signature from a forged one (that needs GitHub's key): the audit
    // judges a record commit by its author, committer and trailers, as the README's Auditing section says.
    const pathCommit = { ...commit, blobSha: change.newBlob, signedByGitHub: true }
    if (change.newBlob === null) {
      if (!isAppRecordCommit(pathCommit, fileId.id, appLogin))
        note(commit, {
          kind: 'record-removed',
          id: fileId.id,
          path,
          message: `${path} was deleted by ${by} in ${shortSha(commit.sha)}, not by the app`,
        })
      appWrites.delete(path)
      return
    }
    if (change.text === undefined) {
      note(commit, {
        kind: 'unreadable-record',
        id: fileId.id,
        path,
        message: `${path} in ${shortSha(commit.sha)} could not be read from the clone`,
      })
      return
    }
    const key = fileId.orphanSuffix ? `${fileId.id}${fileId.orphanSuffix}` : fileId.id
    const isApp = isAppRecordCommit(pathCommit, fileId.id, appLogin)
    const folder = path.split('/')[1]
    if (isApp && fileId.orphanSuffix === null && (folder === 'pending' || folder === 'active')) {
      // Read when its outcome arrives (or at the end): see DeferredRecord.
      appWrites.set(path, { blob: change.newBlob, sha: commit.sha })
      const entries = deferred.get(key) ?? []
      entries.push({ path, text: change.text, sha: commit.sha, at: commit.committedAt, message: commit.message })
      deferred.set(key, entries)
      return
    }
    const record = readRecord(commit, path, change.text, by)
    if (record === undefined) return
    if (!isApp || record.id !== fileId.id) {
      const appWrite = appWrites.get(path)
      if (appWrite?.blob === change.newBlob) return // a person's edit undone to the letter: the app's record again
      note(
        commit,
        appWrite
          ? {
              kind: 'record-edited',
              id: record.id,
              path,
              message: `${path} was changed by ${by} in ${shortSha(commit.sha)} after the app wrote it in ${shortSha(appWrite.sha)}`,
            }
          : {
              kind: 'record-not-by-app',
              id: record.id,
              path,
              message: `${path} was written by ${by} in ${shortSha(commit.sha)}, not by the app`,
            },
      )
      return
    }
    appWrites.set(path, { blob: change.newBlob, sha: commit.sha })
    settleDeferred(key, { record, text: change.text })
    foldAppRecord(key, record, { sha: commit.sha, at: commit.committedAt, message: commit.message, path })
  }

  /** Parses a record blob with the sweep's parser; an unreadable one is an anomaly and undefined. */
  const readRecord = (commit: { sha: string; committedAt: string }, path: string, text: string, by: string): AccessRecord | undefined => {
    // A second orphan record of an id (`pr-7.orphan-….yaml`) is checked as the record it is.
    const parsed = parseRecordDocument({ file: path.replace(/\.orphan-[^/]*\.yaml$/u, '.yaml'), text })
    if (parsed.ok) return parsed.value
    const error = parsed.errors[0]!
    anomalies.push({
      at: commit.committedAt,
      commit: commit.sha,
      kind: 'unreadable-record',
      id: recordKeyOf(path).id,
      path,
      message: `${path} in ${shortSha(commit.sha)} by ${by} is not a readable record (line ${error.line}: ${toPlainLine(error.message)})`,
    })
    return undefined
  }

  const foldAppRecord = (key: string, record: AccessRecord, commit: { sha: string; at: string; message: string; path: string }) => {
    for (const message of checkTrailers(parseCommitTrailers(commit.message), record))
      anomalies.push({
        at: commit.at,
        commit: commit.sha,
        kind: 'trailer-mismatch',
        id: record.id,
        path: commit.path,
        message: `${shortSha(commit.sha)} (${commit.path}): ${message}`,
      })
    const grant = foldRecord(grants.get(key), record, { sha: commit.sha, at: commit.at, state: record.state })
    grants.set(key, grant)
    noteRecordAnomalies({ sha: commit.sha, committedAt: commit.at }, grant, record, commit.path)
  }

  /**
   * The app's intents and active records of `key` written before `outcome`: an active record that is
   * the outcome's text without its revocation, and an intent followed by a grant, are not parsed again
   * (the outcome says what they said); their commits join the story and their trailers are checked
   * against the outcome. Anything else is parsed and folded in order.
   */
  const settleDeferred = (key: string, outcome: { record: AccessRecord; text: string } | undefined) => {
    const entries = deferred.get(key)
    if (entries === undefined) return
    deferred.delete(key)
    const last = entries[entries.length - 1]!
    let reference = outcome
    if (reference === undefined) {
      const record = readRecord({ sha: last.sha, committedAt: last.at }, last.path, last.text, 'the app')
      if (record === undefined) return
      reference = { record, text: last.text }
    }
    const { record } = reference
    const granted = record.state === 'active' || record.state === 'revoked'
    for (const entry of entries) {
      const isLast = entry === last && outcome === undefined
      const derivable =
        !isLast && granted && (entry.path.startsWith('grants/pending/') || isRecordWithoutRevocation(entry.text, reference.text))
      if (derivable) {
        const state = entry.path.startsWith('grants/pending/') ? 'granting' : 'active'
        foldAppRecord(key, { ...record, state } as AccessRecord, { ...entry, message: entry.message })
        continue
      }
      const parsed = isLast ? record : readRecord({ sha: entry.sha, committedAt: entry.at }, entry.path, entry.text, 'the app')
      if (parsed !== undefined) foldAppRecord(key, parsed, entry)
    }
  }

  const noteRecordAnomalies = (commit: { sha: string; committedAt: string }, grant: GrantHistory, record: AccessRecord, path: string) => {
    const { outcome } = grant
    if (record.state === 'refused') {
      const mergedBy = record.pull_request.merged_by ? ` by ${toPlainLine(record.pull_request.merged_by)}` : ''
      note(commit, {
        kind: 'refused-merge',
        id: record.id,
        path,
        message: `#${record.pull_request.number} was merged${mergedBy} while ${record.verdict}; nothing was granted (${toPlainLine(record.summary)})`,
      })
    }
    if (outcome.kind !== 'revoked' || record.state !== 'revoked') return
    if (outcome.reason === 'orphan')
      note(commit, {
        kind: 'orphan',
        id: record.id,
        path,
        message: `the sweep found ${record.targets.map((target) => `${target.aws_policy_name} on ${target.principal}`).join(', ') || 'a policy'} with no record, and deleted it`,
      })
    if (outcome.reason === 'expired' && grant.expiresAt !== null && Date.parse(outcome.at) - Date.parse(grant.expiresAt) > graceMs)
      note(commit, {
        kind: 'late-revocation',
        id: record.id,
        path,
        message: `${record.id} expired at ${grant.expiresAt} but was revoked only at ${outcome.at} (${formatLate(Date.parse(outcome.at) - Date.parse(grant.expiresAt))} late): the sweep was not running`,
      })
  }

  return {
    add(commit) {
      commits++
      const rules = commit.changes.filter((change) => isRulesFile(change.path))
      if (rules.length > 0) {
        const subject = toPlainLine(commit.message.split('\n')[0] ?? '')
        note(commit, {
          kind: 'rules-changed',
          id: null,
          path: rules[0]!.path,
          message: `${rules.map((change) => change.path).join(', ')} changed in ${shortSha(commit.sha)} by ${toPlainLine(commit.author.name)} (committed by ${toPlainLine(commit.committer.name)}): "${subject}"`,
        })
      }
      for (const change of commit.changes) if (isRecordFile(change.path)) addRecordChange(commit, change)
    },
    finish(now) {
      for (const key of [...deferred.keys()]) settleDeferred(key, undefined)
      const found: Anomaly[] = []
      for (const grant of grants.values()) {
        if (grant.expiresAt === null || grant.dryRun) continue
        const due = Date.parse(grant.expiresAt) + graceMs
        if (due >= now.getTime()) continue
        const at = formatInstant(due)
        const last = grant.recordCommits[grant.recordCommits.length - 1]
        const common = { at, commit: last?.sha ?? null, id: grant.id, path: null }
        if (grant.outcome.kind === 'active')
          found.push({
            ...common,
            kind: 'active-past-expiry',
            message: `${grant.id} of ${grant.requester} expired at ${grant.expiresAt} and is still recorded active (${formatLate(now.getTime() - Date.parse(grant.expiresAt))} later): the sweep is not running`,
          })
        if (grant.outcome.kind === 'granting')
          found.push({
            ...common,
            kind: 'no-end',
            message: `${grant.id} of ${grant.requester} has an intent with no outcome (neither granted, failed nor revoked) past its expiry at ${grant.expiresAt}`,
          })
      }
      for (const grant of grants.values()) {
        const use = grant.breakGlass
        if (!use || use.reviewedAt !== null || Date.parse(use.reviewDue) >= now.getTime()) continue
        const last = grant.recordCommits[grant.recordCommits.length - 1]
        found.push({
          kind: 'break-glass-unreviewed',
          at: use.reviewDue,
          commit: last?.sha ?? null,
          id: grant.id,
          path: null,
          message: `${grant.id} was taken by break-glass by ${use.invokedBy} and is still unreviewed: its review was due at ${use.reviewDue}`,
        })
      }
      return { grants: [...grants.values()], anomalies: [...anomalies, ...found], commits }
    },
  }
}

/**
 * An intent or active record the app wrote, kept as text until its outcome is read: most are followed
 * by their revocation, whose record holds everything they said, so the history is parsed about once per
 * grant rather than three times.
 */
interface DeferredRecord {
  readonly path: string
  readonly text: string
  readonly sha: string
  readonly at: string
  readonly message: string
}

/**
 * Whether `revokedText` is `activeText` moved to `revoked` with a revocation added, as the sweep writes
 * it (same keys in the same order, `state` changed, `revocation` last). When this does not hold to the
 * byte, the active record is parsed on its own.
 */
function isRecordWithoutRevocation(activeText: string, revokedText: string): boolean {
  const moved = activeText.replace(/^state: active$/mu, 'state: revoked')
  return moved !== activeText && revokedText.startsWith(moved) && revokedText.slice(moved.length).startsWith('revocation:\n')
}

/** `pr-42` from `grants/active/pr-42.yaml`; an orphan's second record `pr-42.orphan-20261201T…` keeps its suffix. */
function recordKeyOf(path: string): { id: string; orphanSuffix: string | null } {
  const stem = path.slice(path.lastIndexOf('/') + 1, -'.yaml'.length)
  const orphan = /^(.*?)(\.orphan-.*)$/u.exec(stem)
  return orphan ? { id: orphan[1]!, orphanSuffix: orphan[2]! } : { id: stem, orphanSuffix: null }
}

function foldRecord(previous: GrantHistory | undefined, record: AccessRecord, commit: RecordCommit): GrantHistory {
  const recordCommits = [...(previous?.recordCommits ?? []), commit]
  const pullRequest = {
    number: record.pull_request.number,
    url: record.pull_request.url,
    mergeCommit: record.pull_request.merge_commit_sha,
    mergedBy: record.pull_request.merged_by,
  }
  const use = 'break_glass' in record ? record.break_glass : undefined
  const base = {
    id: record.id,
    requester: record.requester,
    reason: record.reason,
    ticket: record.ticket,
    pullRequest,
    recordCommits,
    breakGlass: use
      ? { invokedBy: use.invoked_by, reviewDue: use.review_due, reviewedAt: use.reviewed_at, reviewedBy: use.reviewed_by }
      : (previous?.breakGlass ?? null),
  }
  switch (record.state) {
    case 'granting':
    case 'active':
    case 'revoked': {
      const outcome: GrantOutcome =
        record.state === 'granting'
          ? { kind: 'granting' }
          : record.state === 'active' || record.revocation === undefined
            ? { kind: 'active' }
            : {
                kind: 'revoked',
                reason: record.revocation.reason,
                at: record.revocation.revoked_at,
                by: record.revocation.revoked_by,
                whileGranting: record.revocation.while_granting === true,
              }
      return {
        ...base,
        approvals: record.approvals.map((approval) => ({
          login: approval.login,
          reviewId: approval.review_id,
          submittedAt: approval.submitted_at,
        })),
        policies: record.policies.map((policy) => policy.name),
        targets: record.targets.map(summarizeTarget),
        notBefore: record.not_before,
        expiresAt: record.expires_at,
        grantedAt: record.state === 'granting' ? (previous?.grantedAt ?? null) : record.granted_at,
        dryRun: record.dry_run === true,
        outcome,
      }
    }
    case 'refused':
      return {
        ...base,
        approvals: [],
        policies: [],
        targets: [],
        notBefore: null,
        expiresAt: null,
        grantedAt: null,
        dryRun: false,
        outcome: { kind: 'refused', at: record.refused_at, verdict: record.verdict, summary: record.summary },
      }
    case 'failed':
      return {
        ...base,
        approvals: previous?.approvals ?? [],
        policies: previous?.policies ?? [],
        targets: record.targets.map(summarizeTarget),
        notBefore: previous?.notBefore ?? null,
        expiresAt: previous?.expiresAt ?? null,
        grantedAt: null,
        dryRun: record.dry_run === true,
        outcome: { kind: 'failed', at: record.failed_at, error: record.error },
      }
  }
}

function summarizeTarget(target: RecordedTarget): GrantTargetSummary {
  return {
    account: target.account,
    principal: target.principal,
    actions: target.actions,
    resources: target.resources,
    ...(target.curated_permission_set && { permissionSet: target.curated_permission_set.name }),
  }
}

/** `3 h 20 min`, `2 days`: how late, as a person says it. */
function formatLate(ms: number): string {
  const minutes = Math.round(ms / 60_000)
  if (minutes < 60) return `${minutes} min`
  const hours = Math.floor(minutes / 60)
  if (hours < 48) return `${hours} h${minutes % 60 ? ` ${minutes % 60} min` : ''}`
  return `${Math.floor(hours / 24)} days`
}
