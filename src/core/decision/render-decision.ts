import type { AccessRequest } from '../files/access-request.js'
import type { Decision, Dismissal, ItemResult, PolicyResult, PushFacts, RuleResult } from './decision.js'
import { chooseNoun, formatCount } from '../text/plural.js'
import { shortSha } from '../text/short-sha.js'
import { escapeMarkdown, formatCode, toPlainLine } from '../text/inert-text.js'

export type RenderFormat = 'markdown' | 'text'

const HEADINGS: Record<Decision['verdict'], { icon: string; word: string }> = {
  approved: { icon: '✅', word: 'Approved' },
  pending: { icon: '⏳', word: 'Pending' },
  denied: { icon: '⛔', word: 'Denied' },
  invalid: { icon: '❌', word: 'Invalid' },
}

/**
 * Renders a decision for people: Markdown for the check run and PR comment, plain text for the
 * terminal. Both say the same things: what is asked, under which policy, who counted, what is missing.
 * Every text from a file or a pull request goes through `text` or `code`: in Markdown it is escaped and
 * shows as written, in the terminal it is one plain line with its invisible characters named.
 */
export function renderDecision(decision: Decision, options: { format: RenderFormat }): string {
  const md = options.format === 'markdown'
  const helpers: Helpers = {
    md,
    text: md ? escapeMarkdown : toPlainLine,
    code: md ? (value) => formatCode(value) : toPlainLine,
    cell: md ? (value) => formatCode(value, { inCell: true }) : toPlainLine,
    heading: (value) => (md ? `### ${value}` : `${value}:`),
  }
  const { text, code, heading } = helpers
  const out: string[] = []
  const verdict = HEADINGS[decision.verdict]
  out.push(md ? `## ${verdict.icon} ${text(decision.summary)}` : text(decision.summary), '')

  if (decision.verdict === 'invalid') {
    out.push(heading('Errors'))
    for (const error of decision.errors) out.push(`- ${code(`${error.file}:${error.line}`)}: ${text(error.message)}`)
    out.push('', `Fix the ${chooseNoun(decision.errors.length, 'file')} and push again; nothing can be granted until the request is valid.`)
    return out.join('\n') + '\n'
  }

  if (decision.request) out.push(...renderRequest(decision, decision.request, helpers))

  const denied = decision.items.filter((item) => !item.policy || decision.policies.find((p) => p.policy.name === item.policy)?.impossible)
  if (denied.length > 0) {
    out.push(heading('Why it is denied'))
    for (const item of denied.slice(0, DENIED_ITEMS_SHOWN)) out.push(...renderDeniedItem(item, decision, helpers))
    const unshown = denied.length - DENIED_ITEMS_SHOWN
    if (unshown > 0) out.push(`- and ${formatCount(unshown, 'more denied item')}`)
    out.push('', 'No policy, no access: ask the owners of `policies/` for a policy that covers this, or narrow the request.', '')
  }

  if (decision.policies.length > 0) {
    out.push(heading('Policies and approvals'))
    for (const result of decision.policies) out.push(...renderPolicy(result, helpers))
  }

  if (decision.dismissals && decision.dismissals.length > 0) {
    out.push(heading('Dismissed requests for changes'))
    for (const dismissal of decision.dismissals) out.push(describeDismissal(dismissal, decision))
    out.push('')
  }

  if (decision.verdict === 'pending') {
    out.push(heading('Still missing'))
    for (const line of decision.missing) out.push(`- ${text(line)}`)
    out.push('')
  }
  return out.join('\n').trimEnd() + '\n'
}

/** How many denied items are explained one by one; a reader fixes the first few, and a long list costs every render. */
export const DENIED_ITEMS_SHOWN = 50

/** How the parts of a decision are written in one format: `text` and `code` for what someone wrote, `cell` for code in a table. */
interface Helpers {
  readonly md: boolean
  readonly text: (value: string) => string
  readonly code: (value: string) => string
  readonly cell: (value: string) => string
  readonly heading: (value: string) => string
}

function renderRequest(decision: Decision, request: AccessRequest, { md, text, code, cell, heading }: Helpers): string[] {
  const out = [heading('What is requested')]
  out.push(`- Requested by @${decision.author} in ${code(request.file)}`)
  out.push(`- Reason: ${text(request.reason)}`)
  if (request.ticket) out.push(`- Ticket: ${text(request.ticket)}`)
  out.push(`- Duration: ${text(request.durationText)} (${describeDurationInWords(request.durationMs)}), ${describeWindow(request)}`)
  if (request.extends) out.push(`- Extends the active grant ${text(request.extends)}`)
  if (decision.pushes) out.push(...renderPushes(decision, decision.pushes))
  out.push('')
  // Each entry's policies, gathered in one pass over the items (a request may have a thousand of each).
  const policiesByLine = new Map<number, Set<string | undefined>>()
  for (const item of decision.items) {
    let policies = policiesByLine.get(item.item.line)
    if (!policies) policiesByLine.set(item.item.line, (policies = new Set()))
    policies.add(item.policy)
  }
  const policiesOf = (entry: { line: number }, none: string): string[] => [
    ...new Set([...(policiesByLine.get(entry.line) ?? [])].map((policy) => policy ?? none)),
  ]
  if (md) {
    out.push('| Account | Actions | Resources | Policy |', '| --- | --- | --- | --- |')
    for (const entry of request.access) {
      const policies = policiesOf(entry, '— none —')
      const [actions, resources] =
        entry.permissionSet === undefined
          ? [entry.actions.map(cell).join('<br>'), entry.resources.map(cell).join('<br>')]
          : [`permission set ${cell(entry.permissionSet)}`, 'those of the permission set']
      out.push(`| ${cell(entry.account)} | ${actions} | ${resources} | ${policies.map(text).join(', ')} |`)
    }
  } else {
    for (const entry of request.access) {
      const policies = policiesOf(entry, 'no policy')
      const what =
        entry.permissionSet === undefined
          ? `${entry.actions.map(text).join(', ')} on ${entry.resources.map(text).join(', ')}`
          : `permission set ${text(entry.permissionSet)}`
      out.push(`- account ${text(entry.account)}: ${what} (policy: ${policies.map(text).join(', ')})`)
    }
  }
  out.push('')
  return out
}

function renderDeniedItem(item: ItemResult, decision: Decision, { text, code }: Helpers): string[] {
  const requested = item.item
  const what =
    'permissionSet' in requested
      ? `permission set ${code(requested.permissionSet)} in ${code(requested.account)}`
      : `${code(requested.action)} on ${code(requested.resource)} in ${code(requested.account)}`
  const chosen = decision.policies.find((result) => result.policy.name === item.policy)
  if (chosen) {
    const rule = chosen.rules.find((result) => result.impossible)
    return [`- ${what}: policy ${text(chosen.policy.name)} can never approve it: ${text(rule?.impossible ?? 'a rule cannot be met')}`]
  }
  if (item.nearMisses.length === 0 && 'permissionSet' in requested)
    return [`- ${what}: no policy lists this permission set in grants.permission_sets, so it is not grantable`]
  if (item.nearMisses.length === 0 && !('permissionSet' in requested)) return [`- ${what}: no policy grants ${code(requested.action)}`]
  const lines = [`- ${what}: no policy applies. Policies that came close:`]
  for (const miss of item.nearMisses.slice(0, 5))
    lines.push(`  - ${text(miss.policy)} (${code(miss.file)}): ${miss.reasons.map(text).join('; ')}`)
  if (item.nearMisses.length > 5) lines.push(`  - and ${item.nearMisses.length - 5} more`)
  return lines
}

function renderPolicy(result: PolicyResult, helpers: Helpers): string[] {
  const { md, text, code } = helpers
  const status = result.satisfied ? 'satisfied' : result.impossible ? 'can never be satisfied' : 'not yet satisfied'
  const name = md ? `**${text(result.policy.name)}**` : text(result.policy.name)
  const out = [`${name} (${code(result.policy.file)}): ${status}`]
  if (result.policy.description) out.push(`  ${text(result.policy.description)}`)
  if (result.autoApproved && result.policy.autoApprove) {
    out.push(`- ✅ auto-approved: ${(result.autoApproveConditions ?? []).map((condition) => text(condition.words)).join('; ')}`)
    if (result.policy.autoApprove.windows)
      out.push('  - the window is judged again at the merge: merged after it closes, the request needs its approvals')
  } else if (result.autoApproveConditions && result.autoApproveConditions.length > 0) {
    const failed = result.autoApproveConditions.filter((condition) => !condition.held)
    out.push(`- not auto-approved: ${failed.map((condition) => text(condition.words)).join('; ')}`)
  }
  result.rules.forEach((rule, index) => out.push(...renderRule(rule, index, helpers)))
  out.push('')
  return out
}

function renderRule(rule: RuleResult, index: number, { text, code }: Helpers): string[] {
  const icon = rule.satisfied ? '✅' : rule.impossible ? '⛔' : '⏳'
  const counted = rule.counted.length
  const out = [`- ${icon} rule ${index + 1}: ${counted}/${formatCount(rule.rule.count, 'approval')} from ${text(rule.source)}`]
  if (rule.codeownersRule) out.push(`  - ownership from CODEOWNERS line ${rule.codeownersRule.line}: ${code(rule.codeownersRule.pattern)}`)
  for (const owner of rule.ownersWithoutWriteAccess ?? [])
    out.push(`  - ${owner} is a code owner without write access; GitHub ignores such owners`)
  for (const approval of rule.counted) out.push(`  - counted: @${approval.login} (approved ${shortSha(approval.commitId)})`)
  for (const ignored of rule.ignored) out.push(`  - not counted: @${ignored.login}: ${text(ignored.reason)}`)
  if (rule.impossible) out.push(`  - ${text(rule.impossible)}`)
  else if (rule.missing > 0) out.push(`  - needs ${rule.missing} more`)
  return out
}

function renderPushes(decision: Decision, pushes: PushFacts): string[] {
  const out: string[] = []
  const seen = pushes.pushes.map((push) => `@${push.login} pushed ${shortSha(push.sha)}`)
  if (seen.length > 0) out.push(`- Pushes: ${seen.join(', ')}`)
  if (!pushes.headPusherKnown)
    out.push(
      `- Who pushed ${shortSha(decision.headSha)} (the head commit) is unknown: the app did not see that push, so no approval counts`,
    )
  return out
}

function describeDismissal(dismissal: Dismissal, decision: Decision): string {
  if (dismissal.lifted) return `- @${dismissal.reviewer}'s request for changes was dismissed by @${dismissal.by}; it no longer blocks`
  const who = dismissal.by === decision.author ? 'the author' : 'who pushed to this pull request'
  return `- @${dismissal.reviewer}'s request for changes was dismissed by @${dismissal.by}, ${who}; it still blocks: a dismissal by the author or a pusher does not count`
}

function describeWindow(request: AccessRequest): string {
  if (!request.start) return 'starting when granted (on merge)'
  const end = new Date(request.start.getTime() + request.durationMs)
  return `from ${formatUtc(request.start)} to ${formatUtc(end)}`
}

/** `2026-12-01 09:00 UTC`. */
export function formatUtc(time: Date): string {
  return `${time.toISOString().slice(0, 16).replace('T', ' ')} UTC`
}

/** `2 hours`, `1 day 6 hours`, `45 minutes`. */
export function describeDurationInWords(ms: number): string {
  const minutes = Math.round(ms / 60_000)
  const parts: string[] = []
  const days = Math.floor(minutes / 1440)
  const hours = Math.floor((minutes % 1440) / 60)
  const rest = minutes % 60
  if (days) parts.push(formatCount(days, 'day'))
  if (hours) parts.push(formatCount(hours, 'hour'))
  if (rest) parts.push(formatCount(rest, 'minute'))
  return parts.join(' ') || '0 minutes'
}
