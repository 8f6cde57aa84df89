import { AwsQueryError } from './aws-query-error.js'
import type { XmlElements } from './render-xml.js'
import { measurePolicySize, parsePolicyDocument } from './policy-document.js'

/** A role or user whose inline policies an operation works on. */
export interface PolicyHolder {
  readonly kind: 'role' | 'user'
  readonly name: string
  readonly inlinePolicies: Map<string, string>
}

/** IAM's quota on the summed size of one entity's inline policies, whitespace excluded. */
export const inlinePolicySizeLimit = { role: 10_240, user: 2_048 } as const

const policyNamePattern = /^[\w+=,.@-]{1,128}$/

/**
 * Adds or replaces an inline policy, enforcing IAM's rules: a well-formed identity policy,
 * and the holder's inline policies together within `inlinePolicySizeLimit` (`LimitExceeded`, 409).
 */
export function putInlinePolicy(holder: PolicyHolder, policyName: string, document: string): void {
  checkPolicyName(policyName)
  parsePolicyDocument(document, 'identity')
  let total = measurePolicySize(document)
  for (const [name, existing] of holder.inlinePolicies) {
    if (name !== policyName) total += measurePolicySize(existing)
  }
  const limit = inlinePolicySizeLimit[holder.kind]
  if (total > limit) {
    throw new AwsQueryError('LimitExceeded', 409, `Maximum policy size of ${limit} bytes exceeded for ${holder.kind} ${holder.name}`)
  }
  holder.inlinePolicies.set(policyName, document)
}

/** Returns an inline policy's document, or `NoSuchEntity` as IAM words it. */
export function getInlinePolicy(holder: PolicyHolder, policyName: string): string {
  const document = holder.inlinePolicies.get(policyName)
  if (document === undefined) throw createNoSuchPolicyError(holder, policyName)
  return document
}

/** Deletes an inline policy, or throws `NoSuchEntity` when it is not there. */
export function deleteInlinePolicy(holder: PolicyHolder, policyName: string): void {
  if (!holder.inlinePolicies.delete(policyName)) throw createNoSuchPolicyError(holder, policyName)
}

/**
 * Lists inline policy names in name order, one page at a time. The marker is opaque to callers
 * and names the first policy of the next page, so deleting policies between pages skips none.
 */
export function listInlinePolicyNames(
  holder: PolicyHolder,
  page: { marker: string | undefined; maxItems: number | undefined },
): XmlElements {
  const maxItems = page.maxItems ?? 100
  if (maxItems < 1 || maxItems > 1000) {
    throw new AwsQueryError(
      'ValidationError',
      400,
      `1 validation error detected: Value '${maxItems}' at 'maxItems' failed to satisfy constraint: Member must have value between 1 and 1000`,
    )
  }
  const start = page.marker === undefined ? undefined : decodeMarker(page.marker)
  const names = [...holder.inlinePolicies.keys()].sort().filter((name) => start === undefined || name >= start)
  const pageNames = names.slice(0, maxItems)
  const next = names[maxItems]
  return {
    PolicyNames: pageNames,
    IsTruncated: next !== undefined,
    Marker: next === undefined ? undefined : Buffer.from(next, 'utf8').toString('base64url'),
  }
}

/** Reads a page marker written by a list operation (base64url of the first name of the next page). */
export function decodeMarker(marker: string): string {
  const decoded = Buffer.from(marker, 'base64url').toString('utf8')
  if (decoded === '' || Buffer.from(decoded, 'utf8').toString('base64url') !== marker) {
    throw new AwsQueryError('InvalidInput', 400, `Invalid Marker: ${marker}`)
  }
  return decoded
}

function checkPolicyName(policyName: string): void {
  if (!policyNamePattern.test(policyName)) {
    throw new AwsQueryError(
      'ValidationError',
      400,
      `1 validation error detected: Value '${policyName}' at 'policyName' failed to satisfy constraint: Member must satisfy regular expression pattern: [\\w+=,.@-]+`,
    )
  }
}

function createNoSuchPolicyError(holder: PolicyHolder, policyName: string): AwsQueryError {
  return new AwsQueryError('NoSuchEntity', 404, `The ${holder.kind} policy with name ${policyName} cannot be found.`)
}
