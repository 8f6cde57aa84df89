import { isObject, parsePolicyDocument, readStringList } from './policy-document.js'

/** Who is asking to assume a role, in every form a trust policy's `Principal` may name them. */
export interface AssumingPrincipal {
  readonly account: string
  /** The caller's ARNs: a user ARN, or an assumed-role session ARN and its role's ARN. */
  readonly arns: readonly string[]
}

/**
 * Decides whether a role's trust policy lets a principal call `sts:AssumeRole` with an external id.
 * Supported: `Allow`/`Deny` statements, `Principal.AWS` as `*`, an account id, `arn:aws:iam::ACCOUNT:root`
 * or an exact ARN, and the `sts:ExternalId` condition under `StringEquals`. A statement with any other
 * condition never matches, so the emulator errs towards denying.
 */
export function evaluateTrustPolicy(params: {
  trustPolicy: string
  principal: AssumingPrincipal
  externalId: string | undefined
}): boolean {
  const statements = parsePolicyDocument(params.trustPolicy, 'trust')
  const matching = statements.filter(
    (statement) =>
      coversAssumeRole(statement['Action']) &&
      namesPrincipal(statement['Principal'], params.principal) &&
      conditionHolds(statement['Condition'], params.externalId),
  )
  return matching.some((s) => s['Effect'] === 'Allow') && !matching.some((s) => s['Effect'] === 'Deny')
}

function coversAssumeRole(action: unknown): boolean {
  return readStringList(action).some((name) => ['sts:assumerole', 'sts:*', '*'].includes(name.toLowerCase()))
}

function namesPrincipal(principal: unknown, caller: AssumingPrincipal): boolean {
  if (principal === '*') return true
  if (!isObject(principal)) return false
  return readStringList(principal['AWS']).some(
    (entry) => entry === '*' || entry === caller.account || entry === `arn:aws:iam::${caller.account}:root` || caller.arns.includes(entry),
  )
}

function conditionHolds(condition: unknown, externalId: string | undefined): boolean {
  if (condition === undefined) return true
  if (!isObject(condition)) return false
  for (const [operator, clauses] of Object.entries(condition)) {
    if (operator !== 'StringEquals' || !isObject(clauses)) return false
    for (const [key, expected] of Object.entries(clauses)) {
      if (key.toLowerCase() !== 'sts:externalid') return false
      if (externalId === undefined || !readStringList(expected).includes(externalId)) return false
    }
  }
  return true
}
