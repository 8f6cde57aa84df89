import { AwsQueryError } from './aws-query-error.js'

/** A policy statement as written in JSON; fields are checked before use. */
export interface PolicyStatement {
  readonly [field: string]: unknown
}

/**
 * Parses and checks a policy document the way IAM rejects bad ones, returning its statements.
 * Identity policies (`kind: 'identity'`) must name resources; trust policies name principals instead.
 * Throws `MalformedPolicyDocument` (400) with AWS's wording.
 */
export function parsePolicyDocument(document: string, kind: 'identity' | 'trust'): PolicyStatement[] {
  checkDocumentCharacters(document)
  let parsed: unknown
  try {
    parsed = JSON.parse(document)
  } catch (error) {
    throw new AwsQueryError('MalformedPolicyDocument', 400, 'Syntax errors in policy.', { cause: error })
  }
  if (!isObject(parsed) || parsed['Statement'] === undefined) {
    throw new AwsQueryError('MalformedPolicyDocument', 400, 'Syntax errors in policy.')
  }
  const version = parsed['Version']
  if (version !== undefined && version !== '2012-10-17' && version !== '2008-10-17') {
    throw new AwsQueryError('MalformedPolicyDocument', 400, 'The policy failed legacy parsing')
  }
  const rawStatements = parsed['Statement']
  const statements = Array.isArray(rawStatements) ? rawStatements : [rawStatements]
  return statements.map((statement) => checkStatement(statement, kind))
}

/** Counts a policy's size as IAM does for its quotas: characters other than whitespace. */
export function measurePolicySize(document: string): number {
  return document.replace(/\s/g, '').length
}

/** Returns a field that may be a string or a list of strings as a list. */
export function readStringList(value: unknown): string[] {
  if (typeof value === 'string') return [value]
  if (Array.isArray(value)) return value.filter((item): item is string => typeof item === 'string')
  return []
}

/** True for a plain JSON object. */
export function isObject(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value)
}

function checkStatement(statement: unknown, kind: 'identity' | 'trust'): PolicyStatement {
  if (!isObject(statement)) {
    throw new AwsQueryError('MalformedPolicyDocument', 400, 'Syntax errors in policy.')
  }
  const effect = statement['Effect']
  if (effect !== 'Allow' && effect !== 'Deny') {
    throw new AwsQueryError('MalformedPolicyDocument', 400, `Invalid effect: ${String(effect)}`)
  }
  if (statement['Action'] === undefined && statement['NotAction'] === undefined) {
    throw new AwsQueryError('MalformedPolicyDocument', 400, 'Policy statement must contain actions.')
  }
  if (kind === 'identity' && statement['Resource'] === undefined && statement['NotResource'] === undefined) {
    throw new AwsQueryError('MalformedPolicyDocument', 400, 'Policy statement must contain resources.')
  }
  if (kind === 'identity' && statement['Principal'] !== undefined) {
    throw new AwsQueryError('MalformedPolicyDocument', 400, 'Policy document should not specify a principal.')
  }
  if (kind === 'trust' && statement['Principal'] === undefined && statement['NotPrincipal'] === undefined) {
    throw new AwsQueryError('MalformedPolicyDocument', 400, 'Missing required field Principal')
  }
  if (kind === 'identity') {
    for (const action of readStringList(statement['Action'] ?? statement['NotAction'])) checkAction(action)
    for (const resource of readStringList(statement['Resource'] ?? statement['NotResource'])) checkResource(resource)
    checkDateConditions(statement['Condition'])
  }
  return statement
}

/** The characters IAM's API takes in a PolicyDocument parameter (a ValidationError otherwise, as AWS answers). */
const documentCharacters = /^[\t\n\r\x20-\xff]+$/

function checkDocumentCharacters(document: string): void {
  if (!documentCharacters.test(document)) {
    throw new AwsQueryError(
      'ValidationError',
      400,
      `1 validation error detected: Value at 'policyDocument' failed to satisfy constraint: Member must satisfy regular expression pattern: [\\u0009\\u000A\\u000D\\u0020-\\u00FF]+`,
    )
  }
}

/** IAM's action grammar: `*`, or a vendor prefix (letters, digits, hyphens) and a name with optional wildcards. */
function checkAction(action: string): void {
  if (action === '*') return
  const colon = action.indexOf(':')
  if (colon < 0) {
    throw new AwsQueryError('MalformedPolicyDocument', 400, 'Actions/Conditions must be prefaced by a vendor, e.g., iam, sdb, ec2, etc.')
  }
  const vendor = action.slice(0, colon)
  if (!/^[A-Za-z0-9-]+$/.test(vendor)) throw new AwsQueryError('MalformedPolicyDocument', 400, `Vendor ${vendor} is not valid`)
  if (!/^[A-Za-z0-9*?]+$/.test(action.slice(colon + 1))) {
    throw new AwsQueryError('MalformedPolicyDocument', 400, `Action ${action} is not valid`)
  }
}

/** The partitions AWS has. */
const partitions = new Set(['aws', 'aws-cn', 'aws-us-gov', 'aws-iso', 'aws-iso-b', 'aws-iso-e', 'aws-iso-f', 'aws-eusc'])

/** A resource is `*` or an ARN (`arn:partition:service:region:account:resource`) of a real partition. */
function checkResource(resource: string): void {
  if (resource === '*') return
  const parts = resource.split(':')
  if (parts.length < 6 || parts[0] !== 'arn' || parts[2] === '') {
    throw new AwsQueryError('MalformedPolicyDocument', 400, `Resource ${resource} must be in ARN format or "*".`)
  }
  const partition = parts[1] ?? ''
  if (!partitions.has(partition)) {
    throw new AwsQueryError('MalformedPolicyDocument', 400, `Partition "${partition}" is not valid for resource "${resource}".`)
  }
}

/** Date condition values must be dates IAM can read: ISO 8601 with a four-digit year, or epoch seconds. */
function checkDateConditions(condition: unknown): void {
  if (!isObject(condition)) return
  for (const [operator, block] of Object.entries(condition)) {
    if (!/^Date/.test(operator) || !isObject(block)) continue
    for (const [key, value] of Object.entries(block)) {
      for (const date of readStringList(value)) {
        if (!/^(?:\d{4}-\d{2}-\d{2}(?:T\d{2}:\d{2}(?::\d{2}(?:\.\d+)?)?(?:Z|[+-]\d{2}:\d{2}))?|\d+)$/.test(date)) {
          throw new AwsQueryError('MalformedPolicyDocument', 400, `Invalid Condition: ${operator} for ${key} needs a date, not ${date}`)
        }
      }
    }
  }
}
