import type { Probot } from 'probot'
import { createLambdaProbot, type LambdaDependencies } from './create-lambda-probot.js'
import { HttpEventError, jsonResult, readHttpEvent, textResult, type HttpResultV2 } from './http-event.js'
import type { LambdaContext } from './lambda-context.js'
import { loadAppConfig } from './load-app-config.js'

const REQUIRED_HEADERS = ['x-github-event', 'x-github-delivery'] as const

/**
 * The webhook function behind a function URL (or an API Gateway HTTP API): verifies GitHub's
 * `X-Hub-Signature-256` and hands the delivery to the app's handlers through Probot 14's own seam,
 * `probot.webhooks.verifyAndReceive`. Answers as Probot's middleware does: 200 `ok` once handled, 400 for
 * a request that is not a webhook, 401 for a missing or wrong signature (nothing is handled), 500 when a
 * handler failed (GitHub shows the delivery as failed; redelivering it is safe). The app is built once
 * per cold start, its secrets read then.
 */
export function createWebhookHandler(deps: LambdaDependencies = {}): (event: unknown, context?: LambdaContext) => Promise<HttpResultV2> {
  let built: Promise<Probot> | undefined
  const probot = (): Promise<Probot> => {
    built ??= loadAppConfig(deps.env ?? process.env, { webhookSecret: true })
      .then((config) => createLambdaProbot(config, deps))
      .then(({ probot: ready }) => ready)
    // A failed cold start (a secret not readable yet) is tried again by the next invocation.
    built.catch(() => (built = undefined))
    return built
  }
  return async (event) => {
    let request
    try {
      request = readHttpEvent(event)
    } catch (error) {
      if (error instanceof HttpEventError) return jsonResult(400, { error: error.message })
      throw error
    }
    if (request.method !== 'POST') return jsonResult(405, { error: `Unknown route: ${request.method} ${request.path}` })
    if (!/^\s*application\/json\s*(;|$)/i.test(request.headers['content-type'] ?? ''))
      return jsonResult(400, { error: 'Unsupported "Content-Type" header value. Must be "application/json"' })
    const missing = REQUIRED_HEADERS.filter((name) => !request.headers[name])
    if (missing.length > 0) return jsonResult(400, { error: `Required headers missing: ${missing.join(', ')}` })
    const signature = request.headers['x-hub-signature-256']
    if (!signature) return jsonResult(401, { error: 'Required header missing: x-hub-signature-256' })
    const app = await probot()
    if (!(await app.webhooks.verify(request.body, signature).catch(() => false)))
      return jsonResult(401, { error: 'signature does not match event payload and secret' })
    try {
      await app.webhooks.verifyAndReceive({
        id: request.headers['x-github-delivery']!,
        name: request.headers['x-github-event']! as Parameters<Probot['webhooks']['verifyAndReceive']>[0]['name'],
        payload: request.body,
        signature,
      })
    } catch (error) {
      const first = (error as { errors?: unknown[] }).errors?.[0] as { status?: number; message?: string } | undefined
      const status = first?.status === 400 ? 400 : 500
      app.log.error({ err: error, delivery: request.headers['x-github-delivery'] }, 'webhook delivery failed')
      return jsonResult(status, { error: first?.message ?? (error as Error).message })
    }
    return textResult(200, 'ok\n')
  }
}
