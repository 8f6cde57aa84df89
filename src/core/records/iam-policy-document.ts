/**
 * The IAM documents and names this app writes. Pure: no SDK, no clock.
 *
 * A grant is an inline policy whose window is enforced by IAM itself (a Condition on `aws:CurrentTime`),
 * so access ends on time even if the app and its sweeper are down. Its name carries the request id and
 * the expiry, so a sweeper can tell ours from anyone else's, and when each ends, from AWS alone.
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
  | { readonly kind: 'grant'; readonly requestId: string; readonly expiresAt: Date }
  | { readonly kind: 'session-cut'; readonly requestId: string; readonly revokedAt: Date }

/** IAM policy names: at most 128 characters of `[\w+=,.@-]`. */
export const MAX_POLICY_NAME_LENGTH = 128
const POLICY_NAME_CHARACTERS = /^[\w+=,.@-]+$/
const MANAGED_NAME = /^jit-(.+)-(exp|revoked)-(\d{4})(\d{2})(\d{2})T(\d{2})(\d{2})(\d{2})Z$/

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

/** `jit-<requestId>-exp-<YYYYMMDDTHHMMSSZ>`, e.g. `jit-pr-42-exp-20261201T110000Z`. */
export function nameGrantPolicy(params: { requestId: string; expiresAt: Date }): string {
  return `jit-${params.requestId}-exp-${formatCompactTime(floorToSecond(params.expiresAt))}`
}

/** `jit-<requestId>-revoked-<YYYYMMDDTHHMMSSZ>`, e.g. `jit-pr-42-revoked-20261201T100000Z`. */
export function nameSessionCutPolicy(params: { requestId: string; revokedAt: Date }): string {
  return `jit-${params.requestId}-revoked-${formatCompactTime(ceilToSecond(params.revokedAt))}`
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
  const [, requestId, kind, year, month, day, hour, minute, second] = match
  if (!requestId) return undefined
  const iso = `${year}-${month}-${day}T${hour}:${minute}:${second}Z`
  const time = new Date(iso)
  // Rejects names like ...-exp-20261340T990000Z that the regular expression lets through.
  if (Number.isNaN(time.getTime()) || formatIsoSeconds(time) !== iso) return undefined
  return kind === 'exp' ? { kind: 'grant', requestId, expiresAt: time } : { kind: 'session-cut', requestId, revokedAt: time }
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
