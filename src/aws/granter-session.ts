import { AssumeRoleCommand, type STSClient } from '@aws-sdk/client-sts'
import { GrantError } from '../core/ports/cloud-provider.js'
import { AWS_GLOBAL_REGION, type CreateStsClient, type TemporaryCredentials } from './aws-clients.js'
import { type TargetContext, toGrantError } from './grant-error.js'
import type { RetryingCall } from './retry.js'
import { nameRoleSession, type SessionPurpose } from './role-session-name.js'

/** A granter role session in one target account: what every backend's clients are built from. */
export interface GranterSession {
  readonly granterRoleArn: string
  readonly sessionName: string
  readonly credentials: TemporaryCredentials
}

/** Assumes the granter role of the context's account; throws GrantError. */
export type AssumeGranterRole = (context: TargetContext & { readonly purpose: SessionPurpose }) => Promise<GranterSession>

/** Substitutes `{account}` in the granter role template (see `JitSettings.granterRole`). */
export function formatGranterRoleArn(template: string, account: string): string {
  return template.replaceAll('{account}', account)
}

/**
 * Assumes granter roles with the ExternalId and a session name carrying the request id, so CloudTrail
 * ties every change to its request. The STS client is built on first use and shared.
 */
export function createAssumeGranterRole(params: {
  /** ARN template of the role assumed in each target account (`JitSettings.granterRole`). */
  granterRole: string
  externalId: string
  createStsClient: CreateStsClient
  call: RetryingCall
  /** Lifetime of each session. Default 900 s, the minimum: every operation is short. */
  sessionDurationSeconds?: number | undefined
}): AssumeGranterRole {
  let sts: STSClient | undefined
  return async (context) => {
    const granterRoleArn = formatGranterRoleArn(params.granterRole, context.account)
    const sessionName = nameRoleSession({ requestId: context.requestId, purpose: context.purpose })
    sts ??= params.createStsClient({ region: AWS_GLOBAL_REGION, maxAttempts: 1 })
    const stsClient = sts
    let response
    try {
      response = await params.call(() =>
        stsClient.send(
          new AssumeRoleCommand({
            RoleArn: granterRoleArn,
            RoleSessionName: sessionName,
            ExternalId: params.externalId,
            DurationSeconds: params.sessionDurationSeconds ?? 900,
          }),
        ),
      )
    } catch (error) {
      throw toGrantError(error, { ...context, doing: `assume ${granterRoleArn} as ${sessionName} in ${context.account}` })
    }
    const credentials = response.Credentials
    if (!credentials?.AccessKeyId || !credentials.SecretAccessKey || !credentials.SessionToken) {
      throw new GrantError({
        message: `request ${context.requestId}: STS returned no credentials for ${granterRoleArn}`,
        code: 'NoCredentials',
        permanent: true,
        requestId: context.requestId,
        account: context.account,
        principalArn: context.principalArn,
      })
    }
    return {
      granterRoleArn,
      sessionName,
      credentials: {
        accessKeyId: credentials.AccessKeyId,
        secretAccessKey: credentials.SecretAccessKey,
        sessionToken: credentials.SessionToken,
        ...(credentials.Expiration ? { expiration: credentials.Expiration } : {}),
      },
    }
  }
}
