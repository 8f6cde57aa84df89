import type { NotificationSink } from '../../core/files/settings.js'
import { describeRecordEvent, describeRevocationEvent } from '../../core/notifications/describe-events.js'
import type { Notifier } from '../../core/ports/notifier.js'
import type { AccessRecord, RevokedGrantRecord } from '../../core/records/grant-record.js'

/** Tells the sinks about a committed outcome of a merge: granted, refused or failed (an intent tells nothing). */
export function notifyRecord(
  notifier: Notifier,
  params: { sinks: readonly NotificationSink[]; record: AccessRecord; repository: string; at: Date },
): void {
  if (params.sinks.length === 0) return
  const event = describeRecordEvent(params.record, { repository: params.repository, at: params.at })
  if (event) notifier.notify(params.sinks, event)
}

/** Tells the sinks about committed revocations: expired, or revoked early. */
export function notifyRevocations(
  notifier: Notifier,
  params: { sinks: readonly NotificationSink[]; records: readonly RevokedGrantRecord[]; repository: string; at: Date },
): void {
  if (params.sinks.length === 0) return
  for (const record of params.records)
    notifier.notify(params.sinks, describeRevocationEvent(record, { repository: params.repository, at: params.at }))
}
