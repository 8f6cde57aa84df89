import type { Decision } from './decision.js'
import { isBotLogin } from './review-states.js'

/** Who is asked to review: GitHub's requested reviewers, users by login and teams by slug (of the repository's organisation). */
export interface ReviewerSet {
  readonly users: readonly string[]
  readonly teams: readonly string[]
}

/**
 * The reviews to request for a pending decision: everyone named by an approval rule that is still
 * unmet (and can be met), as policies and CODEOWNERS at the base name them, less the author, whoever
 * pushed, whoever already counted, whoever reviewed the head already, and bots; teams only of the
 * repository's own organisation (GitHub requests no other). Only what is not requested yet (`current`,
 * from the webhook's pull request) is returned, so an unchanged set makes no call.
 */
export function chooseReviewersToRequest(params: {
  decision: Decision
  organisation: string
  current: ReviewerSet
  /** Logins with a review on the head commit: they have answered. */
  reviewedHead: readonly string[]
}): ReviewerSet {
  const { decision } = params
  if (decision.verdict !== 'pending') return { users: [], teams: [] }
  const excluded = new Set([
    decision.author.toLowerCase(),
    ...(decision.pushes?.pushes ?? []).map((push) => push.login.toLowerCase()),
    ...params.reviewedHead.map((login) => login.toLowerCase()),
    ...params.current.users.map((login) => login.toLowerCase()),
  ])
  const requestedTeams = new Set(params.current.teams.map((slug) => slug.toLowerCase()))
  const organisation = params.organisation.toLowerCase()
  const users = new Set<string>()
  const teams = new Set<string>()
  for (const policy of decision.policies) {
    for (const rule of policy.rules) {
      if (rule.satisfied || rule.impossible) continue
      const from = rule.rule.from
      const withoutWrite = new Set((rule.ownersWithoutWriteAccess ?? []).map((owner) => owner.toLowerCase()))
      const owners = from.kind === 'principals' ? [...from.users, ...from.teams] : (rule.codeownersRule?.owners ?? [])
      for (const owner of owners) {
        // GitHub ignores an owner without write access, and would refuse to ask them.
        if (withoutWrite.has(owner.toLowerCase())) continue
        const name = owner.toLowerCase()
        if (name.startsWith('@') && name.includes('/')) {
          const [org, slug] = name.slice(1).split('/')
          if (org === organisation && slug && !requestedTeams.has(slug)) teams.add(slug)
        } else if (!name.includes('@') || name.startsWith('@')) {
          users.add(name.replace(/^@/u, ''))
        }
        // An e-mail owner has no login to request.
      }
    }
  }
  // Whoever already counted has given what they can.
  for (const policy of decision.policies) for (const rule of policy.rules) for (const c of rule.counted) excluded.add(c.login.toLowerCase())
  return { users: [...users].filter((login) => !excluded.has(login) && !isBotLogin(login)).sort(), teams: [...teams].sort() }
}
