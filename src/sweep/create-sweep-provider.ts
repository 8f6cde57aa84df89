import { createDefaultAwsClientFactories } from '../aws/aws-clients.js'
import { createAwsProvider } from '../aws/aws-provider.js'
import type { CloudProvider } from '../core/cloud-provider.js'
import type { JitSettings } from '../core/settings.js'
import { createDryRunProvider } from '../providers/dry-run-provider.js'
import { cacheAssumeRole } from './assume-role-cache.js'

/**
 * Builds the provider for one sweep, one revocation, or one grant the sweep re-drives for a merge left
 * with no record (`grant`), of one repository, from that repository's settings.
 */
export type CreateSweepProvider = (params: { settings: JitSettings; dryRun: boolean; purpose: 'sweep' | 'revoke' | 'grant' }) => CloudProvider

/** The session name the sweep's cached granter sessions carry in CloudTrail. */
export const SWEEP_SESSION_NAME = 'jit-sweep-revoke'

/**
 * The production factory: the AWS provider (the SDK's default credential chain: environment, OIDC web
 * identity in GitHub Actions, instance role) with granter roles assumed once per account per sweep,
 * or the dry-run provider. `externalId` is the one the granter roles' trust policies require.
 */
export function createSweepProviderFactory(params: { externalId: string; now?: () => Date; sleep?: (ms: number) => Promise<void> }): CreateSweepProvider {
  const now = params.now ?? (() => new Date())
  const sleep = params.sleep ?? ((ms: number) => new Promise<void>((resolve) => setTimeout(resolve, ms)))
  return ({ settings, dryRun, purpose }) => {
    if (dryRun) return createDryRunProvider({ granterRole: settings.granterRole })
    const factories = createDefaultAwsClientFactories()
    return createAwsProvider({
      granterRole: settings.granterRole,
      externalId: params.externalId,
      // One revocation or grant needs one session (named after its request); a sweep shares one per account.
      createStsClient: purpose === 'sweep' ? cacheAssumeRole({ createStsClient: factories.createStsClient, sessionName: SWEEP_SESSION_NAME, now }) : factories.createStsClient,
      createIamClient: factories.createIamClient,
      sleep,
    })
  }
}
