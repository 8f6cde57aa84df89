import { createHash, createHmac, timingSafeEqual } from 'node:crypto'
import type { IncomingHttpHeaders } from 'node:http'
import { AwsQueryError } from './aws-query-error.js'

/** What a SigV4 `Authorization` header claims, before anything is checked against it. */
export interface SigV4Authorization {
  readonly accessKeyId: string
  /** `YYYYMMDD` from the credential scope. */
  readonly scopeDate: string
  readonly region: string
  /** Signing service name (`iam`, `sts`): the emulator routes on it. */
  readonly service: string
  readonly signedHeaders: readonly string[]
  readonly signature: string
}

/** The parts of an HTTP request a SigV4 signature covers. */
export interface SignableRequest {
  readonly method: string
  /** Path as it arrived on the wire (still percent-encoded), without the query string. */
  readonly rawPath: string
  readonly rawQuery: string
  readonly headers: IncomingHttpHeaders
  readonly body: Buffer
}

const algorithm = 'AWS4-HMAC-SHA256'
const authorizationPattern =
  /^AWS4-HMAC-SHA256\s+Credential=([^/,\s]+)\/(\d{8})\/([^/,\s]+)\/([^/,\s]+)\/aws4_request,\s*SignedHeaders=([^,\s]+),\s*Signature=([0-9a-f]{64})$/

/**
 * Parses a SigV4 `Authorization` header. A missing header is `MissingAuthenticationToken`;
 * one that is not a SigV4 header is `IncompleteSignature`, as AWS answers.
 */
export function parseSigV4Authorization(header: string | undefined): SigV4Authorization {
  if (header === undefined || header === '') {
    throw new AwsQueryError('MissingAuthenticationToken', 403, 'Request is missing Authentication Token')
  }
  const match = authorizationPattern.exec(header.trim())
  if (match === null) {
    throw new AwsQueryError(
      'IncompleteSignature',
      400,
      `Authorization header requires 'Credential', 'SignedHeaders' and 'Signature' with algorithm ${algorithm}.`,
    )
  }
  const [, accessKeyId, scopeDate, region, service, signedHeaders, signature] = match as unknown as [
    string,
    string,
    string,
    string,
    string,
    string,
    string,
  ]
  return {
    accessKeyId,
    scopeDate,
    region,
    service,
    signedHeaders: signedHeaders.split(';'),
    signature,
  }
}

/**
 * Checks a request's SigV4 signature by recomputing it from the request as received
 * (canonical request → string to sign → signing key from secret, date, region and service).
 * The payload hash is always recomputed from the body, so a body altered after signing fails
 * even when the sender's `x-amz-content-sha256` header still carries the old hash.
 * Throws `SignatureDoesNotMatch` (403) when the signature is wrong.
 */
export function verifySigV4Signature(params: {
  request: SignableRequest
  authorization: SigV4Authorization
  secretAccessKey: string
}): void {
  const { request, authorization, secretAccessKey } = params
  const amzDate = readHeader(request.headers, 'x-amz-date')
  if (amzDate === undefined || !/^\d{8}T\d{6}Z$/.test(amzDate)) {
    throw new AwsQueryError(
      'IncompleteSignature',
      400,
      "Authorization header requires existence of either a 'X-Amz-Date' or a 'Date' header.",
    )
  }
  if (!amzDate.startsWith(authorization.scopeDate)) {
    throw new AwsQueryError(
      'SignatureDoesNotMatch',
      403,
      `Date in Credential scope does not match YYYYMMDD from ISO-8601 version of date from HTTP: '${authorization.scopeDate}' != '${amzDate.slice(0, 8)}', from '${amzDate}'.`,
    )
  }
  const expected = computeSigV4Signature({ request, authorization, secretAccessKey, amzDate })
  const given = Buffer.from(authorization.signature, 'hex')
  const wanted = Buffer.from(expected, 'hex')
  if (given.length !== wanted.length || !timingSafeEqual(given, wanted)) {
    throw new AwsQueryError(
      'SignatureDoesNotMatch',
      403,
      'The request signature we calculated does not match the signature you provided. Check your AWS Secret Access Key and signing method. Consult the service documentation for details.',
    )
  }
}

/** Reads the `X-Amz-Date` of a request as a time, for the clock-skew check. */
export function readSigningTime(headers: IncomingHttpHeaders): Date | undefined {
  const amzDate = readHeader(headers, 'x-amz-date')
  const match = amzDate === undefined ? null : /^(\d{4})(\d{2})(\d{2})T(\d{2})(\d{2})(\d{2})Z$/.exec(amzDate)
  if (match === null) return undefined
  const [, year, month, day, hour, minute, second] = match.map(Number) as [number, number, number, number, number, number, number]
  return new Date(Date.UTC(year, month - 1, day, hour, minute, second))
}

function computeSigV4Signature(params: {
  request: SignableRequest
  authorization: SigV4Authorization
  secretAccessKey: string
  amzDate: string
}): string {
  const { request, authorization, secretAccessKey, amzDate } = params
  const canonicalHeaders = authorization.signedHeaders
    .map((name) => `${name}:${(readHeader(request.headers, name) ?? '').trim().replace(/\s+/g, ' ')}\n`)
    .join('')
  const canonicalRequest = [
    request.method.toUpperCase(),
    canonicalizePath(request.rawPath),
    canonicalizeQuery(request.rawQuery),
    canonicalHeaders,
    authorization.signedHeaders.join(';'),
    sha256Hex(request.body),
  ].join('\n')
  const scope = `${authorization.scopeDate}/${authorization.region}/${authorization.service}/aws4_request`
  const stringToSign = [algorithm, amzDate, scope, sha256Hex(canonicalRequest)].join('\n')
  let key: Buffer = hmac(`AWS4${secretAccessKey}`, authorization.scopeDate)
  for (const part of [authorization.region, authorization.service, 'aws4_request']) key = hmac(key, part)
  return hmac(key, stringToSign).toString('hex')
}

function readHeader(headers: IncomingHttpHeaders, name: string): string | undefined {
  const value = headers[name]
  return Array.isArray(value) ? value.join(',') : value
}

// Non-S3 services sign the normalised path with each segment URI-encoded (a second time, since
// the path on the wire is already encoded once), which is what @smithy/signature-v4 does.
function canonicalizePath(rawPath: string): string {
  const path = safeDecode(rawPath === '' ? '/' : rawPath)
  const segments: string[] = []
  for (const segment of path.split('/')) {
    if (segment === '' || segment === '.') continue
    if (segment === '..') segments.pop()
    else segments.push(segment)
  }
  const trailingSlash = segments.length > 0 && path.endsWith('/') ? '/' : ''
  const normalized = `${path.startsWith('/') ? '/' : ''}${segments.join('/')}${trailingSlash}`
  return encodeRfc3986(normalized).replace(/%2F/g, '/')
}

function canonicalizeQuery(rawQuery: string): string {
  if (rawQuery === '') return ''
  return rawQuery
    .split('&')
    .filter((pair) => pair !== '')
    .map((pair) => {
      const separator = pair.indexOf('=')
      const key = separator === -1 ? pair : pair.slice(0, separator)
      const value = separator === -1 ? '' : pair.slice(separator + 1)
      return [encodeRfc3986(safeDecode(key)), encodeRfc3986(safeDecode(value))] as const
    })
    .filter(([key]) => key !== 'X-Amz-Signature')
    .sort(([keyA, valueA], [keyB, valueB]) => (keyA === keyB ? compare(valueA, valueB) : compare(keyA, keyB)))
    .map(([key, value]) => `${key}=${value}`)
    .join('&')
}

function compare(a: string, b: string): number {
  return a < b ? -1 : a > b ? 1 : 0
}

function safeDecode(text: string): string {
  try {
    return decodeURIComponent(text)
  } catch {
    return text
  }
}

function encodeRfc3986(text: string): string {
  return encodeURIComponent(text).replace(/[!'()*]/g, (c) => `%${c.charCodeAt(0).toString(16).toUpperCase()}`)
}

function sha256Hex(data: string | Buffer): string {
  return createHash('sha256').update(data).digest('hex')
}

function hmac(key: string | Buffer, data: string): Buffer {
  return createHmac('sha256', key).update(data, 'utf8').digest()
}
