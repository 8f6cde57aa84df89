import type { GrantOptions, GrantPlan, GrantTargetProgress } from '../../core/ports/cloud-provider.js'
import type { IdentityCenterBackend } from './identity-center-session.js'

/** How long a grant waits on Identity Center before it reports progress, unless the polling options say otherwise. */
export const DEFAULT_PROGRESS_AFTER_MS = 10_000

/** Follows one grant's targets and tells the caller how they stand while an assignment keeps it waiting. */
export interface GrantProgressTracker {
  /** The backend the grant runs on: its status waits report progress once the grant is past the threshold. */
  readonly backend: IdentityCenterBackend
  /** The target at `index` (in the plan's order) is being assigned, from now. */
  assigning(index: number): void
  /** The target at `index` is assigned. */
  assigned(index: number): void
}

/**
 * Reports a grant's progress through `options.onProgress` before each wait between status reads, once the
 * grant has run longer than `polling.progressAfterMs` (default 10 s) by the backend's clock: a quick grant
 * reports nothing. Without a callback the backend is returned as it is.
 */
export function trackGrantProgress(
  backend: IdentityCenterBackend,
  plan: GrantPlan,
  options: GrantOptions | undefined,
): GrantProgressTracker {
  const onProgress = options?.onProgress
  if (!onProgress) return { backend, assigning: () => undefined, assigned: () => undefined }
  const stages: GrantTargetProgress[] = plan.targets.map(() => ({ stage: 'waiting' }))
  const startedAt = backend.now()
  const afterMs = backend.polling.progressAfterMs ?? DEFAULT_PROGRESS_AFTER_MS
  const whileWaiting = async (): Promise<void> => {
    await backend.whileWaiting?.()
    if (backend.now().getTime() - startedAt.getTime() < afterMs) return
    const targets = plan.targets.map((target, index) => ({ account: target.account, principalArn: target.principalArn, ...stages[index]! }))
    try {
      await onProgress({ requestId: plan.requestId, startedAt, targets })
    } catch {
      // The port's contract: progress is never worth failing a grant for (the caller logs its own failures).
    }
  }
  return {
    backend: { ...backend, whileWaiting },
    assigning: (index) => void (stages[index] = { stage: 'provisioning', since: backend.now() }),
    assigned: (index) => void (stages[index] = { stage: 'granted' }),
  }
}
