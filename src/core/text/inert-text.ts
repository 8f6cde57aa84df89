/**
 * Text someone wrote (a reason, a ticket, a path, a policy's description, a message quoting them) made
 * inert where people read it: it shows as the characters written and never becomes Markdown structure,
 * HTML, a link, an image, a table cell, a code span or a notification.
 */

/**
 * Characters that are invisible, control the layout, or reorder what is shown: C0 and C1 controls
 * (tab and line feed aside), zero-width and directional marks, bidirectional embeddings, overrides
 * and isolates, the word joiner and invisible operators, and the byte-order mark.
 */
export const INVISIBLE_CHARACTER =
  // eslint-disable-next-line no-control-regex -- finding control characters is the point
  /[\u0000-\u0008\u000B-\u001F\u007F-\u009F\u00AD\u061C\u180E\u200B-\u200F\u2028-\u202E\u2060-\u2064\u2066-\u206F\uFEFF]/u

/** INVISIBLE_CHARACTER, every occurrence (for `match` and `replace`). */
export const INVISIBLE_CHARACTERS = new RegExp(INVISIBLE_CHARACTER.source, 'gu')

/** `U+202E`: how an invisible character is named to a reader. */
export function nameCodePoint(character: string): string {
  return `U+${(character.codePointAt(0) ?? 0).toString(16).toUpperCase().padStart(4, '0')}`
}

/** One line of plain text: line breaks and tabs become spaces, invisible characters are named (`<U+202E>`). */
export function toPlainLine(text: string): string {
  return text.replace(/\r\n|[\r\n\t]/gu, ' ').replace(INVISIBLE_CHARACTERS, (ch) => `<${nameCodePoint(ch)}>`)
}

/**
 * The ASCII punctuation that can start or close something in GitHub's Markdown inside a line: emphasis,
 * links and images, HTML, comments and entities, code, tables, math, emoji, autolinks (`https:`,
 * `www.`, e-mail), strikethrough. Any of them may be backslash-escaped and then stands for itself.
 * Left as they are: `, ; ' " % / ? =`, `-` (except where it would start a list), and `.` and `:` before a
 * space or the end (a sentence's stops: `www.` and `https:` need a character after them).
 */
const MARKDOWN_PUNCTUATION = /[!#$&()*+<>@[\\\]^_`{|}~]|[.:](?=\S)/gu
/**
 * What GitHub turns into a notification or a link even in plain text, whatever the escaping: `@login`,
 * `@org/team` and `#123` after a non-word character. They are shown as code, where GitHub does neither.
 */
const GITHUB_REFERENCE = /(?<![\w`/@#])(?:@[A-Za-z0-9](?:[A-Za-z0-9-]*[A-Za-z0-9])?(?:\/[A-Za-z0-9._-]+)?|#[0-9]+)/gu

/**
 * Inline Markdown that shows `text` exactly as written: on one line, every ASCII punctuation character
 * backslash-escaped (no emphasis, links, images, HTML, comments, tables, headings, lists, code spans or
 * autolinks can form), mentions and issue references shown as code so they notify and link nothing.
 */
export function escapeMarkdown(text: string): string {
  const line = toPlainLine(text)
  let out = ''
  let at = 0
  for (const match of line.matchAll(GITHUB_REFERENCE)) {
    out += escapePunctuation(line.slice(at, match.index)) + formatCode(match[0])
    at = match.index + match[0].length
  }
  // A leading `-` or `1.` would make the line a list item or a thematic break.
  return (out + escapePunctuation(line.slice(at))).replace(/^(\s*)-/u, '$1\\-').replace(/^(\s*[0-9]+)\./u, '$1\\.')
}

function escapePunctuation(text: string): string {
  return text.replace(MARKDOWN_PUNCTUATION, (ch) => `\\${ch}`)
}

/**
 * A code span showing `text` as written, on one line: fenced by a run of backticks longer than any in
 * the text (padded with spaces when the text starts or ends with one). In a table cell (`inCell`) `|`
 * is escaped too: GitHub splits cells before it reads code spans, and reads `\|` there as `|`.
 */
export function formatCode(text: string, options: { inCell?: boolean } = {}): string {
  const line = toPlainLine(text)
  const longestRun = Math.max(0, ...[...line.matchAll(/`+/gu)].map((run) => run[0].length))
  const fence = '`'.repeat(longestRun + 1)
  const pad = line.startsWith('`') || line.endsWith('`') || line === '' ? ' ' : ''
  return `${fence}${pad}${options.inCell ? line.replaceAll('|', '\\|') : line}${pad}${fence}`
}
