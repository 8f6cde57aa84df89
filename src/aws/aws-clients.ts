import { IAMClient } from '@aws-sdk/client-iam'
import { STSClient } from '@aws-sdk/client-sts'

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

/** The production factories: the SDK's default credential chain for STS, the session's credentials for IAM. */
export function createDefaultAwsClientFactories(): { createStsClient: CreateStsClient; createIamClient: CreateIamClient } {
  return {
    createStsClient: (config) => new STSClient({ ...config }),
    createIamClient: (config) => new IAMClient({ ...config, credentials: { ...config.credentials } }),
  }
}
