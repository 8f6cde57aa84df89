import { type IAMClient, ListRolesCommand, ListUsersCommand } from '@aws-sdk/client-iam'
import type { InventoriedPrincipal, Inventory, InventoryRequest, ManagedPolicy } from '../../core/ports/cloud-provider.js'
import { parseManagedPolicyName } from '../../core/records/iam-policy-document.js'
import { parsePrincipalArn, type Principal } from '../../core/records/principal-arn.js'
import { parsePrincipalPattern, type PrincipalPattern } from '../../core/records/principal-pattern.js'
import { RECONCILE, toGrantError } from '../grant-error.js'
import { formatGranterRoleArn } from '../granter-session.js'
import { mapConcurrently } from '../map-concurrently.js'
import { inlinePolicyApiFor, listInlinePolicyNames } from './inline-policy-api.js'
import type { IamBackend } from './iam-session.js'

/** Principals whose inline policies are listed at once, per account. */
const PRINCIPALS_IN_FLIGHT = 8

/**
 * A full pass over the IAM accounts of a request: in each account, the granter role lists the roles and
 * users (`ListRoles`/`ListUsers`, page by page, under the patterns' longest common path), keeps those
 * the patterns match, and lists each one's inline policies, keeping this namespace's. One account or
 * principal that cannot be read is a line in `problems`; the others are still looked through.
 *
 * AWS calls per account: one AssumeRole, one ListRoles (and ListUsers when a pattern names users) per
 * 100 entities under the path, then one ListRolePolicies/ListUserPolicies per matched principal.
 */
export async function listAllInlinePolicies(backend: IamBackend, request: InventoryRequest): Promise<Inventory> {
  const principals: InventoriedPrincipal[] = []
  const problems: string[] = []
  let principalsListed = 0
  for (const [account, written] of Object.entries(request.accounts)) {
    if (written.length === 0) continue
    const patterns = written.flatMap((pattern) => {
      const parsed = parsePrincipalPattern(pattern)
      if (parsed?.account === account) return [parsed]
      problems.push(`${pattern} is not an IAM role or user in ${account}: nothing was listed for it`)
      return []
    })
    if (patterns.length === 0) continue
    const context = { requestId: RECONCILE, account, principalArn: '' }
    let iam: IAMClient
    try {
      iam = await backend.openAccount({ ...context, purpose: 'list' })
    } catch (error) {
      problems.push(
        `could not list the principals of ${account}: ${toGrantError(error, { ...context, doing: `assume the granter role` }).message}`,
      )
      continue
    }
    // The granter role itself holds no grant, and may not even read its own policies (`NeverItself` in deploy/).
    const granterArn = formatGranterRoleArn(backend.granterRole, account)
    const found = new Map<string, Principal>()
    for (const kind of ['role', 'user'] as const) {
      const ofKind = patterns.filter((pattern) => pattern.kind === kind)
      for (const pathPrefix of widestPrefixes(ofKind)) {
        try {
          for (const arn of await listPrincipalArns(backend, iam, kind, pathPrefix)) {
            const principal = parsePrincipalArn(arn)
            if (principal && arn !== granterArn && ofKind.some((pattern) => pattern.matches(arn))) found.set(arn, principal)
          }
        } catch (error) {
          problems.push(toGrantError(error, { ...context, doing: `list the ${kind}s under ${pathPrefix} in ${account}` }).message)
        }
      }
    }
    principalsListed += found.size
    const listed = await mapConcurrently([...found.values()], PRINCIPALS_IN_FLIGHT, (principal) =>
      listNamespacePolicies(backend, iam, principal, request.namespace),
    )
    for (const entry of listed) {
      if (typeof entry === 'string') problems.push(entry)
      else if (entry.policies.length > 0) principals.push(entry)
    }
  }
  return { principals, problems, principalsListed }
}

/** The path prefixes to list: one per distinct prefix, leaving out those a shorter one already covers. */
function widestPrefixes(patterns: readonly PrincipalPattern[]): string[] {
  const prefixes = [...new Set(patterns.map((pattern) => pattern.pathPrefix))].sort((a, b) => a.length - b.length)
  return prefixes.filter((prefix, index) => !prefixes.slice(0, index).some((shorter) => prefix.startsWith(shorter)))
}

/** Every role (or user) ARN under the path, page by page, each page retried on its own. */
async function listPrincipalArns(backend: IamBackend, iam: IAMClient, kind: 'role' | 'user', PathPrefix: string): Promise<string[]> {
  const arns: string[] = []
  let Marker: string | undefined
  do {
    const page =
      kind === 'role'
        ? await backend.call(async () => {
            const listed = await iam.send(new ListRolesCommand({ PathPrefix, ...(Marker ? { Marker } : {}) }))
            return { arns: (listed.Roles ?? []).map((role) => role.Arn ?? ''), IsTruncated: listed.IsTruncated, Marker: listed.Marker }
          })
        : await backend.call(async () => {
            const listed = await iam.send(new ListUsersCommand({ PathPrefix, ...(Marker ? { Marker } : {}) }))
            return { arns: (listed.Users ?? []).map((user) => user.Arn ?? ''), IsTruncated: listed.IsTruncated, Marker: listed.Marker }
          })
    arns.push(...page.arns)
    Marker = page.IsTruncated ? page.Marker : undefined
  } while (Marker)
  return arns
}

/** This namespace's policies on one principal, or the problem line when they could not be listed. */
async function listNamespacePolicies(
  backend: IamBackend,
  iam: IAMClient,
  principal: Principal,
  namespace: string,
): Promise<InventoriedPrincipal | string> {
  try {
    const names = await listInlinePolicyNames(inlinePolicyApiFor(principal, iam), backend.call)
    const policies = recogniseManagedPolicies(names).filter((policy) => policy.namespace === namespace)
    return { account: principal.account, principalArn: principal.arn, policies }
  } catch (error) {
    return toGrantError(error, {
      requestId: RECONCILE,
      account: principal.account,
      principalArn: principal.arn,
      doing: `list the inline policies of ${principal.kind} ${principal.name} in ${principal.account}`,
    }).message
  }
}

/** The inline policy names this app recognises as its own (a grant or a session cut, of any namespace). */
export function recogniseManagedPolicies(names: readonly string[]): ManagedPolicy[] {
  return names.flatMap((policyName): ManagedPolicy[] => {
    const parsed = parseManagedPolicyName(policyName)
    return parsed ? [{ ...parsed, policyName }] : []
  })
}
