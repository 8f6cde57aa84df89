/** An IAM role or user, as named by its ARN. */
export interface Principal {
  readonly kind: 'role' | 'user'
  /** The account in the ARN. */
  readonly account: string
  /** The name IAM APIs take (`RoleName`, `UserName`): the last segment, without the path. */
  readonly name: string
  readonly arn: string
}

// arn:<partition>:iam::<account>:role/<path/>name ; IAM names are [\w+=,.@-], paths are /-separated.
const PRINCIPAL_ARN = /^arn:aws[a-z-]*:iam::(\d{12}):(role|user)\/(?:[\w+=,.@-]+\/)*([\w+=,.@-]+)$/

/** Reads a role or user ARN (paths allowed); undefined for anything else (groups, assumed-role sessions, typos). */
export function parsePrincipalArn(arn: string): Principal | undefined {
  const match = PRINCIPAL_ARN.exec(arn)
  if (!match) return undefined
  const [, account, kind, name] = match
  if (!account || !name || (kind !== 'role' && kind !== 'user')) return undefined
  return { kind, account, name, arn }
}

/** IAM's limits on role and user names (64 characters) and on their paths (512, slashes included). */
export const MAX_PRINCIPAL_NAME_LENGTH = 64
export const MAX_PRINCIPAL_PATH_LENGTH = 512

/**
 * Why IAM would refuse `arn` as the principal of a grant, or undefined when it accepts it: not a role
 * or user ARN of the characters IAM allows, or a name or path over IAM's limits.
 */
export function describePrincipalProblem(arn: string): string | undefined {
  const principal = parsePrincipalArn(arn)
  if (!principal) {
    return `${arn} is not an IAM role or user ARN (arn:aws:iam::<account>:role/<name>, names of letters, digits and +=,.@_-)`
  }
  if (principal.name.length > MAX_PRINCIPAL_NAME_LENGTH) {
    return `the ${principal.kind} name ${principal.name} is ${principal.name.length} characters long; IAM allows ${MAX_PRINCIPAL_NAME_LENGTH}`
  }
  const path = arn.slice(arn.indexOf(`:${principal.kind}/`) + principal.kind.length + 1, arn.length - principal.name.length)
  if (path.length > MAX_PRINCIPAL_PATH_LENGTH) {
    return `the path of ${principal.kind} ${principal.name} is ${path.length} characters long; IAM allows ${MAX_PRINCIPAL_PATH_LENGTH}`
  }
  return undefined
}
