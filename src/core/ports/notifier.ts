import type { NotificationSink } from '../files/settings.js'
import type { NotificationEvent } from '../notifications/notification-event.js'

/**
 * What a workflow asks of the notification sinks: tell these sinks about this event. Fire and forget:
 * `notify` returns at once and never throws; delivery (its timeout, retries and failures) is the
 * notifier's, logged and shown on the health endpoint, so a notification can never block or fail a grant
 * or a revocation. Call it after the record is committed, never before.
 */
export interface Notifier {
  notify(sinks: readonly NotificationSink[], event: NotificationEvent): void
}

/** The notifier of a workflow run without one (tests, `jit check`): tells nobody. */
export const SILENT_NOTIFIER: Notifier = { notify: () => undefined }
