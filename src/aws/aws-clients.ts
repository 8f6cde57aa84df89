import { IAMClient } from '@aws-sdk/client-iam'
import { STSClient } from '@aws-sdk/client-sts'
import { SSOAdminClient } from '@aws-sdk/client-sso-admin'
import { IdentitystoreClient } from '@aws-sdk/client-identitystore'

/**
 * IAM is a global service served from us-east-1; the STS regional endpoint there works for every
 * commercial account. `AWS_ENDPOINT_URL_IAM` / `AWS_ENDPOINT_URL_STS` (local emulators) are read by the
 * SDK itself.
 */
export const AWS_GLOBAL_REGION = 'us-east-1'

/** Client settings the provider chooses; `maxAttempts: 1` because retries are ours (see retry.ts). */
export interface AwsClientConfig {
  readonly region: string
  readonly maxAttempts: number
}

/** Credentials of the granter role session, from STS AssumeRole. */
export interface TemporaryCredentials {
  readonly accessKeyId: string
  readonly secretAccessKey: string
  readonly sessionToken: string
  readonly expiration?: Date
}

/** Builds the STS client that assumes granter roles, using the app's own credentials. */
export type CreateStsClient = (config: AwsClientConfig) => STSClient

/** Builds an IAM client acting as one granter role session. */
export type CreateIamClient = (config: AwsClientConfig & { readonly credentials: TemporaryCredentials }) => IAMClient

/** How long one AWS call may take: to connect, and in all (the SDK's defaults wait minutes, or forever). */
export interface AwsTimeouts {
  readonly connectMs: number
  readonly requestMs: number
}

/** IAM and STS answer small requests in well under a second; a call past these is retried (retry.ts) or reported. */
export const AWS_TIMEOUTS: AwsTimeouts = { connectMs: 3_000, requestMs: 10_000 }

/**
 * The production factories: the SDK's default credential chain for STS, the session's credentials for
 * IAM, and on both a connect and a request timeout, so an endpoint that never answers fails the call
 * (a transient `TimeoutError`) instead of holding a grant or a sweep.
 */
export function createDefaultAwsClientFactories(timeouts: AwsTimeouts = AWS_TIMEOUTS): {
  createStsClient: CreateStsClient
  createIamClient: CreateIamClient
} {
  // Without throwOnRequestTimeout the SDK only logs a warning when requestTimeout passes, and keeps waiting.
  const requestHandler = { connectionTimeout: timeouts.connectMs, requestTimeout: timeouts.requestMs, throwOnRequestTimeout: true }
  return {
    createStsClient: (config) => new STSClient({ ...config, requestHandler }),
    createIamClient: (config) => new IAMClient({ ...config, credentials: { ...config.credentials }, requestHandler }),
  }
}

/** Builds an SSO Admin client acting as the Identity Center granter session, in the instance's region. */
export type CreateSsoAdminClient = (config: AwsClientConfig & { readonly credentials: TemporaryCredentials }) => SSOAdminClient

/** Builds an Identity Store client acting as the Identity Center granter session. */
export type CreateIdentityStoreClient = (config: AwsClientConfig & { readonly credentials: TemporaryCredentials }) => IdentitystoreClient

/**
 * The Identity Center factories, with the same timeouts (`AWS_ENDPOINT_URL_SSO_ADMIN` and
 * `AWS_ENDPOINT_URL_IDENTITYSTORE` point them at an emulator, read by the SDK itself).
 */
export function createIdentityCenterClientFactories(timeouts: AwsTimeouts = AWS_TIMEOUTS): {
  createSsoAdminClient: CreateSsoAdminClient
  createIdentityStoreClient: CreateIdentityStoreClient
} {
  const requestHandler = { connectionTimeout: timeouts.connectMs, requestTimeout: timeouts.requestMs, throwOnRequestTimeout: true }
  return {
    createSsoAdminClient: (config) => new SSOAdminClient({ ...config, credentials: { ...config.credentials }, requestHandler }),
    createIdentityStoreClient: (config) => new IdentitystoreClient({ ...config, credentials: { ...config.credentials }, requestHandler }),
  }
}
