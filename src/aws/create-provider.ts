import {
  createDefaultAwsClientFactories,
  createIdentityCenterClientFactories,
  type CreateIamClient,
  type CreateIdentityStoreClient,
  type CreateSsoAdminClient,
  type CreateStsClient,
} from './aws-clients.js'
import { usesIdentityCenter, type JitSettings } from '../core/files/settings.js'
import { createIdentityCenterProvider } from './identity-center/identity-center-provider.js'
import type { PollingOptions } from './identity-center/identity-center-session.js'
import { routeByBackend } from './route-by-backend.js'
import { createIamProvider } from './iam/iam-provider.js'
import type { CloudProvider } from '../core/ports/cloud-provider.js'
import { cacheAssumeRole } from './assume-role-cache.js'
import { createDryRunProvider } from './dry-run-provider.js'

/** The environment names the provider reads. */
export const DRY_RUN_VARIABLE = 'JIT_DRY_RUN'
export const EXTERNAL_ID_VARIABLE = 'JIT_EXTERNAL_ID'

/** The app's environment cannot choose a provider; the message says which variable to set and how. */
export class ProviderConfigError extends Error {
  override readonly name = 'ProviderConfigError'
}

/** What a provider is for: one grant, one revocation, or a sweep (which may revoke many grants). */
export type ProviderPurpose = 'grant' | 'revoke' | 'sweep'

/** What of `.github/jit.yml` chooses and configures the cloud: the IAM granter role, and the backend of each account. */
export type ProviderSettings = Pick<JitSettings, 'granterRole'> &
  Partial<Pick<JitSettings, 'backend' | 'accountBackends' | 'identityCenter'>>

/**
 * Builds a provider for one repository's settings; `dryRun` asks for the dry run whatever the environment.
 * `repository` (`owner/repo`) namespaces what the Identity Center backend names.
 */
export type CreateProviderFor = (params: {
  settings: ProviderSettings
  dryRun: boolean
  purpose: ProviderPurpose
  repository?: string
}) => CloudProvider

/** The session name the sweep's shared granter sessions carry in CloudTrail. */
export const SWEEP_SESSION_NAME = 'jit-sweep-revoke'

export interface ProviderChoice {
  readonly dryRun: boolean
  /** Builds the provider for one grant; the granter role and the backends come from the access repository's settings. */
  create(params: ProviderSettings & { readonly repository?: string }): CloudProvider
  /**
   * Builds the provider for a sweep, a revocation or a grant the sweep re-drives. A sweep assumes each
   * account's granter role once and shares the session; a single grant or revocation gets its own
   * session, named after its request.
   */
  createFor: CreateProviderFor
}

/** The dry run over the backends of the settings (an Identity Center account needs the repository, as the AWS provider does). */
function createDryRun(settings: ProviderSettings, repository: string | undefined, now?: () => Date): CloudProvider {
  if (usesIdentityCenter(settings) && settings.identityCenter && repository === undefined)
    throw new ProviderConfigError('the Identity Center backend needs the access repository (owner/repo) to name its permission sets')
  return createDryRunProvider({
    granterRole: settings.granterRole,
    settings,
    ...(repository ? { repository } : {}),
    ...(now ? { now } : {}),
  })
}

/**
 * Chooses the cloud from the environment, once at start-up so a misconfigured app fails before its
 * first merge: `JIT_DRY_RUN=1` (or `true`) for the dry run, which calls nothing; otherwise AWS, which
 * needs `JIT_EXTERNAL_ID` (the ExternalId the granter roles' trust policies require). Any other value
 * of `JIT_DRY_RUN` is refused rather than read as "off", so a typo never writes to AWS by surprise.
 */
export function createProvider(params: {
  env: Readonly<Record<string, string | undefined>>
  sleep: (ms: number) => Promise<void>
  now?: () => Date
  clients?: { createStsClient: CreateStsClient; createIamClient: CreateIamClient }
  identityCenterClients?: { createSsoAdminClient: CreateSsoAdminClient; createIdentityStoreClient: CreateIdentityStoreClient }
  /** Bound on the status reads of Identity Center's asynchronous requests (tests shorten it). */
  identityCenterPolling?: PollingOptions
}): ProviderChoice {
  const dryRunFor: CreateProviderFor = ({ settings, repository }) => createDryRun(settings, repository, params.now)
  const flag = (params.env[DRY_RUN_VARIABLE] ?? '').trim().toLowerCase()
  if (!['', '0', 'false', '1', 'true'].includes(flag)) {
    throw new ProviderConfigError(
      `${DRY_RUN_VARIABLE}=${params.env[DRY_RUN_VARIABLE]} is not understood: set it to 1 for a dry run, or unset it (or 0) to write to AWS`,
    )
  }
  if (flag === '1' || flag === 'true') {
    return { dryRun: true, create: (settings) => createDryRun(settings, settings.repository, params.now), createFor: dryRunFor }
  }
  const externalId = params.env[EXTERNAL_ID_VARIABLE]?.trim()
  if (!externalId) {
    throw new ProviderConfigError(
      `${EXTERNAL_ID_VARIABLE} is not set: the app needs the ExternalId its granter roles trust to write to AWS. Set it, or set ${DRY_RUN_VARIABLE}=1 to run without AWS`,
    )
  }
  const clients = params.clients ?? createDefaultAwsClientFactories()
  const identityCenterClients = params.identityCenterClients ?? createIdentityCenterClientFactories()
  const now = params.now ?? (() => new Date())
  const build = (settings: ProviderSettings, repository: string | undefined, createStsClient: CreateStsClient): CloudProvider => {
    const iam = createIamProvider({
      granterRole: settings.granterRole,
      externalId,
      sleep: params.sleep,
      createStsClient,
      createIamClient: clients.createIamClient,
    })
    const backends = { backend: settings.backend ?? 'iam', accountBackends: settings.accountBackends ?? {} }
    if (!usesIdentityCenter(backends) || !settings.identityCenter) return iam
    if (repository === undefined)
      throw new ProviderConfigError('the Identity Center backend needs the access repository (owner/repo) to name its permission sets')
    const identityCenter = createIdentityCenterProvider({
      settings: settings.identityCenter,
      repository,
      externalId,
      sleep: params.sleep,
      now,
      createStsClient,
      ...identityCenterClients,
      ...(params.identityCenterPolling ? { polling: params.identityCenterPolling } : {}),
    })
    return routeByBackend({ settings: backends, providers: { iam, identity_center: identityCenter } })
  }
  const create = (settings: ProviderSettings & { readonly repository?: string }): CloudProvider =>
    build(settings, settings.repository, clients.createStsClient)
  return {
    dryRun: false,
    create,
    createFor: (request) => {
      if (request.dryRun) return dryRunFor(request)
      if (request.purpose !== 'sweep') return build(request.settings, request.repository, clients.createStsClient)
      const createStsClient = cacheAssumeRole({ createStsClient: clients.createStsClient, sessionName: SWEEP_SESSION_NAME, now })
      return build(request.settings, request.repository, createStsClient)
    },
  }
}
