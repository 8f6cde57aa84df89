import type { Principal } from './principal-arn.js'

/**
 * IAM's aggregate quota on the inline policies of one principal, in characters, white space excluded
 * (as IAM counts). Every inline policy on the principal counts, not only ours.
 */
export const INLINE_POLICY_LIMITS: Readonly<Record<Principal['kind'], number>> = { role: 10_240, user: 2_048 }

/** The size IAM counts for a policy document: its characters other than white space. */
export function measurePolicySize(document: string): number {
  return document.replace(/\s/g, '').length
}

/**
 * Why the principal cannot hold the new policy, or undefined when it fits. `existingSize` is the size of
 * the principal's other inline policies (0 when unknown), excluding any policy the new one replaces.
 */
export function checkInlinePolicySize(params: {
  requestId: string
  principal: Principal
  account: string
  newSize: number
  existingSize: number
}): string | undefined {
  const limit = INLINE_POLICY_LIMITS[params.principal.kind]
  const total = params.newSize + params.existingSize
  if (total <= limit) return undefined
  const others =
    params.existingSize > 0 ? ` (${format(params.newSize)} for this request plus ${format(params.existingSize)} already on it)` : ''
  return (
    `request ${params.requestId} needs ${format(total)} characters of inline policy on ${params.principal.kind} ` +
    `${params.principal.name} in ${params.account}${others}; IAM allows ${format(limit)} per ${params.principal.kind}: ` +
    `split the request or use wildcards the policy allows`
  )
}

function format(size: number): string {
  return size.toLocaleString('en-US')
}
