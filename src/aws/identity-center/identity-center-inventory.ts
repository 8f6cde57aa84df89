import type { InventoriedPrincipal, Inventory, InventoryRequest, ManagedPolicy } from '../../core/ports/cloud-provider.js'
import { IDENTITY_CENTER_PRINCIPAL_PREFIX } from '../../core/files/settings.js'
import { nameUnassignedPermissionSet, parseManagedPermissionSet } from '../../core/records/permission-set.js'
import { RECONCILE, toGrantError } from '../grant-error.js'
import { nameRepositoryNamespace } from '../repository-namespace.js'
import type { IdentityCenterBackend, IdentityCenterSession } from './identity-center-session.js'
import {
  describePermissionSet,
  findUserName,
  listAssignments,
  listPermissionSets,
  listProvisionedAccounts,
  type AssignedPrincipal,
} from './permission-set-api.js'
import { mapConcurrently } from '../map-concurrently.js'

/** Permission sets read at once in a full pass: Identity Center throttles an instance's control plane, and every call is retried. */
export const INVENTORY_CONCURRENCY = 4

/**
 * A full reconcile pass on Identity Center, instance-wide: the principals a login maps to are the
 * instance's users, so instead of listing principals it lists the instance's permission sets
 * (`ListPermissionSets`, 100 to a page), keeps those named in this repository's namespace
 * (`DescribePermissionSet` of each), and for each reads the accounts it is provisioned to
 * (`ListAccountsForProvisionedPermissionSet`) and who is assigned it there (`ListAccountAssignments`),
 * turning each user id into the principal the records use (`DescribeUser`, once per user per pass).
 *
 * Each (account asked, user) holding sets of ours is one principal of the inventory. A set of ours that
 * no one is assigned in any account (provisioned or not) is one entry of its own, under the principal
 * `identity-center-permission-set:<ARN>` (see `nameUnassignedPermissionSet`) and the first account asked
 * where it is provisioned (else the first account asked): the sweep's orphan path revokes it, which
 * deletes the set. A set that could not be read whole is never reported unassigned.
 *
 * Calls per pass: ceil(sets / 100) listings, one `DescribePermissionSet` per set of the instance, and for
 * each set of ours one `ListAccountsForProvisionedPermissionSet` and one `ListAccountAssignments` per
 * account it is provisioned to (more pages past 100), plus one `DescribeUser` per distinct user assigned:
 * linear in the sets, whatever the number of grants per user. Never throws: what could not be read is a
 * line in `problems`, and the rest is still listed.
 */
export async function listInstanceInventory(backend: IdentityCenterBackend, request: InventoryRequest): Promise<Inventory> {
  const asked = Object.keys(request.accounts).sort()
  const problems: string[] = []
  if (asked.length === 0) return { principals: [], problems, principalsListed: 0 }
  const where = `Identity Center instance ${backend.settings.instanceArn}`
  const context = { requestId: RECONCILE, account: asked[0]!, principalArn: backend.settings.instanceArn }

  let session: IdentityCenterSession
  let arns: string[]
  try {
    session = await backend.openSession({ ...context, purpose: 'list' })
    arns = await listPermissionSets(backend, session)
  } catch (cause) {
    problems.push(toGrantError(cause, { ...context, doing: `list the permission sets of ${where}` }).message)
    return { principals: [], problems, principalsListed: 0 }
  }

  const namespace = namespaceOf(backend.repository)
  const userNames = new Map<string, Promise<string | undefined>>()
  const principals = new Map<string, { account: string; principalArn: string; policies: ManagedPolicy[] }>()
  const add = (account: string, principalArn: string, policy: ManagedPolicy) => {
    const key = `${account} ${principalArn}`
    const entry = principals.get(key) ?? { account, principalArn, policies: [] }
    entry.policies.push(policy)
    principals.set(key, entry)
  }

  const fail = (cause: unknown, doing: string) => void problems.push(toGrantError(cause, { ...context, doing }).message)
  const readSet = async (arn: string): Promise<void> => {
    let described
    try {
      described = await describePermissionSet(backend, session, arn)
    } catch (cause) {
      fail(cause, `describe permission set ${arn}`)
      return
    }
    if (!described) return // deleted since the listing
    const parsed = parseManagedPermissionSet({ repository: backend.repository, name: described.name, description: described.description })
    if (!parsed) return
    const name = described.name
    backend.knownArns.set(name, arn)
    const policy: ManagedPolicy = { kind: 'grant', namespace, policyName: name, ...parsed }

    let provisioned: string[]
    try {
      provisioned = await listProvisionedAccounts(backend, session, arn)
    } catch (cause) {
      fail(cause, `list the accounts permission set ${name} is provisioned to`)
      return
    }
    let whole = true
    let assignedAnywhere = false
    for (const account of provisioned) {
      let assigned: AssignedPrincipal[]
      try {
        assigned = await listAssignments(backend, session, { arn, account })
      } catch (cause) {
        whole = false
        fail(cause, `list the assignments of permission set ${name} in ${account}`)
        continue
      }
      if (assigned.length > 0) assignedAnywhere = true
      if (!asked.includes(account)) {
        if (assigned.length > 0)
          problems.push(
            `${RECONCILE}: permission set ${name} is assigned in ${account}, which no policy of this repository names: it is not reconciled there; remove its assignments by hand`,
          )
        continue
      }
      for (const principal of assigned) {
        if (principal.type === 'GROUP') {
          problems.push(
            `${RECONCILE}: permission set ${name} is assigned to group ${principal.id} in ${account}; the app assigns only users, so it is not reconciled: remove that assignment by hand`,
          )
          continue
        }
        let userName: string | undefined
        try {
          userName = await cached(userNames, principal.id, () => findUserName(backend, session, principal.id))
        } catch (cause) {
          fail(cause, `describe user ${principal.id}, assigned permission set ${name} in ${account}`)
          continue
        }
        if (userName === undefined) {
          problems.push(
            `${RECONCILE}: permission set ${name} is assigned in ${account} to user ${principal.id}, whom the identity store does not know: remove that assignment by hand`,
          )
          continue
        }
        add(account, IDENTITY_CENTER_PRINCIPAL_PREFIX + userName, policy)
      }
    }
    // Assigned to no one anywhere: it holds no access, and goes through the orphan path under its own principal.
    if (whole && !assignedAnywhere) {
      const account = provisioned.sort().find((candidate) => asked.includes(candidate)) ?? asked[0]!
      add(account, nameUnassignedPermissionSet(arn), policy)
    }
  }
  await mapConcurrently(arns, INVENTORY_CONCURRENCY, (arn) => readSet(arn).catch((cause) => fail(cause, `read permission set ${arn}`)))

  const listed: InventoriedPrincipal[] = [...principals.values()].sort((a, b) =>
    `${a.account} ${a.principalArn}`.localeCompare(`${b.account} ${b.principalArn}`),
  )
  return { principals: listed, problems, principalsListed: listed.length }
}

/** The namespace of `owner/repo` (see `nameRepositoryNamespace`). */
export function namespaceOf(repository: string): string {
  const [owner = '', repo = ''] = repository.split('/')
  return nameRepositoryNamespace({ owner, repo })
}

/** One lookup per key per pass, concurrent askers sharing it; a failed lookup is tried again by the next asker. */
function cached<T>(cache: Map<string, Promise<T>>, key: string, load: () => Promise<T>): Promise<T> {
  const known = cache.get(key)
  if (known) return known
  const loading = load()
  cache.set(key, loading)
  loading.catch(() => cache.delete(key))
  return loading
}
