import { IdentitystoreClient } from '@aws-sdk/client-identitystore'
import { SSOAdminClient } from '@aws-sdk/client-sso-admin'
import { STSClient } from '@aws-sdk/client-sts'
import { startIamStsEmulator, type IamStsEmulator } from '../../../../emulator/aws/iam-sts-emulator.js'
import {
  createIdentityCenterProvider,
  type IdentityCenterProviderParams,
} from '../../../../src/aws/identity-center/identity-center-provider.js'
import type { IdentityCenterSettings } from '../../../../src/core/files/settings.js'
import type { CloudProvider, GrantOutcome, RevokeOutcome } from '../../../../src/core/ports/cloud-provider.js'

/** The management account that administers Identity Center in these tests, and the granter role there. */
export const MANAGEMENT = '999999999999'
export const REPOSITORY = 'acme/access'
const EXTERNAL_ID = 'jit-test-external-id'
const app = { accessKeyId: 'AKIAJITTESTAPP000001', secretAccessKey: 'app-secret', account: MANAGEMENT }

/**
 * The IAM/STS emulator with an Identity Center instance, the user alice@acme.com and the granter role, at
 * a fixed clock; `settings` point the backend at it. The caller stops the emulator.
 */
export async function startIdentityCenter(now: Date): Promise<{ emulator: IamStsEmulator; settings: IdentityCenterSettings }> {
  const emulator = await startIamStsEmulator({
    credentials: [app],
    granterRoleNames: ['jit-identity-center-granter'],
    clock: () => now,
    maxClockSkewSeconds: Infinity,
  })
  emulator.state.seedRole({
    account: MANAGEMENT,
    roleName: 'jit-identity-center-granter',
    externalId: EXTERNAL_ID,
    trustedPrincipals: [`arn:aws:iam::${MANAGEMENT}:root`],
  })
  const instance = emulator.state.identityCenter.seedInstance({ managementAccount: MANAGEMENT })
  emulator.state.identityCenter.seedUser('alice@acme.com')
  const settings: IdentityCenterSettings = {
    instanceArn: instance.instanceArn,
    identityStoreId: instance.identityStoreId,
    region: 'eu-west-1',
    granterRole: `arn:aws:iam::${MANAGEMENT}:role/jit-identity-center-granter`,
    userName: '{login}@acme.com',
    userOverrides: {},
  }
  return { emulator, settings }
}

/** The Identity Center backend against the emulator, through the real SDK clients; sleeps are recorded, never slept. */
export function createTestProvider(params: {
  emulator: IamStsEmulator
  settings: IdentityCenterSettings
  now: Date
  sleeps?: number[]
  polling?: IdentityCenterProviderParams['polling']
}): CloudProvider {
  const endpoint = params.emulator.url
  return createIdentityCenterProvider({
    settings: params.settings,
    repository: REPOSITORY,
    externalId: EXTERNAL_ID,
    createStsClient: (config) => new STSClient({ ...config, endpoint, credentials: app }),
    createSsoAdminClient: (config) => new SSOAdminClient({ ...config, endpoint }),
    createIdentityStoreClient: (config) => new IdentitystoreClient({ ...config, endpoint }),
    sleep: async (ms) => void params.sleeps?.push(ms),
    now: () => params.now,
    random: () => 0.5,
    polling: params.polling ?? { maxPolls: 5, firstDelayMs: 100, maxDelayMs: 400 },
  })
}

/**
 * Starts an early revocation of a granted request (pr-42) and holds it before the assignment's removal,
 * so that what the accounts hold once the set was narrowed and provisioned again can be read while
 * sessions still exist. `release` lets it finish; `revoking` is its outcome.
 */
export async function revokeEarlyHoldingRemoval(params: {
  emulator: IamStsEmulator
  provider: CloudProvider
  granted: GrantOutcome
}): Promise<{ revoking: Promise<RevokeOutcome>; release: () => void }> {
  const held = params.emulator.holdCalls('DeleteAccountAssignment')
  const revoking = params.provider.revoke({
    requestId: params.granted.requestId,
    namespace: 'bb0610eed9',
    targets: params.granted.targets.map((target) => ({
      account: target.account,
      principalArn: target.principalArn,
      policyName: target.policyName,
    })),
    revokedAt: new Date('2026-12-01T10:00:00Z'),
    cutSessions: false,
  })
  await held.reached
  return { revoking, release: () => held.release() }
}
