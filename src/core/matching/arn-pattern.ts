import { compileWildcard, findUncoveredExample, hasWildcard } from './wildcard.js'

/**
 * Resources as IAM reads them: `*`, or an ARN `arn:partition:service:region:account:resource`. IAM
 * matches `*` and `?` within each of the first five colon-separated segments (a wildcard in the region
 * never reaches into the account); the resource part after the fifth colon may itself hold colons and
 * is matched as a whole. Comparison is case-sensitive (IAM is case-insensitive in some segments; being
 * stricter never grants more).
 */

/** The partitions AWS has; an ARN in any other is refused, since no grant to it can work. */
export const AWS_PARTITIONS = ['aws', 'aws-cn', 'aws-us-gov', 'aws-iso', 'aws-iso-b', 'aws-iso-e', 'aws-iso-f', 'aws-eusc'] as const

/** An ARN split into IAM's matching segments. */
interface ArnSegments {
  readonly partition: string
  readonly service: string
  readonly region: string
  readonly account: string
  /** Everything after the fifth colon (may contain colons). */
  readonly resource: string
}

const SEGMENT_NAMES = ['partition', 'service', 'region', 'account', 'resource'] as const

/** Splits at the first five colons; undefined when the text is not `arn:` with five colons. */
function splitArn(text: string): ArnSegments | undefined {
  const parts = text.split(':')
  if (parts.length < 6 || parts[0] !== 'arn') return undefined
  const [, partition = '', service = '', region = '', account = ''] = parts
  return { partition, service, region, account, resource: parts.slice(5).join(':') }
}

/** Characters IAM takes in a policy document, less white space and the C1 controls (which JSON would carry raw). */
const ALLOWED_CHARACTER = /^[\x21-\x7e\xa1-\xff]$/u

/**
 * Why `resource` (as written in a request or a policy) is not a resource IAM would accept and match the
 * way we do, or undefined when it is. Each reason tells the writer what to write instead.
 */
export function describeResourceProblem(resource: string): string | undefined {
  if (resource === '*') return undefined
  for (const char of resource) {
    if (!ALLOWED_CHARACTER.test(char)) {
      const code = `U+${(char.codePointAt(0) ?? 0).toString(16).toUpperCase().padStart(4, '0')}`
      return `resource "${resource}" contains ${JSON.stringify(char)} (${code}), which IAM does not accept in a policy: use printable ASCII or Latin-1 characters`
    }
  }
  const arn = splitArn(resource)
  if (!arn) {
    return `resource "${resource}" is not an ARN: write "*" or arn:partition:service:region:account:resource (e.g. arn:aws:ec2:us-east-1:111111111111:instance/i-0abc123)`
  }
  if (!(AWS_PARTITIONS as readonly string[]).includes(arn.partition)) {
    return `resource "${resource}" names the partition "${arn.partition}", which AWS does not have: use one of ${AWS_PARTITIONS.join(', ')}`
  }
  if (hasWildcard(arn.service))
    return `resource "${resource}" has a wildcard in its service ("${arn.service}"), which IAM does not allow: name the service`
  if (!/^[a-z0-9-]+$/.test(arn.service)) {
    return `resource "${resource}" has the service "${arn.service}": a service is lower-case letters, digits and hyphens (e.g. ec2, s3)`
  }
  if (arn.resource === '') return `resource "${resource}" has nothing after the account: name the resource, or end it with *`
  if (resource.includes('${')) {
    return `resource "${resource}" contains a policy variable ("\${…}"), which IAM would substitute at request time: name the resource itself`
  }
  const type = resourceTypePrefix(arn)
  if (hasWildcard(type)) {
    return `resource "${resource}" has a wildcard in its resource type ("${type}"), which IAM matches literally: write the type in full (e.g. instance/*)`
  }
  return undefined
}

/**
 * The resource type with its separator (`instance/`, `log-group:`), which IAM compares literally: the
 * resource part up to its first `/` or `:`, none for a resource with neither, and none for S3 buckets
 * and objects (`arn:aws:s3:::bucket/key`), whose first part is a name.
 */
function resourceTypePrefix(arn: ArnSegments): string {
  if (arn.service === 's3' && arn.region === '' && arn.account === '') return ''
  const end = arn.resource.search(/[/:]/)
  return end < 0 ? '' : arn.resource.slice(0, end + 1)
}

/** Compiles a granted resource once into a match for concrete resources (IAM's segment-wise matching). */
export function compileResourceMatch(granted: string): (resource: string) => boolean {
  if (granted === '*') return () => true
  const grantedArn = splitArn(granted)
  if (!grantedArn) return () => false
  const matchers = SEGMENT_NAMES.map((name) => compileWildcard(grantedArn[name]))
  return (resource) => {
    const arn = splitArn(resource)
    return arn !== undefined && SEGMENT_NAMES.every((name, index) => matchers[index]!(arn[name]))
  }
}

/**
 * A concrete resource that `requested` could name and `granted` does not allow, or undefined when
 * `granted` covers `requested`. Exact: an ARN pattern is the product of its segments' languages, so it
 * is covered exactly when each segment is (each is decided exactly by `findUncoveredExample`). Throws
 * PatternTooComplexError for pathological patterns rather than guess.
 */
export function findUncoveredResource(granted: string, requested: string): string | undefined {
  if (granted === '*') return undefined
  const grantedArn = splitArn(granted)
  const requestedArn = splitArn(requested)
  // `*` names every resource, including ones outside any ARN pattern; an ARN granted covers no non-ARN.
  if (!grantedArn) return requested
  if (!requestedArn) return requested === '*' ? findResourceOutside(grantedArn) : requested
  const uncovered = SEGMENT_NAMES.map((name) => findUncoveredExample(grantedArn[name], requestedArn[name]))
  if (uncovered.every((example) => example === undefined)) return undefined
  return ['arn', ...SEGMENT_NAMES.map((name, index) => uncovered[index] ?? spellMember(requestedArn[name]))].join(':')
}

/**
 * Compiles a granted resource once into a coverage check for many requested resources: a concrete ARN
 * is a plain segment-wise match (the hot path), a requested pattern is decided by `findUncoveredResource`.
 */
export function compileResourceCoverage(granted: string): (requested: string) => boolean {
  const matches = compileResourceMatch(granted)
  return (requested) => (hasWildcard(requested) ? findUncoveredResource(granted, requested) === undefined : matches(requested))
}

/** An ARN the granted pattern does not match (for explaining why `*` is not covered): the same in another partition. */
function findResourceOutside(grantedArn: ArnSegments): string {
  const partition = grantedArn.partition === 'aws' ? 'aws-cn' : 'aws'
  return ['arn', partition, ...SEGMENT_NAMES.slice(1).map((name) => spellMember(grantedArn[name]))].join(':')
}

/** The shortest member of a pattern: `*` empty, `?` an `x`. */
function spellMember(pattern: string): string {
  return pattern.replaceAll('*', '').replaceAll('?', 'x')
}
