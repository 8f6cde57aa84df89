import type { GrantOutcome, GrantProgress } from '../core/ports/cloud-provider.js'
import { recordPath, type FailureRecord, type GrantRecord, type RefusalRecord } from '../core/records/grant-record.js'
import { formatUtcMinute } from '../core/records/record-document.js'
import { escapeMarkdown, formatCode } from '../core/text/inert-text.js'

/** What the grant workflow tells the pull request, once per merge. */
export type GrantCommentSubject =
  | { readonly kind: 'granted'; readonly record: GrantRecord; readonly branch: string }
  | { readonly kind: 'refused'; readonly record: RefusalRecord; readonly branch: string; readonly explanation: string }
  | { readonly kind: 'failed'; readonly record: FailureRecord; readonly branch: string; readonly outcome?: GrantOutcome }
  /** GitHub failed us part-way; `granted` is set when AWS already holds the grant that could not be recorded. */
  | {
      readonly kind: 'error'
      readonly requestId: string
      readonly problem: string
      readonly deliveryId: string
      readonly granted?: GrantRecord
    }

const code = (text: string): string => formatCode(text)
const cell = (text: string): string => formatCode(text, { inCell: true })
/** A login that does not notify (the requester is the only one the comment pings). */
const quiet = (login: string): string => code(`@${login}`)

const REDELIVER =
  "An admin can redeliver this webhook safely (the app's settings on GitHub → Advanced → Recent deliveries → Redeliver): " +
  'the app checks for an existing record before granting, and a grant for the same merge puts the same AWS policy again rather than a second one.'

/**
 * Renders the comment the app posts on a merged request pull request: what was granted, to which
 * principal, until when (UTC), and how to end it early; or why nothing was granted.
 */
export function renderGrantComment(subject: GrantCommentSubject): string {
  switch (subject.kind) {
    case 'granted':
      return renderGranted(subject.record, subject.branch)
    case 'refused':
      return renderRefused(subject.record, subject.branch, subject.explanation)
    case 'failed':
      return renderFailed(subject.record, subject.branch, subject.outcome)
    case 'error':
      return renderError(subject)
  }
}

/**
 * The grant comment while a slow grant waits on the cloud, e.g. "Granting in 2 accounts: `111111111111`
 * assigned, `222222222222` still provisioning (40 s)…". The outcome replaces it in the same comment.
 */
export function renderGrantProgress(progress: GrantProgress, now: Date): string {
  const accounts = progress.targets.length === 1 ? '1 account' : `${progress.targets.length} accounts`
  const states = progress.targets.map((target) => {
    switch (target.stage) {
      case 'granted':
        return `${code(target.account)} assigned`
      case 'provisioning':
        return `${code(target.account)} still provisioning (${describeWait(now.getTime() - target.since.getTime())})`
      case 'waiting':
        return `${code(target.account)} not started yet`
    }
  })
  return (
    [
      marker(progress.requestId),
      `## ⏳ Granting ${progress.requestId}`,
      '',
      `Granting in ${accounts}: ${states.join(', ')}…`,
      '',
      `AWS is taking a while: IAM Identity Center applies account assignments asynchronously. The grant started ${describeWait(now.getTime() - progress.startedAt.getTime())} ago; this comment shows its outcome when AWS is done.`,
    ].join('\n') + '\n'
  )
}

/** A wait in words a reviewer reads at a glance: seconds up to two minutes, then minutes. */
function describeWait(ms: number): string {
  const seconds = Math.max(0, Math.round(ms / 1000))
  return seconds < 120 ? `${seconds} s` : `${Math.round(seconds / 60)} min`
}

function marker(id: string): string {
  return `<!-- jit:grant ${id} -->`
}

/** What holds a target's access in AWS: the inline policy on an IAM principal, or the permission set of Identity Center. */
function describeAwsHolder(target: GrantRecord['targets'][number]): string {
  return `${target.permission_set ? 'permission set' : 'inline policy'} ${cell(target.aws_policy_name)}`
}

/** The table of what a grant gives, per target: the grant comment's and the break-glass announcement's. */
export function renderTargets(record: GrantRecord): string[] {
  return [
    '| Account | Principal | Actions | Resources | In AWS |',
    '| --- | --- | --- | --- | --- |',
    ...record.targets.map((target) =>
      target.curated_permission_set
        ? `| ${cell(target.account)} | ${cell(target.principal)} | those of permission set ${cell(target.curated_permission_set.name)}, copied with a deny outside the window | — | ${describeAwsHolder(target)} |`
        : `| ${cell(target.account)} | ${cell(target.principal)} | ${target.actions.map(cell).join('<br>')} | ${target.resources.map(cell).join('<br>')} | ${describeAwsHolder(target)} |`,
    ),
  ]
}

function renderGranted(record: GrantRecord, branch: string): string {
  const until = formatUtcMinute(record.expires_at)
  const from = formatUtcMinute(record.not_before)
  const approvers = [...new Set(record.approvals.map((approval) => approval.login))]
  const approved = approvers.length > 0 ? `approved by ${approvers.map(quiet).join(', ')}` : 'auto-approved'
  const policies = record.policies.map((policy) => code(policy.name)).join(', ')
  const out = record.dry_run
    ? [
        marker(record.id),
        `## 🧪 Dry run: ${record.id} would have been granted`,
        '',
        'The app runs with `JIT_DRY_RUN=1`: **nothing was written to AWS.** Without it, this merge would have given ' +
          `@${record.requester} the access below from ${from} until **${until}** (${record.duration}), ${approved} under ${policies}.`,
      ]
    : [
        marker(record.id),
        `## ✅ Access granted: ${record.id}`,
        '',
        `@${record.requester} has the access below from ${from} until **${until}** (${record.duration}), ${approved} under ${policies}.`,
      ]
  out.push('', ...renderTargets(record), '')
  out.push(`Recorded in ${code(recordPath(record.state, record.id))} on ${code(branch)}.`)
  if (!record.dry_run) {
    out.push(
      '',
      `**To end it early**, comment ${code('/jit revoke')} on this pull request (the requester or an approver may). ` +
        `Otherwise it ends by itself at ${until}: AWS stops honouring it then, and the sweeper deletes it.`,
    )
  }
  return out.join('\n') + '\n'
}

function renderRefused(record: RefusalRecord, branch: string, explanation: string): string {
  const by = record.pull_request.merged_by ? ` by ${quiet(record.pull_request.merged_by)}` : ''
  return (
    [
      marker(record.id),
      `## ⛔ Nothing granted: ${record.id} was merged without approval`,
      '',
      `This pull request was merged${by} while the access check said: **${escapeMarkdown(record.summary)}**`,
      '',
      `No access was granted in AWS. The merge is recorded in ${code(recordPath('refused', record.id))} on ${code(branch)}, so the bypass is part of the audit trail.`,
      'To get this access, open a new request pull request and merge it once the check is green.',
      '',
      '<details><summary>The decision at the merge</summary>',
      '',
      explanation.trim(),
      '',
      '</details>',
    ].join('\n') + '\n'
  )
}

function renderFailed(record: FailureRecord, branch: string, outcome?: GrantOutcome): string {
  const out = [
    marker(record.id),
    `## ❌ Grant failed: ${record.id}`,
    '',
    `The request was approved, but ${record.dry_run ? 'the dry run found that the grant would fail' : 'the grant failed'}: ${escapeMarkdown(record.error)}`,
    '',
  ]
  if (record.targets.length > 0) {
    out.push('What happened on each target:')
    for (const target of record.targets) out.push(`- ${code(target.account)} ${code(target.principal)}: ${escapeMarkdown(target.outcome)}`)
    out.push('')
  }
  const leftOver = (outcome?.targets ?? []).filter((target) => target.status === 'rollback-failed')
  if (leftOver.length === 0) {
    out.push('Nothing was left granted.')
  } else {
    out.push(
      `⚠️ ${leftOver.map((target) => `${code(target.policyName)} on ${code(target.principalArn)}`).join(', ')} could not be deleted after the failure: ` +
        'it stays until its expiry, when AWS stops honouring it, and the sweeper deletes it.',
    )
  }
  out.push(
    '',
    `Recorded in ${code(recordPath('failed', record.id))} on ${code(branch)}. To try again, fix the cause and open a new request pull request.`,
  )
  return out.join('\n') + '\n'
}

function renderError(subject: Extract<GrantCommentSubject, { kind: 'error' }>): string {
  const out = [
    marker(subject.requestId),
    `## ⚠️ The grant of ${subject.requestId} did not complete`,
    '',
    escapeMarkdown(subject.problem),
    '',
  ]
  if (subject.granted) {
    const record = subject.granted
    out.push(
      `**The access was granted in AWS** (${record.targets.map((target) => code(target.aws_policy_name)).join(', ')}, until ${formatUtcMinute(record.expires_at)}), ` +
        `but its record ${code(recordPath('active', record.id))} could not be committed. The access still ends at its expiry (AWS enforces it), ` +
        'and the sweeper finds the unrecorded policy by its name.',
    )
  } else {
    out.push('Nothing was granted in AWS.')
  }
  out.push('', `${REDELIVER} (delivery ${code(subject.deliveryId)}).`)
  return out.join('\n') + '\n'
}
