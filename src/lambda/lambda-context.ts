/** The part of Lambda's context object the handlers use. */
export interface LambdaContext {
  /** Milliseconds left before Lambda stops the invocation (the function's timeout). */
  getRemainingTimeInMillis(): number
  readonly awsRequestId?: string
  readonly functionName?: string
}
