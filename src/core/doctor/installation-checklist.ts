/**
 * `jit doctor`'s judgement: what a live installation of an access repository must look like, from facts read
 * elsewhere (GitHub, AWS). Pure: every check is one function of its facts, and every failure says how to fix it.
 */
import { judgeIdentityCenter, type IdentityCenterFacts } from './identity-center-checklist.js'

/** `warn` does not fail the run: it is handled, or cannot be checked with these credentials. */
export type CheckStatus = 'pass' | 'fail' | 'warn'

export interface DoctorCheck {
  readonly title: string
  readonly status: CheckStatus
  readonly detail: string
  /** What to do, for a `fail` or a `warn`. */
  readonly fix?: string
}

/** A fact read from GitHub or AWS, or why it could not be. */
export type Fact<T> = { readonly ok: true; readonly value: T } | { readonly ok: false; readonly problem: string }

/** The app as `app.yml` asks for it, and as the installation grants it. */
export interface AppGrants {
  readonly permissions: Readonly<Record<string, string>>
  readonly events: readonly string[]
}

/** A rule in force on the default branch (`GET /repos/{owner}/{repo}/rules/branches/{branch}`), with its ruleset. */
export interface BranchRule {
  readonly type: string
  readonly parameters?: Readonly<Record<string, unknown>>
  readonly ruleset: {
    readonly id: number
    readonly name: string
    /** `current_user_can_bypass` as GitHub answers the caller (the app, under its own credentials). */
    readonly bypass?: string
    readonly bypassActors?: ReadonlyArray<{ readonly actor_id: number | null; readonly actor_type: string; readonly bypass_mode?: string }>
  }
}

export interface InstallationFacts {
  readonly repository: string
  readonly defaultBranch: string
  /** The app's id (its integration id), when the credentials are the app's. */
  readonly appId?: number
  readonly wanted: AppGrants
  /** Undefined when the credentials cannot read the installation (a plain token). */
  readonly installation: Fact<AppGrants | undefined>
  readonly rules: Fact<readonly BranchRule[]>
  readonly files: Fact<{
    readonly errors: readonly string[]
    readonly warnings: readonly string[]
    readonly checked: readonly string[]
    readonly hasCodeowners: boolean
  }>
  /** Each account the policies name, with the result of assuming the granter role there. */
  readonly granters: readonly { readonly account: string; readonly roleArn: string; readonly result: Fact<true> }[]
  /** Accounts named only as `*` cannot be listed; the count of such policies. */
  readonly wildcardAccountPolicies: number
  /**
   * Each account where the granter role was assumed, and whether it may list roles and users
   * (`iam:ListRoles`, `iam:ListUsers`): the full reconcile pass needs both to find every principal.
   */
  readonly listing: readonly { readonly account: string; readonly result: Fact<true> }[]
  /** Each principal the settings map for a requester, in each account, and whether IAM has it. */
  readonly principals: readonly { readonly account: string; readonly login: string; readonly arn: string; readonly result: Fact<boolean> }[]
  readonly sweep: Fact<SweepFacts>
  /** Set when any account's backend is `identity_center`; `granters` and `principals` then cover the IAM accounts only. */
  readonly identityCenter?: IdentityCenterFacts
}

export interface SweepFacts {
  readonly now: Date
  readonly sweepIntervalMs: number
  /** The newest commit that recorded a revocation (`grants/revoked/`), if any. */
  readonly lastRevocation?: { readonly sha: string; readonly at: Date }
  /** Active records (ids and expiry) on the default branch. */
  readonly active: readonly { readonly id: string; readonly expiresAt: Date }[]
}

export const CHECK_CONTEXT = 'jit / access request'

const LEVELS: Record<string, number> = { read: 1, write: 2, admin: 3 }

/** Every check of the checklist, in the order a newcomer installs the app. */
export function judgeInstallation(facts: InstallationFacts): DoctorCheck[] {
  return [
    judgeGrants(facts),
    judgeRequiredCheck(facts),
    judgeReviewRules(facts),
    judgeBypass(facts),
    judgeMergeMethods(facts),
    judgeFiles(facts),
    // With every account on Identity Center there is no IAM granter role to check.
    ...(facts.identityCenter && facts.granters.length === 0 ? [] : [judgeGranters(facts), judgeListing(facts), judgePrincipals(facts)]),
    ...(facts.identityCenter ? judgeIdentityCenter(facts.identityCenter) : []),
    judgeSweep(facts),
  ]
}

function unread(title: string, problem: string, fix: string): DoctorCheck {
  return { title, status: 'fail', detail: `could not be read: ${problem}`, fix }
}

function judgeGrants(facts: InstallationFacts): DoctorCheck {
  const title = "the app's permissions and events"
  if (!facts.installation.ok)
    return unread(title, facts.installation.problem, "run jit doctor with the app's credentials (APP_ID and PRIVATE_KEY)")
  const granted = facts.installation.value
  if (granted === undefined)
    return {
      title,
      status: 'warn',
      detail: 'not checked: a token cannot read the installation',
      fix: "run jit doctor with the app's credentials (APP_ID and PRIVATE_KEY)",
    }
  const missing = Object.entries(facts.wanted.permissions)
    .filter(([name, level]) => (LEVELS[granted.permissions[name] ?? ''] ?? 0) < (LEVELS[level] ?? 1))
    .map(([name, level]) => `${name}: ${level} (granted: ${granted.permissions[name] ?? 'none'})`)
  const events = facts.wanted.events.filter((event) => !granted.events.includes(event))
  if (missing.length === 0 && events.length === 0)
    return {
      title,
      status: 'pass',
      detail: `as app.yml asks: ${Object.keys(facts.wanted.permissions).length} permissions, ${facts.wanted.events.length} events`,
    }
  const lacks = [
    ...(missing.length > 0 ? [`permissions ${missing.join(', ')}`] : []),
    ...(events.length > 0 ? [`events ${events.join(', ')}`] : []),
  ]
  return {
    title,
    status: 'fail',
    detail: `the installation lacks ${lacks.join('; ')}`,
    fix: "in the app's settings (Developer settings → GitHub Apps → the app → Permissions & events) give what app.yml asks, then have an organisation owner accept the new permissions on the installation",
  }
}

function rulesOf(facts: InstallationFacts, type: string): BranchRule[] {
  return facts.rules.ok ? facts.rules.value.filter((rule) => rule.type === type) : []
}

const IMPORT_FIX = "import examples/rulesets/access-repository.json (with the app's id) as the README's install section says"

function judgeRequiredCheck(facts: InstallationFacts): DoctorCheck {
  const title = `the required check "${CHECK_CONTEXT}" on ${facts.defaultBranch}`
  if (!facts.rules.ok) return unread(title, facts.rules.problem, IMPORT_FIX)
  const checks = rulesOf(facts, 'required_status_checks').flatMap((rule) => {
    const list = rule.parameters?.required_status_checks
    return (Array.isArray(list) ? (list as Array<{ context?: string; integration_id?: number }>) : []).map((check) => ({
      ...check,
      ruleset: rule.ruleset.name,
    }))
  })
  const ours = checks.filter((check) => check.context === CHECK_CONTEXT)
  if (ours.length === 0)
    return {
      title,
      status: 'fail',
      detail: `no ruleset on ${facts.defaultBranch} requires "${CHECK_CONTEXT}": an unapproved request can be merged`,
      fix: IMPORT_FIX,
    }
  const wrongSource = ours.filter(
    (check) => facts.appId !== undefined && check.integration_id !== undefined && check.integration_id !== facts.appId,
  )
  if (wrongSource.length === ours.length)
    return {
      title,
      status: 'fail',
      detail: `required from integration ${wrongSource.map((check) => check.integration_id).join(', ')} in "${ours[0]?.ruleset}", but the app's id is ${facts.appId}: the check can never pass`,
      fix: `set the required check's source (integration_id) to ${facts.appId}`,
    }
  return {
    title,
    status: 'pass',
    detail: `required by "${ours[0]?.ruleset}"${ours[0]?.integration_id === undefined ? ' (from any source)' : ', from the app'}`,
  }
}

function judgeReviewRules(facts: InstallationFacts): DoctorCheck {
  const title = `pull requests, code owner review, no force push or deletion on ${facts.defaultBranch}`
  if (!facts.rules.ok) return unread(title, facts.rules.problem, IMPORT_FIX)
  const pull = rulesOf(facts, 'pull_request')
  const missing = [
    ...(pull.length === 0 ? ['pull_request (changes only through a pull request)'] : []),
    ...(pull.length > 0 && !pull.some((rule) => rule.parameters?.require_code_owner_review === true)
      ? ['require_code_owner_review (policy and CODEOWNERS changes need their owners)']
      : []),
    ...(rulesOf(facts, 'non_fast_forward').length === 0 ? ['non_fast_forward (history, the audit trail, cannot be rewritten)'] : []),
    ...(rulesOf(facts, 'deletion').length === 0 ? ['deletion'] : []),
  ]
  if (missing.length === 0) return { title, status: 'pass', detail: `by "${pull[0]?.ruleset.name}"` }
  return { title, status: 'fail', detail: `no rule in force for ${missing.join('; ')}`, fix: IMPORT_FIX }
}

function judgeBypass(facts: InstallationFacts): DoctorCheck {
  const title = `the app may commit records to ${facts.defaultBranch}`
  if (!facts.rules.ok) return unread(title, facts.rules.problem, IMPORT_FIX)
  const blocking = new Map<number, BranchRule['ruleset']>()
  for (const rule of facts.rules.value)
    if (['pull_request', 'required_status_checks', 'update'].includes(rule.type)) blocking.set(rule.ruleset.id, rule.ruleset)
  const refusing = [...blocking.values()].filter((ruleset) => {
    if (ruleset.bypass !== undefined) return ruleset.bypass !== 'always' && ruleset.bypass !== 'exempt'
    return !(ruleset.bypassActors ?? []).some(
      (actor) =>
        actor.actor_type === 'Integration' &&
        (facts.appId === undefined || actor.actor_id === facts.appId) &&
        actor.bypass_mode !== 'pull_request',
    )
  })
  if (refusing.length === 0)
    return {
      title,
      status: 'pass',
      detail: blocking.size === 0 ? 'no ruleset blocks direct commits' : 'the app is on the bypass list ("Always allow")',
    }
  const names = refusing.map((ruleset) => `"${ruleset.name}"`).join(', ')
  return {
    title,
    status: 'fail',
    detail: `${names} would refuse the app's grant and revocation records (GitHub: "Repository rule violations found")`,
    fix: `in Settings → Rules → Rulesets → ${names}, add the app to the bypass list with "Always allow" (actor_type Integration, actor_id ${facts.appId ?? "= the app's id"})`,
  }
}

function judgeMergeMethods(facts: InstallationFacts): DoctorCheck {
  const title = 'merge methods'
  if (!facts.rules.ok) return unread(title, facts.rules.problem, IMPORT_FIX)
  const allowed = rulesOf(facts, 'pull_request')
    .map((rule) => rule.parameters?.allowed_merge_methods)
    .find((methods): methods is string[] => Array.isArray(methods))
  if (allowed !== undefined && allowed.length === 0)
    return { title, status: 'fail', detail: 'the ruleset allows no merge method: nothing can merge', fix: 'allow merge and squash' }
  if (allowed !== undefined && !allowed.includes('rebase'))
    return { title, status: 'pass', detail: `${allowed.join(', ')}; rebase merging is off` }
  return {
    title,
    status: 'warn',
    detail:
      'rebase merging is allowed: the app judges every merge by the default branch just before it (the activity API) and refuses what it cannot confirm',
    fix: "for defence in depth, allow only merge and squash (the pull_request rule's allowed_merge_methods)",
  }
}

function judgeFiles(facts: InstallationFacts): DoctorCheck {
  const title = 'policies, CODEOWNERS and .github/jit.yml'
  if (!facts.files.ok) return unread(title, facts.files.problem, 're-run when GitHub answers')
  const { errors, checked, hasCodeowners } = facts.files.value
  if (errors.length > 0)
    return {
      title,
      status: 'fail',
      detail: `${errors.length} error${errors.length === 1 ? '' : 's'}: ${errors.slice(0, 5).join('; ')}${errors.length > 5 ? '; …' : ''}`,
      fix: 'fix them in a pull request (jit validate shows each with its file and line)',
    }
  if (!hasCodeowners)
    return { title, status: 'fail', detail: 'no CODEOWNERS file: no approval from code owners can count', fix: 'add .github/CODEOWNERS' }
  return { title, status: 'pass', detail: `${checked.join(', ')} valid` }
}

function judgeGranters(facts: InstallationFacts): DoctorCheck {
  const title = 'the granter role in every account the policies name'
  const failed = facts.granters.filter((granter) => !granter.result.ok)
  const wildcard =
    facts.wildcardAccountPolicies > 0
      ? `; ${facts.wildcardAccountPolicies} polic${facts.wildcardAccountPolicies === 1 ? 'y grants' : 'ies grant'} "*" accounts, not listed`
      : ''
  if (facts.granters.length === 0)
    return { title, status: 'warn', detail: `no account named${wildcard}`, fix: 'name the accounts in the policies' }
  if (failed.length === 0)
    return { title, status: 'pass', detail: `assumed in ${facts.granters.map((granter) => granter.account).join(', ')}${wildcard}` }
  return {
    title,
    status: 'fail',
    detail: failed.map((granter) => `${granter.roleArn}: ${granter.result.ok ? '' : granter.result.problem}`).join('; '),
    fix: "create the granter role in each account, trusting the app's AWS identity with the condition sts:ExternalId = JIT_EXTERNAL_ID",
  }
}

function judgeListing(facts: InstallationFacts): DoctorCheck {
  const title = 'the full reconcile pass may list roles and users'
  const failed = facts.listing.filter((account) => !account.result.ok)
  const unchecked = facts.granters.filter((granter) => !granter.result.ok).map((granter) => granter.account)
  if (failed.length > 0)
    return {
      title,
      status: 'fail',
      detail: failed.map((account) => `${account.account}: ${account.result.ok ? '' : account.result.problem}`).join('; '),
      fix: 'allow iam:ListRoles and iam:ListUsers to the granter role (deploy/granter-stack.ts has them); without them the daily full pass cannot find orphans on principals no record names',
    }
  if (unchecked.length > 0)
    return {
      title,
      status: 'warn',
      detail: `not checked in ${unchecked.join(', ')} (no granter session)`,
      fix: 'fix the granter role first',
    }
  if (facts.listing.length === 0) return { title, status: 'warn', detail: 'no account named', fix: 'name the accounts in the policies' }
  return {
    title,
    status: 'pass',
    detail: `ListRoles and ListUsers allowed in ${facts.listing.map((account) => account.account).join(', ')}`,
  }
}

function judgePrincipals(facts: InstallationFacts): DoctorCheck {
  const title = "requesters' principals"
  const missing = facts.principals.filter((principal) => !principal.result.ok || principal.result.value === false)
  // IAM is read through the granter role: where it could not be assumed, nothing could be looked up.
  const unchecked = facts.granters.filter((granter) => !granter.result.ok).map((granter) => granter.account)
  const notChecked = unchecked.length > 0 ? `not checked in ${unchecked.join(', ')} (no granter session)` : ''
  if (missing.length === 0 && unchecked.length > 0)
    return { title, status: 'warn', detail: `${facts.principals.length} present in IAM; ${notChecked}`, fix: 'fix the granter role first' }
  if (facts.principals.length === 0)
    return { title, status: 'warn', detail: 'no requester to check', fix: 'name requesters in the policies' }
  if (missing.length === 0) return { title, status: 'pass', detail: `${facts.principals.length} present in IAM` }
  return {
    title,
    status: 'fail',
    detail: [
      ...missing.map(
        (principal) => `${principal.arn} (${principal.login}): ${principal.result.ok ? 'not in IAM' : principal.result.problem}`,
      ),
      ...(notChecked ? [notChecked] : []),
    ].join('; '),
    fix: 'create each role or user, or map the login to its principal under principals: in .github/jit.yml',
  }
}

function judgeSweep(facts: InstallationFacts): DoctorCheck {
  const title = 'the sweep'
  if (!facts.sweep.ok) return unread(title, facts.sweep.problem, 're-run when GitHub answers')
  const { now, sweepIntervalMs, lastRevocation, active } = facts.sweep.value
  // A sweep revokes within an interval of the expiry; two intervals (at least 15 minutes) is overdue.
  const graceMs = Math.max(2 * sweepIntervalMs, 15 * 60_000)
  const overdue = active.filter((grant) => grant.expiresAt.getTime() + graceMs < now.getTime())
  const last = lastRevocation
    ? `last revocation recorded ${lastRevocation.at.toISOString()} (${lastRevocation.sha.slice(0, 7)})`
    : 'no revocation recorded yet'
  if (overdue.length === 0) return { title, status: 'pass', detail: `no active grant overdue; ${last}` }
  return {
    title,
    status: 'fail',
    detail: `${overdue.map((grant) => `${grant.id} expired ${grant.expiresAt.toISOString()}`).join(', ')} still active: the sweep has not run since; ${last}`,
    fix: 'check that the app runs with JIT_SWEEP on, or schedule jit sweep (examples/workflows/jit-sweep.yml); its log says why it stopped',
  }
}

/** The checklist as a person reads it: one line per check, then the fix under each failure. */
export function renderChecklist(repository: string, checks: readonly DoctorCheck[]): string {
  const marks: Record<CheckStatus, string> = { pass: '✓', fail: '✗', warn: '!' }
  const lines = [`jit doctor: ${repository}`]
  for (const check of checks) {
    lines.push(`${marks[check.status]} ${check.title}: ${check.detail}`)
    if (check.status !== 'pass' && check.fix) lines.push(`    fix: ${check.fix}`)
  }
  const failed = checks.filter((check) => check.status === 'fail').length
  lines.push(failed === 0 ? 'all checks pass' : `${failed} of ${checks.length} checks fail`)
  return lines.join('\n') + '\n'
}
