import type { UsersAndTeams } from '../core/files/policy.js'
import { recordPath, type GrantRecord } from '../core/records/grant-record.js'
import { formatUtcMinute } from '../core/records/record-document.js'
import { escapeMarkdown, formatCode } from '../core/text/inert-text.js'
import type { ReviewDue } from '../core/records/review-due.js'
import { renderTargets } from './grant-comment.js'

const code = (text: string): string => formatCode(text)

/** `@bob @acme/security`: the reviewers, mentioned (they come from the policy files, never from the request). */
export function mentionReviewers(reviewers: UsersAndTeams): string {
  return [...reviewers.teams, ...reviewers.users.map((login) => `@${login}`)].join(' ')
}

/**
 * The comment of a break-glass grant: loud on purpose. It mentions whoever must review, says what was
 * granted without approval and until when, that their approvals on this pull request are the review,
 * and by when.
 */
export function renderBreakGlassComment(params: {
  record: GrantRecord
  branch: string
  reviewers: UsersAndTeams
  issue: { number: number } | undefined
}): string {
  const { record, branch, issue } = params
  const use = record.break_glass
  const until = formatUtcMinute(record.expires_at)
  const mentions = mentionReviewers(params.reviewers)
  const policies = record.policies.map((policy) => code(policy.name)).join(', ')
  return (
    [
      `<!-- jit:grant ${record.id} -->`,
      `## 🚨 Break-glass: ${record.id} granted without approval`,
      '',
      `@${record.requester} broke the glass: they have the access below from ${formatUtcMinute(record.not_before)} until **${until}** (${escapeMarkdown(record.duration)}), under ${policies}, **without any approval**.`,
      '',
      `- Reason: ${escapeMarkdown(record.reason)}`,
      `- Ticket: ${escapeMarkdown(record.ticket ?? '')}`,
      '',
      ...renderTargets(record),
      '',
      `${mentions ? `${mentions}: please` : 'Please'} review this now. Your approvals on this pull request, under the policy's ordinary rules, are the post-incident review; ` +
        `merging it then records the review in the grant record (nothing new is granted). The review is due by **${formatUtcMinute(use?.review_due ?? record.expires_at)}** ` +
        `(review_within ${escapeMarkdown(use?.review_within ?? '')}); unreviewed after that, the sweeper flags it.` +
        (issue ? ` Post-incident review: #${issue.number}.` : ''),
      '',
      `Recorded in ${code(recordPath('active', record.id))} on ${code(branch)}. **To end it early**, comment ${code('/jit revoke')} on this pull request. ` +
        `Otherwise it ends by itself at ${until}: AWS stops honouring it then, and the sweeper deletes it.`,
    ].join('\n') + '\n'
  )
}

/** The post-incident review issue: what happened, who reviews, by when. */
export function renderReviewIssue(params: { record: GrantRecord; reviewers: UsersAndTeams }): { title: string; body: string } {
  const { record } = params
  const use = record.break_glass
  return {
    title: `Post-incident review: ${record.id}`,
    body:
      [
        `@${record.requester} used break-glass on #${record.pull_request.number} at ${formatUtcMinute(use?.invoked_at ?? record.granted_at)} and was granted without approval until ${formatUtcMinute(record.expires_at)}.`,
        '',
        `- Reason: ${escapeMarkdown(record.reason)}`,
        `- Ticket: ${escapeMarkdown(record.ticket ?? '')}`,
        `- Actions: ${[...new Set(record.targets.flatMap((target) => target.actions))].map(code).join(', ')} in ${[...new Set(record.targets.map((target) => target.account))].map(code).join(', ')}`,
        `- Record: ${code(recordPath('active', record.id))}`,
        '',
        `${mentionReviewers(params.reviewers)}: review it by **${formatUtcMinute(use?.review_due ?? record.expires_at)}** by approving #${record.pull_request.number} under the policy's rules and merging it; the merge records the review.`,
      ].join('\n') + '\n',
  }
}

/** `login` and `@org/team` strings (as a record lists its reviewers) as users and teams. */
export function splitReviewers(reviewers: readonly string[]): UsersAndTeams {
  return { users: reviewers.filter((r) => !r.startsWith('@')), teams: reviewers.filter((r) => r.startsWith('@')) }
}

/** The sweep's flag on a break-glass grant left unreviewed past its `review_due`. */
export function renderReviewOverdueComment(marker: ReviewDue): string {
  return (
    [
      `<!-- jit:review-overdue ${marker.id} -->`,
      `## 🚩 Break-glass ${marker.id} is unreviewed past its deadline`,
      '',
      `The break-glass grant of @${marker.requester} (${formatUtcMinute(marker.invoked_at)}) was due for review by **${formatUtcMinute(marker.review_due)}** ` +
        `(review_within ${escapeMarkdown(marker.review_within)}), and nobody has reviewed it. ${mentionReviewers(splitReviewers(marker.reviewers))}: ` +
        "approve this pull request under the policy's rules and merge it to record the review.",
      '',
      `Flagged in ${code(`grants/review-due/${marker.id}.yaml`)} (\`flagged_at\`); the grant record still says \`reviewed_at: null\`.`,
    ].join('\n') + '\n'
  )
}
