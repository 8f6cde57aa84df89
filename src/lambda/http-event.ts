/**
 * What Lambda passes for an HTTP request through a function URL or an API Gateway HTTP API (payload format
 * 2.0, the same shape): headers lower-cased, the body a string, base64 when `isBase64Encoded`.
 */
export interface HttpEventV2 {
  readonly version: '2.0'
  readonly rawPath: string
  readonly headers: Readonly<Record<string, string>>
  readonly body?: string
  readonly isBase64Encoded: boolean
  readonly requestContext: { readonly http: { readonly method: string; readonly path: string }; readonly requestId?: string }
}

/** What the handler answers: Lambda turns it into the HTTP response. */
export interface HttpResultV2 {
  readonly statusCode: number
  readonly headers: Readonly<Record<string, string>>
  readonly body: string
}

/** The request as the handler reads it. */
export interface HttpRequest {
  readonly method: string
  readonly path: string
  /** Lower-cased names; a header Lambda joined from repeats (`a,b`) is kept joined. */
  readonly headers: Readonly<Record<string, string>>
  /** The body exactly as sent (decoded from base64 when Lambda encoded it): what the signature covers. */
  readonly body: string
}

/** The event is not an HTTP request of payload format 2.0 (the function is wired to something else). */
export class HttpEventError extends Error {
  override readonly name = 'HttpEventError'
}

/** Reads a function URL / HTTP API v2 event; anything else is an error, never a guess. */
export function readHttpEvent(event: unknown): HttpRequest {
  const candidate = event as Partial<HttpEventV2> | null
  if (candidate === null || typeof candidate !== 'object' || candidate.version !== '2.0')
    throw new HttpEventError('not an HTTP event of payload format 2.0 (a function URL or an API Gateway HTTP API)')
  const method = candidate.requestContext?.http?.method
  if (typeof method !== 'string') throw new HttpEventError('the HTTP event has no requestContext.http.method')
  if (typeof candidate.isBase64Encoded !== 'boolean') throw new HttpEventError('the HTTP event has no isBase64Encoded')
  const headers: Record<string, string> = {}
  for (const [name, value] of Object.entries(candidate.headers ?? {})) if (typeof value === 'string') headers[name.toLowerCase()] = value
  const raw = candidate.body ?? ''
  if (typeof raw !== 'string') throw new HttpEventError('the HTTP event body is not a string')
  return {
    method: method.toUpperCase(),
    path: candidate.rawPath ?? candidate.requestContext?.http?.path ?? '/',
    headers,
    body: candidate.isBase64Encoded ? Buffer.from(raw, 'base64').toString('utf8') : raw,
  }
}

/** A JSON answer, as Probot's webhook middleware gives them (`{"error": …}` for a refusal). */
export function jsonResult(statusCode: number, body: unknown): HttpResultV2 {
  return { statusCode, headers: { 'content-type': 'application/json' }, body: JSON.stringify(body) }
}

export function textResult(statusCode: number, body: string): HttpResultV2 {
  return { statusCode, headers: { 'content-type': 'text/plain' }, body }
}
