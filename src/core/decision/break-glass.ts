import { describeRequestItem } from '../files/access-request.js'
import type { AccessRepository } from '../files/access-repository.js'
import type { BreakGlass, Policy, UsersAndTeams } from '../files/policy.js'
import { findOwners } from '../matching/codeowners.js'
import { shortSha } from '../text/short-sha.js'
import type { Decision, PolicyResult } from './decision.js'

/** A break-glass the rules allow: the decision to plan the grant from, and who must hear of it and review it. */
export interface AllowedBreakGlass {
  readonly ok: true
  /** The request's decision with each item under its break-glass policy, `approved` without approvals: what the grant is planned from. */
  readonly decision: Decision
  readonly policies: readonly Policy[]
  /** The shortest `review_within` of the policies used. */
  readonly reviewWithinMs: number
  readonly reviewWithinText: string
  /** Whose approval is the review (the policies' approvers and the request file's code owners), and whom `notify` adds. */
  readonly reviewers: UsersAndTeams
}

export type BreakGlassJudgement = AllowedBreakGlass | { readonly ok: false; readonly reason: string }

/**
 * Judges `/jit break-glass`: may the commenter be granted this request now, without approvals? The
 * `decision` is the request's ordinary one, made as a merge would be (the rules at the default branch's
 * head, the request at the pull request's head); break-glass waives only the approvals:
 * - only the requester (the pull request's author, as GitHub authenticates the comment) may break the glass,
 *   and only when nobody else pushed to the pull request (what is granted is what they wrote);
 * - the request must be valid and not denied (eligible requester, covered by a policy, its duration and
 *   ticket within the policy's limits);
 * - it must name a ticket, and every item must be covered by a policy whose `break_glass` allows it
 *   (its `max_duration`, its `ticket` pattern).
 * Default deny: anything else is refused, with the reason in a reviewer's words.
 */
export function judgeBreakGlass(params: {
  decision: Decision
  repository: Pick<AccessRepository, 'policies' | 'codeowners'>
  commenter: string
  /** Logins other than the author who authored or committed commits of the pull request. */
  contributors: readonly string[]
}): BreakGlassJudgement {
  const { decision, repository } = params
  const commenter = params.commenter.toLowerCase()
  const author = decision.author
  const refuse = (reason: string): BreakGlassJudgement => ({ ok: false, reason })
  if (commenter !== author)
    return refuse(`only the requester @${author} can break the glass on this request; @${commenter} is not the requester`)
  if (decision.verdict === 'invalid') return refuse(`the request is invalid (${decision.summary})`)
  if (decision.verdict === 'denied') return refuse(`the request is denied by the policies (${decision.summary})`)
  const others = [
    ...new Set([
      ...(decision.pushes?.pushes ?? [])
        .filter((push) => push.login.toLowerCase() !== author)
        .map((push) => `@${push.login} pushed ${shortSha(push.sha)}`),
      ...params.contributors.filter((login) => login.toLowerCase() !== author).map((login) => `@${login} authored or committed a commit`),
    ]),
  ]
  if (others.length > 0) return refuse(`someone other than the requester changed this pull request (${others.join(', ')})`)
  if (decision.pushes && !decision.pushes.headPusherKnown)
    return refuse(`who pushed ${shortSha(decision.headSha)} (the head commit) is unknown: push a new commit and try again`)
  const request = decision.request
  if (!request) return refuse('the request could not be read')
  if (request.ticket === undefined) return refuse('break-glass needs a ticket: add `ticket:` to the request file')

  const byName = new Map(repository.policies.map((policy) => [policy.name, policy]))
  const chosen = new Map<string, Policy>()
  const items = []
  for (const result of decision.items) {
    const candidates = result.candidates.flatMap((name) => byName.get(name) ?? [])
    const allowing = candidates.filter((policy) => allowsBreakGlass(policy.breakGlass, request.durationMs, request.ticket))
    const policy = allowing.sort((a, b) => a.name.localeCompare(b.name))[0]
    const what = describeRequestItem(result.item)
    if (!policy) return refuse(`${what}: ${describeNoBreakGlass(candidates, request.durationText, request.ticket)}`)
    chosen.set(policy.name, policy)
    items.push({ ...result, policy: policy.name })
  }
  const policies = [...chosen.values()].sort((a, b) => a.name.localeCompare(b.name))
  const results: PolicyResult[] = policies.map((policy) => ({ policy, autoApproved: false, rules: [], satisfied: true, impossible: false }))
  const shortest = policies.reduce<BreakGlass | undefined>(
    (best, policy) => (policy.breakGlass && (!best || policy.breakGlass.reviewWithinMs < best.reviewWithinMs) ? policy.breakGlass : best),
    undefined,
  )
  const names = policies.map((policy) => policy.name).join(', ')
  return {
    ok: true,
    decision: {
      ...decision,
      verdict: 'approved',
      summary: `Break-glass: granted without approval under policy ${names}, to be reviewed within ${shortest?.reviewWithinText ?? ''}`,
      items,
      policies: results,
      blockers: [],
      missing: [],
    },
    policies,
    reviewWithinMs: shortest?.reviewWithinMs ?? 0,
    reviewWithinText: shortest?.reviewWithinText ?? '',
    reviewers: listReviewers(policies, repository, decision.requestPath, author),
  }
}

function allowsBreakGlass(breakGlass: BreakGlass | undefined, durationMs: number, ticket: string | undefined): boolean {
  if (!breakGlass || ticket === undefined) return false
  return durationMs <= breakGlass.maxDurationMs && (!breakGlass.ticket || breakGlass.ticket.test(ticket))
}

function describeNoBreakGlass(candidates: readonly Policy[], durationText: string, ticket: string | undefined): string {
  const withBreakGlass = candidates.filter((policy) => policy.breakGlass)
  if (withBreakGlass.length === 0)
    return `no policy covering it allows break-glass (${candidates.map((policy) => policy.name).join(', ') || 'none'}): wait for the approvals`
  return withBreakGlass
    .map((policy) => {
      const bg = policy.breakGlass as BreakGlass
      if (ticket !== undefined && bg.ticket && !bg.ticket.test(ticket))
        return `ticket ${ticket} does not match break_glass.ticket ${bg.ticket.source} of policy ${policy.name}`
      return `duration ${durationText} is longer than break_glass.max_duration ${bg.maxDurationText} of policy ${policy.name}`
    })
    .join('; ')
}

/** The policies' approvers (named users and teams, and the request file's code owners for a `codeowners` rule), plus `notify`. */
function listReviewers(
  policies: readonly Policy[],
  repository: Pick<AccessRepository, 'codeowners'>,
  requestPath: string,
  author: string,
): UsersAndTeams {
  const users = new Set<string>()
  const teams = new Set<string>()
  for (const policy of policies) {
    for (const rule of policy.approvals) {
      const from =
        rule.from.kind === 'principals' ? rule.from : repository.codeowners ? findOwners(repository.codeowners, requestPath) : undefined
      from?.users.forEach((user) => users.add(user))
      from?.teams.forEach((team) => teams.add(team))
    }
    policy.breakGlass?.notify.users.forEach((user) => users.add(user))
    policy.breakGlass?.notify.teams.forEach((team) => teams.add(team))
  }
  users.delete(author)
  return { users: [...users].sort(), teams: [...teams].sort() }
}
