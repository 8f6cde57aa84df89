import { readFile } from 'node:fs/promises'
import { existsSync } from 'node:fs'
import { dirname, join } from 'node:path'
import { fileURLToPath } from 'node:url'
import { parseArgs } from 'node:util'
import yaml from 'js-yaml'
import {
  createDefaultAwsClientFactories,
  createIdentityCenterClientFactories,
  type CreateIamClient,
  type CreateIdentityStoreClient,
  type CreateSsoAdminClient,
  type CreateStsClient,
} from '../aws/aws-clients.js'
import { loadActionCatalogue } from '../aws/load-action-catalogue.js'
import { EXTERNAL_ID_VARIABLE } from '../aws/create-provider.js'
import { renderChecklist, type AppGrants } from '../core/doctor/installation-checklist.js'
import type { ActionCatalogue } from '../core/matching/action-catalogue.js'
import { runDoctor } from '../workflows/doctor/run-doctor.js'
import { EXIT, UsageError, type CliCommand } from './cli-io.js'
import { connect, type SweepCommandDependencies } from './sweep-command.js'

export const DOCTOR_USAGE = `jit doctor [--repo owner/name] [--json]   (same env as jit sweep; the app's credentials check its permissions too)`

/** What `jit doctor` takes from outside; tests may pass their own GitHub, AWS clients and catalogue. */
export interface DoctorCommandDependencies extends Pick<SweepCommandDependencies, 'createOctokit'> {
  readonly aws?: { readonly createStsClient: CreateStsClient; readonly createIamClient: CreateIamClient }
  readonly identityCenter?: {
    readonly createSsoAdminClient: CreateSsoAdminClient
    readonly createIdentityStoreClient: CreateIdentityStoreClient
  }
  readonly catalogue?: () => Promise<ActionCatalogue>
  /** The app's manifest (default: `app.yml` of this package). */
  readonly manifestPath?: string
}

/**
 * `jit doctor`: checks a live installation of an access repository and prints the checklist, each failure with its
 * fix. Exit 0 when every check passes (warnings allowed), 1 when one fails, 2 on a usage error.
 */
export function createDoctorCommand(deps: DoctorCommandDependencies = {}): CliCommand {
  return {
    name: 'doctor',
    usage: DOCTOR_USAGE,
    run: async (args, io) => {
      const { values } = parseArgs({ args: [...args], options: { repo: { type: 'string' }, json: { type: 'boolean', default: false } } })
      if (values.repo !== undefined && !/^[\w.-]+\/[\w.-]+$/.test(values.repo)) throw new UsageError('--repo must be owner/name')
      const env = values.repo === undefined ? io.env : { ...io.env, GITHUB_REPOSITORY: values.repo }
      const wanted = await readManifest(deps.manifestPath ?? locateManifest())
      const { api, owner, repo, connection } = await connect(deps, { ...io, env })
      const report = await runDoctor({
        api,
        owner,
        repo,
        wanted,
        installation: { ok: true, value: connection.installation },
        ...(await appIdOf(api)),
        catalogue: await (deps.catalogue ?? loadActionCatalogue)(),
        externalId: env[EXTERNAL_ID_VARIABLE],
        now: io.now?.() ?? new Date(),
        ...(deps.aws ?? createDefaultAwsClientFactories()),
        ...(deps.identityCenter ?? createIdentityCenterClientFactories()),
      })
      io.stdout.write(values.json ? JSON.stringify(report) + '\n' : renderChecklist(report.repository, report.checks))
      return report.ok ? EXIT.ok : EXIT.pending
    },
  }
}

async function appIdOf(api: { appId?(): Promise<number | undefined> }): Promise<{ appId?: number }> {
  const id = await api.appId?.()
  return id === undefined ? {} : { appId: id }
}

/** `default_permissions` and `default_events` of the app's manifest. */
async function readManifest(path: string): Promise<AppGrants> {
  let manifest: { default_permissions?: Record<string, string>; default_events?: string[] }
  try {
    manifest = (yaml.load(await readFile(path, 'utf8')) ?? {}) as typeof manifest
  } catch (error) {
    throw new UsageError(`could not read the app's manifest ${path}: ${(error as Error).message}`)
  }
  return { permissions: manifest.default_permissions ?? {}, events: manifest.default_events ?? [] }
}

/** `app.yml` beside this package's package.json (from src/cli/ or dist/src/cli/). */
function locateManifest(): string {
  let dir = dirname(fileURLToPath(import.meta.url))
  for (let depth = 0; depth < 5; depth += 1) {
    if (existsSync(join(dir, 'app.yml')) && existsSync(join(dir, 'package.json'))) return join(dir, 'app.yml')
    dir = dirname(dir)
  }
  throw new UsageError("could not find the app's manifest app.yml in this package")
}
