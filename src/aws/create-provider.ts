import { createDefaultAwsClientFactories, type CreateIamClient, type CreateStsClient } from './aws-clients.js'
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

/** Builds a provider for one repository's settings; `dryRun` asks for the dry run whatever the environment. */
export type CreateProviderFor = (params: {
  settings: { readonly granterRole: string }
  dryRun: boolean
  purpose: ProviderPurpose
}) => CloudProvider

/** The session name the sweep's shared granter sessions carry in CloudTrail. */
export const SWEEP_SESSION_NAME = 'jit-sweep-revoke'

export interface ProviderChoice {
  readonly dryRun: boolean
  /** Builds the provider for one grant; the granter role comes from the access repository's settings. */
  create(params: { granterRole: string }): CloudProvider
  /**
   * Builds the provider for a sweep, a revocation or a grant the sweep re-drives. A sweep assumes each
   * account's granter role once and shares the session; a single grant or revocation gets its own
   * session, named after its request.
   */
  createFor: CreateProviderFor
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
}): ProviderChoice {
  const dryRunFor: CreateProviderFor = ({ settings }) => createDryRunProvider({ granterRole: settings.granterRole })
  const flag = (params.env[DRY_RUN_VARIABLE] ?? '').trim().toLowerCase()
  if (!['', '0', 'false', '1', 'true'].includes(flag)) {
    throw new ProviderConfigError(
      `${DRY_RUN_VARIABLE}=${params.env[DRY_RUN_VARIABLE]} is not understood: set it to 1 for a dry run, or unset it (or 0) to write to AWS`,
    )
  }
  if (flag === '1' || flag === 'true') {
    return { dryRun: true, create: ({ granterRole }) => createDryRunProvider({ granterRole }), createFor: dryRunFor }
  }
  const externalId = params.env[EXTERNAL_ID_VARIABLE]?.trim()
  if (!externalId) {
    throw new ProviderConfigError(
      `${EXTERNAL_ID_VARIABLE} is not set: the app needs the ExternalId its granter roles trust to write to AWS. Set it, or set ${DRY_RUN_VARIABLE}=1 to run without AWS`,
    )
  }
  const clients = params.clients ?? createDefaultAwsClientFactories()
  const now = params.now ?? (() => new Date())
  const create = ({ granterRole }: { granterRole: string }): CloudProvider =>
    createIamProvider({ granterRole, externalId, sleep: params.sleep, ...clients })
  return {
    dryRun: false,
    create,
    createFor: (request) => {
      if (request.dryRun) return dryRunFor(request)
      if (request.purpose !== 'sweep') return create({ granterRole: request.settings.granterRole })
      const createStsClient = cacheAssumeRole({ createStsClient: clients.createStsClient, sessionName: SWEEP_SESSION_NAME, now })
      return createIamProvider({
        granterRole: request.settings.granterRole,
        externalId,
        sleep: params.sleep,
        createStsClient,
        createIamClient: clients.createIamClient,
      })
    },
  }
}
