/**
 * Secrets come from AWS Secrets Manager or SSM Parameter Store, named by ARN in the function's
 * environment, and are read through the AWS Parameters and Secrets Lambda Extension (a layer the stack
 * attaches: an HTTP endpoint on the function's loopback, authenticated by the function's session token),
 * so no SDK client is bundled for two reads per cold start.
 */
export interface SecretSource {
  /** The variable that named it, for the error message. */
  readonly variable: string
  readonly arn: string
}

/** A secret could not be read: which variable, which ARN, and why. The function fails its invocation. */
export class SecretReadError extends Error {
  override readonly name = 'SecretReadError'
}

/** How long one read may take; the extension answers from its cache or one AWS call. */
export const SECRET_READ_TIMEOUT_MS = 5_000
const DEFAULT_EXTENSION_PORT = 2773

const SECRETS_MANAGER_ARN = /^arn:aws[\w-]*:secretsmanager:[a-z0-9-]+:\d{12}:secret:[\w/+=.@-]+$/
const SSM_PARAMETER_ARN = /^arn:aws[\w-]*:ssm:[a-z0-9-]+:\d{12}:parameter\/[\w/.-]+$/

/** Where an ARN variable points; an empty or malformed one is an error naming the variable. */
export function readSecretSource(env: Readonly<Record<string, string | undefined>>, variable: string): SecretSource {
  const arn = env[variable]?.trim() ?? ''
  if (arn === '') throw new SecretReadError(`${variable} is not set: the ARN of a Secrets Manager secret or an SSM parameter`)
  if (!SECRETS_MANAGER_ARN.test(arn) && !SSM_PARAMETER_ARN.test(arn))
    throw new SecretReadError(`${variable} is not the ARN of a Secrets Manager secret or an SSM parameter: "${arn}"`)
  return { variable, arn }
}

/** Reads one secret's text (a Secrets Manager `SecretString`, or an SSM parameter's decrypted value). */
export async function readSecret(
  source: SecretSource,
  env: Readonly<Record<string, string | undefined>>,
  options: { timeoutMs?: number } = {},
): Promise<string> {
  const port = Number(env['PARAMETERS_SECRETS_EXTENSION_HTTP_PORT'] ?? DEFAULT_EXTENSION_PORT)
  const ssm = SSM_PARAMETER_ARN.test(source.arn)
  const path = ssm
    ? `/systemsmanager/parameters/get?name=${encodeURIComponent(source.arn)}&withDecryption=true`
    : `/secretsmanager/get?secretId=${encodeURIComponent(source.arn)}`
  const token = env['AWS_SESSION_TOKEN']
  if (!token) throw new SecretReadError(`cannot read ${source.variable}: AWS_SESSION_TOKEN is not set (the extension requires it)`)
  let response: Response
  try {
    response = await fetch(`http://127.0.0.1:${port}${path}`, {
      headers: { 'X-Aws-Parameters-Secrets-Token': token },
      signal: AbortSignal.timeout(options.timeoutMs ?? SECRET_READ_TIMEOUT_MS),
    })
  } catch (error) {
    throw new SecretReadError(
      `could not read ${source.variable} (${source.arn}): ${(error as Error).message}; is the Parameters and Secrets extension layer attached?`,
      { cause: error },
    )
  }
  const text = await response.text()
  if (!response.ok) throw new SecretReadError(`could not read ${source.variable} (${source.arn}): ${response.status} ${text.slice(0, 200)}`)
  let value: unknown
  try {
    const parsed = JSON.parse(text) as { SecretString?: unknown; Parameter?: { Value?: unknown } }
    value = ssm ? parsed.Parameter?.Value : parsed.SecretString
  } catch (error) {
    throw new SecretReadError(`could not read ${source.variable} (${source.arn}): the answer is not JSON`, { cause: error })
  }
  if (typeof value !== 'string' || value === '')
    throw new SecretReadError(`${source.variable} (${source.arn}) holds no text (a binary secret, or an empty one)`)
  return value
}
