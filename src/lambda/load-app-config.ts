import { readSecret, readSecretSource, type SecretSource } from './read-secret.js'

type Env = Readonly<Record<string, string | undefined>>

/** What both functions need to act as the GitHub App. */
export interface LambdaAppConfig {
  readonly appId: number
  readonly privateKey: string
  /** The webhook function's only: what signs GitHub's deliveries. */
  readonly webhookSecret?: string
  /** `GITHUB_API_URL` (GitHub Enterprise Server: `https://HOST/api/v3`); default api.github.com. */
  readonly baseUrl: string
}

/** The function's environment is wrong: the invocation fails and the log says which variable. */
export class LambdaConfigError extends Error {
  override readonly name = 'LambdaConfigError'
}

export const PRIVATE_KEY_VARIABLE = 'JIT_PRIVATE_KEY_SECRET_ARN'
export const WEBHOOK_SECRET_VARIABLE = 'JIT_WEBHOOK_SECRET_ARN'

/**
 * Reads `APP_ID`, and the private key (and, for the webhook function, the webhook secret) by the ARNs in
 * `JIT_PRIVATE_KEY_SECRET_ARN` and `JIT_WEBHOOK_SECRET_ARN`, both at once, each read with a timeout.
 */
export async function loadAppConfig(env: Env, options: { webhookSecret: boolean }): Promise<LambdaAppConfig> {
  const appId = Number(env['APP_ID'])
  if (!Number.isSafeInteger(appId) || appId <= 0)
    throw new LambdaConfigError(`APP_ID must be the GitHub App's numeric id, got "${env['APP_ID'] ?? ''}"`)
  const sources: SecretSource[] = [readSecretSource(env, PRIVATE_KEY_VARIABLE)]
  if (options.webhookSecret) sources.push(readSecretSource(env, WEBHOOK_SECRET_VARIABLE))
  const [privateKey, webhookSecret] = await Promise.all(sources.map((source) => readSecret(source, env)))
  if (!/-----BEGIN (RSA )?PRIVATE KEY-----/.test(privateKey ?? ''))
    throw new LambdaConfigError(`${PRIVATE_KEY_VARIABLE} names a secret that is not a PEM private key`)
  return {
    appId,
    privateKey: privateKey!,
    ...(webhookSecret !== undefined ? { webhookSecret } : {}),
    baseUrl: env['GITHUB_API_URL'] || 'https://api.github.com',
  }
}
