import type { RequestItem } from '../files/access-request.js'
import type { Policy } from '../files/policy.js'
import { compileCoverage, PatternTooComplexError } from './wildcard.js'

type Coverage = (requested: string) => boolean

interface CompiledGrants {
  readonly allAccounts: boolean
  readonly accounts: ReadonlySet<string>
  readonly actions: readonly Coverage[]
  readonly resources: readonly Coverage[]
}

const compiled = new WeakMap<Policy, CompiledGrants>()

/** Coverage, denying (never guessing) when a pathological pattern makes the exact answer too costly. */
function guard(coverage: Coverage): Coverage {
  return (requested) => {
    try {
      return coverage(requested)
    } catch (error) {
      if (error instanceof PatternTooComplexError) return false
      throw error
    }
  }
}

function compile(policy: Policy): CompiledGrants {
  let grants = compiled.get(policy)
  if (!grants) {
    grants = {
      allAccounts: policy.grants.accounts.includes('*'),
      accounts: new Set(policy.grants.accounts),
      actions: policy.grants.actions.map((action) => guard(compileCoverage(action, { ignoreCase: true }))),
      resources: policy.grants.resources.map((resource) => guard(compileCoverage(resource))),
    }
    compiled.set(policy, grants)
  }
  return grants
}

/**
 * Do a policy's grants cover an item (account, action and resource)? The yes/no question on the hot
 * path of every decision, with each policy's patterns compiled once; the explanation of a "no" is
 * built separately, only for items that end up with no policy.
 */
export function grantsCoverItem(policy: Policy, item: RequestItem): boolean {
  const grants = compile(policy)
  return (
    (grants.allAccounts || grants.accounts.has(item.account)) &&
    grants.actions.some((covers) => covers(item.action)) &&
    grants.resources.some((covers) => covers(item.resource))
  )
}

/** Which parts of an item a policy's grants cover, each on its own: the facts an explanation of a "no" is built from. */
export function findGrantCoverage(policy: Policy, item: RequestItem): { account: boolean; action: boolean; resource: boolean } {
  const grants = compile(policy)
  return {
    account: grants.allAccounts || grants.accounts.has(item.account),
    action: grants.actions.some((covers) => covers(item.action)),
    resource: grants.resources.some((covers) => covers(item.resource)),
  }
}
