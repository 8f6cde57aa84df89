import { randomUUID } from 'node:crypto'
import type { IncomingMessage, ServerResponse } from 'node:http'
import { authenticateCaller, type Caller } from './authenticate-caller.js'
import { AwsQueryError } from './aws-query-error.js'
import type { EmulatorState } from './emulator-state.js'
import { identityStoreOperations, ssoAdminOperations, type JsonOperation } from './identity-center-operations.js'
import { JsonServiceError } from './json-service-error.js'

/** The JSON 1.1 services the emulator speaks, by target prefix, with the signing name each must be signed for. */
const jsonServices: Readonly<
  Record<string, { signingName: string; service: 'sso' | 'identitystore'; operations: Readonly<Record<string, JsonOperation>> }>
> = {
  SWBExternalService: { signingName: 'sso', service: 'sso', operations: ssoAdminOperations },
  AWSIdentityStore: { signingName: 'identitystore', service: 'identitystore', operations: identityStoreOperations },
}

/**
 * Answers an AWS JSON 1.1 request (`X-Amz-Target: SWBExternalService.<Op>` or `AWSIdentityStore.<Op>`),
 * SigV4-verified as the Query services are. Only the app's granter role in the instance's management
 * account may call: anyone else gets `AccessDeniedException`, as AWS answers a caller no policy allows.
 */
export async function answerJsonRequest(params: {
  request: IncomingMessage
  response: ServerResponse
  body: Buffer
  target: string
  state: EmulatorState
  now: Date
  maxClockSkewSeconds: number
  granterRoleNames: readonly string[] | undefined
}): Promise<void> {
  const { request, response, now } = params
  const requestId = randomUUID()
  const [prefix = '', action = ''] = params.target.split('.')
  try {
    const api = jsonServices[prefix]
    const operation = api?.operations[action]
    if (api === undefined || operation === undefined)
      throw new JsonServiceError('UnknownOperationException', `Unknown operation ${params.target}`)
    const [rawPath = '/', rawQuery = ''] = (request.url ?? '/').split(/\?(.*)/s)
    let caller: Caller
    let region: string
    try {
      const authenticated = authenticateCaller({
        request: { method: request.method ?? 'POST', rawPath, rawQuery, headers: request.headers, body: params.body },
        state: params.state,
        now,
        maxClockSkewSeconds: params.maxClockSkewSeconds,
      })
      if (authenticated.service !== api.signingName) {
        throw new AwsQueryError('InvalidSignatureException', 403, `Credential should be scoped to correct service: '${api.signingName}'.`)
      }
      caller = authenticated.caller
      region = authenticated.region
    } catch (error) {
      if (error instanceof AwsQueryError)
        throw new JsonServiceError(error.code === 'SignatureDoesNotMatch' ? 'InvalidSignatureException' : error.code, error.message)
      throw error
    }
    const input = parseInput(params.body)
    await params.state.waitForHold(action)
    const result = runJsonOperation({ ...params, api, action, operation, caller, input, region })
    sendJson(response, 200, requestId, result)
  } catch (error) {
    const failure =
      error instanceof JsonServiceError ? error : new JsonServiceError('InternalServerException', `The emulator failed: ${String(error)}`)
    response.setHeader('x-amzn-errortype', `${failure.code}:`)
    sendJson(response, failure.status, requestId, { __type: failure.code, message: failure.message, ...failure.fields })
  }
}

function runJsonOperation(params: {
  state: EmulatorState
  now: Date
  granterRoleNames: readonly string[] | undefined
  api: { service: 'sso' | 'identitystore' }
  action: string
  operation: JsonOperation
  caller: Caller
  input: Record<string, unknown>
  region: string
}): Record<string, unknown> {
  const { state, caller, action, input, now, region } = params
  const record = (error: string | undefined): void => {
    state.calls.push({
      at: now,
      service: params.api.service,
      action,
      params: flattenInput(input),
      account: caller.account,
      sessionName: caller.kind === 'assumed-role' ? caller.sessionName : undefined,
      callerArn: caller.arn,
      error,
    })
  }
  try {
    checkAdministrator(state, caller, action, params.granterRoleNames)
    const fault = state.takeFault(action, actingAccount(input, caller))
    const context = { state: state.identityCenter, input, now, region }
    if (fault !== undefined) {
      if (fault.afterApplying === true) params.operation(context)
      throw new JsonServiceError(fault.code, fault.message ?? `Injected fault: ${fault.code} for ${action}`)
    }
    const result = params.operation(context)
    record(undefined)
    return result
  } catch (error) {
    record(error instanceof JsonServiceError ? error.code : 'InternalServerException')
    throw error
  }
}

/**
 * The account a call acts in, for fault injection: the account it names (`AccountId` of a listing,
 * `TargetId` of an assignment or a provisioning), else the caller's (every caller is the management account).
 */
function actingAccount(input: Record<string, unknown>, caller: Caller): string {
  for (const key of ['AccountId', 'TargetId']) {
    const value = input[key]
    if (typeof value === 'string' && value !== '') return value
  }
  return caller.account
}

function checkAdministrator(state: EmulatorState, caller: Caller, action: string, granterRoleNames: readonly string[] | undefined): void {
  const instance = state.identityCenter.instance
  const granter = granterRoleNames === undefined || (caller.kind === 'assumed-role' && granterRoleNames.includes(caller.roleName))
  if (granter && instance !== undefined && caller.account === instance.managementAccount) return
  throw new JsonServiceError(
    'AccessDeniedException',
    `User: ${caller.arn} is not authorized to perform: ${action} (Identity Center is administered from ${instance?.managementAccount ?? 'no account'})`,
  )
}

function parseInput(body: Buffer): Record<string, unknown> {
  const text = body.toString('utf8')
  if (text.trim() === '') return {}
  try {
    const parsed: unknown = JSON.parse(text)
    if (typeof parsed === 'object' && parsed !== null && !Array.isArray(parsed)) return parsed as Record<string, unknown>
  } catch {
    // answered below
  }
  throw new JsonServiceError('SerializationException', 'The request body is not a JSON object.')
}

/** The call log keeps string parameters; nested ones as JSON. */
function flattenInput(input: Record<string, unknown>): Record<string, string> {
  return Object.fromEntries(Object.entries(input).map(([key, value]) => [key, typeof value === 'string' ? value : JSON.stringify(value)]))
}

function sendJson(response: ServerResponse, status: number, requestId: string, body: unknown): void {
  const text = JSON.stringify(body)
  response.writeHead(status, {
    'content-type': 'application/x-amz-json-1.1',
    'content-length': Buffer.byteLength(text),
    'x-amzn-requestid': requestId,
  })
  response.end(text)
}
