import type { Policy } from '../files/policy.js'
import { compileGrants, type CompiledGrants } from './compiled-grants.js'
import { hasWildcard } from './wildcard.js'

/** A policy beside its grants, compiled once when the index is built. */
export interface IndexedPolicy {
  readonly policy: Policy
  readonly grants: CompiledGrants
}

/**
 * An index over a repository's policies by the actions and accounts they grant, so that finding the
 * candidates for an item looks at a handful of policies instead of all of them.
 */
export interface PolicyIndex {
  /** Policies that may grant `action` (a name or pattern) in `account`: a superset of those that cover it. */
  lookup(action: string, account: string): readonly IndexedPolicy[]
  /** Policies that may grant `action` in any account (for explaining near misses). */
  lookupByAction(action: string): readonly IndexedPolicy[]
  /** Policies whose `grants.permission_sets` names `permissionSet` exactly, in any account (the caller checks the account). */
  lookupPermissionSet(permissionSet: string): readonly IndexedPolicy[]
}

const ANY_ACCOUNT = '*'

function splitService(action: string): { service: string; name: string } | undefined {
  const colon = action.indexOf(':')
  if (colon < 0) return undefined
  return { service: action.slice(0, colon).toLowerCase(), name: action.slice(colon + 1).toLowerCase() }
}

/**
 * Where a granted action is filed: its exact name, its service (for patterns within a service), or
 * nowhere in particular (patterns whose service part is itself a wildcard).
 */
type Slot = { kind: 'exact'; key: string } | { kind: 'service'; key: string } | { kind: 'any' }

function slotOf(action: string): Slot {
  const parts = splitService(action)
  if (!parts || hasWildcard(parts.service)) return { kind: 'any' }
  if (hasWildcard(parts.name)) return { kind: 'service', key: parts.service }
  return { kind: 'exact', key: `${parts.service}:${parts.name}` }
}

/** The slots a requested action may be covered from: a requested pattern is never covered by an exact name. */
function slotsFor(action: string): Slot[] {
  const parts = splitService(action)
  if (!parts || hasWildcard(parts.service)) return [{ kind: 'any' }]
  const slots: Slot[] = [{ kind: 'service', key: parts.service }, { kind: 'any' }]
  if (!hasWildcard(parts.name)) slots.unshift({ kind: 'exact', key: `${parts.service}:${parts.name}` })
  return slots
}

function keyOf(slot: Slot, account: string): string {
  return slot.kind === 'any' ? `${account}|` : `${account}|${slot.kind}|${slot.key}`
}

/** Builds the index once per set of policies (when the repository loads), compiling each policy's grants. */
export function buildPolicyIndex(policies: readonly Policy[]): PolicyIndex {
  const byAccount = new Map<string, IndexedPolicy[]>()
  const byPermissionSet = new Map<string, IndexedPolicy[]>()
  const add = (key: string, policy: IndexedPolicy): void => {
    const list = byAccount.get(key)
    if (!list) byAccount.set(key, [policy])
    else if (list[list.length - 1] !== policy) list.push(policy)
  }
  for (const policy of policies) {
    const indexed: IndexedPolicy = { policy, grants: compileGrants(policy.grants) }
    for (const action of policy.grants.actions) {
      const slot = slotOf(action)
      for (const account of policy.grants.accounts) add(keyOf(slot, account), indexed)
      // Also filed under "any account" for explanations that look across accounts.
      add(keyOf(slot, '**'), indexed)
    }
    // Names are exact and case-sensitive, as Identity Center's are.
    for (const name of policy.grants.permissionSets) byPermissionSet.set(name, [...(byPermissionSet.get(name) ?? []), indexed])
  }

  const collect = (action: string, accounts: readonly string[]): IndexedPolicy[] => {
    const found: IndexedPolicy[] = []
    const seen = new Set<IndexedPolicy>()
    for (const slot of slotsFor(action)) {
      for (const account of accounts) {
        for (const policy of byAccount.get(keyOf(slot, account)) ?? []) {
          if (!seen.has(policy)) {
            seen.add(policy)
            found.push(policy)
          }
        }
      }
    }
    return found
  }

  return {
    lookup: (action, account) => collect(action, account === ANY_ACCOUNT ? [ANY_ACCOUNT] : [account, ANY_ACCOUNT]),
    lookupByAction: (action) => collect(action, ['**']),
    lookupPermissionSet: (permissionSet) => byPermissionSet.get(permissionSet) ?? [],
  }
}
