import type { NotificationEvent } from './notification-event.js'

/** The media type of a CloudEvent in structured mode (CloudEvents 1.0 JSON format). */
export const CLOUD_EVENT_CONTENT_TYPE = 'application/cloudevents+json; charset=utf-8'
/** `type` of every event: `dev.jit-access.<event type>` (reverse-DNS, as CloudEvents recommends). */
export const CLOUD_EVENT_TYPE_PREFIX = 'dev.jit-access.'
/** The header carrying `sha256=<hex>`: HMAC-SHA256 with the sink's secret over `<timestamp>.<body>`. */
export const SIGNATURE_HEADER = 'x-jit-signature-256'
/** The header carrying the Unix time (seconds) the delivery was signed at; receivers refuse old ones. */
export const TIMESTAMP_HEADER = 'x-jit-timestamp'

/** A CloudEvents 1.0 event (structured mode): the context attributes and the event as `data`. */
export interface CloudEvent {
  readonly specversion: '1.0'
  /** Unique per event (the same on every retry of one delivery, so receivers can drop duplicates). */
  readonly id: string
  /** `https://github.com/<owner>/<repo>`: the access repository. */
  readonly source: string
  readonly type: string
  /** The request id (`pr-42`). */
  readonly subject: string
  readonly time: string
  readonly datacontenttype: 'application/json'
  readonly data: NotificationEvent
}

/** Wraps an event; `id` is the caller's (a random UUID per event), `serverUrl` GitHub's web address. */
export function buildCloudEvent(params: { event: NotificationEvent; id: string; serverUrl?: string }): CloudEvent {
  const { event } = params
  return {
    specversion: '1.0',
    id: params.id,
    source: `${params.serverUrl ?? 'https://github.com'}/${event.repository}`,
    type: `${CLOUD_EVENT_TYPE_PREFIX}${event.type}`,
    subject: event.requestId,
    time: event.at,
    datacontenttype: 'application/json',
    data: event,
  }
}

/** What is signed: the timestamp, a dot, and the body exactly as sent (so a replayed body with a new time fails). */
export function signedPayload(timestamp: number, body: string): string {
  return `${timestamp}.${body}`
}
