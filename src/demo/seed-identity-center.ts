import type { LocalStack } from './start-local-stack.js'

/** An Identity Center instance for a local stack, administered from the app's own account. */
export interface LocalIdentityCenter {
  readonly instanceArn: string
  readonly identityStoreId: string
  readonly region: string
  /** Identity Store user names to create, e.g. `alice@acme.com`. */
  readonly userNames: readonly string[]
}

/**
 * The `.github/jit.yml` lines that put every account on this instance: users named `{login}@acme.com`,
 * the granter role in the app's account (where `seedIdentityCenter` creates it).
 */
export function formatIdentityCenterSettings(instance: Omit<LocalIdentityCenter, 'userNames'>, appAccount: string): string {
  return [
    'backend: identity_center',
    'identity_center:',
    `  instance_arn: "${instance.instanceArn}"`,
    `  identity_store_id: ${instance.identityStoreId}`,
    `  region: ${instance.region}`,
    `  granter_role: "arn:aws:iam::${appAccount}:role/jit-granter"`,
    '  user_name: "{login}@acme.com"',
    '',
  ].join('\n')
}

/** Seeds the stack's AWS emulator with the instance, its users and the granter role (trusting only the app, with its ExternalId). */
export function seedIdentityCenter(stack: LocalStack, instance: LocalIdentityCenter, now: Date): void {
  const { aws, appAccount, externalId } = stack
  aws.state.seedRole({
    account: appAccount,
    roleName: 'jit-granter',
    externalId,
    trustedPrincipals: [`arn:aws:iam::${appAccount}:root`],
    now,
  })
  aws.state.identityCenter.seedInstance({
    managementAccount: appAccount,
    instanceArn: instance.instanceArn,
    identityStoreId: instance.identityStoreId,
  })
  for (const userName of instance.userNames) aws.state.identityCenter.seedUser(userName)
}
