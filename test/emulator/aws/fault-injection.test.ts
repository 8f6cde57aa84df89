import { IAMClient, PutRolePolicyCommand } from '@aws-sdk/client-iam'
import { ConfiguredRetryStrategy, isThrottlingError } from '@smithy/core/retry'
import { afterEach, beforeEach, expect, test } from 'vitest'
import { startIamStsEmulator, type IamStsEmulator } from '../../../emulator/aws/iam-sts-emulator.js'
import { assumeRole, baseCredentials, captureError, createIamClient, createStsClient, type ClientCredentials } from './sdk-clients.js'

const account = '444444444444'
const document = JSON.stringify({ Version: '2012-10-17', Statement: [{ Effect: 'Allow', Action: 'ec2:Describe*', Resource: '*' }] })
const put = (policyName: string) => new PutRolePolicyCommand({ RoleName: 'developer', PolicyName: policyName, PolicyDocument: document })

let emulator: IamStsEmulator
let granter: ClientCredentials

beforeEach(async () => {
  emulator = await startIamStsEmulator({ credentials: [baseCredentials] })
  emulator.state.seedRole({ account, roleName: 'jit-granter' })
  emulator.state.seedRole({ account, roleName: 'developer' })
  granter = await assumeRole(createStsClient(emulator.url, baseCredentials), {
    roleArn: `arn:aws:iam::${account}:role/jit-granter`,
    sessionName: 'faults',
  })
})

afterEach(async () => {
  await emulator.stop()
})

test('injected Throttling fails the next N matching calls as the SDK’s throttling error, then calls succeed', async () => {
  const iam = createIamClient(emulator.url, granter)
  emulator.injectFault({ action: 'PutRolePolicy', code: 'Throttling', times: 2 })

  for (const attempt of [1, 2]) {
    const error = await captureError(iam.send(put(`attempt-${attempt}`)))
    expect(error.name).toBe('Throttling')
    expect(isThrottlingError(error as never)).toBe(true)
    expect(error['$metadata']).toMatchObject({ httpStatusCode: 400 })
  }
  expect(emulator.state.listRoleInlinePolicies(account, 'developer')).toEqual({})

  await iam.send(put('attempt-3'))
  expect(Object.keys(emulator.state.listRoleInlinePolicies(account, 'developer'))).toEqual(['attempt-3'])
  expect(emulator.state.calls.filter((call) => call.action === 'PutRolePolicy').map((call) => call.error)).toEqual([
    'Throttling',
    'Throttling',
    undefined,
  ])
})

test('the SDK’s own retry strategy retries injected throttling and succeeds on the third attempt', async () => {
  const iam = new IAMClient({
    endpoint: emulator.url,
    region: 'us-east-1',
    credentials: granter,
    // No backoff: the test must not sleep.
    retryStrategy: new ConfiguredRetryStrategy(3, () => 0),
  })
  emulator.injectFault({ action: 'PutRolePolicy', code: 'Throttling', times: 2 })
  const output = await iam.send(put('retried'))
  expect(output.$metadata.attempts).toBe(3)
  expect(Object.keys(emulator.state.listRoleInlinePolicies(account, 'developer'))).toEqual(['retried'])
})

test('a fault matches only its action and account', async () => {
  const iam = createIamClient(emulator.url, granter)
  emulator.injectFault({ action: 'DeleteRolePolicy', code: 'Throttling' })
  emulator.injectFault({ action: 'PutRolePolicy', code: 'Throttling', account: '999999999999' })
  await iam.send(put('unaffected'))
  expect(emulator.state.pendingFaults.map((fault) => fault.remaining)).toEqual([1, 1])
})

test('injected AccessDenied surfaces with status 403 and the given message', async () => {
  const iam = createIamClient(emulator.url, granter)
  emulator.injectFault({ action: 'PutRolePolicy', code: 'AccessDenied', message: 'denied by an SCP' })
  const error = await captureError(iam.send(put('blocked')))
  expect(error.name).toBe('AccessDenied')
  expect(error.message).toBe('denied by an SCP')
  expect(error['$metadata']).toMatchObject({ httpStatusCode: 403 })
})

test('injected ServiceUnavailable is a server fault', async () => {
  const iam = createIamClient(emulator.url, granter)
  emulator.injectFault({ action: 'PutRolePolicy', code: 'ServiceUnavailable' })
  const error = await captureError(iam.send(put('down')))
  expect(error.name).toBe('ServiceUnavailable')
  expect(error['$fault']).toBe('server')
  expect(error['$metadata']).toMatchObject({ httpStatusCode: 503 })
})
