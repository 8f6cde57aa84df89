import type { Policy } from '../files/policy.js'
import { buildPolicyIndex, type PolicyIndex } from './policy-index.js'

const indexes = new WeakMap<readonly Policy[], PolicyIndex>()

/** The index of a policy list, built on first use and kept as long as the list itself. */
export function findPolicyIndex(policies: readonly Policy[]): PolicyIndex {
  let index = indexes.get(policies)
  if (!index) {
    index = buildPolicyIndex(policies)
    indexes.set(policies, index)
  }
  return index
}
