import type { Decision } from '../core/decision/decision.js'
import { describeDurationInWords, formatUtc } from '../core/decision/render-decision.js'
import { CHECK_NAME } from './check-run-report.js'
import { shortSha } from '../core/text/short-sha.js'
import { escapeMarkdown, formatCode } from '../core/text/inert-text.js'

/** Opens the app's one comment on a request PR; also records who was already mentioned. */
export const COMMENT_MARKER = '<!-- jit:request'

/** The handles (`@login`, `@org/team`, lower-cased) recorded in a comment's marker as already mentioned. */
export function readMentioned(body: string): Set<string> {
  const match = /<!-- jit:request mentioned="([^"]*)" -->/u.exec(body)
  return new Set(
    (match?.[1] ?? '')
      .split(' ')
      .filter(Boolean)
      .map((handle) => `@${handle}`),
  )
}

/** The marker line; handles are stored without `@` so that the marker itself can never mention anyone. */
function renderMarker(mentioned: Iterable<string>): string {
  return `${COMMENT_MARKER} mentioned="${[...mentioned]
    .map((handle) => handle.replace(/^@/u, ''))
    .sort()
    .join(' ')}" -->`
}

/** Closes the app's comment: the verdict it shows, since when it is pending, and the last reminder. */
export const STATE_MARKER = '<!-- jit:state'

/** What the comment remembers between evaluations and sweeps (in its last line, never shown). */
export interface CommentState {
  readonly verdict: Decision['verdict']
  /** When the request was first seen pending in a row of pending evaluations (ISO). */
  readonly pendingSince?: string
  /** When the sweep last reminded the approvers (ISO). */
  readonly remindedAt?: string
  /** The handles (`@login`, `@org/team`) whose approval is missing. */
  readonly needed: readonly string[]
}

const STATE_PATTERN =
  /<!-- jit:state verdict="(approved|pending|denied|invalid)" needed="([^"]*)"(?: pending-since="([0-9TZ:.-]+)")?(?: reminded="([0-9TZ:.-]+)")? -->\n?$/u

/** The state a comment body ends with; undefined for a comment written before the state was kept, or another one. */
export function readCommentState(body: string): CommentState | undefined {
  const match = STATE_PATTERN.exec(body)
  if (!match) return undefined
  return {
    verdict: match[1] as Decision['verdict'],
    needed: (match[2] ?? '')
      .split(' ')
      .filter(Boolean)
      .map((handle) => `@${handle}`),
    ...(match[3] ? { pendingSince: match[3] } : {}),
    ...(match[4] ? { remindedAt: match[4] } : {}),
  }
}

/** The state line; handles without `@`, so the marker itself can never mention anyone. */
function renderState(state: CommentState): string {
  const needed = state.needed.map((handle) => handle.replace(/^@/u, '')).join(' ')
  const since = state.pendingSince ? ` pending-since="${state.pendingSince}"` : ''
  const reminded = state.remindedAt ? ` reminded="${state.remindedAt}"` : ''
  return `${STATE_MARKER} verdict="${state.verdict}" needed="${needed}"${since}${reminded} -->`
}

/** The reminder line: the handles come from the base branch's policies and CODEOWNERS, as in the comment's own mentions. */
function renderReminder(state: CommentState): string[] {
  if (!state.remindedAt || state.verdict !== 'pending') return []
  const who = state.needed.length > 0 ? ` from ${state.needed.join(', ')}` : ''
  return ['', `⏰ **Reminder** (${formatUtc(new Date(state.remindedAt))}): this request is still waiting for approval${who}.`]
}

/**
 * The comment with a reminder made now, or undefined when none is due: the request is not pending, or
 * was reminded (or became pending) less than `remindAfterMs` ago. Judged from the comment's own state,
 * so every sweeper, replica or restart agrees.
 */
export function applyReminder(body: string, params: { now: Date; remindAfterMs: number }): string | undefined {
  const state = readCommentState(body)
  if (!state || state.verdict !== 'pending') return undefined
  const last = Date.parse(state.remindedAt ?? state.pendingSince ?? '')
  if (!Number.isFinite(last) || params.now.getTime() - last < params.remindAfterMs) return undefined
  const content = stripState(body)
  const next: CommentState = { ...state, remindedAt: params.now.toISOString() }
  return `${[content, ...renderReminder(next), renderState(next)].join('\n')}\n`
}

/** The body without its reminder and state lines. */
function stripState(body: string): string {
  const lines = body.replace(/\n$/u, '').split('\n')
  if (lines[lines.length - 1]?.startsWith(STATE_MARKER)) lines.pop()
  if (lines[lines.length - 1]?.startsWith('⏰ **Reminder**')) {
    lines.pop()
    if (lines[lines.length - 1] === '') lines.pop()
  }
  return lines.join('\n')
}

/** Who can still give a missing approval: handles from the unsatisfied rules, in rule order. */
export function listApproversNeeded(decision: Decision): string[] {
  if (decision.verdict !== 'pending') return []
  const handles: string[] = []
  for (const policy of decision.policies) {
    for (const rule of policy.rules) {
      if (rule.satisfied || rule.impossible) continue
      const from = rule.rule.from
      const owners = from.kind === 'principals' ? [...from.users, ...from.teams] : (rule.codeownersRule?.owners ?? [])
      for (const owner of owners) {
        if (owner.includes('@') && !owner.startsWith('@')) continue // an e-mail owner cannot be mentioned
        const handle = (owner.startsWith('@') ? owner : `@${owner}`).toLowerCase()
        if (handle !== `@${decision.author.toLowerCase()}` && !handles.includes(handle)) handles.push(handle)
      }
    }
  }
  return handles
}

const STATUS: Record<Decision['verdict'], string> = {
  approved: '✅ **Approved.** Merging this pull request grants the access below.',
  pending: '⏳ **Waiting for approval.** Approving this pull request on GitHub is how you agree to the access below.',
  denied: '⛔ **Denied.** No policy allows this request, so approving it would grant nothing.',
  invalid: '❌ **Invalid.** The request file has errors, so there is nothing to approve yet.',
}

/**
 * The comment for approvers: what approving allows, in plain words, and who must approve. Owners are
 * mentioned (notified) only the first time the comment names them; later versions quote them.
 */
export function renderRequestComment(
  decision: Decision,
  alreadyMentioned: ReadonlySet<string>,
  previous?: CommentState,
): { body: string; mentioned: string[] } {
  const needed = listApproversNeeded(decision)
  const mentioned = [...new Set([...alreadyMentioned, ...needed])].sort()
  const out = [renderMarker(mentioned), STATUS[decision.verdict], '']
  const request = decision.request
  if (request) {
    const window = request.start
      ? `from ${formatUtc(request.start)} to ${formatUtc(new Date(request.start.getTime() + request.durationMs))}`
      : 'starting when this pull request is merged'
    out.push(`${formatCode(`@${decision.author}`)} asks for **${describeDurationInWords(request.durationMs)}** of access, ${window}.`)
    out.push(`Reason: ${escapeMarkdown(request.reason)}${request.ticket ? ` (ticket ${escapeMarkdown(request.ticket)})` : ''}`, '')
    out.push('| In AWS account | They may call | On | Allowed by policy |', '| --- | --- | --- | --- |')
    const cell = (text: string): string => formatCode(text, { inCell: true })
    // Grouped once: a lookup per entry over every item was entries × items.
    const policiesByLine = new Map<number, Set<string>>()
    for (const { item, policy } of decision.items) {
      policiesByLine.set(item.line, (policiesByLine.get(item.line) ?? new Set<string>()).add(policy ?? 'none'))
    }
    for (const entry of request.access) {
      const policies = [...(policiesByLine.get(entry.line) ?? [])]
      const [actions, resources] =
        entry.permissionSet === undefined
          ? [entry.actions.map(cell).join('<br>'), entry.resources.map(cell).join('<br>')]
          : [`what permission set ${cell(entry.permissionSet)} allows`, 'its resources, until the access ends']
      out.push(`| ${cell(entry.account)} | ${actions} | ${resources} | ${policies.map(escapeMarkdown).join(', ')} |`)
    }
    out.push('')
  }
  if (needed.length > 0) {
    // The app's own mentions: handles from the base branch's policies and CODEOWNERS, checked as logins and teams there.
    const names = needed.map((handle) => (alreadyMentioned.has(handle) ? formatCode(handle) : handle))
    out.push(`**Approval needed from:** ${names.join(', ')}`)
    for (const line of decision.missing) out.push(`- ${escapeMarkdown(line)}`)
    out.push('')
  }
  out.push(
    `Approvals count only on the latest commit (${shortSha(decision.headSha)}); a new push needs new approvals. ` +
      `The **${CHECK_NAME}** check has the details: ${escapeMarkdown(decision.summary)}`,
  )
  // Pending since the first of a row of pending evaluations; a reminder is kept while it stays pending.
  const stillPending = decision.verdict === 'pending' && previous?.verdict === 'pending'
  const state: CommentState = {
    verdict: decision.verdict,
    needed,
    ...(decision.verdict === 'pending'
      ? { pendingSince: (stillPending && previous.pendingSince) || decision.evaluatedAt.toISOString() }
      : {}),
    ...(stillPending && previous.remindedAt ? { remindedAt: previous.remindedAt } : {}),
  }
  out.push(...renderReminder(state), renderState(state))
  return { body: `${out.join('\n')}\n`, mentioned }
}

/** A short comment replacing an earlier request comment when the PR can no longer be evaluated as a request; `reason` is the classification's Markdown, its paths already shown as code. */
export function renderWithdrawnComment(params: { title: string; reason: string; alreadyMentioned: ReadonlySet<string> }): string {
  return `${renderMarker(params.alreadyMentioned)}\n⛔ **Not an access request any more: ${escapeMarkdown(params.title)}.**\n\n${params.reason}\n`
}
