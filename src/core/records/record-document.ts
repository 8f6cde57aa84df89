import yaml from 'js-yaml'
import {
  isRecordState,
  recordPath,
  type AccessRecord,
  type FailureRecord,
  type GrantRecord,
  type IntentRecord,
  type RecordedTarget,
  type RecordState,
  type RefusalRecord,
} from './grant-record.js'
import type { InputError, Parsed } from '../files/input-error.js'
import { compileDocumentValidator, type DocumentValidator } from '../files/schemas/document-validator.js'
import { RECORD_BRANCHES } from '../files/schemas/grant-record-schema.js'
import { MAX_FILE_BYTES, parseYamlDocument } from '../files/yaml-document.js'
import { shortSha } from '../text/short-sha.js'

const HEADER =
  '# Written by the jit-access app: the audit record of one access request. Do not edit it by hand;\n' +
  '# the app reads it back to know what it granted and what to revoke.\n'

/** One validator per branch of the schema, compiled once at module load; each branch's document type must be an AccessRecord. */
const VALIDATORS: Record<RecordState, DocumentValidator<AccessRecord>> = {
  granting: compileDocumentValidator(RECORD_BRANCHES.granting, 'grant intent record'),
  active: compileDocumentValidator(RECORD_BRANCHES.active, 'grant record'),
  revoked: compileDocumentValidator(RECORD_BRANCHES.revoked, 'grant record'),
  refused: compileDocumentValidator(RECORD_BRANCHES.refused, 'refusal record'),
  failed: compileDocumentValidator(RECORD_BRANCHES.failed, 'failure record'),
}

/**
 * Writes a record as the YAML committed to `grants/<state>/<id>.yaml`: keys in the order the record
 * was built (which reads top-down as the story of the request), long text as block scalars, no
 * anchors, and the same bytes for the same record.
 */
export function formatRecordDocument(record: AccessRecord): string {
  let written = record
  let text = dumpRecord(written)
  // The app reads records back only up to MAX_FILE_BYTES: a record it could not read again could not be
  // revoked early nor swept. Free text is cut (the longest first, by half) until the record fits.
  while (Buffer.byteLength(text, 'utf8') > MAX_FILE_BYTES) {
    const shorter = shortenLongestText(written)
    if (shorter === undefined) throw new RecordTooLargeError(record.id, Buffer.byteLength(text, 'utf8'))
    written = shorter
    text = dumpRecord(written)
  }
  return text
}

/** A record that does not fit in what the app reads back, even with its free text cut short. */
export class RecordTooLargeError extends Error {
  override readonly name = 'RecordTooLargeError'
  constructor(
    readonly id: string,
    readonly bytes: number,
  ) {
    super(`the record of ${id} would be ${bytes} bytes even with its free text cut short; the app reads back at most ${MAX_FILE_BYTES}`)
  }
}

function dumpRecord(record: AccessRecord): string {
  return HEADER + yaml.dump(record, { lineWidth: -1, noRefs: true, sortKeys: false, quotingType: '"' })
}

/** Free text is never cut shorter than this; what is left to cut beyond it is the record's own facts. */
const SHORTEST_CUT_TEXT = 200
const CUT_NOTE = ' … (cut short to fit the record; the pull request has the full text)'

type FreeTextField = 'reason' | 'summary' | 'explanation' | 'error'
const FREE_TEXT_FIELDS: readonly FreeTextField[] = ['reason', 'summary', 'explanation', 'error']

function freeTextOf(record: AccessRecord, field: FreeTextField): string {
  const value: unknown = (record as Partial<Record<FreeTextField, unknown>>)[field]
  return typeof value === 'string' ? value : ''
}

/** The record with its longest free-text field cut to half its length, or undefined when none is long. */
function shortenLongestText(record: AccessRecord): AccessRecord | undefined {
  const longest = [...FREE_TEXT_FIELDS].sort((a, b) => freeTextOf(record, b).length - freeTextOf(record, a).length)[0]!
  const text = freeTextOf(record, longest)
  if (text.length <= SHORTEST_CUT_TEXT) return undefined
  // By code points, so a cut never splits a character in two; the note is written once.
  const kept = Array.from(text.endsWith(CUT_NOTE) ? text.slice(0, -CUT_NOTE.length) : text)
  return { ...record, [longest]: kept.slice(0, Math.floor(kept.length / 2)).join('') + CUT_NOTE }
}

/**
 * Reads a record back, checking it against the schema branch of the state it claims and, when `file`
 * is a record path, that it lives where its state and id say it should.
 */
export function parseRecordDocument(params: { file: string; text: string }): Parsed<AccessRecord> {
  const { file } = params
  const parsed = parseYamlDocument({ file, text: params.text, what: 'grant record' })
  if (!parsed.ok) return parsed
  const document = parsed.value
  const { value } = document
  const state = typeof value === 'object' && value !== null && 'state' in value ? value.state : undefined
  if (!isRecordState(state)) {
    return fail(
      file,
      document.lineOf(['state']),
      `state must be one of ${Object.keys(VALIDATORS).join(', ')}, found ${JSON.stringify(state ?? null)}`,
    )
  }
  const checked = VALIDATORS[state].validate(document)
  if (!checked.ok) return checked
  const record = checked.value
  const incomplete = findIncompleteGrant(record)
  if (incomplete)
    return fail(
      file,
      document.lineOf([incomplete]),
      incomplete === 'policies'
        ? 'a grant record names at least one policy'
        : 'every target of a grant record names its actions and resources',
    )
  const placed = /^grants\/[^/]+\/[^/]+\.yaml$/.test(file)
  if (placed && file !== recordPath(record.state, record.id)) {
    return fail(
      file,
      document.lineOf(['state']),
      `the record of ${record.id} says state ${record.state}, so it belongs in ${recordPath(record.state, record.id)}, not ${file}`,
    )
  }
  return { ok: true, value: record }
}

/**
 * A grant names its policies and what it allows. The one exception is a record rebuilt from an orphan
 * policy found in AWS (reconcile), where AWS told only the request id and the expiry.
 */
function findIncompleteGrant(record: AccessRecord): 'policies' | 'targets' | undefined {
  if (record.state !== 'active' && record.state !== 'revoked' && record.state !== 'granting') return undefined
  // Rebuilt from AWS (an orphan, or a grant whose record could not be read): what was approved is unknown.
  if (record.state !== 'granting' && (record.revocation?.reason === 'orphan' || record.revocation?.unreadable_record)) return undefined
  if (record.policies.length === 0) return 'policies'
  // A curated permission set is granted instead of actions: its record names the set, and no actions.
  const incomplete = (target: RecordedTarget): boolean =>
    target.curated_permission_set
      ? target.actions.length > 0 || target.resources.length > 0
      : target.actions.length === 0 || target.resources.length === 0
  if (record.targets.some(incomplete)) return 'targets'
  return undefined
}

function fail(file: string, line: number, message: string): { ok: false; errors: InputError[] } {
  return { ok: false, errors: [{ file, line, message }] }
}

/**
 * A commit message for a record: a one-line subject, a body for people, and git trailers for machines.
 * `note` (e.g. what a sweep read back from AWS before it settled a grant) opens the body.
 */
export function formatRecordCommitMessage(record: AccessRecord, options: { note?: string } = {}): string {
  const message = formatMessage(record)
  if (options.note === undefined) return message
  const cut = message.indexOf('\n\n')
  return `${message.slice(0, cut)}\n\n${options.note}${message.slice(cut)}`
}

function formatMessage(record: AccessRecord): string {
  switch (record.state) {
    case 'granting':
      return formatIntentMessage(record)
    case 'active':
    case 'revoked':
      return formatGrantMessage(record)
    case 'refused':
      return formatRefusalMessage(record)
    case 'failed':
      return formatFailureMessage(record)
  }
}

function formatGrantMessage(record: GrantRecord): string {
  const actions = summarizeList(unique(record.targets.flatMap((target) => target.actions)), 3)
  const accounts = summarizeList(unique(record.targets.map((target) => target.account)), 2)
  const until = formatUtcMinute(record.expires_at)
  const subject = record.break_glass
    ? `Break-glass grant ${record.id}: ${record.requester} gets ${actions} in ${accounts} until ${until}`
    : record.dry_run
      ? `Dry-run grant ${record.id}: ${record.requester} would get ${actions} in ${accounts} until ${until}`
      : `Grant ${record.id}: ${record.requester} gets ${actions} in ${accounts} until ${until}`
  const approvers = unique(record.approvals.map((approval) => approval.login))
  const body = [
    record.break_glass
      ? `Request ${record.request.path} (blob ${shortSha(record.request.blob_sha)}) of open #${record.pull_request.number}.`
      : `Request ${record.request.path} (blob ${shortSha(record.request.blob_sha)}) merged in #${record.pull_request.number}${mergedBy(record)}.`,
    `Reason: ${record.reason}${record.ticket ? ` (${record.ticket})` : ''}`,
    record.break_glass
      ? `Break-glass by ${record.break_glass.invoked_by} under ${record.policies.map((p) => p.name).join(', ')}, without approval; review due ${formatUtcMinute(record.break_glass.review_due)}.`
      : approvers.length > 0
        ? `Approved by ${approvers.join(', ')} under ${record.policies.map((p) => p.name).join(', ')}.`
        : `Auto-approved under ${record.policies.map((p) => p.name).join(', ')}.`,
    '',
    ...describeGrantTargets(record),
    ...(record.dry_run ? ['Dry run (JIT_DRY_RUN=1): nothing was written to AWS.'] : []),
  ]
  const trailers: Trailer[] = [
    ['Jit-Request', record.id],
    ['Jit-Action', 'grant'],
    ['Jit-Requester', record.requester],
    ...approvers.map((login): Trailer => ['Jit-Approved-By', login]),
    ['Jit-Expires', record.expires_at],
    ['Jit-Start', record.not_before],
    ['Jit-Accounts', unique(record.targets.map((target) => target.account)).join(', ')],
    ...(record.dry_run ? [['Jit-Dry-Run', 'true'] as const] : []),
    ...(record.break_glass ? [['Jit-Break-Glass', record.break_glass.invoked_by] as const] : []),
  ]
  return assemble(subject, body, trailers)
}

/**
 * The review of a break-glass grant, recorded in place when its approved pull request merged:
 * `Jit-Action: review`, with who approved.
 */
export function formatReviewCommitMessage(record: GrantRecord): string {
  const reviewers = record.break_glass?.reviewed_by ?? []
  const subject = `Review break-glass ${record.id}: approved by ${reviewers.join(', ')}`
  const body = [
    `The break-glass grant of ${record.requester} (${record.break_glass?.invoked_at ?? ''}) was reviewed: #${record.pull_request.number} merged${mergedBy(record)} with the policy's approvals.`,
    'Nothing new was granted.',
  ]
  const trailers: Trailer[] = [
    ['Jit-Request', record.id],
    ['Jit-Action', 'review'],
    ['Jit-Requester', record.requester],
    ...reviewers.map((login): Trailer => ['Jit-Approved-By', login]),
  ]
  return assemble(subject, body, trailers)
}

/**
 * The intent, committed before any AWS call: `Jit-Action: intent`. The outcome follows in its own commit
 * (`grant` or `fail`); an intent with no outcome after it is what a sweep finishes.
 */
function formatIntentMessage(record: IntentRecord): string {
  const actions = summarizeList(unique(record.targets.flatMap((target) => target.actions)), 3)
  const accounts = summarizeList(unique(record.targets.map((target) => target.account)), 2)
  const subject = `Granting ${record.id}: ${record.requester} is about to get ${actions} in ${accounts} until ${formatUtcMinute(record.expires_at)}`
  const body = [
    record.break_glass
      ? `Request ${record.request.path} (blob ${shortSha(record.request.blob_sha)}) of open #${record.pull_request.number}: break-glass by ${record.break_glass.invoked_by}, without approval.`
      : `Request ${record.request.path} (blob ${shortSha(record.request.blob_sha)}) merged in #${record.pull_request.number}${mergedBy(record)} is approved.`,
    'This record is written before AWS is called; the outcome (granted, or failed with nothing left in place) replaces it.',
    '',
    ...describeGrantTargets(record),
  ]
  const trailers: Trailer[] = [
    ['Jit-Request', record.id],
    ['Jit-Action', 'intent'],
    ['Jit-Requester', record.requester],
    ['Jit-Expires', record.expires_at],
    ['Jit-Start', record.not_before],
    ['Jit-Accounts', unique(record.targets.map((target) => target.account)).join(', ')],
    ...(record.dry_run ? [['Jit-Dry-Run', 'true'] as const] : []),
  ]
  return assemble(subject, body, trailers)
}

function formatRefusalMessage(record: RefusalRecord): string {
  const subject = `Refuse ${record.id}: merged while ${record.verdict}${record.pull_request.merged_by ? ` by ${record.pull_request.merged_by}` : ''}, nothing granted`
  const body = [
    `Request ${record.request.path} merged in #${record.pull_request.number}${mergedBy(record)}, but the decision at the merge was: ${record.summary}`,
    'Nothing was written to AWS. The full explanation is in the record.',
  ]
  const trailers: Trailer[] = [
    ['Jit-Request', record.id],
    ['Jit-Action', 'refuse'],
    ['Jit-Requester', record.requester],
    ['Jit-Verdict', record.verdict],
    ...(record.pull_request.merged_by ? [['Jit-Merged-By', record.pull_request.merged_by] as const] : []),
  ]
  return assemble(subject, body, trailers)
}

function formatFailureMessage(record: FailureRecord): string {
  const subject = `${record.dry_run ? 'Dry-run grant' : 'Grant'} failed ${record.id}: nothing granted to ${record.requester}`
  const body = [
    `Request ${record.request.path} merged in #${record.pull_request.number}${mergedBy(record)} was approved, but the grant failed:`,
    record.error,
    '',
    ...record.targets.map((target) => `- ${target.principal}: ${target.outcome}${target.error ? ` (${target.error})` : ''}`),
  ]
  const trailers: Trailer[] = [
    ['Jit-Request', record.id],
    ['Jit-Action', 'fail'],
    ['Jit-Requester', record.requester],
    ...(record.dry_run ? [['Jit-Dry-Run', 'true'] as const] : []),
  ]
  return assemble(subject, body, trailers)
}

/** A line per target with the policy it holds (or will), then the window. */
function describeGrantTargets(record: GrantRecord | IntentRecord): string[] {
  return [
    ...record.targets.map((target) =>
      target.curated_permission_set
        ? `- ${target.principal}: permission set ${target.curated_permission_set.name}, copied into ${target.aws_policy_name} with a deny outside the window`
        : `- ${target.principal}: ${target.actions.join(', ')} on ${target.resources.join(', ')} (${target.permission_set ? 'permission set' : 'inline policy'} ${target.aws_policy_name})`,
    ),
    '',
    `Window: ${record.not_before} to ${record.expires_at}.`,
  ]
}

function mergedBy(record: AccessRecord): string {
  return record.pull_request.merged_by ? ` by ${record.pull_request.merged_by}` : ''
}

type Trailer = readonly [key: string, value: string]

function assemble(subject: string, body: readonly string[], trailers: readonly Trailer[]): string {
  // Trailer values must stay on one line, or `git interpret-trailers` reads them as something else.
  const trailerLines = trailers.map(([key, value]) => `${key}: ${value.replace(/\s+/g, ' ')}`)
  return `${subject}\n\n${body.join('\n').trim()}\n\n${trailerLines.join('\n')}\n`
}

/** The trailer a revocation commit carries per grant: `Jit-Revocation: pr-42 early by alice`. */
export const REVOCATION_TRAILER = 'Jit-Revocation'

/** `pr-42 early by alice`: the value of a revocation's trailer (logins and ids hold no spaces). */
export function formatRevocationTrailer(revocation: { id: string; reason: string; by: string }): string {
  return `${revocation.id} ${revocation.reason} by ${revocation.by.replace(/\s+/gu, '-')}`
}

/** Reads `pr-42 early by alice` back; undefined when it is not of that shape. */
export function parseRevocationTrailer(value: string): { id: string; reason: string; by: string } | undefined {
  const match = /^(\S+) (\S+) by (\S+)$/u.exec(value)
  return match ? { id: match[1]!, reason: match[2]!, by: match[3]! } : undefined
}

/** Reads the `Key: value` trailers of a commit message's last paragraph, in order. */
export function parseCommitTrailers(message: string): [string, string][] {
  const paragraphs = message.trimEnd().split(/\n\s*\n/)
  const last = paragraphs[paragraphs.length - 1] ?? ''
  return last.split('\n').flatMap((line) => {
    const match = /^([A-Za-z0-9-]+): (.*)$/.exec(line)
    return match ? [[match[1] as string, match[2] as string]] : []
  })
}

/** `2026-12-01 11:00 UTC` (seconds shown only when not zero): an instant as a person reads it. */
export function formatUtcMinute(iso: string | Date): string {
  const text = new Date(iso).toISOString()
  const seconds = text.slice(17, 19)
  return `${text.slice(0, 10)} ${text.slice(11, 16)}${seconds === '00' ? '' : `:${seconds}`} UTC`
}

function unique(values: readonly string[]): string[] {
  return [...new Set(values)]
}

function summarizeList(values: readonly string[], shown: number): string {
  if (values.length <= shown) return values.join(', ')
  return `${values.slice(0, shown).join(', ')} and ${values.length - shown} more`
}
