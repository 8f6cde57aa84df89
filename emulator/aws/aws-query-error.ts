/**
 * An error the emulator answers with, in the AWS Query protocol's `<ErrorResponse>` shape.
 * `code` is what the SDK maps to an exception class (`NoSuchEntity` → `NoSuchEntityException`),
 * so it must be spelled exactly as AWS spells it.
 */
export class AwsQueryError extends Error {
  override readonly name = 'AwsQueryError'
  /** `Sender` for the caller's mistakes (4xx), `Receiver` for the service's own (5xx), as AWS reports it. */
  readonly type: 'Sender' | 'Receiver'

  constructor(
    readonly code: string,
    readonly status: number,
    message: string,
    options?: { cause?: unknown },
  ) {
    super(message, options)
    this.type = status >= 500 ? 'Receiver' : 'Sender'
  }
}

/** HTTP status AWS uses for each error code the emulator can produce or be told to inject. */
const statusByCode: Readonly<Record<string, number>> = {
  AccessDenied: 403,
  EntityAlreadyExists: 409,
  ExpiredToken: 403,
  IncompleteSignature: 400,
  InternalFailure: 500,
  InvalidAction: 400,
  InvalidClientTokenId: 403,
  InvalidInput: 400,
  LimitExceeded: 409,
  MalformedPolicyDocument: 400,
  MissingAction: 400,
  MissingAuthenticationToken: 403,
  NoSuchEntity: 404,
  RequestLimitExceeded: 400,
  ServiceFailure: 500,
  ServiceUnavailable: 503,
  SignatureDoesNotMatch: 403,
  Throttling: 400,
  ValidationError: 400,
}

/** The status AWS answers `code` with; 400 for codes the emulator does not know. */
export function statusForCode(code: string): number {
  return statusByCode[code] ?? 400
}

/** Builds the error AWS returns when a required parameter is absent. */
export function createMissingParameterError(parameter: string): AwsQueryError {
  const memberName = parameter.charAt(0).toLowerCase() + parameter.slice(1)
  return new AwsQueryError(
    'ValidationError',
    400,
    `1 validation error detected: Value null at '${memberName}' failed to satisfy constraint: Member must not be null`,
  )
}
