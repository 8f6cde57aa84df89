import { IAMServiceException, LimitExceededException, MalformedPolicyDocumentException, NoSuchEntityException } from '@aws-sdk/client-iam'
import { describe, expect, it } from 'vitest'
import { classifyAwsError, retryAwsCall } from '../../src/aws/retry.js'

function serviceError(name: string, status: number): IAMServiceException {
  return new IAMServiceException({
    name,
    $fault: status >= 500 ? 'server' : 'client',
    $metadata: { httpStatusCode: status },
    message: name,
  })
}

function networkError(code: string): Error {
  return Object.assign(new Error(`connect ${code} 127.0.0.1:443`), { code })
}

describe('classifyAwsError', () => {
  it.each([
    ['Throttling', serviceError('Throttling', 400), 'Throttling', true],
    ['ThrottlingException', serviceError('ThrottlingException', 400), 'ThrottlingException', true],
    ['RequestLimitExceeded', serviceError('RequestLimitExceeded', 503), 'RequestLimitExceeded', true],
    ['an unnamed 429', serviceError('SomethingNew', 429), 'SomethingNew', true],
    ['ServiceUnavailable', serviceError('ServiceUnavailable', 503), 'ServiceUnavailable', true],
    ['ServiceFailureException', serviceError('ServiceFailureException', 500), 'ServiceFailure', true],
    ['an unnamed 502', serviceError('BadGateway', 502), 'BadGateway', true],
    ['a reset connection', networkError('ECONNRESET'), 'ECONNRESET', true],
    ['a timeout', Object.assign(new Error('timed out'), { name: 'TimeoutError' }), 'TimeoutError', true],
    ['AccessDenied', serviceError('AccessDenied', 403), 'AccessDenied', false],
    ['MalformedPolicyDocument', new MalformedPolicyDocumentException({ message: 'bad', $metadata: {} }), 'MalformedPolicyDocument', false],
    ['LimitExceeded', new LimitExceededException({ message: 'full', $metadata: {} }), 'LimitExceeded', false],
    ['NoSuchEntity', new NoSuchEntityException({ message: 'gone', $metadata: { httpStatusCode: 404 } }), 'NoSuchEntity', false],
    ['ValidationError', serviceError('ValidationError', 400), 'ValidationError', false],
    ['not an Error', 'boom', 'Unknown', false],
  ])('%s', (_label, error, code, transient) => {
    expect(classifyAwsError(error)).toMatchObject({ code, transient })
  })
})

describe('retryAwsCall', () => {
  /** An operation that fails with the given errors in turn, then returns 'done'. */
  function failing(errors: unknown[]) {
    let calls = 0
    return {
      operation: async () => {
        const error = errors[calls++]
        if (error !== undefined) throw error
        return 'done'
      },
      calls: () => calls,
    }
  }

  it('waits longer before each retry, within the jitter bounds', async () => {
    const sleeps: number[] = []
    const { operation, calls } = failing([
      serviceError('Throttling', 400),
      serviceError('Throttling', 400),
      serviceError('Throttling', 400),
    ])
    const result = await retryAwsCall({
      operation,
      sleep: async (ms) => void sleeps.push(ms),
      random: () => 0.99,
      options: { baseDelayMs: 100 },
    })
    expect(result).toBe('done')
    expect(calls()).toBe(4)
    expect(sleeps).toHaveLength(3)
    // Equal jitter: the n-th delay lies in [base * 2^(n-1) / 2, base * 2^(n-1)].
    sleeps.forEach((ms, index) => {
      expect(ms).toBeGreaterThanOrEqual((100 * 2 ** index) / 2)
      expect(ms).toBeLessThanOrEqual(100 * 2 ** index)
    })
    expect(sleeps[1]!).toBeGreaterThan(sleeps[0]!)
    expect(sleeps[2]!).toBeGreaterThan(sleeps[1]!)
  })

  it('caps each delay', async () => {
    const sleeps: number[] = []
    const { operation } = failing(Array.from({ length: 6 }, () => serviceError('Throttling', 400)))
    await retryAwsCall({
      operation,
      sleep: async (ms) => void sleeps.push(ms),
      random: () => 1,
      options: { maxAttempts: 7, baseDelayMs: 100, maxDelayMs: 1000 },
    })
    expect(Math.max(...sleeps)).toBe(1000)
  })

  it('gives up after maxAttempts and rethrows the last error unchanged', async () => {
    const last = serviceError('ServiceUnavailable', 503)
    const { operation, calls } = failing([serviceError('ServiceUnavailable', 503), last, serviceError('ServiceUnavailable', 503)])
    const error = await retryAwsCall({ operation, sleep: async () => {}, random: () => 0, options: { maxAttempts: 2 } }).catch(
      (caught: unknown) => caught,
    )
    expect(error).toBe(last)
    expect(calls()).toBe(2)
  })

  it('does not retry a permanent error', async () => {
    const sleeps: number[] = []
    const denied = serviceError('AccessDenied', 403)
    const { operation, calls } = failing([denied])
    await expect(retryAwsCall({ operation, sleep: async (ms) => void sleeps.push(ms), random: () => 0 })).rejects.toBe(denied)
    expect(calls()).toBe(1)
    expect(sleeps).toEqual([])
  })
})
