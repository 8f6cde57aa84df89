import { createHmac, timingSafeEqual } from 'node:crypto'
import { createServer, type IncomingHttpHeaders, type Server } from 'node:http'
import type { AddressInfo } from 'node:net'

/** One request a receiver got: its headers and its body exactly as sent. */
export interface Received {
  readonly headers: IncomingHttpHeaders
  readonly body: string
}

/** How a receiver answers: `ok` (200), `fail` (500), or `hang` (never answers; the sender must time out). */
export type Answer = 'ok' | 'fail' | 'hang'

/** A local HTTP server on 127.0.0.1 standing in for Slack or a webhook receiver. */
export interface Receiver {
  readonly url: string
  readonly received: Received[]
  /** Answers in this order, then `ok` for the rest. */
  answer(...answers: Answer[]): void
  stop(): Promise<void>
}

export async function startReceiver(): Promise<Receiver> {
  const received: Received[] = []
  let answers: Answer[] = []
  const hanging = new Set<() => void>()
  const server: Server = createServer((req, res) => {
    const chunks: Buffer[] = []
    req.on('data', (chunk: Buffer) => chunks.push(chunk))
    req.on('end', () => {
      received.push({ headers: req.headers, body: Buffer.concat(chunks).toString('utf8') })
      const answer = answers.shift() ?? 'ok'
      if (answer === 'hang') {
        hanging.add(() => res.destroy())
        return
      }
      res.writeHead(answer === 'ok' ? 200 : 500, { 'content-type': 'text/plain' })
      res.end(answer === 'ok' ? 'ok' : 'internal error')
    })
  })
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve))
  const { port } = server.address() as AddressInfo
  return {
    url: `http://127.0.0.1:${port}/hook`,
    received,
    answer: (...next) => void (answers = next),
    stop: async () => {
      for (const end of hanging) end()
      server.closeAllConnections()
      await new Promise<void>((resolve) => server.close(() => resolve()))
    },
  }
}

/**
 * What a receiver does with a delivery, as the README shows it: recompute HMAC-SHA256 over
 * `<timestamp>.<raw body>` with the shared secret, compare in constant time, and refuse a timestamp
 * more than five minutes from its own clock.
 */
export function verifyDelivery(params: { secret: string; received: Received; now: Date }): boolean {
  const timestamp = String(params.received.headers['x-jit-timestamp'] ?? '')
  const signature = String(params.received.headers['x-jit-signature-256'] ?? '')
  if (!/^\d+$/.test(timestamp) || Math.abs(params.now.getTime() / 1000 - Number(timestamp)) > 300) return false
  const expected = `sha256=${createHmac('sha256', params.secret).update(`${timestamp}.${params.received.body}`).digest('hex')}`
  return signature.length === expected.length && timingSafeEqual(Buffer.from(signature), Buffer.from(expected))
}
