import { GrantError } from '../core/ports/cloud-provider.js'
import { classifyAwsError } from './retry.js'

/** Stands in for a request id in sessions and errors of listing, which serves reconciliation, not one request. */
export const RECONCILE = 'reconcile'

/** The request and target an AWS call was made for: what every GrantError names. */
export interface TargetContext {
  readonly requestId: string
  readonly account: string
  readonly principalArn: string
}

/**
 * The GrantError for a failed AWS call: "request pr-42: could not <doing> (<code>: <message>)", permanent
 * unless the error is worth retrying later. A GrantError passes through unchanged, so the innermost
 * explanation wins.
 */
export function toGrantError(error: unknown, context: TargetContext & { readonly doing: string }): GrantError {
  if (error instanceof GrantError) return error
  const { code, message, transient } = classifyAwsError(error)
  const subject = context.requestId === RECONCILE ? RECONCILE : `request ${context.requestId}`
  return new GrantError({
    message: `${subject}: could not ${context.doing} (${code}: ${message})`,
    code,
    permanent: !transient,
    requestId: context.requestId,
    account: context.account,
    principalArn: context.principalArn,
    cause: error,
  })
}
