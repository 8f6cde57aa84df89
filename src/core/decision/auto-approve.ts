import type { AccessRequest } from '../files/access-request.js'
import type { Policy } from '../files/policy.js'
import type { AutoApproveCondition, TeamMembers } from './decision.js'
import { describeLocalTime, describeWindow, isInsideWindow } from './maintenance-window.js'
import { formatUtc } from './render-decision.js'

/** `auto_approve` judged: whether every condition held, and each condition in a reviewer's words. */
export interface AutoApproveJudgement {
  readonly held: boolean
  readonly conditions: readonly AutoApproveCondition[]
}

/**
 * Judges a policy's `auto_approve` for a request at `now`: the duration, and each condition the policy
 * sets (requesters, accounts, maintenance windows). Every condition must hold. A policy without
 * `auto_approve` auto-approves nothing. Pure: the clock is `now`, the windows' zones come from `Intl`.
 */
export function judgeAutoApprove(params: {
  policy: Policy
  request: AccessRequest
  author: string
  teams: TeamMembers
  now: Date
}): AutoApproveJudgement {
  const { policy, request, author, teams, now } = params
  const auto = policy.autoApprove
  if (auto === undefined) return { held: false, conditions: [] }
  const conditions: AutoApproveCondition[] = []
  const withinDuration = request.durationMs <= auto.maxDurationMs
  conditions.push({
    held: withinDuration,
    words: withinDuration
      ? `duration ${request.durationText} is within auto_approve.max_duration ${auto.maxDurationText}`
      : `duration ${request.durationText} is longer than auto_approve.max_duration ${auto.maxDurationText}`,
  })
  if (auto.requesters) {
    const listed = [...auto.requesters.teams, ...auto.requesters.users].join(', ')
    const among = isAmong(auto.requesters, author, teams)
    conditions.push({
      held: among,
      words: among
        ? `@${author} is one of auto_approve.requesters (${listed})`
        : `@${author} is not one of auto_approve.requesters (${listed})`,
    })
  }
  if (auto.accounts) {
    const allowed = auto.accounts
    const outside = [...new Set(request.access.map((entry) => entry.account))].filter(
      (account) => !allowed.includes('*') && !allowed.includes(account),
    )
    conditions.push({
      held: outside.length === 0,
      words:
        outside.length === 0
          ? `every account is in auto_approve.accounts (${allowed.join(', ')})`
          : `account ${outside.join(', ')} is not in auto_approve.accounts (${allowed.join(', ')})`,
    })
  }
  if (auto.windows) {
    const inside = auto.windows.find((window) => isInsideWindow(window, now))
    const shown = inside ?? auto.windows[0]
    const local = shown ? `, ${describeLocalTime(now, shown.timeZone)}` : ''
    conditions.push({
      held: inside !== undefined,
      words: inside
        ? `evaluated at ${formatUtc(now)}${local}, inside the maintenance window ${describeWindow(inside)}`
        : `evaluated at ${formatUtc(now)}${local}, outside every maintenance window of auto_approve.windows (${auto.windows.map(describeWindow).join('; ')})`,
    })
  }
  return { held: conditions.every((condition) => condition.held), conditions }
}

/** Is a login among these users, or a member of one of these teams (logins lower-cased)? */
export function isAmong(who: { users: readonly string[]; teams: readonly string[] }, login: string, teams: TeamMembers): boolean {
  return who.users.includes(login) || who.teams.some((team) => (teams.get(team) ?? []).some((member) => member.toLowerCase() === login))
}
