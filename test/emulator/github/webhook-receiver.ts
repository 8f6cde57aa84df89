import { createServer, type IncomingHttpHeaders } from 'node:http'
import type { AddressInfo } from 'node:net'
import { verify } from '@octokit/webhooks-methods'

/** A webhook as a receiver saw it. */
export interface ReceivedWebhook {
  readonly headers: IncomingHttpHeaders
  readonly body: string
  readonly payload: Record<string, unknown>
  /** Whether X-Hub-Signature-256 verified with the secret (checked by Octokit's own verifier). */
  readonly signatureValid: boolean
}

/** A tiny HTTP server on 127.0.0.1 that records webhooks and answers with `status`. */
export async function startWebhookReceiver(
  secret: string,
  status = 200,
): Promise<{ url: string; received: ReceivedWebhook[]; close(): Promise<void> }> {
  const received: ReceivedWebhook[] = []
  const server = createServer((request, response) => {
    const chunks: Buffer[] = []
    request.on('data', (chunk: Buffer) => chunks.push(chunk))
    request.on('end', () => {
      const body = Buffer.concat(chunks).toString('utf8')
      const signature = String(request.headers['x-hub-signature-256'] ?? '')
      verify(secret, body, signature)
        .catch(() => false)
        .then((signatureValid) => {
          received.push({ headers: request.headers, body, payload: JSON.parse(body) as Record<string, unknown>, signatureValid })
          response.writeHead(status).end()
        })
    })
  })
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', () => resolve()))
  return {
    url: `http://127.0.0.1:${(server.address() as AddressInfo).port}/webhooks`,
    received,
    close: () => new Promise<void>((resolve) => server.close(() => resolve())),
  }
}
