import type { RevokeOutcome, RevokeParams, RevokeTargetOutcome } from '../core/ports/cloud-provider.js'
import { formatCount } from '../core/text/plural.js'

/**
 * The outcome of a revocation from its targets' outcomes, whatever the backend: ok when no target (and no
 * session cut) failed, with one summary line naming what failed.
 */
export function summarizeRevocation(request: RevokeParams, targets: RevokeTargetOutcome[]): RevokeOutcome {
  const failed = targets.filter((target) => target.status === 'failed' || target.sessionCut?.status === 'failed')
  const ok = failed.length === 0
  return {
    requestId: request.requestId,
    ok,
    dryRun: false,
    summary: ok
      ? `revoked ${request.requestId} on ${formatCount(targets.length, 'target')}${request.cutSessions ? ' and cut earlier sessions' : ''}`
      : `revocation of ${request.requestId} failed on ${formatCount(failed.length, 'target')} of ${targets.length}: ${failed.map((target) => target.description).join('; ')}`,
    targets,
  }
}

/** The outcome of a dry run's revocation, whatever the backend: nothing was called; each target says what it would do. */
export function summarizeDryRunRevocation(request: RevokeParams, targets: RevokeTargetOutcome[]): RevokeOutcome {
  return {
    requestId: request.requestId,
    ok: true,
    dryRun: true,
    summary: `would revoke ${request.requestId} on ${formatCount(targets.length, 'target')}${request.cutSessions ? ' and cut earlier sessions' : ''}`,
    targets,
  }
}
