import type { EmulatorContext } from './emulator-context.js'
import type { ActivityType } from './emulator-state.js'
import { buildPullRequestEvent, buildPushEvent } from './webhook-payloads.js'
import { botLogin } from './rest-shapes.js'
import { enforceRulesets, type BranchMove } from './ruleset-enforcement.js'

export type { BranchMove } from './ruleset-enforcement.js'

const zeroSha = '0000000000000000000000000000000000000000'

/**
 * The one place a branch (or any ref) moves: the repository's rulesets are enforced first (a refused move throws
 * `RuleViolationError` with GitHub's text), then the ref is compare-and-swapped from `before` (null: must not
 * exist) to `after` (null: deleted), and a move of `refs/heads/*` is recorded for the activity API. Returns false
 * when the compare-and-swap lost (another writer moved the ref first). Webhooks are the caller's: each path
 * announces what GitHub announces for it.
 */
export async function moveBranch(context: EmulatorContext, move: BranchMove & { activityType?: ActivityType }): Promise<boolean> {
  await enforceRulesets(context, move)
  const { store } = context
  const moved =
    move.after === null
      ? move.before !== null && (await store.deleteRef(move.fullRef, move.before))
      : await store.updateRef(move.fullRef, move.after, move.before)
  if (!moved) return false
  const activityType: ActivityType =
    move.activityType ??
    (move.before === null
      ? 'branch_creation'
      : move.after === null
        ? 'branch_deletion'
        : (await store.isAncestor(move.before, move.after))
          ? 'push'
          : 'force_push')
  context.state.recordActivity({
    ref: move.fullRef,
    before: move.before ?? zeroSha,
    after: move.after ?? zeroSha,
    activityType,
    actorLogin: move.actor.kind === 'user' ? move.actor.login : move.actor.kind === 'app' ? botLogin(context) : 'github',
    timestamp: context.clock(),
  })
  return true
}

/**
 * What GitHub does when the app moves a branch through the API: a `push` webhook, and a
 * `pull_request.synchronize` for every open pull request whose head is that branch.
 */
export async function announceBranchMoved(
  context: EmulatorContext,
  params: { fullRef: string; before: string; after: string; forced: boolean; pusherLogin?: string },
): Promise<void> {
  if (!params.fullRef.startsWith('refs/heads/')) return
  const pusherLogin = params.pusherLogin ?? botLogin(context)
  context.announce(
    buildPushEvent(context, { ref: params.fullRef, before: params.before, after: params.after, pusherLogin, forced: params.forced }),
  )
  const branch = params.fullRef.slice('refs/heads/'.length)
  for (const pull of context.state.pulls.values()) {
    if (pull.state !== 'open' || pull.headOwner !== context.owner || pull.headRef !== branch) continue
    pull.headSha = params.after
    pull.updatedAt = context.clock()
    context.announce(
      await buildPullRequestEvent(context, {
        action: 'synchronize',
        pull,
        senderLogin: pusherLogin,
        extra: { before: params.before, after: params.after },
      }),
    )
  }
}

/** How a ref update through the API ended: moved, or refused with GitHub's words for why. */
export type ApiRefUpdate =
  | { readonly kind: 'moved'; readonly before: string }
  | { readonly kind: 'missing' | 'not-a-commit' | 'not-fast-forward' | 'stale' | 'kept-changing'; readonly message: string }

/**
 * Moves a ref as the app through the API, the one path for every API ref update (REST `PATCH
 * /git/refs`, GraphQL `createCommitOnBranch`), through `moveBranch` so the rulesets apply to both (a
 * refusal throws `RuleViolationError`). Compare-and-swap, so two writers racing on one branch cannot both
 * win; `expected` is the head the caller built on (`expectedHeadOid`): when the branch is elsewhere the
 * move is refused as stale.
 */
export async function updateBranchThroughApi(
  context: EmulatorContext,
  params: { fullRef: string; sha: string; force: boolean; expected?: string; via: 'rest' | 'graphql' },
): Promise<ApiRefUpdate> {
  const { fullRef, sha } = params
  if ((await context.store.objectType(sha)) !== 'commit') return { kind: 'not-a-commit', message: 'Object does not exist' }
  for (let attempt = 0; attempt < 5; attempt += 1) {
    const current = await context.store.readRef(fullRef)
    if (current === undefined) return { kind: 'missing', message: 'Reference does not exist' }
    if (params.expected !== undefined && current !== params.expected) {
      return { kind: 'stale', message: `Expected branch to point to "${params.expected}" but it did not. Pull and try again.` }
    }
    const fastForward = await context.store.isAncestor(current, sha)
    if (!params.force && !fastForward) return { kind: 'not-fast-forward', message: 'Update is not a fast forward' }
    if (await moveBranch(context, { fullRef, before: current, after: sha, actor: { kind: 'app' }, via: params.via })) {
      await announceBranchMoved(context, { fullRef, before: current, after: sha, forced: params.force })
      return { kind: 'moved', before: current }
    }
  }
  return { kind: 'kept-changing', message: 'Reference cannot be updated: it kept changing' }
}
