import { compileActionCoverage } from '../matching/action-pattern.js'
import { compileResourceCoverage } from '../matching/arn-pattern.js'
import { formatInstant } from './history-commit.js'
import { endOf, type GrantHistory, type GrantTargetSummary } from './grant-history.js'

/** What `timeline` and `who` filter on; every field optional. Times are instants (ms since the epoch). */
export interface GrantFilter {
  readonly since?: number
  readonly until?: number
  readonly requester?: string
  readonly account?: string
  readonly action?: string
  readonly resource?: string
}

/**
 * Whether a target allows `action` on `resource` (any resource when undefined), with the engine's
 * coverage: the target's patterns must cover what is asked (`ec2:*` covers `ec2:TerminateInstances`;
 * `ec2:Describe*` is covered only by `ec2:Describe*`, `ec2:*` or `*`). A curated permission set may.
 */
function targetCovers(target: GrantTargetSummary, filter: GrantFilter): boolean {
  if (filter.account !== undefined && target.account !== filter.account) return false
  const { action, resource } = filter
  // What a curated permission set allows is in its managed policies, which the records do not hold: a
  // query by action or resource includes it rather than miss someone who may have held the access.
  if (target.permissionSet !== undefined) return true
  if (action !== undefined && !target.actions.some((granted) => compileActionCoverage(granted)(action))) return false
  if (resource !== undefined && !target.resources.some((granted) => compileResourceCoverage(granted)(resource))) return false
  return true
}

/** The span a grant's record covers: its window, or for a refusal or failure the instant it was recorded. */
function spanOf(grant: GrantHistory): { from: number; to: number } | undefined {
  const end = endOf(grant)
  const start = grant.notBefore ?? end
  if (start === null || end === null) return undefined
  return { from: Date.parse(start), to: Date.parse(end) }
}

/** `jit audit timeline`: every grant whose span meets [since, until] and that matches the filter. */
export function selectTimeline(grants: readonly GrantHistory[], filter: GrantFilter): GrantHistory[] {
  return grants.filter((grant) => {
    if (filter.requester !== undefined && grant.requester.toLowerCase() !== filter.requester.toLowerCase()) return false
    const span = spanOf(grant)
    if (filter.since !== undefined && (span === undefined || span.to < filter.since)) return false
    if (filter.until !== undefined && (span === undefined || span.from > filter.until)) return false
    const scoped = filter.account !== undefined || filter.action !== undefined || filter.resource !== undefined
    return !scoped || grant.targets.some((target) => targetCovers(target, filter))
  })
}

/** One holder `who` names: the grant, and the part of the asked interval it held the access. */
export interface Holder {
  readonly grant: GrantHistory
  readonly from: string
  readonly to: string
  /** The targets that allowed it. */
  readonly targets: readonly GrantTargetSummary[]
}

/**
 * `jit audit who`: the grants that allowed `action` in `account` (on `resource`, when given) at some
 * instant of [from, to] (from = to for `--at`). Held means: granted (active, or revoked later), not a
 * dry run, between its start and its end (revocation or expiry, the earlier). An intent whose outcome
 * is unknown counts (AWS may hold it); refusals and failures never held anything.
 */
export function findHolders(
  grants: readonly GrantHistory[],
  query: { account: string; action: string; resource?: string; from: number; to: number },
): Holder[] {
  const holders: Holder[] = []
  for (const grant of grants) {
    const { kind } = grant.outcome
    if (grant.dryRun || kind === 'refused' || kind === 'failed') continue
    const span = spanOf(grant)
    // IAM's window: from its start (inclusive) to its end (exclusive, `DateLessThan`).
    if (span === undefined || span.to <= query.from || span.from > query.to) continue
    const targets = grant.targets.filter((target) => targetCovers(target, query))
    if (targets.length === 0) continue
    holders.push({
      grant,
      from: formatInstant(Math.max(span.from, query.from)),
      to: formatInstant(Math.min(span.to, query.to)),
      targets,
    })
  }
  return holders
}
