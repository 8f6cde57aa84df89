import type { Policy } from './policy.js'

/**
 * An index over a repository's policies by the actions they grant, so that finding the candidates
 * for an item looks at a handful of policies instead of all of them.
 */
export interface PolicyIndex {
  /** Policies that may grant `action` (a name or pattern): a superset of those that cover it. */
  lookupByAction(action: string): readonly Policy[]
}

function splitService(action: string): { service: string; name: string } | undefined {
  const colon = action.indexOf(':')
  if (colon < 0) return undefined
  return { service: action.slice(0, colon).toLowerCase(), name: action.slice(colon + 1).toLowerCase() }
}

function hasWildcard(text: string): boolean {
  return text.includes('*') || text.includes('?')
}

/** Builds the index once per set of policies. */
export function buildPolicyIndex(policies: readonly Policy[]): PolicyIndex {
  /** Exact action name (lower-cased) → policies granting it literally. */
  const exact = new Map<string, Policy[]>()
  /** Service prefix → policies granting a pattern within that service (`ec2:Describe*`). */
  const byServicePattern = new Map<string, Policy[]>()
  /** Policies granting a pattern whose service part is itself a wildcard (`*`, `ec*:Get*`). */
  const anyService: Policy[] = []

  const add = (map: Map<string, Policy[]>, key: string, policy: Policy): void => {
    const list = map.get(key)
    if (!list) map.set(key, [policy])
    else if (list[list.length - 1] !== policy) list.push(policy)
  }

  for (const policy of policies) {
    for (const action of policy.grants.actions) {
      const parts = splitService(action)
      if (!parts || hasWildcard(parts.service)) {
        if (anyService[anyService.length - 1] !== policy) anyService.push(policy)
      } else if (hasWildcard(parts.name)) add(byServicePattern, parts.service, policy)
      else add(exact, `${parts.service}:${parts.name}`, policy)
    }
  }

  return {
    lookupByAction(action) {
      const parts = splitService(action)
      if (!parts || hasWildcard(parts.service)) return anyService
      const found: Policy[] = []
      const seen = new Set<Policy>()
      const take = (list: readonly Policy[] | undefined): void => {
        for (const policy of list ?? []) {
          if (!seen.has(policy)) {
            seen.add(policy)
            found.push(policy)
          }
        }
      }
      // A requested pattern can only be covered by a granted pattern, never by an exact name.
      if (!hasWildcard(parts.name)) take(exact.get(`${parts.service}:${parts.name}`))
      take(byServicePattern.get(parts.service))
      take(anyService)
      return found
    },
  }
}
