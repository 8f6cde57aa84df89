import type { EmulatorContext } from './emulator-context.js'
import { buildPullRequestEvent, buildPushEvent } from './webhook-payloads.js'
import { botLogin } from './rest-shapes.js'

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
