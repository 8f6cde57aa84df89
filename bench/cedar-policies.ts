import type { EntityJson, StatefulAuthorizationCall } from '@cedar-policy/cedar-wasm/nodejs'
import type { ActionCatalogue } from '../src/core/matching/action-catalogue.js'
import type { TeamMembers } from '../src/core/decision/decision.js'
import type { Policy } from '../src/core/files/policy.js'
import type { AuthorizationQuestion } from './generate-access-repo.js'

/** A policy that has no exact Cedar equivalent (the translation never approximates). */
export class UntranslatablePolicyError extends Error {
  override readonly name = 'UntranslatablePolicyError'
  constructor(
    message: string,
    /** The policy's file, e.g. `policies/p00001-ec2-orders.yaml`. */
    readonly file: string,
  ) {
    super(`${file}: ${message}`)
  }
}

/**
 * Translates policies into an equivalent Cedar policy set, one `permit` per policy, keyed by policy name,
 * for the question "may this author be granted this concrete action on this concrete resource in this
 * account, for this long, with this ticket". Approval rules have no part in it: they decide when, not whether.
 *
 * - requesters: `principal in [User::"alice", Team::"@acme/sre"]` (a condition: the scope takes one
 *   entity only; a user is `in` itself; team
 *   membership is the principal's parents, see `createCedarCall`);
 * - actions: `action in [...]` over case-folded action ids, and `context.action like "ec2:describe*"`
 *   (case-folded too) for a `*` pattern, so IAM's case-insensitive names and wildcards are both exact;
 *   a `?` pattern is expanded over the catalogue into the set instead (requests name real actions);
 * - resources: `context.resource like "..."` (`*` only: a `?` is refused), accounts: `context.account`;
 * - `context.durationMs <= max`, and a ticket rule `^INC-` / `^(INC|CHG)-` as `like "INC-*"` alternatives.
 */
export function translatePoliciesToCedar(params: { policies: readonly Policy[]; catalogue: ActionCatalogue }): Record<string, string> {
  const translated: Record<string, string> = {}
  for (const policy of params.policies) translated[policy.name] = translatePolicy(policy, params.catalogue)
  return translated
}

function translatePolicy(policy: Policy, catalogue: ActionCatalogue): string {
  const principals = [
    ...policy.requesters.users.map((user) => entity('User', user)),
    ...policy.requesters.teams.map((team) => entity('Team', team)),
  ]
  // A `*` pattern is one `like` test; a `?` pattern (no Cedar counterpart) is expanded over the catalogue.
  const likePatterns = policy.grants.actions.filter((action) => action.includes('*') && !action.includes('?'))
  const expanded = policy.grants.actions.filter((action) => !likePatterns.includes(action)).flatMap((pattern) => catalogue.expand(pattern))
  const actionIds = [...new Set(expanded.map((action) => action.toLowerCase()))].sort()
  if (actionIds.length === 0 && likePatterns.every((pattern) => catalogue.expand(pattern).length === 0)) {
    throw new UntranslatablePolicyError('grants no real action', policy.file)
  }
  const actionSet = `action in [${actionIds.map((action) => entity('Action', action)).join(', ')}]`
  const actionLikes = likePatterns.map((pattern) => `context.action like ${toLikePattern(pattern.toLowerCase(), policy.file)}`)
  const conditions: string[] = []
  // With only concrete actions the set goes in the scope, where Cedar checks it first.
  if (likePatterns.length > 0) conditions.push(anyOf([...(actionIds.length > 0 ? [actionSet] : []), ...actionLikes]))
  conditions.push(`principal in [${principals.join(', ')}]`)
  if (!policy.grants.accounts.includes('*'))
    conditions.push(anyOf(policy.grants.accounts.map((account) => `context.account == ${quote(account)}`)))
  if (!policy.grants.resources.includes('*')) {
    conditions.push(anyOf(policy.grants.resources.map((resource) => `context.resource like ${toLikePattern(resource, policy.file)}`)))
  }
  conditions.push(`context.durationMs <= ${policy.maxDurationMs}`)
  if (policy.ticket) {
    const prefixes = readTicketPrefixes(policy.ticket, policy.file)
    conditions.push(
      `context has ticket && ${anyOf(prefixes.map((prefix) => `context.ticket like ${toLikePattern(`${prefix}*`, policy.file)}`))}`,
    )
  }
  return [`permit (principal, ${likePatterns.length > 0 ? 'action' : actionSet}, resource)`, `when { ${conditions.join(' && ')} };`].join(
    '\n',
  )
}

function anyOf(alternatives: readonly string[]): string {
  return alternatives.length === 1 ? (alternatives[0] as string) : `(${alternatives.join(' || ')})`
}

function entity(type: string, id: string): string {
  return `${type}::${quote(id)}`
}

function quote(text: string): string {
  if (/["\\\n]/.test(text)) throw new RangeError(`cannot quote ${JSON.stringify(text)} for Cedar`)
  return `"${text}"`
}

/** IAM `*` is Cedar's `like` wildcard; a `?` has no Cedar counterpart. */
function toLikePattern(pattern: string, file: string): string {
  if (pattern.includes('?')) throw new UntranslatablePolicyError(`the pattern ${pattern} uses ?, which Cedar's like does not have`, file)
  if (/["\\\n]/.test(pattern))
    throw new UntranslatablePolicyError(`the pattern ${pattern} has characters the translation does not escape`, file)
  return `"${pattern}"`
}

/** `^INC-` → [`INC-`]; `^(INC|CHG)-` → [`INC-`, `CHG-`]; anything else is refused. */
function readTicketPrefixes(ticket: RegExp, file: string): string[] {
  // `i` or `m` would change what the prefix means; `u` does not for these literals.
  if (ticket.flags.replace('u', '') !== '') throw new UntranslatablePolicyError(`the ticket rule has flags ${ticket.flags}`, file)
  const literal = '[A-Za-z0-9_-]+'
  const single = new RegExp(`^\\^(${literal})$`).exec(ticket.source)
  if (single) return [single[1] as string]
  const group = new RegExp(`^\\^\\((${literal}(?:\\|${literal})*)\\)(${literal})?$`).exec(ticket.source)
  if (group) return (group[1] as string).split('|').map((alternative) => alternative + (group[2] ?? ''))
  throw new UntranslatablePolicyError(`the ticket rule /${ticket.source}/ is not a literal prefix`, file)
}

/** Login (lower-cased) → the teams it belongs to, for the principal's parents in Cedar. */
export function indexTeamsByMember(teams: TeamMembers): Map<string, string[]> {
  const byMember = new Map<string, string[]>()
  for (const [team, members] of teams) {
    for (const member of members) {
      const login = member.toLowerCase()
      byMember.set(login, [...(byMember.get(login) ?? []), team])
    }
  }
  return byMember
}

/**
 * The Cedar call for one question against a preparsed policy set. The only entity is the principal,
 * with its teams as parents: Cedar needs no other (actions are compared by id, the rest is context).
 */
export function createCedarCall(params: {
  question: AuthorizationQuestion
  policySetId: string
  teamsOf: ReadonlyMap<string, readonly string[]>
}): StatefulAuthorizationCall {
  const { question, policySetId, teamsOf } = params
  const author = question.author.toLowerCase()
  const principal: EntityJson = {
    uid: { type: 'User', id: author },
    attrs: {},
    parents: (teamsOf.get(author) ?? []).map((team) => ({ type: 'Team', id: team })),
  }
  return {
    principal: { type: 'User', id: author },
    action: { type: 'Action', id: question.action.toLowerCase() },
    resource: { type: 'Resource', id: question.resource },
    context: {
      action: question.action.toLowerCase(),
      account: question.account,
      resource: question.resource,
      durationMs: question.durationMs,
      ...(question.ticket !== undefined ? { ticket: question.ticket } : {}),
    },
    preparsedPolicySetId: policySetId,
    entities: [principal],
  }
}
