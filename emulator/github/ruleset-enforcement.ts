import type { EmulatorContext } from './emulator-context.js'
import type { PullRequestRecord } from './emulator-state.js'
import { GitHubHttpError } from './github-http-error.js'
import { bypassOf, rulesOnRef, type BranchActor, type RulesetRule } from './rulesets.js'

/** One move of a branch, as the rules see it: from `before` (null: created) to `after` (null: deleted), by whom, how. */
export interface BranchMove {
  readonly fullRef: string
  readonly before: string | null
  readonly after: string | null
  readonly actor: BranchActor
  /** How the move arrived: the REST git refs API, a `git push`, the merge button, or GraphQL. */
  readonly via: 'rest' | 'git' | 'merge' | 'graphql'
  /** Set when the move merges a pull request. */
  readonly merge?: { readonly pull: PullRequestRecord; readonly method: 'merge' | 'squash' | 'rebase' }
}

/**
 * GitHub's refusal of a branch move that breaks a ruleset. The text is GitHub's: the REST and GraphQL APIs answer
 * "Repository rule violations found" and then each violated rule; the merge button's API answers 405 with it; a
 * `git push` prints `GH013: Repository rule violations found for refs/heads/main.` and a `- ` line per rule.
 */
export class RuleViolationError extends GitHubHttpError {
  readonly violations: readonly string[]

  constructor(move: Pick<BranchMove, 'fullRef' | 'via'>, violations: readonly string[]) {
    super(
      move.via === 'merge' ? 405 : 422,
      move.via === 'git'
        ? `GH013: Repository rule violations found for ${move.fullRef}.\n${violations.map((line) => `- ${line}`).join('\n')}`
        : `Repository rule violations found\n\n${violations.join('\n\n')}\n\n`,
    )
    this.name = 'RuleViolationError'
    this.violations = violations
  }
}

/** Throws `RuleViolationError` when an active ruleset on the ref refuses the move for this actor. */
export async function enforceRulesets(context: EmulatorContext, move: BranchMove): Promise<void> {
  const violations: string[] = []
  for (const { ruleset, rule } of rulesOnRef(context, move.fullRef)) {
    const bypass = bypassOf(context, ruleset, move.actor)
    if (bypass === 'always' || bypass === 'exempt' || (bypass === 'pull_requests_only' && move.merge !== undefined)) continue
    for (const violation of await violationsOf(context, rule, move)) if (!violations.includes(violation)) violations.push(violation)
  }
  if (violations.length > 0) throw new RuleViolationError(move, violations)
}

async function violationsOf(context: EmulatorContext, rule: RulesetRule, move: BranchMove): Promise<string[]> {
  const parameters = rule.parameters ?? {}
  switch (rule.type) {
    case 'deletion':
      return move.after === null ? ['Cannot delete this branch'] : []
    case 'creation':
      return move.before === null ? ['Cannot create ref due to creations being restricted.'] : []
    case 'update':
      return move.before !== null && move.after !== null && move.merge === undefined ? ['Cannot update this protected ref.'] : []
    case 'non_fast_forward':
      if (move.before === null || move.after === null) return []
      return (await context.store.isAncestor(move.before, move.after)) ? [] : ['Cannot force-push to this branch']
    case 'pull_request':
      if (move.after === null) return []
      return move.merge === undefined
        ? ['Changes must be made through a pull request.']
        : pullRequestViolations(context, parameters, move.merge, move.before)
    case 'required_status_checks':
      return move.after === null ? [] : statusCheckViolations(context, parameters, move)
    default:
      return []
  }
}

async function pullRequestViolations(
  context: EmulatorContext,
  parameters: Readonly<Record<string, unknown>>,
  merge: NonNullable<BranchMove['merge']>,
  baseTip: string | null,
): Promise<string[]> {
  const { pull, method } = merge
  const violations: string[] = []
  const allowed = parameters.allowed_merge_methods
  if (Array.isArray(allowed) && !allowed.includes(method)) violations.push(`Merge method ${method} is not allowed.`)
  const approvers = approvingReviewers(context, pull, parameters.dismiss_stale_reviews_on_push === true)
  const required = Number(parameters.required_approving_review_count ?? 0)
  if (approvers.length < required) {
    violations.push(`At least ${required} approving review${required === 1 ? ' is' : 's are'} required by reviewers with write access.`)
  }
  if (parameters.require_last_push_approval === true) {
    const pusher = lastPusher(context, pull)
    if (!approvers.some((login) => login.toLowerCase() !== pusher.toLowerCase()))
      violations.push('Approval of the most recent reviewable push is required: it must come from someone other than the last pusher.')
  }
  if (parameters.require_code_owner_review === true && baseTip !== null) {
    const waiting = await ownersStillToApprove(context, pull, baseTip, approvers)
    if (waiting.length > 0) violations.push(`Waiting on code owner review from ${waiting.join(', ')}.`)
  }
  return violations
}

async function statusCheckViolations(
  context: EmulatorContext,
  parameters: Readonly<Record<string, unknown>>,
  move: BranchMove,
): Promise<string[]> {
  const checks = (Array.isArray(parameters.required_status_checks) ? parameters.required_status_checks : []) as Array<{
    context: string
    integration_id?: number
  }>
  // A merge is judged on the pull request's head; a push on the commit it pushes (which must have passed elsewhere).
  const sha = move.merge?.pull.headSha ?? move.after ?? ''
  const missing = checks.filter((check) => !checkPassed(context, sha, check))
  if (missing.length === 0) return []
  if (move.merge !== undefined) {
    const verb = missing.length === 1 ? 'is' : 'are'
    return [`${missing.length} of ${checks.length} required status check${checks.length === 1 ? '' : 's'} ${verb} expected.`]
  }
  return missing.map((check) => `Required status check "${check.context}" is expected.`)
}

function checkPassed(context: EmulatorContext, sha: string, check: { context: string; integration_id?: number }): boolean {
  const runs = context.state.checkRuns.filter(
    (run) =>
      run.headSha === sha && run.name === check.context && (check.integration_id === undefined || check.integration_id === context.appId),
  )
  const latest = runs.at(-1)
  return latest?.status === 'completed' && ['success', 'neutral', 'skipped'].includes(latest.conclusion ?? '')
}

/** Logins whose latest review is an approval (on the head commit when stale approvals are dismissed), the author left out. */
function approvingReviewers(context: EmulatorContext, pull: PullRequestRecord, onHeadOnly: boolean): string[] {
  const latest = new Map<string, { state: string; commitId: string }>()
  for (const review of context.state.reviews) {
    if (review.pullNumber !== pull.number || review.state === 'COMMENTED' || review.state === 'PENDING') continue
    latest.set(review.login.toLowerCase(), { state: review.state, commitId: review.commitId })
  }
  return [...latest.entries()]
    .filter(([login, review]) => review.state === 'APPROVED' && login !== pull.authorLogin.toLowerCase())
    .filter(([login, review]) => (!onHeadOnly || review.commitId === pull.headSha) && context.state.permissionOf(login) !== 'read')
    .map(([login]) => login)
}

function lastPusher(context: EmulatorContext, pull: PullRequestRecord): string {
  const move = context.state.activity.findLast((entry) => entry.ref === `refs/heads/${pull.headRef}` && entry.after === pull.headSha)
  return move?.actorLogin ?? pull.authorLogin
}

/** The owners (as CODEOWNERS on the base branch writes them) of changed files that no approver speaks for. */
async function ownersStillToApprove(
  context: EmulatorContext,
  pull: PullRequestRecord,
  baseTip: string,
  approvers: readonly string[],
): Promise<string[]> {
  const { store, state } = context
  let text: string | undefined
  for (const path of ['.github/CODEOWNERS', 'CODEOWNERS', 'docs/CODEOWNERS']) {
    const sha = await store.resolve(`${baseTip}:${path}`)
    if (sha !== undefined) {
      text = (await store.readBlob(sha))?.toString('utf8')
      break
    }
  }
  if (text === undefined) return []
  const lines = parseCodeowners(text)
  const mergeBase = (await store.mergeBase(baseTip, pull.headSha)) ?? baseTip
  const waiting = new Set<string>()
  for (const file of await store.diff(mergeBase, pull.headSha)) {
    const owners = lines.findLast((line) => line.pattern.test(file.path))?.owners ?? []
    const speaks = (owner: string) => {
      const team = /^@([^/]+)\/(.+)$/.exec(owner)
      if (team !== null)
        return (state.teams.get(`${team[1]}/${team[2]}`.toLowerCase()) ?? []).some((m) => approvers.includes(m.toLowerCase()))
      return approvers.includes(owner.replace(/^@/, '').toLowerCase())
    }
    if (owners.length > 0 && !owners.some(speaks)) owners.forEach((owner) => waiting.add(owner))
  }
  return [...waiting]
}

/** CODEOWNERS lines as GitHub reads them (enough for the emulator: `*`, `**`, `?`, anchors and directories). */
function parseCodeowners(text: string): Array<{ pattern: RegExp; owners: string[] }> {
  const lines: Array<{ pattern: RegExp; owners: string[] }> = []
  for (const raw of text.split('\n')) {
    const line = raw.replace(/(^|\s)#.*$/, '').trim()
    if (line === '') continue
    const [pattern = '', ...owners] = line.split(/\s+/)
    lines.push({ pattern: codeownersPattern(pattern), owners: owners.map((owner) => owner.toLowerCase()) })
  }
  return lines
}

function codeownersPattern(pattern: string): RegExp {
  const anchored = pattern.startsWith('/') || pattern.replace(/\/$/, '').includes('/')
  const body = pattern.replace(/^\//, '').replace(/\/$/, '')
  let source = ''
  for (let index = 0; index < body.length; index += 1) {
    const char = body[index] ?? ''
    if (body.startsWith('**/', index)) {
      source += '(?:.*/)?'
      index += 2
    } else if (body.startsWith('**', index)) {
      source += '.*'
      index += 1
    } else if (char === '*') source += '[^/]*'
    else if (char === '?') source += '[^/]'
    else source += char.replace(/[.+^${}()|[\]\\]/g, '\\$&')
  }
  return new RegExp(`${anchored ? '^' : '(?:^|/)'}${source}(?:/.*)?$`)
}
