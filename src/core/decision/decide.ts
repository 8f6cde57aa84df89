import {
  describeRequestItem,
  listPermissionSetItems,
  listRequestItems,
  type AccessRequest,
  type PermissionSetItem,
  type RequestItem,
} from '../files/access-request.js'
import type { ActionCatalogue } from '../matching/action-catalogue.js'
import { describeUnknownAction } from '../matching/action-catalogue.js'
import { resolveApprovers, evaluateApprovalRule, isEligibleApprover, type ApprovalContext } from './approval-rule.js'
import { findOwners } from '../matching/codeowners.js'
import type { Blocker, Decision, DecisionInput, Dismissal, ItemResult, NearMiss, PolicyResult, TeamMembers } from './decision.js'
import type { InputError } from '../files/input-error.js'
import {
  createCoverageMemo,
  findGrantCoverage,
  findUncoveredPart,
  grantsCoverAccount,
  grantsCoverItem,
} from '../matching/compiled-grants.js'
import type { IndexedPolicy, PolicyIndex } from '../matching/policy-index.js'
import type { Policy } from '../files/policy.js'
import type { JitSettings } from '../files/settings.js'
import type { AccessRepository } from '../files/access-repository.js'
import { summarizeReviewers } from './review-states.js'
import { PatternTooComplexError } from '../matching/wildcard.js'
import { formatCount } from '../text/plural.js'
import { shortSha } from '../text/short-sha.js'
import { findUngrantableReasons } from '../records/grant-feasibility.js'
import { isAmong, judgeAutoApprove } from './auto-approve.js'

/**
 * The decision: is this request approved, pending, denied or invalid, and why. Pure and synchronous:
 * everything it needs (files, reviews, team members, the clock, the action catalogue) is in `input`.
 * Default deny: an item no policy covers denies the whole request.
 */
export function decide(input: DecisionInput): Decision {
  const author = input.author.toLowerCase()
  const base = {
    requestPath: input.requestFile.path,
    author,
    headSha: input.headSha,
    evaluatedAt: input.now,
    ...(input.pushes ? { pushes: input.pushes } : {}),
  }
  if (!input.request.ok) return invalidDecision(base, input.request.errors)
  const request = input.request.value
  const errors = [
    // Invalid CODEOWNERS lines are ignored, as GitHub ignores them; `jit validate` and the policy check report them.
    ...input.repository.failures.filter((f) => f.kind !== 'codeowners' || f.stage === 'unreadable').flatMap((f) => f.errors),
    ...checkRequestAgainstWorld({
      request,
      catalogue: input.catalogue,
      now: input.now,
      settings: input.repository.settings,
    }),
    // A green check means AWS accepts the grant: what the grant step or IAM would refuse is refused here.
    ...findUngrantableReasons({
      request,
      settings: input.repository.settings,
      author,
      now: input.now,
      requestId: input.requestId,
    }),
    ...checkExtendedGrant({ request, repository: input.repository, author, now: input.now }),
  ]
  if (errors.length > 0) return { ...invalidDecision(base, errors), request }

  const context = createApprovalContext(input, author)
  const index = input.repository.policyIndex
  const requester = { request, author, teams: input.teams, now: input.now }
  // The hot path answers yes/no with compiled patterns; reasons are built only for an item left uncovered.
  const covers = createCoverageMemo()
  const covered: { item: RequestItem | PermissionSetItem; policies: Policy[] }[] = [
    ...listRequestItems(request).map((item) => ({ item, policies: findCoveringPolicies(index, item, covers) })),
    ...listPermissionSetItems(request).map((item) => ({ item, policies: findPermissionSetPolicies(index, item) })),
  ]
  // Each policy is judged once per decision, however many items it covers: a result when it is open to the request.
  const judged = new Map(
    [...new Set(covered.flatMap(({ policies }) => policies))].map((policy) => [
      policy,
      findRequestLevelMisses({ policy, ...requester }).length === 0 ? evaluatePolicy({ policy, context, ...requester }) : undefined,
    ]),
  )
  const evaluated = [...judged.values()].filter((result) => result !== undefined)

  const items: ItemResult[] = []
  const deniedReasons: string[] = []
  const findExample = createExampleFinder()
  // The same (account, action, resource) written in several entries is explained once.
  const explained = new Map<string, NearMiss[]>()
  const explain = (item: RequestItem | PermissionSetItem): NearMiss[] => {
    if ('permissionSet' in item)
      return explainPermissionSetNearMisses({ item, policies: index.lookupPermissionSet(item.permissionSet), ...requester })
    const key = `${item.account}\u0000${item.action}\u0000${item.resource}`
    let misses = explained.get(key)
    if (!misses)
      explained.set(key, (misses = explainNearMisses({ item, policies: findNearMissPolicies(index, item), findExample, ...requester })))
    return misses
  }
  for (const { item, policies } of covered) {
    const candidates = policies.flatMap((policy) => judged.get(policy) ?? []).sort((a, b) => byName(a.policy, b.policy))
    const chosen = choosePolicy(candidates)
    const shownMisses = chosen ? [] : explain(item)
    if (!chosen || chosen.impossible) deniedReasons.push(describeDeniedItem(item, author, chosen, shownMisses))
    items.push({
      item,
      ...(chosen ? { policy: chosen.policy.name } : {}),
      candidates: candidates.map((result) => result.policy.name),
      nearMisses: shownMisses,
    })
  }

  const chosenResults = uniqueChosen(items, evaluated)
  const blockers = findBlockers({ candidates: evaluated, context })
  const approvedItems = chosenResults.every((result) => result.satisfied)
  const headUnknown = !context.headPusherKnown && chosenResults.some((result) => !result.satisfied)
  const missing = [
    ...(headUnknown
      ? [
          `who pushed ${shortSha(input.headSha)} (the head commit) is unknown, because the app missed that push: no approval counts until someone pushes a new commit`,
        ]
      : []),
    ...chosenResults.flatMap((result) => (result.satisfied ? [] : describeMissing(result))),
    ...blockers.map((blocker) => describeBlocker(blocker, context)),
  ]
  const dismissals = listDismissals(context)
  const decision = {
    ...base,
    request,
    errors: [],
    items,
    policies: chosenResults,
    blockers,
    ...(dismissals.length > 0 ? { dismissals } : {}),
  }
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
  if (!input.request.ok) return []
  const teams = new Set<string>()
  const covers = createCoverageMemo()
  let needsOwners = false
  for (const policy of findEveryCandidatePolicy(input.repository.policyIndex, input.request.value, covers)) {
    {
      policy.requesters.teams.forEach((team) => teams.add(team))
      policy.autoApprove?.requesters?.teams.forEach((team) => teams.add(team))
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

/**
 * The CODEOWNERS owners of the request file whose write access the decision depends on: those of a
 * candidate policy with a `codeowners` rule. Users are `login`, teams `@org/team` (as CODEOWNERS writes them).
 */
export function codeOwnersToVerify(input: Omit<DecisionInput, 'teams' | 'reviews' | 'headSha' | 'now' | 'catalogue'>): {
  users: string[]
  teams: string[]
} {
  const codeowners = input.repository.codeowners
  if (!input.request.ok || !codeowners) return { users: [], teams: [] }
  const covers = createCoverageMemo()
  const needsOwners = findEveryCandidatePolicy(input.repository.policyIndex, input.request.value, covers).some((policy) =>
    policy.approvals.some((rule) => rule.from.kind === 'codeowners'),
  )
  if (!needsOwners) return { users: [], teams: [] }
  const ownership = findOwners(codeowners, input.requestFile.path)
  return { users: [...ownership.users].sort(), teams: [...ownership.teams].sort() }
}

/** The policies whose grants cover an item, in index order (`covers` remembers answers across one request's items). */
function findCoveringPolicies(index: PolicyIndex, item: RequestItem, covers: CoverageCheck = grantsCoverItem): Policy[] {
  return index
    .lookup(item.action, item.account)
    .filter((indexed) => covers(indexed.grants, item))
    .map((indexed) => indexed.policy)
}

type CoverageCheck = typeof grantsCoverItem

/** The policies that list a requested permission set and grant its account: names are exact, as Identity Center's are. */
function findPermissionSetPolicies(index: PolicyIndex, item: PermissionSetItem): Policy[] {
  return index
    .lookupPermissionSet(item.permissionSet)
    .filter((indexed) => grantsCoverAccount(indexed.grants, item.account))
    .map((indexed) => indexed.policy)
}

/** Every policy that covers some item of the request (action or permission set), each once. */
function findEveryCandidatePolicy(index: PolicyIndex, request: AccessRequest, covers: CoverageCheck): Policy[] {
  const found = new Set<Policy>()
  for (const item of listRequestItems(request)) for (const policy of findCoveringPolicies(index, item, covers)) found.add(policy)
  for (const item of listPermissionSetItems(request)) for (const policy of findPermissionSetPolicies(index, item)) found.add(policy)
  return [...found]
}

function invalidDecision(
  base: Pick<Decision, 'requestPath' | 'author' | 'headSha' | 'evaluatedAt'>,
  errors: readonly InputError[],
): Decision {
  const files = [...new Set(errors.map((error) => error.file))]
  const summary = `Invalid: ${formatCount(errors.length, 'error')} in ${files.join(', ')}`
  return { ...base, verdict: 'invalid', summary, errors, items: [], policies: [], blockers: [], missing: [] }
}

/** How many unknown actions of one request get a did-you-mean; the rest are named only. */
const UNKNOWN_ACTIONS_EXPLAINED = 20

/** Checks that need the world outside the file: real AWS actions, and a start that is not in the past. */
function checkRequestAgainstWorld(params: {
  request: AccessRequest
  catalogue: ActionCatalogue
  now: Date
  settings: JitSettings
}): InputError[] {
  const { request, catalogue, now, settings } = params
  const errors: InputError[] = []
  let explained = 0
  request.access.forEach((entry) => {
    entry.actions.forEach((action, actionIndex) => {
      if (catalogue.expand(action).length === 0) {
        // A did-you-mean compares the action with every action of its service: the first few get one.
        explained += 1
        errors.push({
          file: request.file,
          line: entry.actionLines[actionIndex] ?? entry.line,
          message: explained <= UNKNOWN_ACTIONS_EXPLAINED ? describeUnknownAction(action, catalogue) : `"${action}" is not an AWS action`,
        })
      }
    })
  })
  if (request.start && request.start.getTime() < now.getTime()) {
    errors.push({
      file: request.file,
      line: request.lines.start ?? 1,
      message: `start ${request.start.toISOString()} is in the past (evaluated at ${now.toISOString()}); remove it to start when granted, or choose a later time`,
    })
  } else if (request.start && request.start.getTime() - now.getTime() > settings.maxStartAheadMs) {
    errors.push({
      file: request.file,
      line: request.lines.start ?? 1,
      message: `start ${request.start.toISOString()} is more than ${settings.maxStartAheadText} ahead (evaluated at ${now.toISOString()}; max_start_ahead in .github/jit.yml); ask closer to the time`,
    })
  }
  return errors
}

/** `extends:` names an active grant of the same requester, as recorded at the base commit. */
function checkExtendedGrant(params: { request: AccessRequest; repository: AccessRepository; author: string; now: Date }): InputError[] {
  const { request, repository, author, now } = params
  if (request.extends === undefined) return []
  const line = request.lines.extends ?? 1
  const grant = repository.activeGrants.get(request.extends)
  const problem =
    grant === undefined
      ? `there is no active grant ${request.extends} (no grants/active/${request.extends}.yaml on the base branch); remove extends, or name one of your active grants`
      : grant.requester !== author
        ? `grant ${request.extends} belongs to ${grant.requester}, not to ${author}: a request can extend only its author's own grant`
        : Date.parse(grant.expiresAt) <= now.getTime()
          ? `grant ${request.extends} expired at ${grant.expiresAt}; remove extends and ask anew`
          : undefined
  return problem === undefined ? [] : [{ file: request.file, line, message: `extends: ${problem}` }]
}

function createApprovalContext(input: DecisionInput, author: string): ApprovalContext {
  const codeowners = input.repository.codeowners
  const contributors = new Set((input.contributors ?? []).map((login) => login.toLowerCase()).filter((login) => login !== author))
  const pushers = new Map<string, string[]>()
  for (const push of input.pushes?.pushes ?? []) {
    const login = push.login.toLowerCase()
    if (login === author) continue
    const shas = pushers.get(login) ?? []
    if (!shas.includes(push.sha)) shas.push(push.sha)
    pushers.set(login, shas)
  }
  // The author and whoever pushed cannot lift a request for changes by dismissing it.
  const mayNotDismiss = (login: string): boolean => login === author || pushers.has(login) || contributors.has(login)
  return {
    author,
    contributors,
    pushers,
    headPusherKnown: input.pushes?.headPusherKnown ?? true,
    ownersWithoutWriteAccess: new Set((input.ownersWithoutWriteAccess ?? []).map((owner) => owner.toLowerCase())),
    headSha: input.headSha,
    requestPath: input.requestFile.path,
    reviewers: summarizeReviewers(input.reviews, mayNotDismiss),
    teams: input.teams,
    ...(codeowners ? { ownership: findOwners(codeowners, input.requestFile.path), codeownersFile: codeowners.file } : {}),
  }
}

function byName(a: Policy, b: Policy): number {
  return a.name.localeCompare(b.name)
}

/** Why a policy's grants do not cover one item (no reasons when they do). */
function findItemLevelMisses(
  indexed: IndexedPolicy,
  item: RequestItem,
  findExample: ExampleFinder,
): { reasons: string[]; actionCovered: boolean } {
  const reasons: string[] = []
  const grants = indexed.policy.grants
  const covered = findGrantCoverage(indexed.grants, item)
  if (!covered.account) reasons.push(`does not grant account ${item.account} (grants ${grants.accounts.join(', ')})`)
  if (!covered.action) reasons.push(describeUncovered('action', grants.actions, item.action, findExample))
  if (!covered.resource) reasons.push(describeUncovered('resource', grants.resources, item.resource, findExample))
  return { reasons, actionCovered: covered.action }
}

/** An example the requested pattern matches and the granted one does not, within one decision's budget. */
type ExampleFinder = (kind: 'action' | 'resource', granted: string, requested: string) => string | undefined

/**
 * How many uncovered-example searches one decision makes at most: each explores the two patterns'
 * automata, and a request of a thousand wildcard resources would otherwise make a thousand of them.
 * Near misses past the budget are explained without the example.
 */
const EXAMPLE_SEARCHES = 20

function createExampleFinder(): ExampleFinder {
  const found = new Map<string, string | undefined>()
  return (kind, granted, requested) => {
    const key = `${kind}\u0000${granted}\u0000${requested}`
    if (found.has(key)) return found.get(key)
    if (found.size >= EXAMPLE_SEARCHES) return undefined
    let example: string | undefined
    try {
      example = findUncoveredPart(kind, granted, requested)
    } catch (error) {
      if (!(error instanceof PatternTooComplexError)) throw error
    }
    found.set(key, example)
    return example
  }
}

function describeUncovered(kind: 'action' | 'resource', granted: readonly string[], requested: string, findExample: ExampleFinder): string {
  const shown = granted.length > 3 ? `${granted.slice(0, 3).join(', ')}, …` : granted.join(', ')
  const example = granted.length === 1 ? findExample(kind, granted[0]!, requested) : undefined
  const hint = example !== undefined && example !== requested ? ` (the request would also match ${example})` : ''
  return `grants ${kind}s ${shown}, which do not cover ${requested}${hint}`
}

/** Why a policy cannot serve a request, whatever the item, as a code; REQUEST_MISS_WORDS says it in words. */
type RequestMiss = 'outside-request-paths' | 'not-requester' | 'too-long' | 'outside-auto-approve' | 'no-ticket' | 'ticket-mismatch'

/** What a request-level check looks at: the policy, the request and who makes it. */
interface RequestFacts {
  readonly policy: Policy
  readonly request: AccessRequest
  readonly author: string
  readonly teams: TeamMembers
  /** The evaluation time (auto_approve's windows). */
  readonly now: Date
}

/** Why a policy cannot serve this request at all, whatever the item: empty when it is open to the request. */
function findRequestLevelMisses(facts: RequestFacts): RequestMiss[] {
  const { policy, request, author, teams, now } = facts
  const misses: RequestMiss[] = []
  // The path picks the code owners who approve: a policy that says where its requests live is not the requester's to move.
  if (policy.requestPaths && !policy.requestPaths.some((pattern) => pattern.matches(request.file))) misses.push('outside-request-paths')
  if (!isRequester(policy, author, teams)) misses.push('not-requester')
  if (request.durationMs > policy.maxDurationMs) misses.push('too-long')
  else if (policy.approvals.length === 0 && !judgeAutoApprove({ policy, request, author, teams, now }).held)
    misses.push('outside-auto-approve')
  if (policy.ticket) {
    if (request.ticket === undefined) misses.push('no-ticket')
    else if (!policy.ticket.test(request.ticket)) misses.push('ticket-mismatch')
  }
  return misses
}

/** The words for each request-level miss, built only for a near miss shown to the reader. */
const REQUEST_MISS_WORDS: Record<RequestMiss, (facts: RequestFacts) => string> = {
  'outside-request-paths': ({ policy, request }) =>
    `requests for it live under ${(policy.requestPaths ?? []).map((pattern) => pattern.source).join(', ')}, not at ${request.file}`,
  'not-requester': ({ policy, author }) =>
    `${author} is not one of its requesters (${[...policy.requesters.teams, ...policy.requesters.users].join(', ')})`,
  'too-long': ({ policy, request }) => `duration ${request.durationText} is longer than its max_duration ${policy.maxDurationText}`,
  'outside-auto-approve': (facts) => {
    const failed = judgeAutoApprove(facts).conditions.filter((condition) => !condition.held)
    if (failed.length === 1 && facts.request.durationMs > (facts.policy.autoApprove?.maxDurationMs ?? 0))
      return `duration ${facts.request.durationText} is longer than its auto_approve.max_duration ${facts.policy.autoApprove?.maxDurationText ?? ''}, and it has no approval rules for longer requests`
    return `${failed.map((condition) => condition.words).join('; ')}, and it has no approval rules for requests outside auto_approve`
  },
  'no-ticket': ({ policy }) => `requires a ticket matching ${policy.ticket?.source ?? ''}`,
  'ticket-mismatch': ({ policy, request }) => `ticket ${request.ticket ?? ''} does not match ${policy.ticket?.source ?? ''}`,
}

function evaluatePolicy(params: RequestFacts & { context: ApprovalContext }): PolicyResult {
  const { policy, context } = params
  const auto = judgeAutoApprove(params)
  const autoApproved = auto.held
  const rules = policy.approvals.map((rule) => evaluateApprovalRule({ rule, policy, context }))
  // An empty rule list approves nothing: outside its auto_approve conditions such a policy is not even a candidate (findRequestLevelMisses).
  const satisfied = autoApproved || (rules.length > 0 && rules.every((rule) => rule.satisfied))
  const impossible = !satisfied && rules.some((rule) => rule.impossible !== undefined)
  return {
    policy,
    autoApproved,
    ...(policy.autoApprove ? { autoApproveConditions: auto.conditions } : {}),
    rules,
    satisfied,
    impossible,
  }
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

function uniqueChosen(items: readonly ItemResult[], results: readonly PolicyResult[]): PolicyResult[] {
  const names = new Set(items.map((item) => item.policy).filter((name) => name !== undefined))
  return results.filter((result) => names.has(result.policy.name)).sort((a, b) => byName(a.policy, b.policy))
}

/**
 * The near misses worth a reader's time: policies that grant the action but fail on something else.
 * Only when no policy grants the action at all are the ones that fail on the action itself shown.
 */
function explainNearMisses(
  params: Omit<RequestFacts, 'policy'> & { item: RequestItem; policies: readonly IndexedPolicy[]; findExample: ExampleFinder },
): NearMiss[] {
  const { item, policies, findExample, ...requester } = params
  const misses = policies.map((indexed) => {
    const { policy } = indexed
    const itemMisses = findItemLevelMisses(indexed, item, findExample)
    const facts = { policy, ...requester }
    return {
      policy: policy.name,
      file: policy.file,
      reasons: [...itemMisses.reasons, ...findRequestLevelMisses(facts).map((miss) => REQUEST_MISS_WORDS[miss](facts))],
      actionCovered: itemMisses.actionCovered,
    }
  })
  const grantingAction = misses.filter((miss) => miss.actionCovered)
  return (grantingAction.length > 0 ? grantingAction : misses)
    .map(({ policy, file, reasons }) => ({ policy, file, reasons }))
    .sort((a, b) => a.policy.localeCompare(b.policy))
}

/** The policies that list a requested permission set and still do not serve it: another account, or a request-level miss. */
function explainPermissionSetNearMisses(
  params: Omit<RequestFacts, 'policy'> & { item: PermissionSetItem; policies: readonly IndexedPolicy[] },
): NearMiss[] {
  const { item, policies, ...requester } = params
  return policies
    .slice(0, NEAR_MISSES_EXAMINED)
    .map(({ policy, grants }) => {
      const facts = { policy, ...requester }
      const reasons = [
        ...(grantsCoverAccount(grants, item.account)
          ? []
          : [`does not grant account ${item.account} (grants ${policy.grants.accounts.join(', ')})`]),
        ...findRequestLevelMisses(facts).map((miss) => REQUEST_MISS_WORDS[miss](facts)),
      ]
      return { policy: policy.name, file: policy.file, reasons }
    })
    .sort((a, b) => a.policy.localeCompare(b.policy))
}

/** How many near-miss policies an explanation examines at most: a reader acts on the first few. */
const NEAR_MISSES_EXAMINED = 20

/**
 * The policies worth explaining for an uncovered item: those that grant the action in the item's
 * account (they failed on the resource, the requester, the duration or the ticket), else those that
 * grant the action anywhere. Bounded, so a denied request costs the same with 100 or 10,000 policies.
 */
function findNearMissPolicies(index: PolicyIndex, item: RequestItem): readonly IndexedPolicy[] {
  const sameAccount = index.lookup(item.action, item.account)
  return (sameAccount.length > 0 ? sameAccount : index.lookupByAction(item.action)).slice(0, NEAR_MISSES_EXAMINED)
}

/** Is the author one of the policy's requesters, by login or as a member of one of its teams? */
function isRequester(policy: Policy, author: string, teams: TeamMembers): boolean {
  return isAmong(policy.requesters, author, teams)
}

function describeDeniedItem(
  item: RequestItem | PermissionSetItem,
  author: string,
  chosen: PolicyResult | undefined,
  nearMisses: readonly NearMiss[],
): string {
  if (chosen) {
    const rule = chosen.rules.find((result) => result.impossible)
    return `${describeRequestItem(item)}: policy ${chosen.policy.name} can never approve it: ${rule?.impossible ?? 'an approval rule cannot be met'}`
  }
  if (nearMisses.length === 0 && 'permissionSet' in item)
    return `no policy grants the permission set ${item.permissionSet} (${describeRequestItem(item)}) to ${author}: a permission set is grantable only when a policy lists it by name in grants.permission_sets`
  if (nearMisses.length === 0 && !('permissionSet' in item))
    return `no policy grants ${item.action} (${describeRequestItem(item)}) to ${author}`
  return `no policy grants ${describeRequestItem(item)} to ${author} (${nearMisses.length} came close: ${nearMisses.map((miss) => miss.policy).join(', ')})`
}

function describeMissing(result: PolicyResult): string[] {
  return result.rules
    .filter((rule) => !rule.satisfied)
    .map((rule) => `${formatCount(rule.missing, 'more approval')} from ${rule.source} (policy ${result.policy.name})`)
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
    if (couldApprove)
      blockers.push({
        login: reviewer.login,
        commitId: reviewer.latest.commitId,
        ...(reviewer.refusedDismissalBy ? { dismissedBy: reviewer.refusedDismissalBy } : {}),
      })
  }
  return blockers
}

function describeBlocker(blocker: Blocker, context: ApprovalContext): string {
  if (!blocker.dismissedBy) return `changes requested by @${blocker.login} must be resolved (their new approval, or a dismissal)`
  return `changes requested by @${blocker.login} still block: @${blocker.dismissedBy} dismissed the review, but ${describeDismisser(blocker.dismissedBy, context)} cannot lift a request for changes (their new approval, or a dismissal by someone else)`
}

function describeDismisser(login: string, context: ApprovalContext): string {
  if (login === context.author) return 'the author'
  const pushed = context.pushers.get(login)
  if (pushed) return `a pusher (@${login} pushed ${pushed.map(shortSha).join(', ')})`
  return 'a committer of the pull request'
}

/** Every request for changes that was dismissed (its reviewer's latest stance), and whether that lifted it. */
function listDismissals(context: ApprovalContext): Dismissal[] {
  return context.reviewers.flatMap((reviewer): Dismissal[] => {
    if (reviewer.refusedDismissalBy) return [{ reviewer: reviewer.login, by: reviewer.refusedDismissalBy, lifted: false }]
    const dismissal = reviewer.latest.state === 'DISMISSED' ? reviewer.latest.dismissal : undefined
    if (dismissal?.previousState !== 'CHANGES_REQUESTED') return []
    return [{ reviewer: reviewer.login, by: dismissal.by.toLowerCase(), lifted: true }]
  })
}
