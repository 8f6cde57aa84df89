import { IncomingWebhook, IncomingWebhookHTTPError, IncomingWebhookRequestError } from '@slack/webhook'
import type { SlackMessage } from '../core/notifications/render-slack-message.js'
import { DeliveryError, isRetryableStatus } from './delivery-error.js'

/**
 * Posts one message to a Slack incoming webhook through Slack's own client (`@slack/webhook`, which
 * sends with `fetch`, `redirect: 'error'`, and aborts after `timeout` ms). One attempt: the notifier
 * owns the retries, the same for every sink. A failure is a DeliveryError saying whether to retry.
 */
export async function postToSlack(params: { url: string; message: SlackMessage; timeoutMs: number }): Promise<void> {
  const webhook = new IncomingWebhook(params.url, { timeout: params.timeoutMs, retryConfig: { retries: 0 } })
  const { text, blocks, link_names, unfurl_links } = params.message
  try {
    // `parse: 'none'` is not in the client's types; the message object is sent as it is.
    await webhook.send({ text, blocks: [...blocks] as never, link_names, unfurl_links, ...{ parse: params.message.parse } })
  } catch (thrown) {
    // p-retry hands back an aborted attempt's error as `originalError`.
    const error = (thrown as { originalError?: unknown }).originalError ?? thrown
    if (error instanceof IncomingWebhookHTTPError) {
      throw new DeliveryError(`Slack answered HTTP ${error.statusCode}`, isRetryableStatus(error.statusCode), { cause: error })
    }
    if (error instanceof IncomingWebhookRequestError) {
      const timedOut = error.original.name === 'TimeoutError' || error.original.name === 'AbortError'
      throw new DeliveryError(
        timedOut ? `Slack did not answer within ${params.timeoutMs} ms` : `Slack could not be reached: ${error.original.message}`,
        true,
        {
          cause: error,
        },
      )
    }
    throw new DeliveryError(`Slack could not be reached: ${(error as Error).message}`, true, { cause: error })
  }
}
