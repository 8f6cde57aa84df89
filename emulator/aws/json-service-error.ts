/**
 * An error in the AWS JSON 1.1 protocol (SSO Admin, Identity Store): `{"__type": code, "message": ...}`
 * with the `x-amzn-errortype` header, which the SDK maps to the service's exception class by `code`.
 */
export class JsonServiceError extends Error {
  override readonly name = 'JsonServiceError'
  readonly status: number

  constructor(
    readonly code: string,
    message: string,
    readonly fields: Readonly<Record<string, unknown>> = {},
  ) {
    super(message)
    this.status = code === 'InternalServerException' ? 500 : 400
  }
}
