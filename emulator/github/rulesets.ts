import type { EmulatorContext } from './emulator-context.js'
import { GitHubHttpError } from './github-http-error.js'

/** A rule of a branch ruleset, as GitHub's REST API writes it (`{ type, parameters? }`). */
export interface RulesetRule {
  readonly type: string
  readonly parameters?: Readonly<Record<string, unknown>>
}

/** Who may bypass a ruleset (GitHub's `bypass_actors` entry). */
export interface BypassActor {
  readonly actor_id: number | null
  readonly actor_type: 'Integration' | 'OrganizationAdmin' | 'RepositoryRole' | 'Team' | 'DeployKey' | 'User'
  readonly bypass_mode: 'always' | 'pull_request' | 'exempt'
}

/** A repository ruleset as the emulator keeps it (only `target: branch` is enforced). */
export interface RulesetRecord {
  readonly id: number
  readonly name: string
  readonly target: 'branch' | 'tag' | 'push'
  readonly enforcement: 'disabled' | 'active' | 'evaluate'
  readonly include: readonly string[]
  readonly exclude: readonly string[]
  readonly rules: readonly RulesetRule[]
  readonly bypassActors: readonly BypassActor[]
  readonly createdAt: Date
}

/** Who moves a branch: the installed app (its installation token), a person, or GitHub itself (a merge queue). */
export type BranchActor = { readonly kind: 'app' } | { readonly kind: 'user'; readonly login: string } | { readonly kind: 'github' }

/** The rule types the emulator enforces on a branch; any other type is refused on import rather than ignored. */
const ENFORCED_RULES = new Set(['pull_request', 'required_status_checks', 'non_fast_forward', 'deletion', 'creation', 'update'])

/**
 * Reads a ruleset as `POST /repos/{owner}/{repo}/rulesets` (and GitHub's "Import a ruleset", which takes the
 * exported JSON: `id`, `source` and the like are ignored) accept it.
 */
export function createRuleset(context: EmulatorContext, body: Record<string, unknown>): RulesetRecord {
  const invalid = (message: string) => new GitHubHttpError(422, 'Validation Failed', { errors: [message] })
  if (typeof body.name !== 'string' || body.name.trim() === '') throw invalid('name must be a non-empty string')
  if (context.state.rulesets.some((ruleset) => ruleset.name === body.name)) throw invalid(`Name must be unique`)
  const target = (body.target ?? 'branch') as RulesetRecord['target']
  const enforcement = body.enforcement as RulesetRecord['enforcement']
  if (!['disabled', 'active', 'evaluate'].includes(String(enforcement))) throw invalid('enforcement must be disabled, active or evaluate')
  const refName = ((body.conditions as { ref_name?: { include?: unknown; exclude?: unknown } } | undefined)?.ref_name ?? {}) as {
    include?: unknown
    exclude?: unknown
  }
  const rules = (Array.isArray(body.rules) ? body.rules : []) as RulesetRule[]
  for (const rule of rules) {
    if (!ENFORCED_RULES.has(rule.type)) throw invalid(`the emulator does not model the rule type "${rule.type}"`)
  }
  const bypassActors = ((Array.isArray(body.bypass_actors) ? body.bypass_actors : []) as Array<Partial<BypassActor>>).map((actor) => ({
    actor_id: actor.actor_id ?? null,
    actor_type: actor.actor_type as BypassActor['actor_type'],
    bypass_mode: actor.bypass_mode ?? 'always',
  }))
  const ruleset: RulesetRecord = {
    id: context.state.allocateId(),
    name: body.name,
    target,
    enforcement,
    include: Array.isArray(refName.include) ? refName.include.map(String) : [],
    exclude: Array.isArray(refName.exclude) ? refName.exclude.map(String) : [],
    rules,
    bypassActors,
    createdAt: context.clock(),
  }
  context.state.rulesets.push(ruleset)
  return ruleset
}

/** True when a branch ruleset's `conditions.ref_name` selects `fullRef` (`~DEFAULT_BRANCH`, `~ALL`, fnmatch patterns). */
export function rulesetTargets(context: EmulatorContext, ruleset: RulesetRecord, fullRef: string): boolean {
  if (ruleset.target !== 'branch' || !fullRef.startsWith('refs/heads/')) return false
  const matches = (pattern: string) =>
    pattern === '~ALL' ||
    (pattern === '~DEFAULT_BRANCH' && fullRef === `refs/heads/${context.store.defaultBranch}`) ||
    refPatternToRegExp(pattern).test(fullRef)
  return ruleset.include.some(matches) && !ruleset.exclude.some(matches)
}

/** The active branch rulesets on `fullRef` and the rules they bring, each with its ruleset. */
export function rulesOnRef(context: EmulatorContext, fullRef: string): Array<{ ruleset: RulesetRecord; rule: RulesetRule }> {
  return context.state.rulesets
    .filter((ruleset) => ruleset.enforcement === 'active' && rulesetTargets(context, ruleset, fullRef))
    .flatMap((ruleset) => ruleset.rules.map((rule) => ({ ruleset, rule })))
}

/**
 * How `actor` may bypass a ruleset (GitHub's `current_user_can_bypass`): an app through an `Integration` entry with
 * its app id, a person through a `User` entry with their id or the `RepositoryRole` admin (id 5) when they are one.
 */
export function bypassOf(
  context: EmulatorContext,
  ruleset: RulesetRecord,
  actor: BranchActor,
): 'always' | 'pull_requests_only' | 'exempt' | 'never' {
  if (actor.kind === 'github') return 'exempt'
  const entry = ruleset.bypassActors.find((candidate) => {
    if (actor.kind === 'app') return candidate.actor_type === 'Integration' && candidate.actor_id === context.appId
    if (candidate.actor_type === 'User') return candidate.actor_id === context.state.userId(actor.login)
    return candidate.actor_type === 'RepositoryRole' && candidate.actor_id === 5 && context.state.permissionOf(actor.login) === 'admin'
  })
  if (entry === undefined) return 'never'
  return entry.bypass_mode === 'pull_request' ? 'pull_requests_only' : entry.bypass_mode
}

/** `repository-ruleset`, for the caller `actor` (what `current_user_can_bypass` says depends on who asks). */
export function rulesetJson(context: EmulatorContext, ruleset: RulesetRecord, actor: BranchActor): Record<string, unknown> {
  const href = `${context.apiUrl()}/repos/${context.owner}/${context.repo}/rulesets/${ruleset.id}`
  const at = ruleset.createdAt.toISOString().replace(/\.\d{3}Z$/, 'Z')
  return {
    id: ruleset.id,
    name: ruleset.name,
    target: ruleset.target,
    source_type: 'Repository',
    source: `${context.owner}/${context.repo}`,
    enforcement: ruleset.enforcement,
    bypass_actors: ruleset.bypassActors,
    current_user_can_bypass: bypassOf(context, ruleset, actor),
    node_id: Buffer.from(`RRS_${ruleset.id}`).toString('base64'),
    _links: { self: { href }, html: { href: `${context.apiUrl()}/${context.owner}/${context.repo}/rules/${ruleset.id}` } },
    conditions: { ref_name: { include: ruleset.include, exclude: ruleset.exclude } },
    rules: ruleset.rules,
    created_at: at,
    updated_at: at,
  }
}

/** A ref-name pattern of a ruleset as a regular expression: `*` within a segment, `**` across them. */
function refPatternToRegExp(pattern: string): RegExp {
  let source = ''
  for (let index = 0; index < pattern.length; index += 1) {
    const char = pattern[index] ?? ''
    if (char === '*' && pattern[index + 1] === '*') {
      source += '.*'
      index += 1
    } else if (char === '*') source += '[^/]*'
    else if (char === '?') source += '[^/]'
    else source += char.replace(/[.+^${}()|[\]\\]/g, '\\$&')
  }
  return new RegExp(`^${source}$`)
}
