import type { AccessRepository } from '../files/access-repository.js'
import { listRequestItems, parseAccessRequest, type AccessRequest, type RequestItem } from '../files/access-request.js'
import type { ActionCatalogue } from '../matching/action-catalogue.js'
import { describeUnknownAction } from '../matching/action-catalogue.js'
import { resolveApprovers, evaluateApprovalRule, isEligibleApprover, type ApprovalContext } from './approval-rule.js'
import { findOwners, type Codeowners, type Ownership } from '../matching/codeowners.js'
import type { Blocker, Decision, DecisionInput, ItemResult, NearMiss, PolicyResult } from './decision.js'
import type { InputError } from '../files/input-error.js'
import { findGrantCoverage, grantsCoverItem } from '../matching/compiled-grants.js'
import { findPolicyIndex } from '../matching/policy-index-cache.js'
import type { Policy } from '../files/policy.js'
import { summarizeReviewers } from './review-states.js'
import { findUncoveredExample, PatternTooComplexError } from '../matching/wildcard.js'
import { createLineFinder } from '../files/yaml-document.js'

/**
 * The decision: is this request approved, pending, denied or invalid, and why. Pure and synchronous:
 * everything it needs (files, reviews, team members, the clock, the action catalogue) is in `input`.
 * Default deny: an item no policy covers denies the whole request.
 */
export function decide(input: DecisionInput): Decision {
  const author = input.author.toLowerCase()
  const base = { requestPath: input.requestFile.path, author, headSha: input.headSha, evaluatedAt: input.now }
  const parsed = parseAccessRequest({ file: input.requestFile.path, text: input.requestFile.text })
  if (!parsed.ok) return invalidDecision(base, parsed.errors)
  const request = parsed.value
  const errors = [
    // Invalid CODEOWNERS lines are ignored, as GitHub ignores them; `jit validate` and the policy check report them.
    ...input.repository.failures.filter((f) => f.kind !== 'codeowners' || f.stage === 'unreadable').flatMap((f) => f.errors),
    ...checkRequestAgainstWorld({ request, text: input.requestFile.text, catalogue: input.catalogue, now: input.now }),
  ]
  if (errors.length > 0) return { ...invalidDecision(base, errors), request }

  const context = createApprovalContext(input, author)
  const policies = findPolicyIndex(input.repository.policies)
  const policyResults = new Map<Policy, PolicyResult>()
  const resultFor = (policy: Policy): PolicyResult => {
    let result = policyResults.get(policy)
    if (!result) {
      result = evaluatePolicy({ policy, request, context })
      policyResults.set(policy, result)
    }
    return result
  }
  const authorTeams = findTeamsOf(author, input.teams)
  const eligibility = new Map<Policy, string[]>()
  const reasonsPolicyCannotApply = (policy: Policy): string[] => {
    let reasons = eligibility.get(policy)
    if (!reasons) {
      reasons = findRequestLevelMisses({ policy, request, author, authorTeams })
      eligibility.set(policy, reasons)
    }
    return reasons
  }
  const mayRequest = new Map<Policy, boolean>()
  const isOpenTo = (policy: Policy): boolean => {
    let open = mayRequest.get(policy)
    if (open === undefined) {
      open = isPolicyOpenToRequest({ policy, request, author, authorTeams })
      mayRequest.set(policy, open)
    }
    return open
  }

  const items: ItemResult[] = []
  const deniedReasons: string[] = []
  for (const item of listRequestItems(request)) {
    // The hot path answers yes/no with compiled patterns; reasons are built only for an item left uncovered.
    const candidates = policies.lookup(item.action, item.account).filter((policy) => grantsCoverItem(policy, item) && isOpenTo(policy))
    candidates.sort(byName)
    const chosen = choosePolicy(candidates.map(resultFor))
    const shownMisses = chosen ? [] : explainNearMisses({ item, policies: findNearMissPolicies(policies, item), reasonsPolicyCannotApply })
    if (!chosen || chosen.impossible) deniedReasons.push(describeDeniedItem(item, author, chosen, shownMisses))
    items.push({
      item,
      ...(chosen ? { policy: chosen.policy.name } : {}),
      candidates: candidates.map((p) => p.name),
      nearMisses: shownMisses,
    })
  }

  const chosenResults = uniqueChosen(items, policyResults)
  const blockers = findBlockers({ candidates: [...policyResults.values()], context })
  const approvedItems = chosenResults.every((result) => result.satisfied)
  const missing = [
    ...chosenResults.flatMap((result) => (result.satisfied ? [] : describeMissing(result))),
    ...blockers.map((blocker) => `changes requested by @${blocker.login} must be resolved (their new approval, or a dismissal)`),
  ]
  const decision = { ...base, request, errors: [], items, policies: chosenResults, blockers }
  if (deniedReasons.length > 0) {
    const more = deniedReasons.length > 1 ? ` (and ${deniedReasons.length - 1} more)` : ''
    return { ...decision, verdict: 'denied', summary: `Denied: ${deniedReasons[0]}${more}`, missing: deniedReasons }
  }
  if (approvedItems && blockers.length === 0)
    return { ...decision, verdict: 'approved', summary: describeApproval(chosenResults), missing: [] }
  const more = missing.length > 1 ? ` (and ${missing.length - 1} more)` : ''
  return { ...decision, verdict: 'pending', summary: `Pending: ${missing[0]}${more}`, missing }
}

/** Teams whose members the decision for this input may need: requesters, approval rules and code owners of candidate policies. */
export function teamsToResolve(input: Omit<DecisionInput, 'teams' | 'reviews' | 'headSha' | 'now' | 'catalogue'>): string[] {
  const parsed = parseAccessRequest({ file: input.requestFile.path, text: input.requestFile.text })
  if (!parsed.ok) return []
  const index = findPolicyIndex(input.repository.policies)
  const teams = new Set<string>()
  let needsOwners = false
  for (const item of listRequestItems(parsed.value)) {
    for (const policy of index.lookup(item.action, item.account)) {
      if (!grantsCoverItem(policy, item)) continue
      policy.requesters.teams.forEach((team) => teams.add(team))
      for (const rule of policy.approvals) {
        if (rule.from.kind === 'principals') rule.from.teams.forEach((team) => teams.add(team))
        else needsOwners = true
      }
    }
  }
  if (needsOwners && input.repository.codeowners) {
    findOwners(input.repository.codeowners, input.requestFile.path).teams.forEach((team) => teams.add(team))
  }
  return [...teams].sort()
}

function invalidDecision(
  base: Pick<Decision, 'requestPath' | 'author' | 'headSha' | 'evaluatedAt'>,
  errors: readonly InputError[],
): Decision {
  const files = [...new Set(errors.map((error) => error.file))]
  const summary = `Invalid: ${errors.length} error${errors.length === 1 ? '' : 's'} in ${files.join(', ')}`
  return { ...base, verdict: 'invalid', summary, errors, items: [], policies: [], blockers: [], missing: [] }
}

/** Checks that need the world outside the file: real AWS actions, and a start that is not in the past. */
function checkRequestAgainstWorld(params: { request: AccessRequest; text: string; catalogue: ActionCatalogue; now: Date }): InputError[] {
  const { request, text, catalogue, now } = params
  const lineOf = createLineFinder({ file: request.file, text })
  const errors: InputError[] = []
  request.access.forEach((entry, entryIndex) => {
    entry.actions.forEach((action, actionIndex) => {
      if (catalogue.expand(action).length === 0) {
        errors.push({
          file: request.file,
          line: lineOf(['access', entryIndex, 'actions', actionIndex], entry.line),
          message: describeUnknownAction(action, catalogue),
        })
      }
    })
  })
  if (request.start && request.start.getTime() < now.getTime()) {
    errors.push({
      file: request.file,
      line: lineOf(['start'], 1),
      message: `start ${request.start.toISOString()} is in the past (evaluated at ${now.toISOString()}); remove it to start when granted, or choose a later time`,
    })
  }
  return errors
}

function createApprovalContext(input: DecisionInput, author: string): ApprovalContext {
  const codeowners = input.repository.codeowners
  return {
    author,
    contributors: new Set((input.contributors ?? []).map((login) => login.toLowerCase()).filter((login) => login !== author)),
    headSha: input.headSha,
    requestPath: input.requestFile.path,
    reviewers: summarizeReviewers(input.reviews),
    teams: input.teams,
    ...(codeowners ? { ownership: findOwnersCached(codeowners, input.requestFile.path), codeownersFile: codeowners.file } : {}),
  }
}

const ownershipByPath = new WeakMap<Codeowners, Map<string, Ownership>>()

/** Ownership of a path, remembered per CODEOWNERS file (a PR is evaluated many times against the same base). */
function findOwnersCached(codeowners: Codeowners, path: string): Ownership {
  let byPath = ownershipByPath.get(codeowners)
  if (!byPath) {
    byPath = new Map()
    ownershipByPath.set(codeowners, byPath)
  }
  let ownership = byPath.get(path)
  if (!ownership) {
    ownership = findOwners(codeowners, path)
    if (byPath.size < 10_000) byPath.set(path, ownership)
  }
  return ownership
}

function byName(a: Policy, b: Policy): number {
  return a.name.localeCompare(b.name)
}

/** Why a policy's grants do not cover one item (no reasons when they do). */
function findItemLevelMisses(policy: Policy, item: RequestItem): { reasons: string[]; actionCovered: boolean } {
  const reasons: string[] = []
  const grants = policy.grants
  const covered = findGrantCoverage(policy, item)
  if (!covered.account) reasons.push(`does not grant account ${item.account} (grants ${grants.accounts.join(', ')})`)
  if (!covered.action) reasons.push(describeUncovered('action', grants.actions, item.action, true))
  if (!covered.resource) reasons.push(describeUncovered('resource', grants.resources, item.resource, false))
  return { reasons, actionCovered: covered.action }
}

function describeUncovered(kind: 'action' | 'resource', granted: readonly string[], requested: string, ignoreCase: boolean): string {
  const shown = granted.length > 3 ? `${granted.slice(0, 3).join(', ')}, …` : granted.join(', ')
  let example: string | undefined
  try {
    example = granted.length === 1 ? findUncoveredExample(granted[0]!, requested, { ignoreCase }) : undefined
  } catch (error) {
    if (!(error instanceof PatternTooComplexError)) throw error
  }
  const hint = example !== undefined && example !== requested ? ` (the request would also match ${example})` : ''
  return `grants ${kind}s ${shown}, which do not cover ${requested}${hint}`
}

/** Why a policy cannot serve this request at all, whatever the item (empty when it can). */
function findRequestLevelMisses(params: {
  policy: Policy
  request: AccessRequest
  author: string
  authorTeams: ReadonlySet<string>
}): string[] {
  const { policy, request, author, authorTeams } = params
  const reasons: string[] = []
  const requesters = policy.requesters
  if (!isRequester(policy, author, authorTeams)) {
    const who = [...requesters.teams, ...requesters.users].join(', ')
    reasons.push(`${author} is not one of its requesters (${who})`)
  }
  if (request.durationMs > policy.maxDurationMs) {
    reasons.push(`duration ${request.durationText} is longer than its max_duration ${policy.maxDurationText}`)
  } else if (policy.approvals.length === 0 && !isWithinAutoApprove(policy, request)) {
    reasons.push(
      `duration ${request.durationText} is longer than its auto_approve.max_duration ${policy.autoApprove?.maxDurationText ?? ''}, and it has no approval rules for longer requests`,
    )
  }
  if (policy.ticket) {
    if (request.ticket === undefined) reasons.push(`requires a ticket matching ${policy.ticket.source}`)
    else if (!policy.ticket.test(request.ticket)) reasons.push(`ticket ${request.ticket} does not match ${policy.ticket.source}`)
  }
  return reasons
}

function evaluatePolicy(params: { policy: Policy; request: AccessRequest; context: ApprovalContext }): PolicyResult {
  const { policy, request, context } = params
  const autoApproved = isWithinAutoApprove(policy, request)
  const rules = policy.approvals.map((rule) => evaluateApprovalRule({ rule, policy, context }))
  // An empty rule list approves nothing: above its auto_approve limit such a policy is not even a candidate (isPolicyOpenToRequest).
  const satisfied = autoApproved || (rules.length > 0 && rules.every((rule) => rule.satisfied))
  const impossible = !satisfied && rules.some((rule) => rule.impossible !== undefined)
  return { policy, autoApproved, rules, satisfied, impossible }
}

/** Prefers a satisfied candidate, then the one closest to approval; an impossible one only when nothing else is left. */
function choosePolicy(results: readonly PolicyResult[]): PolicyResult | undefined {
  const missingOf = (result: PolicyResult): number => result.rules.reduce((sum, rule) => sum + rule.missing, 0)
  return (
    results.find((result) => result.satisfied) ??
    [...results].filter((result) => !result.impossible).sort((a, b) => missingOf(a) - missingOf(b))[0] ??
    results[0]
  )
}

function uniqueChosen(items: readonly ItemResult[], results: ReadonlyMap<Policy, PolicyResult>): PolicyResult[] {
  const names = new Set(items.map((item) => item.policy).filter((name) => name !== undefined))
  return [...results.values()].filter((result) => names.has(result.policy.name)).sort((a, b) => byName(a.policy, b.policy))
}

/**
 * The near misses worth a reader's time: policies that grant the action but fail on something else.
 * Only when no policy grants the action at all are the ones that fail on the action itself shown.
 */
function explainNearMisses(params: {
  item: RequestItem
  policies: readonly Policy[]
  reasonsPolicyCannotApply: (policy: Policy) => string[]
}): NearMiss[] {
  const misses = params.policies.map((policy) => {
    const itemMisses = findItemLevelMisses(policy, params.item)
    return {
      policy: policy.name,
      file: policy.file,
      reasons: [...itemMisses.reasons, ...params.reasonsPolicyCannotApply(policy)],
      actionCovered: itemMisses.actionCovered,
    }
  })
  const grantingAction = misses.filter((miss) => miss.actionCovered)
  return (grantingAction.length > 0 ? grantingAction : misses)
    .map(({ policy, file, reasons }) => ({ policy, file, reasons }))
    .sort((a, b) => a.policy.localeCompare(b.policy))
}

const teamsByMember = new WeakMap<DecisionInput['teams'], Map<string, Set<string>>>()

/** How many near-miss policies an explanation examines at most: a reader acts on the first few. */
const NEAR_MISSES_EXAMINED = 20

/**
 * The policies worth explaining for an uncovered item: those that grant the action in the item's
 * account (they failed on the resource, the requester, the duration or the ticket), else those that
 * grant the action anywhere. Bounded, so a denied request costs the same with 100 or 10,000 policies.
 */
function findNearMissPolicies(index: ReturnType<typeof findPolicyIndex>, item: RequestItem): readonly Policy[] {
  const sameAccount = index.lookup(item.action, item.account)
  return (sameAccount.length > 0 ? sameAccount : index.lookupByAction(item.action)).slice(0, NEAR_MISSES_EXAMINED)
}

/** The teams (lower-cased `@org/team`) the author belongs to, from an inverse index built once per team directory. */
function findTeamsOf(author: string, teams: DecisionInput['teams']): ReadonlySet<string> {
  let index = teamsByMember.get(teams)
  if (!index) {
    index = new Map()
    for (const [team, members] of teams) {
      for (const member of members) {
        const login = member.toLowerCase()
        const set = index.get(login) ?? new Set<string>()
        set.add(team.toLowerCase())
        index.set(login, set)
      }
    }
    teamsByMember.set(teams, index)
  }
  return index.get(author) ?? new Set()
}

/** May this author make this request under this policy (requester, duration, ticket)? The yes/no form of findRequestLevelMisses. */
function isPolicyOpenToRequest(params: {
  policy: Policy
  request: AccessRequest
  author: string
  authorTeams: ReadonlySet<string>
}): boolean {
  const { policy, request, author, authorTeams } = params
  if (!isRequester(policy, author, authorTeams)) return false
  if (request.durationMs > policy.maxDurationMs) return false
  if (policy.approvals.length === 0 && !isWithinAutoApprove(policy, request)) return false
  if (policy.ticket && (request.ticket === undefined || !policy.ticket.test(request.ticket))) return false
  return true
}

/** Does the request meet the policy's auto_approve limits (and so need no approval under it)? */
function isWithinAutoApprove(policy: Policy, request: AccessRequest): boolean {
  return policy.autoApprove !== undefined && request.durationMs <= policy.autoApprove.maxDurationMs
}

function isRequester(policy: Policy, author: string, authorTeams: ReadonlySet<string>): boolean {
  return policy.requesters.users.includes(author) || policy.requesters.teams.some((team) => authorTeams.has(team))
}

function describeItem(item: RequestItem): string {
  return `${item.action} on ${item.resource} in ${item.account}`
}

function describeDeniedItem(item: RequestItem, author: string, chosen: PolicyResult | undefined, nearMisses: readonly NearMiss[]): string {
  if (chosen) {
    const rule = chosen.rules.find((result) => result.impossible)
    return `${describeItem(item)}: policy ${chosen.policy.name} can never approve it: ${rule?.impossible ?? 'an approval rule cannot be met'}`
  }
  if (nearMisses.length === 0) return `no policy grants ${item.action} (${describeItem(item)}) to ${author}`
  return `no policy grants ${describeItem(item)} to ${author} (${nearMisses.length} came close: ${nearMisses.map((miss) => miss.policy).join(', ')})`
}

function describeMissing(result: PolicyResult): string[] {
  return result.rules
    .filter((rule) => !rule.satisfied)
    .map((rule) => `${rule.missing} more approval${rule.missing === 1 ? '' : 's'} from ${rule.source} (policy ${result.policy.name})`)
}

function describeApproval(results: readonly PolicyResult[]): string {
  const parts = results.map((result) => {
    if (result.autoApproved) return `auto-approved within the limits of policy ${result.policy.name}`
    const approvers = [...new Set(result.rules.flatMap((rule) => rule.counted.map((approval) => `@${approval.login}`)))]
    return `approved by ${approvers.join(', ')} under policy ${result.policy.name}`
  })
  const text = parts.join('; ')
  return `Approved: ${text}`
}

/** Reviewers whose latest review requests changes and who could approve under some candidate policy. */
function findBlockers(params: { candidates: readonly PolicyResult[]; context: ApprovalContext }): Blocker[] {
  const { candidates, context } = params
  const blockers: Blocker[] = []
  for (const reviewer of context.reviewers) {
    if (reviewer.latest.state !== 'CHANGES_REQUESTED') continue
    const couldApprove = candidates.some(
      (result) =>
        isEligibleApprover(reviewer.login, reviewer.isBot, result.policy, context) &&
        result.policy.approvals.some((rule) => resolveApprovers(rule, context).logins.has(reviewer.login)),
    )
    if (couldApprove) blockers.push({ login: reviewer.login, commitId: reviewer.latest.commitId })
  }
  return blockers
}

export type { AccessRepository }
