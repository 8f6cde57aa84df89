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
  return statement
}
