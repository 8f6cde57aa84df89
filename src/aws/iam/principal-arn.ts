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
