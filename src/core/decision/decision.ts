import type { AccessRepository } from '../files/access-repository.js'
import type { AccessRequest, PermissionSetItem, RequestItem } from '../files/access-request.js'
import type { ActionCatalogue } from '../matching/action-catalogue.js'
import type { CodeownersRule } from '../matching/codeowners.js'
import type { InputError, Parsed } from '../files/input-error.js'
import type { ApprovalRule, Policy } from '../files/policy.js'

export type Verdict = 'approved' | 'pending' | 'denied' | 'invalid'

/** A pull-request review as GitHub reports it. */
export interface Review {
  /** GitHub's review id, when known (recorded in grant records). */
  readonly id?: number
  readonly login: string
  readonly state: 'APPROVED' | 'CHANGES_REQUESTED' | 'COMMENTED' | 'DISMISSED' | 'PENDING'
  /** The commit the review was submitted on. */
  readonly commitId: string
  /** ISO time; reviews are ordered by it (ties keep input order). */
  readonly submittedAt: string
  /** True for GitHub Apps and other bot accounts (a login ending in `[bot]` is a bot too). */
  readonly isBot?: boolean
  /** For a DISMISSED review: who dismissed it and what it said before, from GitHub's timeline (when known). */
  readonly dismissal?: ReviewDismissal
}

/** A dismissal as GitHub's timeline records it (`ReviewDismissedEvent`): the actor is authenticated by GitHub. */
export interface ReviewDismissal {
  readonly by: string
  readonly previousState: Review['state']
}

/** One push to the pull request as GitHub authenticated it: the sender of its `pull_request` event. */
export interface Push {
  readonly login: string
  /** The head commit after the push. */
  readonly sha: string
}

/**
 * Who pushed to the pull request, from what GitHub authenticates (event senders), never from commit
 * author or committer fields, which anyone can write.
 */
export interface PushFacts {
  /** Every push the app saw, oldest first. */
  readonly pushes: readonly Push[]
  /** False when the app cannot tell who pushed the head commit (it missed that push): no approval can count. */
  readonly headPusherKnown: boolean
}

/** Team membership as resolved by the caller: `@org/team` (lower-cased) to member logins (lower-cased). */
export type TeamMembers = ReadonlyMap<string, readonly string[]>

export interface DecisionInput {
  /** The request file as read at the PR head. */
  readonly requestFile: { readonly path: string; readonly text: string }
  /** That file parsed once by the caller (`parseAccessRequest`), for `teamsToResolve` and `decide` alike; invalid makes the decision invalid. */
  readonly request: Parsed<AccessRequest>
  /** Policies, CODEOWNERS and settings read at the PR base. */
  readonly repository: AccessRepository
  /** PR author login. */
  readonly author: string
  /** The PR head commit; approvals on other commits are stale. */
  readonly headSha: string
  readonly reviews: readonly Review[]
  /**
   * Logins other than the author who authored or committed commits of the PR. Like the author, they
   * cannot approve (unless the policy allows self-approval): pushing to someone's request and then
   * approving it would be approving one's own change.
   */
  readonly contributors?: readonly string[]
  /**
   * Who pushed, as GitHub authenticated it; pushers other than the author are treated like contributors.
   * Absent only offline (`jit check`), where the author is the only pusher.
   */
  readonly pushes?: PushFacts
  /**
   * CODEOWNERS owners (`login` or `@org/team`, lower-cased) known to lack write access to the repository:
   * GitHub ignores them, so they are no code owners here either. Owners not listed are taken to have it.
   */
  readonly ownersWithoutWriteAccess?: readonly string[]
  /** Members of every team the decision may need (see `teamsToResolve`). Unknown teams count as empty. */
  readonly teams: TeamMembers
  /** Evaluation time. */
  readonly now: Date
  /** The catalogue of real AWS actions, to reject typos. */
  readonly catalogue: ActionCatalogue
  /**
   * The id the grant will carry (`pr-42`), which the grant's policy name and size depend on; without
   * it (`jit check` offline) the longest is assumed.
   */
  readonly requestId?: string | undefined
}

/** An approval that counted for a rule. */
export interface CountedApproval {
  readonly login: string
  readonly reviewId?: number
  readonly commitId: string
  readonly submittedAt: string
}

/** A review that did not count for a rule, and why, in words a reviewer understands. */
export interface IgnoredApproval {
  readonly login: string
  readonly reason: string
}

export interface RuleResult {
  readonly rule: ApprovalRule
  /** E.g. "codeowners of requests/alice/db.yaml (@acme/dba, bob)" or "@acme/security, carol". */
  readonly source: string
  readonly counted: readonly CountedApproval[]
  readonly ignored: readonly IgnoredApproval[]
  /** How many more approvals are needed (0 when satisfied). */
  readonly missing: number
  readonly satisfied: boolean
  /** Set when the rule can never be met (e.g. no eligible approvers); explains why. */
  readonly impossible?: string
  /** The CODEOWNERS line that gave ownership, for `codeowners` rules. */
  readonly codeownersRule?: CodeownersRule
  /** Owners of the request file (`@login`, `@org/team`) that lack write access, for `codeowners` rules. */
  readonly ownersWithoutWriteAccess?: readonly string[]
}

/** One condition of `auto_approve`, judged, in a reviewer's words ("duration 30m is within auto_approve.max_duration 1h"). */
export interface AutoApproveCondition {
  readonly held: boolean
  readonly words: string
}

/** How one candidate policy fares for the request. */
export interface PolicyResult {
  readonly policy: Policy
  /** True when the request meets every condition of the policy's `auto_approve`. */
  readonly autoApproved: boolean
  /** Each condition of `auto_approve` and whether it held (absent when the policy has none). */
  readonly autoApproveConditions?: readonly AutoApproveCondition[]
  readonly rules: readonly RuleResult[]
  readonly satisfied: boolean
  readonly impossible: boolean
}

/** Why a policy did not cover an item. */
export interface NearMiss {
  readonly policy: string
  readonly file: string
  readonly reasons: readonly string[]
}

export interface ItemResult {
  /** An (account, action, resource) item, or an (account, permission set) one. */
  readonly item: RequestItem | PermissionSetItem
  /** Name of the policy that covers the item (the satisfied one if any, else the closest candidate). */
  readonly policy?: string
  /** Names of every candidate policy for this item. */
  readonly candidates: readonly string[]
  /** For an item with no candidate: each policy that came close and why it did not apply. */
  readonly nearMisses: readonly NearMiss[]
}

/** A review whose latest state is CHANGES_REQUESTED from someone who could approve. */
export interface Blocker {
  readonly login: string
  readonly commitId: string
  /** Set when the review was dismissed by someone whose dismissal does not count (the author, a pusher). */
  readonly dismissedBy?: string
}

/** A request for changes that was dismissed, and whether the dismissal lifted it. */
export interface Dismissal {
  readonly reviewer: string
  readonly by: string
  /** False when the dismisser is the author or a pusher: the request for changes still stands. */
  readonly lifted: boolean
}

export interface Decision {
  readonly verdict: Verdict
  /** One line for a check-run title, e.g. "Pending: 1 more approval from @acme/security". */
  readonly summary: string
  /** Invalid input (request or repository files), each with file and line. Empty unless invalid. */
  readonly errors: readonly InputError[]
  readonly request?: AccessRequest
  readonly requestPath: string
  readonly author: string
  readonly headSha: string
  readonly evaluatedAt: Date
  readonly items: readonly ItemResult[]
  /** Results of the policies chosen for the items (one per distinct policy). */
  readonly policies: readonly PolicyResult[]
  readonly blockers: readonly Blocker[]
  /** Requests for changes that were dismissed, and by whom (absent when none was). */
  readonly dismissals?: readonly Dismissal[]
  /** Who pushed, as GitHub authenticated it (absent offline). */
  readonly pushes?: PushFacts
  /** What is still missing, one line each (e.g. "1 more approval from @acme/security (policy prod-ec2-incident)"). */
  readonly missing: readonly string[]
}
