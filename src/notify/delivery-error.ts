/** A delivery that did not succeed: `retryable` when another attempt may (a timeout, a 5xx, a 429, no answer). */
export class DeliveryError extends Error {
  override readonly name = 'DeliveryError'
  constructor(
    message: string,
    readonly retryable: boolean,
    options?: { cause?: unknown },
  ) {
    super(message, options)
  }
}

/** Whether an HTTP status is worth another attempt: the receiver's fault or its rate limit, not ours. */
export function isRetryableStatus(status: number): boolean {
  return status >= 500 || status === 429 || status === 408
}
