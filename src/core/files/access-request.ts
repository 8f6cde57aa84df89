import { describeResourceProblem } from '../matching/arn-pattern.js'
import { parseDuration } from './duration.js'
import type { InputError, Parsed } from './input-error.js'
import { compileDocumentValidator } from './schemas/document-validator.js'
import { requestSchema } from './schemas/request-schema.js'
import { parseYamlDocument } from './yaml-document.js'
import { INVISIBLE_CHARACTER, INVISIBLE_CHARACTERS, nameCodePoint } from '../text/inert-text.js'
import { formatNumber } from '../text/plural.js'

/**
 * One `access` entry of a request file, after parsing: actions on resources (resources defaulted to
 * `["*"]`), or one curated permission set (then `actions` and `resources` are empty).
 */
export interface AccessEntry {
  /** 12-digit AWS account id. */
  readonly account: string
  /** IAM action names or patterns as written (e.g. `ec2:StopInstances`, `ec2:Describe*`); empty for a permission set. */
  readonly actions: readonly string[]
  /** Resource ARNs or patterns as written; `["*"]` when the file omits them; empty for a permission set. */
  readonly resources: readonly string[]
  /** The curated Identity Center permission set asked for instead of actions (`permission_set:`), by exact name. */
  readonly permissionSet?: string
  /** 1-based line of this entry in the request file, for explanations and annotations. */
  readonly line: number
  /** 1-based line of each action, by index into `actions` (an unknown action's error points at it). */
  readonly actionLines: readonly number[]
}

/** A request file (`requests/**.yaml`) after parsing and schema validation. */
export interface AccessRequest {
  /** Path relative to the access repository root. */
  readonly file: string
  readonly reason: string
  readonly ticket?: string
  /** The duration as the user wrote it (`2h`, `PT2H`). */
  readonly durationText: string
  readonly durationMs: number
  /** Requested start; absent means "when granted". */
  readonly start?: Date
  /** Request id of an active grant this request extends (e.g. `pr-42`). */
  readonly extends?: string
  readonly access: readonly AccessEntry[]
  /** Where the window's fields are written, for errors found after parsing (a start in the past). */
  readonly lines: { readonly duration: number; readonly start?: number; readonly extends?: number }
}

/** One (account, action, resource) triple: the unit the decision engine covers with a policy. */
export interface RequestItem {
  readonly account: string
  readonly action: string
  readonly resource: string
  /** Line of the `access` entry this item came from. */
  readonly line: number
}

/** One (account, curated permission set) pair: covered by a policy whose `grants.permission_sets` lists the set. */
export interface PermissionSetItem {
  readonly account: string
  readonly permissionSet: string
  /** Line of the `access` entry this item came from. */
  readonly line: number
}

const requestValidator = compileDocumentValidator(requestSchema, 'request')

/**
 * The most (account, action, resource) items one request may expand to. Items are a cross product, so a
 * few kilobytes of lists would otherwise make millions; every cost after parsing (the decision, its
 * explanation, the check run) is bounded by this.
 */
export const MAX_REQUEST_ITEMS = 1_000

/**
 * Parses and validates a request file (YAML text). Structural checks only: schema, duration bounds,
 * account ids. Checks that need the outside world (unknown actions, a start in the past) are made by
 * the decision engine, which knows the action catalogue and the clock.
 */
export function parseAccessRequest(params: { file: string; text: string }): Parsed<AccessRequest> {
  const { file } = params
  const hidden = findInvisibleCharacters({ file, text: params.text })
  if (hidden.length > 0) return { ok: false, errors: hidden }
  const parsed = parseYamlDocument({ file, text: params.text, what: 'request file' })
  if (!parsed.ok) return parsed
  const document = parsed.value
  const checked = requestValidator.validate(document)
  // The value checks below run even when the schema failed, so one pass reports every error it can.
  const loose = (document.value ?? {}) as { duration?: unknown; start?: unknown }
  const errors: InputError[] = checked.ok ? [] : [...checked.errors]
  const schemaErrorLines = new Set(errors.map((error) => error.line))
  const addUnlessReported = (error: InputError): void => {
    if (!schemaErrorLines.has(error.line)) errors.push(error)
  }
  const duration = typeof loose.duration === 'string' ? parseDuration(loose.duration) : undefined
  if (duration && !duration.ok) addUnlessReported({ file, line: document.lineOf(['duration']), message: `duration ${duration.message}` })
  let start: Date | undefined
  if (typeof loose.start === 'string') {
    start = parseDateTime(loose.start)
    if (start === undefined) {
      addUnlessReported({ file, line: document.lineOf(['start']), message: `start "${loose.start}" is not a real date and time` })
    }
  }
  if (checked.ok) {
    checked.value.access.forEach((entry, entryIndex) => {
      const problem = describeEntryShapeProblem(entry)
      if (problem) errors.push({ file, line: document.lineOf(['access', entryIndex]), message: problem })
    })
    checked.value.access.forEach((entry, entryIndex) =>
      (entry.resources ?? []).forEach((resource, resourceIndex) => {
        const problem = describeResourceProblem(resource)
        if (problem) errors.push({ file, line: document.lineOf(['access', entryIndex, 'resources', resourceIndex]), message: problem })
      }),
    )
    // Counted, never expanded: the count alone says whether the cross product is too big.
    // A permission set counts as one item in its account.
    const items = checked.value.access.reduce(
      (sum, entry) => sum + (entry.actions === undefined ? 1 : entry.actions.length * (entry.resources?.length ?? 1)),
      0,
    )
    if (items > MAX_REQUEST_ITEMS) {
      errors.push({
        file,
        line: document.lineOf(['access'], 'key'),
        message: `the request asks for ${formatNumber(items)} (account, action, resource) items; the limit is ${formatNumber(MAX_REQUEST_ITEMS)}: split it into several requests, or ask for fewer actions or resources (a wildcard such as ec2:Describe* counts as one)`,
      })
    }
  }
  if (!checked.ok || errors.length > 0 || !duration?.ok) return { ok: false, errors: errors.sort((a, b) => a.line - b.line) }
  const raw = checked.value

  const request: AccessRequest = {
    file,
    reason: raw.reason.trim(),
    ...(raw.ticket !== undefined && { ticket: raw.ticket }),
    durationText: raw.duration,
    durationMs: duration.ms,
    ...(start !== undefined && { start }),
    ...(raw.extends !== undefined && { extends: raw.extends }),
    access: raw.access.map((entry, index) => ({
      account: entry.account,
      actions: entry.actions ?? [],
      resources: entry.permission_set === undefined ? (entry.resources ?? ['*']) : [],
      ...(entry.permission_set !== undefined && { permissionSet: entry.permission_set }),
      line: document.lineOf(['access', index]),
      actionLines: (entry.actions ?? []).map((_, actionIndex) => document.lineOf(['access', index, 'actions', actionIndex])),
    })),
    lines: {
      duration: document.lineOf(['duration']),
      ...(start !== undefined && { start: document.lineOf(['start']) }),
      ...(raw.extends !== undefined && { extends: document.lineOf(['extends']) }),
    },
  }
  return { ok: true, value: request }
}

/**
 * Invisible, control and bidirectional characters anywhere in a request file, one error per line: what
 * an approver reads must be what the file says, and these make text show other than it is.
 */
export function findInvisibleCharacters(params: { file: string; text: string }): InputError[] {
  const errors: InputError[] = []
  // Nearly every file has none: one scan of the text, and only a line that has some is looked at closely.
  if (!INVISIBLE_CHARACTER.test(params.text.replaceAll('\r\n', '\n'))) return errors
  params.text.split('\n').forEach((line, index) => {
    const found = [...new Set(line.replace(/\r$/u, '').match(INVISIBLE_CHARACTERS) ?? [])]
    if (found.length === 0) return
    const names = found.map(nameCodePoint).join(', ')
    errors.push({
      file: params.file,
      line: index + 1,
      message: `the line contains invisible or control characters (${names}), which can make the request show other than it is; remove them`,
    })
  })
  return errors
}

/** Why an access entry is neither "actions (on resources)" nor "one permission set", or undefined when it is one of them. */
function describeEntryShapeProblem(entry: { actions?: unknown; resources?: unknown; permission_set?: unknown }): string | undefined {
  if (entry.permission_set !== undefined && entry.actions !== undefined)
    return 'the access entry asks for both actions and a permission_set: ask for one or the other (one entry each)'
  if (entry.permission_set !== undefined && entry.resources !== undefined)
    return 'the access entry asks for a permission_set and lists resources: a permission set brings its own resources; remove resources'
  if (entry.permission_set === undefined && entry.actions === undefined)
    return 'the access entry asks for nothing: add actions (with resources), or a permission_set'
  return undefined
}

/** An item in a reviewer's words: `ec2:StopInstances on * in 111111111111`, `permission set ReadOnlyAccess in 111111111111`. */
export function describeRequestItem(item: RequestItem | PermissionSetItem): string {
  if ('permissionSet' in item) return `permission set ${item.permissionSet} in ${item.account}`
  return `${item.action} on ${item.resource} in ${item.account}`
}

/** The curated permission sets a request asks for, one item per (account, set). */
export function listPermissionSetItems(request: AccessRequest): PermissionSetItem[] {
  return request.access.flatMap((entry) =>
    entry.permissionSet === undefined ? [] : [{ account: entry.account, permissionSet: entry.permissionSet, line: entry.line }],
  )
}

/** Splits a request into items, one per (account, action, resource); permission set entries have none (see listPermissionSetItems). */
export function listRequestItems(request: AccessRequest): RequestItem[] {
  return request.access.flatMap((entry) =>
    entry.actions.flatMap((action) => entry.resources.map((resource) => ({ account: entry.account, action, resource, line: entry.line }))),
  )
}

const DATE_TIME = /^([0-9]{4})-([0-9]{2})-([0-9]{2})[Tt]([0-9]{2}):([0-9]{2}):([0-9]{2})(?:\.[0-9]+)?(?:[Zz]|([+-])([0-9]{2}):([0-9]{2}))$/

/**
 * Reads an RFC 3339 date-time the schema has already shaped, rejecting impossible fields
 * (month 13, 31 April, 25:00) that `Date` would silently roll over.
 */
export function parseDateTime(text: string): Date | undefined {
  const match = DATE_TIME.exec(text)
  if (!match) return undefined
  const [year, month, day, hour, minute, second, , offsetHours, offsetMinutes] = match
    .slice(1)
    .map((part) => (part === undefined ? 0 : Number(part))) as number[]
  const daysInMonth = new Date(Date.UTC(year!, month!, 0)).getUTCDate()
  if (month! < 1 || month! > 12 || day! < 1 || day! > daysInMonth) return undefined
  if (hour! > 23 || minute! > 59 || second! > 60 || offsetHours! > 23 || offsetMinutes! > 59) return undefined
  const date = new Date(text)
  return Number.isNaN(date.getTime()) ? undefined : date
}

export type { InputError }
