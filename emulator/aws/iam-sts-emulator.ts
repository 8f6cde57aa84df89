import { randomUUID } from 'node:crypto'
import { createServer, type IncomingMessage, type ServerResponse } from 'node:http'
import type { AddressInfo } from 'node:net'
import { authenticateCaller, type Caller } from './authenticate-caller.js'
import { AwsQueryError, statusForCode } from './aws-query-error.js'
import { EmulatorState, type BaseCredential, type FaultSpec, type HeldCalls } from './emulator-state.js'
import { iamOperations } from './iam-operations.js'
import type { Operation } from './operation-context.js'
import { parseQueryRequest, type QueryRequest } from './parse-query-request.js'
import { renderErrorResponse, renderSuccessResponse, xmlNamespaces } from './render-xml.js'
import { stsOperations } from './sts-operations.js'
import { answerJsonRequest } from './answer-json-request.js'

export type {
  AccountState,
  BaseCredential,
  CallRecord,
  FaultSpec,
  HeldCalls,
  RoleAssumption,
  RoleRecord,
  UserRecord,
} from './emulator-state.js'
export { EmulatorState } from './emulator-state.js'
export type { IdentityCenterState } from './identity-center-state.js'

/** How to start the emulator. */
export interface IamStsEmulatorOptions {
  /** Port on 127.0.0.1; 0 (the default) picks a free one. */
  readonly port?: number
  /** Long-term keys the emulator accepts; each belongs to a user (created at start) in an account. */
  readonly credentials: readonly BaseCredential[]
  /** The emulator's time: session expiry, create dates, the call log and the clock-skew check. */
  readonly clock?: () => Date
  /**
   * When given, every IAM call must be signed with temporary credentials from AssumeRole of a role
   * with one of these names (a granter role); any other caller gets `AccessDenied` (403).
   */
  readonly granterRoleNames?: readonly string[]
  /** How far a request's signing time may be from the emulator's clock; 900 (AWS's 15 minutes) by default. */
  readonly maxClockSkewSeconds?: number
}

/** A running emulator. */
export interface IamStsEmulator {
  /** Base URL to give the SDK, e.g. through `AWS_ENDPOINT_URL_IAM` and `AWS_ENDPOINT_URL_STS`. */
  readonly url: string
  /** Everything the emulator holds, for tests and the demo to inspect or seed. */
  readonly state: EmulatorState
  /** Makes the next `times` (default 1) calls of `action` fail with `code` instead of running (or after running, with `afterApplying`). */
  injectFault(fault: FaultSpec): void
  /** Holds the next call of `action` before it runs, until `release()`: a slow call, for races. */
  holdCalls(action: string): HeldCalls
  /** Stops listening and closes open connections (the SDK keeps them alive). */
  stop(): Promise<void>
}

interface ServiceApi {
  readonly name: 'iam' | 'sts'
  readonly namespace: string
  readonly version: string
  readonly operations: Readonly<Record<string, Operation>>
}

const serviceApis: Readonly<Record<string, ServiceApi>> = {
  iam: { name: 'iam', namespace: xmlNamespaces.iam, version: '2010-05-08', operations: iamOperations },
  sts: { name: 'sts', namespace: xmlNamespaces.sts, version: '2011-06-15', operations: stsOperations },
}

const maxBodyBytes = 1024 * 1024

/**
 * Starts a local IAM + STS endpoint speaking the AWS Query protocol with SigV4 authentication, so the
 * real AWS SDK clients can run against it unchanged. One server answers both services, routed by the
 * signing service named in the request's credential scope; the same server answers SSO Admin and the
 * Identity Store (AWS JSON 1.1, routed by `X-Amz-Target`) once `state.identityCenter.seedInstance` ran.
 */
export async function startIamStsEmulator(options: IamStsEmulatorOptions): Promise<IamStsEmulator> {
  const clock = options.clock ?? (() => new Date())
  const state = new EmulatorState(options.credentials, clock())
  const settings: RequestSettings = {
    state,
    clock,
    granterRoleNames: options.granterRoleNames,
    maxClockSkewSeconds: options.maxClockSkewSeconds ?? 900,
  }
  const server = createServer((request, response) => {
    void answerRequest(request, response, settings)
  })
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject)
    server.listen(options.port ?? 0, '127.0.0.1', () => {
      server.off('error', reject)
      resolve()
    })
  })
  const { port } = server.address() as AddressInfo
  return {
    url: `http://127.0.0.1:${port}`,
    state,
    injectFault: (fault) => state.addFault(fault),
    holdCalls: (action) => state.holdCalls(action),
    stop: () =>
      new Promise<void>((resolve, reject) => {
        server.close((error) => (error === undefined ? resolve() : reject(error)))
        server.closeAllConnections()
      }),
  }
}

interface RequestSettings {
  readonly state: EmulatorState
  readonly clock: () => Date
  readonly granterRoleNames: readonly string[] | undefined
  readonly maxClockSkewSeconds: number
}

async function answerRequest(request: IncomingMessage, response: ServerResponse, settings: RequestSettings): Promise<void> {
  const requestId = randomUUID()
  const now = settings.clock()
  // Until the signature names the service, guess it from the action so early errors carry a plausible namespace.
  let namespace: string = xmlNamespaces.iam
  try {
    const body = await readBody(request)
    const target = request.headers['x-amz-target']
    if (typeof target === 'string') {
      await answerJsonRequest({ request, response, body, target, now, ...settings })
      return
    }
    const [rawPath = '/', rawQuery = ''] = (request.url ?? '/').split(/\?(.*)/s)
    const query = parseQueryRequest({ rawQuery, body: body.toString('utf8') })
    if (query.action in stsOperations) namespace = xmlNamespaces.sts
    const { caller, service } = authenticateCaller({
      request: { method: request.method ?? 'GET', rawPath, rawQuery, headers: request.headers, body },
      state: settings.state,
      now,
      maxClockSkewSeconds: settings.maxClockSkewSeconds,
    })
    const api = serviceApis[service]
    if (api === undefined) {
      throw new AwsQueryError(
        'SignatureDoesNotMatch',
        403,
        `Credential should be scoped to correct service: 'iam' or 'sts', not '${service}'.`,
      )
    }
    namespace = api.namespace
    await settings.state.waitForHold(query.action)
    const result = runOperation({ api, query, caller, now, settings })
    send(response, 200, now, requestId, renderSuccessResponse({ action: query.action, namespace, result, requestId }))
  } catch (error) {
    const failure =
      error instanceof AwsQueryError
        ? error
        : new AwsQueryError('InternalFailure', 500, `The emulator failed: ${String(error)}`, { cause: error })
    const xml = renderErrorResponse({ namespace, type: failure.type, code: failure.code, message: failure.message, requestId })
    send(response, failure.status, now, requestId, xml)
  }
}

function runOperation(params: {
  api: ServiceApi
  query: QueryRequest
  caller: Caller
  now: Date
  settings: RequestSettings
}): ReturnType<Operation> {
  const { api, query, caller, now, settings } = params
  const operation = api.operations[query.action]
  if (operation === undefined || query.version !== api.version) {
    throw new AwsQueryError(
      'InvalidAction',
      400,
      `Could not find operation ${query.action} for version ${query.version ?? 'NO_VERSION_SPECIFIED'}`,
    )
  }
  const record = (error: string | undefined): void => {
    settings.state.calls.push({
      at: now,
      service: api.name,
      action: query.action,
      params: query.params,
      account: caller.account,
      sessionName: caller.kind === 'assumed-role' ? caller.sessionName : undefined,
      callerArn: caller.arn,
      error,
    })
  }
  try {
    const fault = settings.state.takeFault(query.action, caller.account)
    if (fault !== undefined && fault.afterApplying === true) {
      if (api.name === 'iam') checkGranter(query, caller, settings.granterRoleNames)
      operation({ state: settings.state, caller, params: query.params, now })
    }
    if (fault !== undefined) {
      throw new AwsQueryError(
        fault.code,
        fault.status ?? statusForCode(fault.code),
        fault.message ?? `Injected fault: ${fault.code} for ${query.action}`,
      )
    }
    if (api.name === 'iam') checkGranter(query, caller, settings.granterRoleNames)
    const result = operation({ state: settings.state, caller, params: query.params, now })
    record(undefined)
    return result
  } catch (error) {
    record(error instanceof AwsQueryError ? error.code : 'InternalFailure')
    throw error
  }
}

// The app is meant to act in AWS only through a granter role it assumes; this lets a test prove it.
function checkGranter(query: QueryRequest, caller: Caller, granterRoleNames: readonly string[] | undefined): void {
  if (granterRoleNames === undefined) return
  if (caller.kind === 'assumed-role' && granterRoleNames.includes(caller.roleName)) return
  const roleName = query.params['RoleName']
  const userName = query.params['UserName']
  const resource =
    roleName !== undefined
      ? `arn:aws:iam::${caller.account}:role/${roleName}`
      : userName !== undefined
        ? `arn:aws:iam::${caller.account}:user/${userName}`
        : '*'
  throw new AwsQueryError(
    'AccessDenied',
    403,
    `User: ${caller.arn} is not authorized to perform: iam:${query.action} on resource: ${resource} because no identity-based policy allows the iam:${query.action} action`,
  )
}

async function readBody(request: IncomingMessage): Promise<Buffer> {
  const chunks: Buffer[] = []
  let size = 0
  for await (const chunk of request) {
    const buffer = chunk as Buffer
    size += buffer.length
    if (size > maxBodyBytes) throw new AwsQueryError('ValidationError', 400, 'Request body is too large.')
    chunks.push(buffer)
  }
  return Buffer.concat(chunks)
}

function send(response: ServerResponse, status: number, now: Date, requestId: string, xml: string): void {
  response.writeHead(status, {
    'content-type': 'text/xml',
    'content-length': Buffer.byteLength(xml),
    'x-amzn-requestid': requestId,
    // The SDK corrects its clock from this header after a skew error, so it follows the emulator's clock.
    date: now.toUTCString(),
  })
  response.end(xml)
}
