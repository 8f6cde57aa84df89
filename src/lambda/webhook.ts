import { createWebhookHandler } from './webhook-handler.js'

/** The webhook function's handler (`dist/src/lambda/webhook.handler`), configured from its environment. */
export const handler = createWebhookHandler()
