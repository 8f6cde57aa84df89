import type { NotificationSink } from '../../core/files/settings.js'
import { describeDriftEvent, describeRevocationEvent, describeTamperingEvent } from '../../core/notifications/describe-events.js'
import type { Notifier } from '../../core/ports/notifier.js'
import type { DriftedGrant } from '../../core/records/reconcile.js'
import type { ConfirmedRevocation } from '../sweep/revocation-commit.js'
import type { TamperedRecord } from '../sweep/tampered-records.js'

/**
 * Tells the sinks what one sweep did and found, after its commit: each committed revocation (expired, or
 * an orphan policy deleted, which is drift), each active grant whose policy is missing (drift) and each
 * tampered record. Drift and tampering found again by later sweeps are told once per process (the
 * notifier remembers them).
 */
export function notifySweep(
  notifier: Notifier,
  params: {
    sinks: readonly NotificationSink[]
    repository: string
    repositoryUrl: string
    at: Date
    committed: readonly ConfirmedRevocation[]
    drift: readonly DriftedGrant[]
    tampered: readonly TamperedRecord[]
  },
): void {
  const { sinks } = params
  if (sinks.length === 0) return
  const place = { repository: params.repository, at: params.at }
  for (const revocation of params.committed) {
    if (revocation.source === 'orphan') {
      const url = revocation.record.pull_request.url.startsWith('http') ? revocation.record.pull_request.url : null
      notifier.notify(sinks, describeDriftEvent({ id: revocation.record.id, explanation: revocation.summary, url, place }))
    } else {
      notifier.notify(sinks, describeRevocationEvent(revocation.record, place))
    }
  }
  for (const drifted of params.drift) {
    notifier.notify(
      sinks,
      describeDriftEvent({ id: drifted.id, explanation: drifted.explanation, url: pullUrl(params.repositoryUrl, drifted.id), place }),
    )
  }
  for (const record of params.tampered) {
    notifier.notify(sinks, describeTamperingEvent({ ...record, url: pullUrl(params.repositoryUrl, record.id), place }))
  }
}

function pullUrl(repositoryUrl: string, id: string): string | null {
  const number = /^pr-(\d+)$/u.exec(id)?.[1]
  return number ? `${repositoryUrl}/pull/${number}` : null
}
