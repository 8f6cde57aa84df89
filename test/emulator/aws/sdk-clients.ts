import { createHash, createHmac, type Hash, type Hmac } from 'node:crypto'
import { IAMClient } from '@aws-sdk/client-iam'
import { AssumeRoleCommand, STSClient } from '@aws-sdk/client-sts'

/** Credentials as the SDK clients take them. */
export interface ClientCredentials {
  readonly accessKeyId: string
  readonly secretAccessKey: string
  readonly sessionToken?: string
}

/** The long-term key every test emulator accepts (account 123456789012, user `emulator-user`). */
export const baseCredentials = { accessKeyId: 'AKIAEMULATORTEST0001', secretAccessKey: 'base-secret-key' } as const

/** A real IAM client pointed at the emulator, retries off so each error surfaces as sent. */
export function createIamClient(url: string, credentials: ClientCredentials): IAMClient {
  return new IAMClient({ endpoint: url, region: 'us-east-1', credentials, maxAttempts: 1 })
}

/** A real STS client pointed at the emulator, retries off so each error surfaces as sent. */
export function createStsClient(url: string, credentials: ClientCredentials): STSClient {
  return new STSClient({ endpoint: url, region: 'eu-west-1', credentials, maxAttempts: 1 })
}

/** Assumes a role through the real STS client and returns its temporary credentials. */
export async function assumeRole(
  sts: STSClient,
  params: { roleArn: string; sessionName: string; externalId?: string; durationSeconds?: number },
): Promise<Required<ClientCredentials>> {
  const output = await sts.send(
    new AssumeRoleCommand({
      RoleArn: params.roleArn,
      RoleSessionName: params.sessionName,
      ExternalId: params.externalId,
      DurationSeconds: params.durationSeconds,
    }),
  )
  const credentials = output.Credentials
  if (credentials?.AccessKeyId === undefined || credentials.SecretAccessKey === undefined || credentials.SessionToken === undefined) {
    throw new Error('AssumeRole returned no credentials')
  }
  return {
    accessKeyId: credentials.AccessKeyId,
    secretAccessKey: credentials.SecretAccessKey,
    sessionToken: credentials.SessionToken,
  }
}

/** Awaits a promise expected to reject and returns the rejection, failing if it resolves. */
export async function captureError(promise: Promise<unknown>): Promise<Error & Record<string, unknown>> {
  try {
    await promise
  } catch (error) {
    return error as Error & Record<string, unknown>
  }
  throw new Error('expected the call to fail, but it succeeded')
}

/** SHA-256 (and HMAC-SHA-256 when given a secret) in the shape @smithy/signature-v4 expects. */
export class NodeSha256 {
  private readonly hash: Hash | Hmac
  constructor(secret?: string | ArrayBuffer | ArrayBufferView) {
    this.hash = secret === undefined ? createHash('sha256') : createHmac('sha256', toBytes(secret))
  }
  update(data: string | ArrayBuffer | ArrayBufferView): void {
    this.hash.update(toBytes(data))
  }
  async digest(): Promise<Uint8Array> {
    return new Uint8Array(this.hash.digest())
  }
}

function toBytes(data: string | ArrayBuffer | ArrayBufferView): string | Uint8Array {
  if (typeof data === 'string') return data
  if (ArrayBuffer.isView(data)) return new Uint8Array(data.buffer, data.byteOffset, data.byteLength)
  return new Uint8Array(data)
}
