import { createHmac } from 'node:crypto'
import { CLOUD_EVENT_CONTENT_TYPE, SIGNATURE_HEADER, signedPayload, TIMESTAMP_HEADER } from '../core/notifications/cloud-event.js'
import { DeliveryError, isRetryableStatus } from './delivery-error.js'

/** `sha256=<hex>`: HMAC-SHA256 with the sink's secret over `<timestamp>.<body>`, as receivers recompute it. */
export function signDelivery(params: { secret: string; timestamp: number; body: string }): string {
  return `sha256=${createHmac('sha256', params.secret).update(signedPayload(params.timestamp, params.body)).digest('hex')}`
}

/**
 * POSTs one CloudEvent (structured mode: the event is the body, `application/cloudevents+json`), signed
 * with the time of this attempt, so a receiver that refuses old timestamps refuses a replay. Redirects
 * are not followed (a redirect could carry the signed body elsewhere); the attempt is aborted after
 * `timeoutMs`. One attempt: the notifier owns retries.
 */
export async function postCloudEvent(params: { url: string; secret: string; body: string; now: Date; timeoutMs: number }): Promise<void> {
  const timestamp = Math.floor(params.now.getTime() / 1000)
  let response: Response
  try {
    response = await fetch(params.url, {
      method: 'POST',
      headers: {
        'content-type': CLOUD_EVENT_CONTENT_TYPE,
        'user-agent': 'jit-access-notifier',
        [TIMESTAMP_HEADER]: String(timestamp),
        [SIGNATURE_HEADER]: signDelivery({ secret: params.secret, timestamp, body: params.body }),
      },
      body: params.body,
      redirect: 'error',
      signal: AbortSignal.timeout(params.timeoutMs),
    })
  } catch (error) {
    const name = (error as Error).name
    const timedOut = name === 'TimeoutError' || name === 'AbortError'
    throw new DeliveryError(
      timedOut
        ? `the webhook did not answer within ${params.timeoutMs} ms`
        : `the webhook could not be reached: ${(error as Error).message}`,
      true,
      {
        cause: error,
      },
    )
  }
  // The body is not needed; reading it frees the connection.
  await response.arrayBuffer().catch(() => undefined)
  if (!response.ok) throw new DeliveryError(`the webhook answered HTTP ${response.status}`, isRetryableStatus(response.status))
}
