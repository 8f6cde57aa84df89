import { randomUUID } from 'node:crypto'
import type { NotificationSink } from '../../core/files/settings.js'
import { buildCloudEvent } from '../../core/notifications/cloud-event.js'
import type { NotificationEvent } from '../../core/notifications/notification-event.js'
import { renderSlackMessage } from '../../core/notifications/render-slack-message.js'
import type { Logger } from '../../core/ports/logger.js'
import type { Notifier } from '../../core/ports/notifier.js'
import { DeliveryError } from '../../notify/delivery-error.js'
import { postCloudEvent } from '../../notify/post-cloud-event.js'
import { postToSlack } from '../../notify/post-to-slack.js'

/** How one sink has fared, for `GET /jit/health` (keyed `owner/repo sink-name`). */
export interface SinkHealth {
  readonly kind: NotificationSink['kind']
  readonly delivered: number
  readonly failed: number
  readonly lastDelivery: { readonly at: string; readonly event: string; readonly attempts: number } | null
  readonly lastError: { readonly at: string; readonly event: string; readonly message: string } | null
}

/** A notifier that delivers over HTTP, and says how it went. */
export interface DeliveringNotifier extends Notifier {
  /** Each sink's last delivery and last error. */
  health(): Readonly<Record<string, SinkHealth>>
  /** Resolves once every delivery started so far has succeeded or given up (tests, shutdown). */
  settled(): Promise<void>
}

export interface NotifierOptions {
  /** Where `url_env` and `secret_env` are looked up; the app passes `process.env`. */
  readonly env: Readonly<Record<string, string | undefined>>
  readonly log: Logger
  readonly now?: () => Date
  /** Waits between attempts; tests pass one that records instead of waiting. */
  readonly sleep?: (ms: number) => Promise<void>
  /** Per attempt (default 5 s). */
  readonly timeoutMs?: number
  /** Attempts per delivery, the first included (default 3). */
  readonly attempts?: number
  /** The wait before the second attempt, doubled after each (default 1 s). */
  readonly retryDelayMs?: number
  /** GitHub's web address, for the CloudEvent `source` (default https://github.com). */
  readonly serverUrl?: string
}

/** Drift and tampering are found again by every sweep until they are resolved: each is told once per process. */
const REPEATING: ReadonlySet<NotificationEvent['type']> = new Set(['drift', 'tampering'])
const MAX_REMEMBERED = 1_000

/**
 * The notifier the app and the CLI use: `notify` starts one delivery per subscribed sink and returns at
 * once. Each delivery resolves its URL and secret from the environment, makes at most `attempts`
 * attempts of at most `timeoutMs` each (retrying timeouts, 5xx and 429), then logs the outcome and
 * records it for the health endpoint. Nothing it does can throw into the workflow that called it.
 */
export function createNotifier(options: NotifierOptions): DeliveringNotifier {
  const now = options.now ?? (() => new Date())
  const sleep = options.sleep ?? ((ms: number) => new Promise<void>((resolve) => setTimeout(resolve, ms)))
  const timeoutMs = options.timeoutMs ?? 5_000
  const attempts = Math.max(1, options.attempts ?? 3)
  const retryDelayMs = options.retryDelayMs ?? 1_000
  const sinks: Record<string, SinkHealth> = {}
  const inFlight = new Set<Promise<void>>()
  const told = new Set<string>()

  const record = (key: string, kind: NotificationSink['kind'], change: (previous: SinkHealth) => SinkHealth) => {
    sinks[key] = change(sinks[key] ?? { kind, delivered: 0, failed: 0, lastDelivery: null, lastError: null })
  }

  const sendOnce = async (sink: NotificationSink, event: NotificationEvent, body: { slack?: string; cloud?: string }) => {
    const url = options.env[sink.urlEnv]
    if (!url) throw new DeliveryError(`${sink.urlEnv} is not set in the app's environment`, false)
    if (!/^https?:\/\//u.test(url)) throw new DeliveryError(`${sink.urlEnv} is not an http(s) URL`, false)
    if (sink.kind === 'slack') {
      await postToSlack({ url, message: renderSlackMessage(event), timeoutMs })
      return
    }
    const secret = options.env[sink.secretEnv]
    if (!secret) throw new DeliveryError(`${sink.secretEnv} is not set in the app's environment`, false)
    await postCloudEvent({ url, secret, body: body.cloud ?? '', now: now(), timeoutMs })
  }

  const deliver = async (sink: NotificationSink, event: NotificationEvent): Promise<void> => {
    const key = `${event.repository} ${sink.name}`
    const fields = { sink: sink.name, kind: sink.kind, event: event.type, repository: event.repository, requestId: event.requestId }
    // One id per event and sink, the same on every attempt: receivers drop duplicates by it.
    const cloud =
      sink.kind === 'webhook'
        ? JSON.stringify(buildCloudEvent({ event, id: randomUUID(), ...(options.serverUrl ? { serverUrl: options.serverUrl } : {}) }))
        : undefined
    for (let attempt = 1; ; attempt += 1) {
      try {
        await sendOnce(sink, event, cloud === undefined ? {} : { cloud })
        const at = now().toISOString()
        record(key, sink.kind, (previous) => ({
          ...previous,
          delivered: previous.delivered + 1,
          lastDelivery: { at, event: event.type, attempts: attempt },
        }))
        options.log.info({ ...fields, attempts: attempt }, `notification delivered to ${sink.name}`)
        return
      } catch (error) {
        const failure = error instanceof DeliveryError ? error : new DeliveryError((error as Error).message, false, { cause: error })
        if (failure.retryable && attempt < attempts) {
          options.log.debug({ ...fields, attempt, err: failure }, `notification to ${sink.name} failed (${failure.message}); retrying`)
          await sleep(retryDelayMs * 2 ** (attempt - 1))
          continue
        }
        const at = now().toISOString()
        const message = `${failure.message} (after ${attempt} attempt${attempt === 1 ? '' : 's'})`
        record(key, sink.kind, (previous) => ({ ...previous, failed: previous.failed + 1, lastError: { at, event: event.type, message } }))
        options.log.warn({ ...fields, attempts: attempt }, `notification to ${sink.name} not delivered: ${message}`)
        return
      }
    }
  }

  return {
    notify(configured, event) {
      try {
        const wanting = configured.filter((sink) => sink.events.has(event.type))
        if (wanting.length === 0) return
        if (REPEATING.has(event.type)) {
          const key = JSON.stringify([
            event.type,
            event.repository,
            event.requestId,
            'commitSha' in event ? event.commitSha : '',
            'explanation' in event ? event.explanation : '',
          ])
          if (told.has(key)) return
          if (told.size >= MAX_REMEMBERED) told.clear()
          told.add(key)
        }
        for (const sink of wanting) {
          const delivery = deliver(sink, event).catch((error: unknown) =>
            options.log.error({ sink: sink.name, event: event.type, err: error }, 'notification delivery crashed'),
          )
          inFlight.add(delivery)
          void delivery.finally(() => inFlight.delete(delivery))
        }
      } catch (error) {
        options.log.error({ event: event.type, err: error }, 'could not start notification deliveries')
      }
    },
    health: () => ({ ...sinks }),
    settled: async () => {
      while (inFlight.size > 0) await Promise.all([...inFlight])
    },
  }
}
