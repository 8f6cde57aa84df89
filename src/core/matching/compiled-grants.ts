import type { RequestItem } from '../files/access-request.js'
import type { Policy } from '../files/policy.js'
import { compileActionCoverage, findUncoveredAction } from './action-pattern.js'
import { compileResourceCoverage, findUncoveredResource } from './arn-pattern.js'
import { PatternTooComplexError } from './wildcard.js'

type Coverage = (requested: string) => boolean

/** A policy's grants with each pattern compiled once, when the repository loads (see `compileGrants`). */
export interface CompiledGrants {
  readonly allAccounts: boolean
  readonly accounts: ReadonlySet<string>
  readonly actions: readonly Coverage[]
  readonly resources: readonly Coverage[]
}

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

/** Compiles a policy's grant patterns, for the many items they are checked against. */
export function compileGrants(grants: Pick<Policy['grants'], 'accounts' | 'actions' | 'resources'>): CompiledGrants {
  return {
    allAccounts: grants.accounts.includes('*'),
    accounts: new Set(grants.accounts),
    // IAM's semantics: actions by service and name, case-insensitively; resources segment by segment.
    actions: grants.actions.map((action) => guard(compileActionCoverage(action))),
    resources: grants.resources.map((resource) => guard(compileResourceCoverage(resource))),
  }
}

/** Do a policy's grants cover an account (`*` or the account id)? */
export function grantsCoverAccount(grants: CompiledGrants, account: string): boolean {
  return grants.allAccounts || grants.accounts.has(account)
}

function coversAccount(grants: CompiledGrants, item: RequestItem): boolean {
  return grants.allAccounts || grants.accounts.has(item.account)
}

function coversAction(grants: CompiledGrants, item: RequestItem): boolean {
  return grants.actions.some((covers) => covers(item.action))
}

function coversResource(grants: CompiledGrants, item: RequestItem): boolean {
  return grants.resources.some((covers) => covers(item.resource))
}

/**
 * Do a policy's grants cover an item (account, action and resource)? The yes/no question on the hot
 * path of every decision; the explanation of a "no" is built separately, only for items that end up
 * with no policy.
 */
export function grantsCoverItem(grants: CompiledGrants, item: RequestItem): boolean {
  return coversAccount(grants, item) && coversAction(grants, item) && coversResource(grants, item)
}

/**
 * `grantsCoverItem` for the many items of one request, remembering each pattern's answer for a requested
 * action or resource: a request of 10 actions × 100 resources asks each resource pattern 100 times, not
 * 1,000. Made per decision and dropped with it (no state outlives the call).
 */
export function createCoverageMemo(): (grants: CompiledGrants, item: RequestItem) => boolean {
  const answers = new Map<CompiledGrants, { actions: Map<string, boolean>; resources: Map<string, boolean> }>()
  const remember = (cache: Map<string, boolean>, key: string, compute: () => boolean): boolean => {
    let answer = cache.get(key)
    if (answer === undefined) cache.set(key, (answer = compute()))
    return answer
  }
  return (grants, item) => {
    let memo = answers.get(grants)
    if (!memo) answers.set(grants, (memo = { actions: new Map(), resources: new Map() }))
    return (
      coversAccount(grants, item) &&
      remember(memo.actions, item.action, () => coversAction(grants, item)) &&
      remember(memo.resources, item.resource, () => coversResource(grants, item))
    )
  }
}

/** Which parts of an item a policy's grants cover, each on its own: the facts an explanation of a "no" is built from. */
export function findGrantCoverage(grants: CompiledGrants, item: RequestItem): { account: boolean; action: boolean; resource: boolean } {
  return { account: coversAccount(grants, item), action: coversAction(grants, item), resource: coversResource(grants, item) }
}

/**
 * A concrete action or resource that `requested` could name and the `granted` pattern does not allow
 * (undefined when it covers it), for showing a reviewer why a grant falls short. Throws
 * PatternTooComplexError for pathological patterns.
 */
export function findUncoveredPart(kind: 'action' | 'resource', granted: string, requested: string): string | undefined {
  return kind === 'action' ? findUncoveredAction(granted, requested) : findUncoveredResource(granted, requested)
}
