import {
  DeleteRolePolicyCommand,
  DeleteUserPolicyCommand,
  GetRolePolicyCommand,
  GetUserPolicyCommand,
  type IAMClient,
  ListRolePoliciesCommand,
  ListUserPoliciesCommand,
  PutRolePolicyCommand,
  PutUserPolicyCommand,
} from '@aws-sdk/client-iam'
import { classifyAwsError, type RetryingCall } from '../retry.js'
import { measurePolicySize } from '../../core/records/inline-policy-size.js'
import type { Principal } from '../../core/records/principal-arn.js'

/** One page of a principal's inline policy names. */
export interface InlinePolicyPage {
  readonly policyNames: readonly string[]
  /** Where the next page starts; undefined on the last page. */
  readonly marker: string | undefined
}

/**
 * The inline policies of one IAM principal. IAM has a family of operations for roles and one for users,
 * the same but for the name they take; this is chosen once, from the parsed principal. Each method is
 * one IAM call, not retried.
 */
export interface InlinePolicyApi {
  put(policyName: string, policyDocument: string): Promise<unknown>
  delete(policyName: string): Promise<unknown>
  list(marker: string | undefined): Promise<InlinePolicyPage>
  /** The document as IAM returns it: URL-encoded (RFC 3986). */
  get(policyName: string): Promise<string>
}

export function inlinePolicyApiFor(principal: Principal, iam: IAMClient): InlinePolicyApi {
  return principal.kind === 'role' ? rolePolicies(iam, principal.name) : userPolicies(iam, principal.name)
}

function rolePolicies(iam: IAMClient, RoleName: string): InlinePolicyApi {
  return {
    put: (PolicyName, PolicyDocument) => iam.send(new PutRolePolicyCommand({ RoleName, PolicyName, PolicyDocument })),
    delete: (PolicyName) => iam.send(new DeleteRolePolicyCommand({ RoleName, PolicyName })),
    list: async (Marker) => readPage(await iam.send(new ListRolePoliciesCommand({ RoleName, ...(Marker ? { Marker } : {}) }))),
    get: async (PolicyName) => (await iam.send(new GetRolePolicyCommand({ RoleName, PolicyName }))).PolicyDocument ?? '',
  }
}

function userPolicies(iam: IAMClient, UserName: string): InlinePolicyApi {
  return {
    put: (PolicyName, PolicyDocument) => iam.send(new PutUserPolicyCommand({ UserName, PolicyName, PolicyDocument })),
    delete: (PolicyName) => iam.send(new DeleteUserPolicyCommand({ UserName, PolicyName })),
    list: async (Marker) => readPage(await iam.send(new ListUserPoliciesCommand({ UserName, ...(Marker ? { Marker } : {}) }))),
    get: async (PolicyName) => (await iam.send(new GetUserPolicyCommand({ UserName, PolicyName }))).PolicyDocument ?? '',
  }
}

function readPage(page: {
  PolicyNames?: string[] | undefined
  IsTruncated?: boolean | undefined
  Marker?: string | undefined
}): InlinePolicyPage {
  return { policyNames: page.PolicyNames ?? [], marker: page.IsTruncated ? page.Marker : undefined }
}

/** Every inline policy name on the principal, page by page, each page retried on its own. */
export async function listInlinePolicyNames(policies: InlinePolicyApi, call: RetryingCall): Promise<string[]> {
  const names: string[] = []
  let marker: string | undefined
  do {
    const page = await call(() => policies.list(marker))
    names.push(...page.policyNames)
    marker = page.marker
  } while (marker)
  return names
}

/** Size IAM counts for the principal's inline policies other than `replacing` (which a put would overwrite). */
export async function measureOtherInlinePolicies(policies: InlinePolicyApi, call: RetryingCall, replacing: string): Promise<number> {
  let total = 0
  for (const policyName of await listInlinePolicyNames(policies, call)) {
    if (policyName === replacing) continue
    const document = await call(() => policies.get(policyName))
    total += measurePolicySize(decodeURIComponent(document))
  }
  return total
}

/** Deletes a policy; `false` when it was not there (already revoked). */
export async function deleteInlinePolicy(policies: InlinePolicyApi, call: RetryingCall, policyName: string): Promise<boolean> {
  try {
    await call(() => policies.delete(policyName))
    return true
  } catch (error) {
    if (classifyAwsError(error).code === 'NoSuchEntity') return false
    throw error
  }
}
