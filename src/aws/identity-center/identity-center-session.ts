import type { IdentitystoreClient } from '@aws-sdk/client-identitystore'
import type { SSOAdminClient } from '@aws-sdk/client-sso-admin'
import type { IdentityCenterSettings } from '../../core/files/settings.js'
import type { CreateIdentityStoreClient, CreateSsoAdminClient } from '../aws-clients.js'
import type { TargetContext } from '../grant-error.js'
import type { AssumeGranterRole } from '../granter-session.js'
import type { RetryingCall } from '../retry.js'
import type { SessionPurpose } from '../role-session-name.js'

/** The Identity Center granter session: SSO Admin and the Identity Store, as the app's role in the management account. */
export interface IdentityCenterSession {
  readonly granterRoleArn: string
  readonly ssoAdmin: SSOAdminClient
  readonly identityStore: IdentitystoreClient
}

/** What every Identity Center operation shares: the instance, the namespace, the retrying calls and the clock. */
export interface IdentityCenterBackend {
  readonly settings: IdentityCenterSettings
  /** `owner/repo` of the access repository: the namespace of its permission set names. */
  readonly repository: string
  /** Transient failures retried. */
  readonly call: RetryingCall
  /** Transient failures and `Conflict` (one operation per permission set and account at a time) retried. */
  readonly callRetryingConflicts: RetryingCall
  readonly openSession: (context: TargetContext & { readonly purpose: SessionPurpose }) => Promise<IdentityCenterSession>
  readonly sleep: (ms: number) => Promise<void>
  /** Called before each wait between status reads of an asynchronous request: a grant reports its progress from it. */
  readonly whileWaiting?: () => Promise<void>
  readonly now: () => Date
  /** Bound on status reads of one asynchronous request, and the wait between them. */
  readonly polling: PollingOptions
  /**
   * The ARNs of this repository's permission sets by name, as the last full pass listed them: a hint that
   * spares a revocation with no recorded ARN (an orphan) a search of the instance, always checked by
   * `DescribePermissionSet` before it is acted on.
   */
  readonly knownArns: Map<string, string>
}

export interface PollingOptions {
  /** Status reads before the request is given up as failed. Default 20. */
  readonly maxPolls: number
  /** Wait before the first read, doubled for each later one up to `maxDelayMs`. Default 500 ms. */
  readonly firstDelayMs: number
  readonly maxDelayMs: number
  /** How long a grant runs before it reports its progress to the caller (`GrantOptions.onProgress`). Default 10 s. */
  readonly progressAfterMs?: number
}

export const DEFAULT_POLLING: PollingOptions = { maxPolls: 20, firstDelayMs: 500, maxDelayMs: 5_000 }

/**
 * Opens the granter session once per operation: Identity Center is administered from one account, so every
 * target of a grant shares it (the session name still carries the request id, for CloudTrail).
 */
export function createOpenIdentityCenterSession(params: {
  settings: IdentityCenterSettings
  assumeGranterRole: AssumeGranterRole
  createSsoAdminClient: CreateSsoAdminClient
  createIdentityStoreClient: CreateIdentityStoreClient
}): IdentityCenterBackend['openSession'] {
  return async (context) => {
    const session = await params.assumeGranterRole(context)
    const config = { region: params.settings.region, maxAttempts: 1, credentials: session.credentials }
    return {
      granterRoleArn: session.granterRoleArn,
      ssoAdmin: params.createSsoAdminClient(config),
      identityStore: params.createIdentityStoreClient(config),
    }
  }
}
