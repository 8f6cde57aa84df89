/**
 * The IAM documents and names this app writes. Pure: no SDK, no clock.
 *
 * A grant is an inline policy whose window is enforced by IAM itself (a Condition on `aws:CurrentTime`),
 * so access ends on time even if the app and its sweeper are down. Its name carries the access
 * repository's namespace, the request id and the expiry, so a sweeper can tell its own repository's
 * policies from another repository's (or anyone else's), and when each ends, from AWS alone.
 *
 * Names: `jit-<namespace>-<requestId>-exp-<YYYYMMDDTHHMMSSZ>` for a grant and
 * `jit-<namespace>-<requestId>-revoked-<YYYYMMDDTHHMMSSZ>` for a session cut, where the namespace is ten
 * lower-case hex digits (see `REPOSITORY_NAMESPACE`). Names written before namespaces (`jit-pr-42-exp-…`)
 * still parse, with namespace null: records that name them are revoked by name as always, but no
 * repository claims such a policy as its orphan, because none can tell whose it was.
 */

/** An IAM policy document as this app writes it. */
export interface PolicyDocument {
  readonly Version: '2012-10-17'
  readonly Statement: readonly PolicyStatement[]
}

export interface PolicyStatement {
  readonly Sid: string
  readonly Effect: 'Allow' | 'Deny'
  readonly Action: readonly string[] | string
  readonly Resource: readonly string[] | string
  readonly Condition: Readonly<Record<string, Readonly<Record<string, string>>>>
}

/** The name of a policy this app manages, read back from the name. */
export type ManagedPolicyName =
  | { readonly kind: 'grant'; readonly namespace: string | null; readonly requestId: string; readonly expiresAt: Date }
  | { readonly kind: 'session-cut'; readonly namespace: string | null; readonly requestId: string; readonly revokedAt: Date }

/** A repository's namespace: ten lower-case hex digits (the start of a SHA-256 of its `owner/name`, lower-cased). */
export const REPOSITORY_NAMESPACE = /^[0-9a-f]{10}$/
/** As long as any namespace: what a check that knows no repository yet measures a name with. */
export const NAMESPACE_PLACEHOLDER = '0'.repeat(10)

/** IAM policy names: at most 128 characters of `[\w+=,.@-]`. */
export const MAX_POLICY_NAME_LENGTH = 128
const POLICY_NAME_CHARACTERS = /^[\w+=,.@-]+$/
const MANAGED_NAME = /^jit-(?:([0-9a-f]{10})-)?(.+)-(exp|revoked)-(\d{4})(\d{2})(\d{2})T(\d{2})(\d{2})(\d{2})Z$/

/**
 * Builds the grant's policy: one Allow statement with exactly the approved actions and resources
 * (deduplicated and sorted so the same request always yields the same document) valid strictly
 * between `notBefore` and `expiresAt`.
 *
 * Times are written to the second: the start is rounded up and the end rounded down, so the window
 * written to IAM never exceeds the approved one.
 */
export function buildGrantPolicyDocument(params: {
  requestId: string
  notBefore: Date
  expiresAt: Date
  actions: readonly string[]
  resources: readonly string[]
}): PolicyDocument {
  return {
    Version: '2012-10-17',
    Statement: [
      {
        Sid: sidFor(params.requestId, 'Grant'),
        Effect: 'Allow',
        Action: sortUnique(params.actions),
        Resource: sortUnique(params.resources),
        Condition: {
          DateGreaterThan: { 'aws:CurrentTime': formatIsoSeconds(ceilToSecond(params.notBefore)) },
          DateLessThan: { 'aws:CurrentTime': formatIsoSeconds(floorToSecond(params.expiresAt)) },
        },
      },
    ],
  }
}

/**
 * Builds the deny-all that cuts sessions issued before a revocation: it denies every action to any
 * session of the principal whose token was issued before `revokedAt`, so credentials obtained while the
 * grant was live stop working now rather than when they expire.
 *
 * Trade-off: IAM cannot tell which session used which policy, so this also cuts the principal's other
 * sessions issued before `revokedAt`, including ones that rely on other, still valid grants. Those
 * callers must get new credentials (a new AssumeRole) to continue. New sessions are unaffected.
 */
export function buildSessionCutPolicyDocument(params: { requestId: string; revokedAt: Date }): PolicyDocument {
  return {
    Version: '2012-10-17',
    Statement: [
      {
        Sid: sidFor(params.requestId, 'Revoked'),
        Effect: 'Deny',
        Action: '*',
        Resource: '*',
        Condition: {
          // Rounded up: a session issued within the revocation second is cut too.
          DateLessThan: { 'aws:TokenIssueTime': formatIsoSeconds(ceilToSecond(params.revokedAt)) },
        },
      },
    ],
  }
}

/** The document as sent to IAM: compact JSON, so its size is what IAM counts. */
export function serializePolicyDocument(document: PolicyDocument): string {
  return JSON.stringify(document)
}

/**
 * `jit-<namespace>-<requestId>-exp-<YYYYMMDDTHHMMSSZ>`, e.g. `jit-3f9a0c27d1-pr-42-exp-20261201T110000Z`;
 * with namespace null (a grant recorded before namespaces), `jit-pr-42-exp-20261201T110000Z`.
 */
export function nameGrantPolicy(params: { namespace: string | null; requestId: string; expiresAt: Date }): string {
  return `jit-${prefixOf(params.namespace)}${params.requestId}-exp-${formatCompactTime(floorToSecond(params.expiresAt))}`
}

/** `jit-<namespace>-<requestId>-revoked-<YYYYMMDDTHHMMSSZ>`, e.g. `jit-3f9a0c27d1-pr-42-revoked-20261201T100000Z`. */
export function nameSessionCutPolicy(params: { namespace: string | null; requestId: string; revokedAt: Date }): string {
  return `jit-${prefixOf(params.namespace)}${params.requestId}-revoked-${formatCompactTime(ceilToSecond(params.revokedAt))}`
}

function prefixOf(namespace: string | null): string {
  if (namespace === null) return ''
  // A programming error: namespaces come from `nameRepositoryNamespace` or from a parsed name.
  if (!REPOSITORY_NAMESPACE.test(namespace)) throw new Error(`not a repository namespace: ${JSON.stringify(namespace)}`)
  return `${namespace}-`
}

/** The namespace a recorded policy name carries; null for a name from before namespaces (or not the app's). */
export function namespaceOfPolicyName(name: string): string | null {
  return parseManagedPolicyName(name)?.namespace ?? null
}

/** Why a policy name cannot be used, or undefined when IAM accepts it. */
export function checkPolicyName(name: string): string | undefined {
  if (name.length > MAX_POLICY_NAME_LENGTH) {
    return `policy name ${name} is ${name.length} characters long; IAM allows ${MAX_POLICY_NAME_LENGTH}: use a shorter request id`
  }
  if (!POLICY_NAME_CHARACTERS.test(name)) {
    return `policy name ${name} has characters IAM does not allow (only letters, digits and +=,.@_-): use a request id made of those`
  }
  return undefined
}

/** Recognises a name written by `nameGrantPolicy` or `nameSessionCutPolicy`; undefined for anything else. */
export function parseManagedPolicyName(name: string): ManagedPolicyName | undefined {
  const match = MANAGED_NAME.exec(name)
  if (!match) return undefined
  const [, namespace, requestId, kind, year, month, day, hour, minute, second] = match
  if (!requestId) return undefined
  const iso = `${year}-${month}-${day}T${hour}:${minute}:${second}Z`
  const time = new Date(iso)
  // Rejects names like ...-exp-20261340T990000Z that the regular expression lets through.
  if (Number.isNaN(time.getTime()) || formatIsoSeconds(time) !== iso) return undefined
  const ns = namespace ?? null
  return kind === 'exp'
    ? { kind: 'grant', namespace: ns, requestId, expiresAt: time }
    : { kind: 'session-cut', namespace: ns, requestId, revokedAt: time }
}

/** IAM takes tab, line feed, carriage return and U+0020 to U+00FF in a policy document, nothing else. */
const POLICY_DOCUMENT_CHARACTERS = /^[\t\n\r\x20-\xff]*$/

/** Why IAM would refuse the characters of a serialized document, or undefined when it takes them all. */
export function findPolicyDocumentCharacterProblem(document: string): string | undefined {
  if (POLICY_DOCUMENT_CHARACTERS.test(document)) return undefined
  const char = [...document].find((candidate) => !POLICY_DOCUMENT_CHARACTERS.test(candidate)) ?? ''
  const code = `U+${(char.codePointAt(0) ?? 0).toString(16).toUpperCase().padStart(4, '0')}`
  return `contains ${JSON.stringify(char)} (${code}); IAM accepts only tab, line breaks and U+0020 to U+00FF in a policy`
}

/** `2026-12-01T11:00:00Z`: ISO 8601 to the second, the form IAM documents use. */
export function formatIsoSeconds(time: Date): string {
  return time.toISOString().replace(/\.\d{3}Z$/, 'Z')
}

function formatCompactTime(time: Date): string {
  return formatIsoSeconds(time).replace(/[-:]/g, '')
}

function floorToSecond(time: Date): Date {
  return new Date(Math.floor(time.getTime() / 1000) * 1000)
}

function ceilToSecond(time: Date): Date {
  return new Date(Math.ceil(time.getTime() / 1000) * 1000)
}

function sortUnique(values: readonly string[]): string[] {
  return [...new Set(values)].sort()
}

/** IAM Sids allow only ASCII letters and digits: `pr-42` becomes `JitPr42Grant`. */
function sidFor(requestId: string, suffix: string): string {
  const words = requestId.split(/[^A-Za-z0-9]+/).filter((word) => word.length > 0)
  return ['Jit', ...words.map((word) => word.charAt(0).toUpperCase() + word.slice(1)), suffix].join('')
}

/**
 * When IAM stops honouring a grant document: the earliest `DateLessThan` (or `DateLessThanEquals`) on
 * `aws:CurrentTime` among its Allow statements, as `buildGrantPolicyDocument` writes it. Undefined when
 * the document says none (not JSON, no such condition, a time IAM could not read): then only the name's
 * expiry is left, which the caller must say it used.
 */
export function readPolicyDocumentExpiry(document: string): Date | undefined {
  let parsed: unknown
  try {
    parsed = JSON.parse(document)
  } catch {
    return undefined
  }
  const statements = (parsed as { Statement?: unknown } | null)?.Statement
  const list = Array.isArray(statements) ? statements : statements === undefined ? [] : [statements]
  let earliest: Date | undefined
  for (const statement of list as { Effect?: unknown; Condition?: Record<string, Record<string, unknown> | undefined> }[]) {
    if (statement?.Effect !== 'Allow' || typeof statement.Condition !== 'object' || statement.Condition === null) continue
    for (const operator of ['DateLessThan', 'DateLessThanEquals']) {
      const written = statement.Condition[operator]?.['aws:CurrentTime']
      for (const value of Array.isArray(written) ? written : [written]) {
        if (typeof value !== 'string') continue
        const time = new Date(value)
        if (!Number.isNaN(time.getTime()) && (earliest === undefined || time < earliest)) earliest = time
      }
    }
  }
  return earliest
}
