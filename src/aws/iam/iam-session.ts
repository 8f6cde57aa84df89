import type { IAMClient } from '@aws-sdk/client-iam'
import { AWS_GLOBAL_REGION, type CreateIamClient } from '../aws-clients.js'
import type { TargetContext } from '../grant-error.js'
import type { AssumeGranterRole } from '../granter-session.js'
import type { RetryingCall } from '../retry.js'
import type { SessionPurpose } from '../role-session-name.js'
import { type InlinePolicyApi, inlinePolicyApiFor } from './inline-policy-api.js'
import type { Principal } from '../../core/records/principal-arn.js'

/** A granter session in one account, holding the inline policies of one principal there. */
export interface IamSession {
  readonly policies: InlinePolicyApi
  readonly granterRoleArn: string
  readonly sessionName: string
}

/** Assumes the account's granter role and opens the principal's inline policies; throws GrantError for STS failures. */
export type OpenIamSession = (
  context: TargetContext & { readonly principal: Principal; readonly purpose: SessionPurpose },
) => Promise<IamSession>

/** Assumes the account's granter role and returns an IAM client acting as it (for listing the account's principals). */
export type OpenIamAccount = (context: TargetContext & { readonly purpose: SessionPurpose }) => Promise<IAMClient>

/** What the IAM grant, revocation and listing need: retried calls, and sessions on principals. */
export interface IamBackend {
  /** ARN template of the granter role (`JitSettings.granterRole`), for outcomes that name it without a session. */
  readonly granterRole: string
  readonly call: RetryingCall
  readonly openSession: OpenIamSession
  readonly openAccount: OpenIamAccount
}

export function createOpenIamSession(params: { assumeGranterRole: AssumeGranterRole; createIamClient: CreateIamClient }): {
  openSession: OpenIamSession
  openAccount: OpenIamAccount
} {
  const open = async (context: TargetContext & { readonly purpose: SessionPurpose }) => {
    const granter = await params.assumeGranterRole(context)
    const iam = params.createIamClient({ region: AWS_GLOBAL_REGION, maxAttempts: 1, credentials: granter.credentials })
    return { granter, iam }
  }
  return {
    openSession: async ({ principal, ...context }) => {
      const { granter, iam } = await open(context)
      return { policies: inlinePolicyApiFor(principal, iam), granterRoleArn: granter.granterRoleArn, sessionName: granter.sessionName }
    },
    openAccount: async (context) => (await open(context)).iam,
  }
}
