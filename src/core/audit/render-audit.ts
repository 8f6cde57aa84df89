import { toPlainLine } from '../text/inert-text.js'
import { shortSha } from '../text/short-sha.js'
import type { Anomaly } from './anomaly.js'
import { accountsOf, describeOutcome, endOf, type GrantHistory, type GrantTargetSummary } from './grant-history.js'
import type { Holder } from './select-grants.js'

/** One grant as a flat row: what the table, the CSV and the page show (stable keys: the CSV's columns). */
export interface GrantRow {
  readonly id: string
  readonly requester: string
  readonly approvers: string
  readonly review_ids: string
  readonly reason: string
  readonly ticket: string
  readonly policies: string
  readonly accounts: string
  readonly actions: string
  readonly resources: string
  readonly not_before: string
  readonly expires_at: string
  readonly outcome: string
  readonly ended_at: string
  readonly ended_by: string
  readonly pull_request: string
  readonly merged_by: string
  readonly record_commits: string
}

export const GRANT_COLUMNS: readonly (keyof GrantRow)[] = [
  'id',
  'requester',
  'approvers',
  'review_ids',
  'reason',
  'ticket',
  'policies',
  'accounts',
  'actions',
  'resources',
  'not_before',
  'expires_at',
  'outcome',
  'ended_at',
  'ended_by',
  'pull_request',
  'merged_by',
  'record_commits',
]

const unique = (values: readonly string[]) => [...new Set(values)]

export function toGrantRow(grant: GrantHistory): GrantRow {
  const { outcome } = grant
  return {
    id: grant.id,
    requester: grant.requester,
    approvers: unique(grant.approvals.map((approval) => approval.login)).join(' '),
    review_ids: grant.approvals.map((approval) => (approval.reviewId === null ? '-' : String(approval.reviewId))).join(' '),
    reason: grant.reason,
    ticket: grant.ticket ?? '',
    policies: grant.policies.join(' '),
    accounts: accountsOf(grant).join(' '),
    actions: unique(grant.targets.flatMap(describeTargetActions)).join(' '),
    resources: unique(grant.targets.flatMap((target) => target.resources)).join(' '),
    not_before: grant.notBefore ?? '',
    expires_at: grant.expiresAt ?? '',
    outcome: describeOutcome(outcome) + (grant.dryRun ? ' (dry run)' : ''),
    ended_at: outcome.kind === 'active' || outcome.kind === 'granting' ? '' : (endOf(grant) ?? ''),
    ended_by: outcome.kind === 'revoked' ? outcome.by : '',
    pull_request: grant.pullRequest.url,
    merged_by: grant.pullRequest.mergedBy ?? '',
    record_commits: grant.recordCommits.map((commit) => commit.sha).join(' '),
  }
}

/**
 * CSV (RFC 4180) with a header row: every field quoted, quotes doubled. A field a spreadsheet would run
 * as a formula (`=`, `+`, `-`, `@`, tab or carriage return first) gets a leading `'`, so a reason like
 * `=HYPERLINK(...)` stays text in an auditor's spreadsheet.
 */
export function renderCsv<Row extends object>(columns: readonly (keyof Row & string)[], rows: readonly Row[]): string {
  const cell = (value: unknown) => {
    const text = String(value ?? '')
    const inert = /^[=+\-@\t\r]/u.test(text) ? `'${text}` : text
    return `"${inert.replaceAll('"', '""')}"`
  }
  return [columns.map(cell).join(','), ...rows.map((row) => columns.map((column) => cell(row[column])).join(','))].join('\r\n') + '\r\n'
}

/** A plain-text table: columns padded to their widest cell (capped), text made one inert line. */
export function renderTable(columns: readonly string[], rows: readonly (readonly string[])[], maxWidth = 48): string {
  const clip = (text: string) => {
    const line = toPlainLine(text)
    return line.length > maxWidth ? `${line.slice(0, maxWidth - 1)}…` : line
  }
  const cells = [columns.map(clip), ...rows.map((row) => row.map(clip))]
  const widths = columns.map((_, index) => Math.max(...cells.map((row) => (row[index] ?? '').length)))
  return (
    cells
      .map((row) =>
        row
          .map((cell, index) => cell.padEnd(widths[index]!))
          .join('  ')
          .trimEnd(),
      )
      .join('\n') + '\n'
  )
}

export function renderTimelineTable(grants: readonly GrantHistory[]): string {
  if (grants.length === 0) return 'No grant in range.\n'
  return renderTable(
    ['id', 'requester', 'approved by', 'accounts', 'actions', 'window', 'outcome', 'ended', 'reason'],
    grants.map((grant) => {
      const row = toGrantRow(grant)
      const window = grant.notBefore && grant.expiresAt ? `${grant.notBefore} → ${grant.expiresAt}` : ''
      const ended = row.ended_at ? `${row.ended_at}${row.ended_by ? ` by ${row.ended_by}` : ''}` : ''
      return [row.id, row.requester, row.approvers, row.accounts, row.actions, window, row.outcome, ended, row.reason]
    }),
  )
}

export interface HolderRow {
  readonly id: string
  readonly requester: string
  readonly from: string
  readonly to: string
  readonly principals: string
  readonly actions: string
  readonly resources: string
  readonly approvers: string
  readonly review_ids: string
  readonly outcome: string
  readonly pull_request: string
  readonly record_commits: string
}

export const HOLDER_COLUMNS: readonly (keyof HolderRow)[] = [
  'id',
  'requester',
  'from',
  'to',
  'principals',
  'actions',
  'resources',
  'approvers',
  'review_ids',
  'outcome',
  'pull_request',
  'record_commits',
]

export function toHolderRow(holder: Holder): HolderRow {
  const row = toGrantRow(holder.grant)
  return {
    id: row.id,
    requester: row.requester,
    from: holder.from,
    to: holder.to,
    principals: unique(holder.targets.map((target) => target.principal)).join(' '),
    actions: unique(holder.targets.flatMap(describeTargetActions)).join(' '),
    resources: unique(holder.targets.flatMap((target) => target.resources)).join(' '),
    approvers: row.approvers,
    review_ids: row.review_ids,
    outcome: row.outcome,
    pull_request: row.pull_request,
    record_commits: row.record_commits,
  }
}

export function renderHoldersTable(holders: readonly Holder[]): string {
  if (holders.length === 0) return 'Nobody held a grant that covers it then.\n'
  return renderTable(
    ['id', 'requester', 'held from', 'held to', 'principal', 'approved by (review)', 'outcome', 'records'],
    holders.map((holder) => {
      const row = toHolderRow(holder)
      const approvals = holder.grant.approvals.map((approval) => `${approval.login} (${approval.reviewId ?? '-'})`).join(' ')
      const records = holder.grant.recordCommits.map((commit) => shortSha(commit.sha)).join(' ')
      return [row.id, row.requester, row.from, row.to, row.principals, approvals, row.outcome, records]
    }),
  )
}

export const ANOMALY_COLUMNS: readonly (keyof Anomaly)[] = ['kind', 'at', 'id', 'path', 'commit', 'message']

export function renderAnomaliesTable(anomalies: readonly Anomaly[]): string {
  if (anomalies.length === 0) return 'No anomaly found.\n'
  return (
    renderTable(
      ['kind', 'at', 'id', 'commit', 'what'],
      anomalies.map((anomaly) => [
        anomaly.kind,
        anomaly.at,
        anomaly.id ?? '',
        anomaly.commit ? shortSha(anomaly.commit) : '',
        anomaly.message,
      ]),
      200,
    ) + `${anomalies.length} ${anomalies.length === 1 ? 'anomaly' : 'anomalies'}.\n`
  )
}

/** A target's actions as the audit lists them; a curated permission set as `permission-set:<name>`. */
function describeTargetActions(target: GrantTargetSummary): readonly string[] {
  return target.permissionSet === undefined ? target.actions : [`permission-set:${target.permissionSet}`]
}
