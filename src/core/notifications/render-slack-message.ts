import type { AccessLine, NotificationEvent, RequestSummary } from './notification-event.js'

/**
 * An incoming-webhook message: `text` (the notification's one line, also the fallback) and Block Kit
 * `blocks`. `link_names: false` and `parse: 'none'` ask Slack not to turn names into mentions; the text
 * itself is made inert too (see `escapeSlackText`), so neither alone is trusted.
 */
export interface SlackMessage {
  readonly text: string
  readonly blocks: readonly SlackBlock[]
  readonly link_names: false
  readonly parse: 'none'
  readonly unfurl_links: false
}

export type SlackBlock =
  | { readonly type: 'section'; readonly text: { readonly type: 'mrkdwn'; readonly text: string } }
  | { readonly type: 'context'; readonly elements: readonly { readonly type: 'mrkdwn'; readonly text: string }[] }

/** Slack's section text limit is 3,000 characters; long user text is cut well before. */
const MAX_FIELD = 500
const MAX_LIST = 10

/**
 * User-written text made inert for Slack mrkdwn: `&`, `<` and `>` escaped as Slack asks (so no `<!channel>`,
 * `<@U123>` or `<url|label>` can be formed), and a zero-width space after `@` before channel, here and
 * everyone, so even a client that links names cannot ping a channel. Line breaks become spaces.
 */
export function escapeSlackText(text: string, maxLength = MAX_FIELD): string {
  const line = text.replace(/\r\n|[\r\n\t]/gu, ' ')
  const cut = line.length > maxLength ? `${line.slice(0, maxLength - 1)}…` : line
  return cut
    .replaceAll('&', '&amp;')
    .replaceAll('<', '&lt;')
    .replaceAll('>', '&gt;')
    .replace(/@(?=(?:channel|here|everyone)\b)/giu, '@\u200B')
}

/** A value shown as code: inert, and its backticks cannot close the span. */
function code(text: string): string {
  return `\`${escapeSlackText(text).replaceAll('`', 'ˋ')}\``
}

/** A link Slack renders: the URL is the app's (GitHub's), still escaped so that it cannot close the link. */
function link(url: string, label: string): string {
  return `<${url.replaceAll('&', '&amp;').replaceAll('<', '%3C').replaceAll('>', '%3E').replaceAll('|', '%7C')}|${escapeSlackText(label)}>`
}

function listed(values: readonly string[]): string {
  const shown = values.slice(0, MAX_LIST).map(code).join(', ')
  return values.length > MAX_LIST ? `${shown} and ${values.length - MAX_LIST} more` : shown
}

function describeAccess(access: readonly AccessLine[]): string[] {
  return access.slice(0, MAX_LIST).map((line) => {
    const who = line.principal ? ` as ${code(line.principal)}` : ''
    if (line.permissionSet !== undefined) return `• account ${code(line.account)}${who}: permission set ${code(line.permissionSet)}`
    return `• account ${code(line.account)}${who}: ${listed(line.actions)} on ${listed(line.resources)}`
  })
}

function describeRequest(summary: RequestSummary): string[] {
  const ticket = summary.ticket ? ` (ticket ${code(summary.ticket)})` : ''
  return [`*Reason:* ${escapeSlackText(summary.reason)}${ticket}`, ...describeAccess(summary.access)]
}

/** The first line of each event: who, what, and until when, in a reader's words. */
function headline(event: NotificationEvent): string {
  const who = (login: string) => code(`@${login}`)
  const id = code(event.requestId)
  switch (event.type) {
    case 'requested':
      return `${who(event.requester)} asks for ${escapeSlackText(event.duration)} of AWS access (${id})`
    case 'approved':
      return `${who(event.requester)}'s request ${id} is approved: merging it grants ${escapeSlackText(event.duration)} of access`
    case 'granted':
      return `${who(event.requester)} has AWS access until ${event.expiresAt} (${id})${event.dryRun ? ' [dry run: nothing written to AWS]' : ''}`
    case 'refused':
      return `The merge of ${id} by ${event.mergedBy ? who(event.mergedBy) : 'someone'} was refused: nothing was granted`
    case 'failed':
      return `AWS refused the grant of ${id} to ${who(event.requester)}: nothing was granted`
    case 'revoked':
      return `${who(event.requester)}'s access ${id} was revoked by ${who(event.revokedBy)} before ${event.expiresAt}`
    case 'expired':
      return `${who(event.requester)}'s access ${id} expired at ${event.expiresAt} and was removed`
    case 'break-glass':
      return event.stage === 'granted'
        ? `🚨 Break-glass: ${who(event.invokedBy)} took AWS access for ${who(event.requester)} until ${event.expiresAt} without approval (${id})`
        : `🚨 Break-glass ${id} of ${who(event.requester)} is still unreviewed: its review was due at ${event.reviewDue}`
    case 'drift':
      return `AWS and the records of ${code(event.repository)} disagree (${id})`
    case 'tampering':
      return `⚠️ The record ${code(event.path)} was edited by commit ${code(event.commitSha.slice(0, 12))}, not by the app; it was not obeyed`
  }
}

/** What else a reader needs, by event. */
function details(event: NotificationEvent): string[] {
  switch (event.type) {
    case 'requested':
      return [
        ...describeRequest(event),
        event.approversNeeded.length > 0
          ? `*Approving grants the access above.* Needed from: ${listed(event.approversNeeded)}`
          : `*Approving grants the access above.*`,
        escapeSlackText(event.summary),
      ]
    case 'approved':
      return [
        ...describeRequest(event),
        event.approvedBy.length > 0 ? `Approved by ${listed(event.approvedBy.map((l) => `@${l}`))}` : escapeSlackText(event.summary),
      ]
    case 'granted':
      return [
        ...describeRequest(event),
        `From ${event.notBefore} to ${event.expiresAt}${event.approvedBy.length > 0 ? `; approved by ${listed(event.approvedBy.map((l) => `@${l}`))}` : ''}`,
      ]
    case 'refused':
      return [escapeSlackText(event.summary)]
    case 'failed':
      return [...describeRequest(event), `*AWS said:* ${escapeSlackText(event.error)}`]
    case 'revoked':
    case 'expired':
      return describeRequest(event)
    case 'break-glass':
      return event.stage === 'granted'
        ? [
            ...describeRequest(event),
            `*Review due by ${event.reviewDue}* from ${listed(event.reviewers)}${event.issueUrl ? '; a post-incident review issue is open' : ''}`,
          ]
        : [`Taken at ${event.invokedAt}; to be reviewed by ${listed(event.reviewers)}`]
    case 'drift':
    case 'tampering':
      return [escapeSlackText(event.explanation)]
  }
}

/** The Slack message of an event: inert text, one link (to the pull request), no mention of anyone. */
export function renderSlackMessage(event: NotificationEvent): SlackMessage {
  const title = headline(event)
  const more = details(event)
  const where = event.url ? `${link(event.url, `${event.repository} ${event.requestId}`)}` : escapeSlackText(event.repository)
  const text = `[${escapeSlackText(event.repository)}] ${title}`
  return {
    text,
    blocks: [
      { type: 'section', text: { type: 'mrkdwn', text: [title, ...more].join('\n').slice(0, 2_900) } },
      { type: 'context', elements: [{ type: 'mrkdwn', text: `${where} · ${event.type} · ${event.at}` }] },
    ],
    link_names: false,
    parse: 'none',
    unfurl_links: false,
  }
}
