import { createHmac, randomUUID } from 'node:crypto'
import type { PendingEvent } from './emulator-context.js'

/** One webhook delivery and how the receiver answered it. */
export interface WebhookDelivery {
  readonly id: string
  readonly event: string
  readonly action: string | undefined
  readonly payload: Record<string, unknown>
  /** HTTP status of the latest attempt; 0 when the receiver could not be reached or no URL is configured. */
  status: number
  /** Why the latest attempt failed to reach the receiver, if it did. */
  error?: string
  attempts: number
}

/** The signature GitHub sends in `X-Hub-Signature-256` for a body. */
export function signWebhookBody(secret: string, body: string): string {
  return `sha256=${createHmac('sha256', secret).update(body).digest('hex')}`
}

/**
 * Sends webhooks the way GitHub does: a JSON POST signed with the secret, with the event, delivery id
 * and hook headers; remembers every delivery so it can be inspected or redelivered with the same id.
 */
export class WebhookDeliverer {
  readonly deliveries: WebhookDelivery[] = []
  url: string | undefined
  private readonly secret: string
  private readonly hookId: number
  private readonly installationTargetId: number

  constructor(params: { url?: string; secret: string; hookId: number; installationTargetId: number }) {
    this.url = params.url
    this.secret = params.secret
    this.hookId = params.hookId
    this.installationTargetId = params.installationTargetId
  }

  /** Sends a new delivery and resolves once the receiver answered. */
  async deliver(event: PendingEvent): Promise<WebhookDelivery> {
    const action = typeof event.payload.action === 'string' ? event.payload.action : undefined
    const delivery: WebhookDelivery = { id: randomUUID(), event: event.event, action, payload: event.payload, status: 0, attempts: 0 }
    this.deliveries.push(delivery)
    await this.send(delivery)
    return delivery
  }

  /** Sends an earlier delivery again, with the same id and body (GitHub's "Redeliver"). */
  async redeliver(deliveryId: string): Promise<WebhookDelivery> {
    const delivery = this.deliveries.find((candidate) => candidate.id === deliveryId)
    if (delivery === undefined) throw new Error(`No webhook delivery ${deliveryId} to redeliver`)
    await this.send(delivery)
    return delivery
  }

  private async send(delivery: WebhookDelivery): Promise<void> {
    delivery.attempts += 1
    if (this.url === undefined) {
      delivery.status = 0
      delivery.error = 'no webhook URL configured'
      return
    }
    const body = JSON.stringify(delivery.payload)
    try {
      const response = await fetch(this.url, {
        method: 'POST',
        headers: {
          'content-type': 'application/json',
          'user-agent': 'GitHub-Hookshot/emulator',
          'x-github-event': delivery.event,
          'x-github-delivery': delivery.id,
          'x-github-hook-id': String(this.hookId),
          'x-github-hook-installation-target-type': 'integration',
          'x-github-hook-installation-target-id': String(this.installationTargetId),
          'x-hub-signature-256': signWebhookBody(this.secret, body),
          'x-hub-signature': `sha1=${createHmac('sha1', this.secret).update(body).digest('hex')}`,
        },
        body,
      })
      await response.arrayBuffer()
      delivery.status = response.status
      delete delivery.error
    } catch (error) {
      delivery.status = 0
      delivery.error = error instanceof Error ? error.message : String(error)
    }
  }
}
