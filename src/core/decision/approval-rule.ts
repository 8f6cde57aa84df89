import type { CodeownersRule, Ownership } from '../matching/codeowners.js'
import type { CountedApproval, IgnoredApproval, Review, RuleResult, TeamMembers } from './decision.js'
import type { ApprovalRule, Policy } from '../files/policy.js'
import { isBotLogin, type ReviewerStanding } from './review-states.js'
import { chooseNoun, formatCount } from '../text/plural.js'
import { shortSha } from '../text/short-sha.js'

/** Everything a rule needs to know about the pull request, resolved once per decision. */
export interface ApprovalContext {
  readonly author: string
  /** Others who authored or committed commits of the PR (lower-cased): treated like the author for approvals. */
  readonly contributors: ReadonlySet<string>
  /** Others GitHub authenticated as pushing to the PR (lower-cased), with the commits they pushed. */
  readonly pushers: ReadonlyMap<string, readonly string[]>
  /** False when the app cannot tell who pushed the head commit: then no approval counts. */
  readonly headPusherKnown: boolean
  /** CODEOWNERS owners (`login`, `@org/team`, lower-cased) known to lack write access: GitHub ignores them. */
  readonly ownersWithoutWriteAccess: ReadonlySet<string>
  readonly headSha: string
  readonly requestPath: string
  readonly reviewers: readonly ReviewerStanding[]
  readonly teams: TeamMembers
  /** Ownership of the request file; undefined when the repository has no CODEOWNERS file. */
  readonly ownership?: Ownership
  readonly codeownersFile?: string
}

/** The people a rule accepts approvals from, before excluding the author and bots. */
export interface ApproverSet {
  /** How the set reads in an explanation: "@acme/security or carol". */
  readonly label: string
  readonly logins: ReadonlySet<string>
  /** Teams named by the rule that resolved to no members (unknown or empty). */
  readonly emptyTeams: readonly string[]
  readonly codeownersRule?: CodeownersRule
  /** Set when the set cannot exist at all (no CODEOWNERS file, no owners for the path). */
  readonly unavailable?: string
  /** Owners left out for lacking write access (`@login`, `@org/team`), and for each of their logins, which owner. */
  readonly ownersWithoutWriteAccess?: readonly string[]
  readonly ignoredOwnerOf?: ReadonlyMap<string, string>
}

function membersOf(teams: readonly string[], directory: TeamMembers): { logins: string[]; empty: string[] } {
  const logins: string[] = []
  const empty: string[] = []
  for (const team of teams) {
    const members = directory.get(team) ?? []
    if (members.length === 0) empty.push(team)
    logins.push(...members.map((login) => login.toLowerCase()))
  }
  return { logins, empty }
}

/** Resolves who a rule's `from` designates. */
export function resolveApprovers(rule: ApprovalRule, context: ApprovalContext): ApproverSet {
  if (rule.from.kind === 'principals') {
    const { logins, empty } = membersOf(rule.from.teams, context.teams)
    const names = [...rule.from.teams, ...rule.from.users]
    return { label: joinOr(names), logins: new Set([...rule.from.users, ...logins]), emptyTeams: empty }
  }
  const ownership = context.ownership
  if (!ownership || !context.codeownersFile) {
    return {
      label: `code owners of ${context.requestPath}`,
      logins: new Set(),
      emptyTeams: [],
      unavailable: 'the repository has no CODEOWNERS file (looked in .github/CODEOWNERS, CODEOWNERS, docs/CODEOWNERS)',
    }
  }
  const owners = [...ownership.teams, ...ownership.users.map((user) => `@${user}`)]
  const label = owners.length > 0 ? `code owners of ${context.requestPath} (${owners.join(', ')})` : `code owners of ${context.requestPath}`
  if (!ownership.rule || owners.length === 0) {
    const where = ownership.rule
      ? `${context.codeownersFile}:${ownership.rule.line} un-owns it`
      : `no line of ${context.codeownersFile} matches it`
    return { label, logins: new Set(), emptyTeams: [], unavailable: `CODEOWNERS gives ${context.requestPath} no owners (${where})` }
  }
  // GitHub ignores owners without write access; so does the app (a login in a team with it still counts).
  const lacksWrite = (owner: string): boolean => context.ownersWithoutWriteAccess.has(owner.toLowerCase())
  const users = ownership.users.filter((user) => !lacksWrite(user))
  const teams = ownership.teams.filter((team) => !lacksWrite(team))
  const { logins, empty } = membersOf(teams, context.teams)
  const approvers = new Set([...users, ...logins])
  const ignoredOwnerOf = new Map<string, string>()
  for (const user of ownership.users.filter(lacksWrite)) if (!approvers.has(user)) ignoredOwnerOf.set(user, `@${user}`)
  const ignoredTeams = ownership.teams.filter(lacksWrite)
  for (const login of membersOf(ignoredTeams, context.teams).logins) {
    const team = ignoredTeams.find((name) => (context.teams.get(name) ?? []).some((member) => member.toLowerCase() === login))
    if (!approvers.has(login) && !ignoredOwnerOf.has(login) && team) ignoredOwnerOf.set(login, team)
  }
  const withoutWrite = [...ignoredTeams, ...ownership.users.filter(lacksWrite).map((user) => `@${user}`)]
  const ignored = withoutWrite.length > 0 ? { ownersWithoutWriteAccess: withoutWrite, ignoredOwnerOf } : {}
  if (users.length === 0 && teams.length === 0) {
    return {
      label,
      logins: new Set(),
      emptyTeams: [],
      codeownersRule: ownership.rule,
      ...ignored,
      unavailable: `no code owner of ${context.requestPath} has write access to the repository (${withoutWrite.join(', ')}); GitHub ignores such owners`,
    }
  }
  return { label, logins: approvers, emptyTeams: empty, codeownersRule: ownership.rule, ...ignored }
}

function joinOr(names: readonly string[]): string {
  if (names.length <= 1) return names.join('')
  return `${names.slice(0, -1).join(', ')} or ${names[names.length - 1]}`
}

/** Can this person's approval count under this policy at all (ignoring which rule, and their review)? */
export function isEligibleApprover(login: string, isBot: boolean, policy: Policy, context: ApprovalContext): boolean {
  return findWhyApprovalIgnored({ login, isBot, policy, context }) === undefined
}

/**
 * Evaluates one approval rule: which approvals count, which are ignored and why, how many are
 * still missing, and whether the rule can be met at all.
 */
export function evaluateApprovalRule(params: { rule: ApprovalRule; policy: Policy; context: ApprovalContext }): RuleResult {
  const { rule, policy, context } = params
  const approvers = resolveApprovers(rule, context)
  const counted: CountedApproval[] = []
  const ignored: IgnoredApproval[] = []
  for (const reviewer of context.reviewers) {
    const approval = reviewer.lastApproval
    if (!approval) continue
    const { login, isBot, latest } = reviewer
    const reason = findWhyApprovalIgnored({ login, isBot, policy, context, approvers, latest })
    if (reason) ignored.push({ login, reason: IGNORED_APPROVAL_WORDS[reason]({ policy, context, approvers, latest }) })
    else counted.push({ login: reviewer.login, reviewId: approval.id, commitId: approval.commitId, submittedAt: approval.submittedAt })
  }
  const missing = Math.max(0, rule.count - counted.length)
  const impossible = findWhyRuleIsImpossible({ rule, approvers, policy, context })
  return {
    rule,
    source: approvers.label,
    counted,
    ignored,
    missing,
    satisfied: missing === 0,
    ...(impossible && missing > 0 ? { impossible } : {}),
    ...(approvers.codeownersRule ? { codeownersRule: approvers.codeownersRule } : {}),
    ...(approvers.ownersWithoutWriteAccess ? { ownersWithoutWriteAccess: approvers.ownersWithoutWriteAccess } : {}),
  }
}

/** Why an approval does not count, as a code; IGNORED_APPROVAL_WORDS says it in a reviewer's words. */
type IgnoredReason =
  | 'bot'
  | 'owner-without-write-access'
  | 'not-approver'
  | 'author'
  | 'pusher'
  | 'contributor'
  | 'superseded'
  | 'dismissed'
  | 'stale'
  | 'unknown-head-pusher'

/**
 * Why `login`'s approval does not count under `policy`, or undefined when it counts: one line per rule,
 * the order is the precedence. Without `approvers` and `latest`, it answers who may approve under the
 * policy at all, whatever the rule and the review (isEligibleApprover).
 */
function findWhyApprovalIgnored(params: {
  login: string
  isBot: boolean
  policy: Policy
  context: ApprovalContext
  approvers?: ApproverSet
  latest?: Review
}): IgnoredReason | undefined {
  const { login, isBot, policy, context, approvers, latest } = params
  if (isBot) return 'bot'
  if (approvers && !approvers.logins.has(login)) return approvers.ignoredOwnerOf?.has(login) ? 'owner-without-write-access' : 'not-approver'
  if (login === context.author && !policy.selfApproval) return 'author'
  if (context.pushers.has(login) && !policy.selfApproval) return 'pusher'
  if (context.contributors.has(login) && !policy.selfApproval) return 'contributor'
  if (latest?.state === 'CHANGES_REQUESTED') return 'superseded'
  if (latest?.state === 'DISMISSED') return 'dismissed'
  if (latest && latest.commitId !== context.headSha) return 'stale'
  // Anyone could have pushed the head unseen, this approver too: fail safe (only for a review, not eligibility).
  if (latest && !context.headPusherKnown && !policy.selfApproval) return 'unknown-head-pusher'
  return undefined
}

/** The words for each reason an approval is ignored, built only for an approval shown as ignored. */
const IGNORED_APPROVAL_WORDS: Record<
  IgnoredReason,
  (facts: { policy: Policy; context: ApprovalContext; approvers: ApproverSet; latest: Review }) => string
> = {
  bot: () => 'a bot: bot approvals never count',
  'owner-without-write-access': ({ approvers, latest }) =>
    `${approvers.ignoredOwnerOf?.get(latest.login.toLowerCase()) ?? `@${latest.login}`} is a code owner without write access; GitHub ignores such owners`,
  'not-approver': ({ approvers }) =>
    approvers.codeownersRule || approvers.unavailable ? 'not a code owner of the request file' : `not one of ${approvers.label}`,
  author: ({ policy }) => `the author of the pull request (policy ${policy.name} does not allow self-approval)`,
  contributor: ({ policy }) =>
    `pushed commits to this pull request, so approving it would be approving their own change (policy ${policy.name} does not allow self-approval)`,
  pusher: ({ policy, context, latest }) =>
    `pushed ${(context.pushers.get(latest.login.toLowerCase()) ?? []).map(shortSha).join(', ')} to this pull request, so approving it would be approving their own change (policy ${policy.name} does not allow self-approval)`,
  superseded: ({ latest }) => `superseded by changes requested on ${shortSha(latest.commitId)}`,
  dismissed: ({ latest }) => (latest.dismissal ? `approval dismissed by @${latest.dismissal.by}` : 'approval dismissed'),
  stale: ({ latest, context }) => `stale: approved ${shortSha(latest.commitId)}, the head is now ${shortSha(context.headSha)}`,
  'unknown-head-pusher': ({ context }) =>
    `the app did not see who pushed ${shortSha(context.headSha)} (the head commit), so it cannot tell whether this approver pushed it`,
}

function findWhyRuleIsImpossible(params: {
  rule: ApprovalRule
  approvers: ApproverSet
  policy: Policy
  context: ApprovalContext
}): string | undefined {
  const { rule, approvers, policy, context } = params
  const author = context.author
  if (approvers.unavailable) return approvers.unavailable
  const eligible = [...approvers.logins].filter((login) => isEligibleApprover(login, isBotLogin(login), policy, context))
  if (eligible.length >= rule.count) return undefined
  const teams = approvers.emptyTeams.length > 0 ? `; ${approvers.emptyTeams.join(', ')} resolved to no members` : ''
  const excluded = approvers.logins.has(author) && !policy.selfApproval ? ` (the author ${author} cannot approve their own request)` : ''
  return `needs ${formatCount(rule.count, 'approval')} from ${approvers.label}, but only ${formatCount(eligible.length, 'eligible approver')} ${chooseNoun(eligible.length, 'exists', 'exist')}${excluded}${teams}`
}
