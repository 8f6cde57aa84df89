import { AwsQueryError } from './aws-query-error.js'
import { defaultAccountId, defaultUserName, type EmulatorState } from './emulator-state.js'
import { parseSigV4Authorization, readSigningTime, verifySigV4Signature, type SignableRequest } from './verify-sigv4.js'

/** The identity a request was signed as. */
export type Caller =
  | {
      readonly kind: 'user'
      readonly account: string
      readonly userName: string
      readonly arn: string
      readonly accessKeyId: string
    }
  | {
      readonly kind: 'assumed-role'
      readonly account: string
      readonly roleName: string
      readonly roleArn: string
      readonly roleId: string
      readonly sessionName: string
      /** `arn:aws:sts::ACCOUNT:assumed-role/ROLE/SESSION` */
      readonly arn: string
      readonly accessKeyId: string
    }

/** Who signed a request, and for which service (the credential scope's service name). */
export interface AuthenticatedRequest {
  readonly caller: Caller
  readonly service: string
  /** The region the request was signed for (its credential scope). */
  readonly region: string
}

/**
 * Authenticates a SigV4-signed request against the emulator's keys, as AWS does: an unknown key or a
 * session token that does not match is `InvalidClientTokenId`, an expired session is `ExpiredToken`,
 * a wrong signature is `SignatureDoesNotMatch`, and a signing time further than `maxClockSkewSeconds`
 * from the emulator's clock is `SignatureDoesNotMatch` ("Signature expired").
 */
export function authenticateCaller(params: {
  request: SignableRequest
  state: EmulatorState
  now: Date
  maxClockSkewSeconds: number
}): AuthenticatedRequest {
  const { request, state, now } = params
  const authorization = parseSigV4Authorization(readSingleHeader(request, 'authorization'))
  const invalidToken = new AwsQueryError('InvalidClientTokenId', 403, 'The security token included in the request is invalid.')
  const base = state.baseCredentials.get(authorization.accessKeyId)
  const session = state.sessions.get(authorization.accessKeyId)
  const secretAccessKey = base?.secretAccessKey ?? session?.secretAccessKey
  if (secretAccessKey === undefined) throw invalidToken
  if (session !== undefined && readSingleHeader(request, 'x-amz-security-token') !== session.sessionToken) {
    throw invalidToken
  }

  verifySigV4Signature({ request, authorization, secretAccessKey })
  // Expiry is judged before skew: an expired session stays expired whatever the caller's clock says.
  if (session !== undefined && session.expiration.getTime() <= now.getTime()) {
    throw new AwsQueryError('ExpiredToken', 403, 'The security token included in the request is expired')
  }
  checkClockSkew(request, now, params.maxClockSkewSeconds)

  if (session !== undefined) {
    return {
      service: authorization.service,
      region: authorization.region,
      caller: {
        kind: 'assumed-role',
        account: session.account,
        roleName: session.roleName,
        roleArn: session.roleArn,
        roleId: session.roleId,
        sessionName: session.sessionName,
        arn: `arn:aws:sts::${session.account}:assumed-role/${session.roleName}/${session.sessionName}`,
        accessKeyId: session.accessKeyId,
      },
    }
  }
  const account = base?.account ?? defaultAccountId
  const userName = base?.userName ?? defaultUserName
  return {
    service: authorization.service,
    region: authorization.region,
    caller: {
      kind: 'user',
      account,
      userName,
      arn: `arn:aws:iam::${account}:user/${userName}`,
      accessKeyId: authorization.accessKeyId,
    },
  }
}

function checkClockSkew(request: SignableRequest, now: Date, maxClockSkewSeconds: number): void {
  const signedAt = readSigningTime(request.headers)
  if (signedAt === undefined) return
  const skewMs = signedAt.getTime() - now.getTime()
  if (Math.abs(skewMs) <= maxClockSkewSeconds * 1000) return
  const bound = new Date(now.getTime() + Math.sign(skewMs) * maxClockSkewSeconds * 1000)
  const relation = skewMs < 0 ? 'earlier' : 'later'
  throw new AwsQueryError(
    'SignatureDoesNotMatch',
    403,
    `Signature expired: ${formatAmzDate(signedAt)} is now ${relation} than ${formatAmzDate(bound)} (${formatAmzDate(now)} ${skewMs < 0 ? '-' : '+'} ${maxClockSkewSeconds / 60} min.)`,
  )
}

function formatAmzDate(date: Date): string {
  return date
    .toISOString()
    .replace(/[-:]/g, '')
    .replace(/\.\d{3}/, '')
}

function readSingleHeader(request: SignableRequest, name: string): string | undefined {
  const value = request.headers[name]
  return Array.isArray(value) ? value[0] : value
}
