/**
 * Our retry policy for AWS calls. The SDK clients are built with `maxAttempts: 1` so this is the only
 * retry loop: visible, bounded, and testable with an injected `sleep` (tests never wait).
 */

/** An AWS error reduced to what a caller decides on. */
export interface ClassifiedAwsError {
  /** The service's error code without the SDK's `Exception` suffix: `Throttling`, `NoSuchEntity`, `AccessDenied`. */
  readonly code: string
  readonly message: string
  /** Worth trying again: throttling, service unavailable, 5xx, network failures. */
  readonly transient: boolean
}

export interface RetryOptions {
  /** Total attempts including the first. Default 5. */
  readonly maxAttempts?: number
  /** Delay ceiling before the first retry, doubled for each later one. Default 200 ms. */
  readonly baseDelayMs?: number
  /** Cap on any one delay. Default 5 s. */
  readonly maxDelayMs?: number
  /**
   * Error codes (as `classifyAwsError` names them) also worth retrying for this caller, e.g. `Conflict`
   * on Identity Center, which runs one operation per permission set and account at a time.
   */
  readonly retryCodes?: readonly string[]
}

const THROTTLING_CODES = new Set([
  'Throttling',
  'ThrottlingException',
  'ThrottledException',
  'RequestLimitExceeded',
  'TooManyRequestsException',
  'RequestThrottled',
  'RequestThrottledException',
  'SlowDown',
])
const UNAVAILABLE_CODES = new Set(['ServiceUnavailable', 'ServiceFailure', 'InternalFailure', 'InternalError', 'RequestTimeout'])
const NETWORK_CODES = new Set([
  'ECONNRESET',
  'ECONNREFUSED',
  'ETIMEDOUT',
  'EPIPE',
  'ENOTFOUND',
  'EAI_AGAIN',
  'ENETUNREACH',
  'EHOSTUNREACH',
  'TimeoutError',
  'RequestTimeoutException',
])

/**
 * Decides whether an error from an AWS call is worth retrying. Anything unrecognised from the client
 * side (AccessDenied, MalformedPolicyDocument, LimitExceeded, NoSuchEntity, ValidationError, ...) is
 * permanent: retrying a refused request only delays the explanation.
 */
export function classifyAwsError(error: unknown): ClassifiedAwsError {
  if (!(error instanceof Error)) return { code: 'Unknown', message: String(error), transient: false }
  const details = error as Error & { code?: unknown; $fault?: unknown; $metadata?: { httpStatusCode?: number } }
  const rawCode = typeof details.code === 'string' && details.code !== '' ? details.code : error.name
  const code = NETWORK_CODES.has(rawCode) || THROTTLING_CODES.has(rawCode) ? rawCode : rawCode.replace(/Exception$/, '')
  const status = details.$metadata?.httpStatusCode
  const transient =
    THROTTLING_CODES.has(rawCode) ||
    UNAVAILABLE_CODES.has(code) ||
    NETWORK_CODES.has(rawCode) ||
    status === 429 ||
    (status !== undefined && status >= 500) ||
    details.$fault === 'server'
  return { code, message: error.message, transient }
}

/**
 * Runs `operation`, retrying transient failures with exponential backoff and equal jitter: the n-th
 * retry waits between half and all of `baseDelayMs * 2^(n-1)` (capped), so delays grow while
 * concurrent callers spread out. Rethrows the last error unchanged.
 */
export async function retryAwsCall<T>(params: {
  operation: () => Promise<T>
  sleep: (ms: number) => Promise<void>
  /** Uniform in [0, 1); injected so tests are deterministic. */
  random: () => number
  options?: RetryOptions
}): Promise<T> {
  const maxAttempts = Math.max(1, params.options?.maxAttempts ?? 5)
  const baseDelayMs = params.options?.baseDelayMs ?? 200
  const maxDelayMs = params.options?.maxDelayMs ?? 5_000
  for (let attempt = 1; ; attempt++) {
    try {
      return await params.operation()
    } catch (error) {
      const classified = classifyAwsError(error)
      const retryable = classified.transient || (params.options?.retryCodes?.includes(classified.code) ?? false)
      if (attempt >= maxAttempts || !retryable) throw error
      const ceiling = Math.min(maxDelayMs, baseDelayMs * 2 ** (attempt - 1))
      await params.sleep(Math.round(ceiling / 2 + (params.random() * ceiling) / 2))
    }
  }
}

/** Runs one AWS call under a provider's retry policy. */
export type RetryingCall = <T>(operation: () => Promise<T>) => Promise<T>

/** Binds `retryAwsCall` to a provider's `sleep`, jitter and options, once, so each call site names only its operation. */
export function createRetryingCall(params: {
  sleep: (ms: number) => Promise<void>
  random: () => number
  options?: RetryOptions | undefined
}): RetryingCall {
  return (operation) =>
    retryAwsCall({ operation, sleep: params.sleep, random: params.random, ...(params.options ? { options: params.options } : {}) })
}
