/** STS allows 2 to 64 characters of `[\w+=,.@-]` in a role session name. */
const MAX_SESSION_NAME_LENGTH = 64

/** What a granter session is for; the last segment of its name. */
export type SessionPurpose = 'grant' | 'revoke' | 'rollback' | 'list'

/**
 * The session name the app uses when assuming the granter role, e.g. `jit-pr-42-grant`. CloudTrail
 * records it on every IAM call made with the session, which ties each change to its request.
 * Characters STS refuses become `-`; a long request id is cut, keeping the purpose at the end.
 */
export function nameRoleSession(params: { requestId: string; purpose: SessionPurpose }): string {
  const suffix = `-${params.purpose}`
  const id = params.requestId.replace(/[^\w+=,.@-]/g, '-')
  return `jit-${id}`.slice(0, MAX_SESSION_NAME_LENGTH - suffix.length) + suffix
}
