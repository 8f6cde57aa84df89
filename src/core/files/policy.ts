import { describeResourceProblem } from '../matching/arn-pattern.js'
import { parseDuration } from './duration.js'
import type { InputError, Parsed } from './input-error.js'
import { compileDocumentValidator } from './schemas/document-validator.js'
import { policySchema } from './schemas/policy-schema.js'
import type { PolicyDocument } from './schemas/policy-schema.js'
import { parseYamlDocument } from './yaml-document.js'
import type { YamlDocument } from './yaml-document.js'
import { compileCodeownersPattern, findPatternProblem, type CodeownersPattern } from '../matching/codeowners-pattern.js'
import { describeTimeZoneProblem, type MaintenanceWindow } from '../decision/maintenance-window.js'

/** Users and teams (`@org/team`), lower-cased. */
export interface UsersAndTeams {
  readonly users: readonly string[]
  readonly teams: readonly string[]
}

/**
 * `auto_approve`: a request that meets every condition set needs no approval under the policy. Each
 * condition beside `max_duration` is optional; the explanation says which held and which did not.
 */
export interface AutoApprove {
  readonly maxDurationMs: number
  readonly maxDurationText: string
  /** Only these requesters (by login or team) are auto-approved. */
  readonly requesters?: UsersAndTeams
  /** Only requests whose every account is one of these (or `*`). */
  readonly accounts?: readonly string[]
  /** Only at a time inside one of these windows (at the check, and again at the merge). */
  readonly windows?: readonly MaintenanceWindow[]
}

/** `break_glass`: emergency use without approvals, loud, and reviewed afterwards by the policy's approvals. */
export interface BreakGlass {
  readonly maxDurationMs: number
  readonly maxDurationText: string
  readonly reviewWithinMs: number
  readonly reviewWithinText: string
  /** Break-glass always needs a ticket; when set, it must also match this. */
  readonly ticket?: RegExp
  /** Mentioned and assigned besides the policy's approvers. */
  readonly notify: UsersAndTeams
  /** 1-based line of `break_glass:`. */
  readonly line: number
}

/** Who an approval rule accepts approvals from. */
export type ApprovalSource =
  /** The CODEOWNERS owners of the request file's path: users, and members of owning teams. */
  | { readonly kind: 'codeowners' }
  /** Named users and teams (`@org/team`), logins lower-cased. */
  | { readonly kind: 'principals'; readonly users: readonly string[]; readonly teams: readonly string[] }

export interface ApprovalRule {
  readonly from: ApprovalSource
  /** How many distinct qualifying approvals the rule needs (>= 1). */
  readonly count: number
  /** 1-based line of the rule in the policy file. */
  readonly line: number
}

/** A policy file (`policies/*.yaml`) after parsing and validation. Logins and team names are lower-cased. */
export interface Policy {
  readonly name: string
  readonly description?: string
  /** Path relative to the access repository root (e.g. `policies/prod-ec2.yaml`). */
  readonly file: string
  /** 1-based line of `name:`, for explanations. */
  readonly line: number
  readonly grants: {
    /** 12-digit account ids, or `*`. */
    readonly accounts: readonly string[]
    readonly actions: readonly string[]
    /** 1-based line of each action, by index into `actions`. */
    readonly actionLines: readonly number[]
    /** Defaults to `["*"]`. */
    readonly resources: readonly string[]
    /**
     * Existing Identity Center permission sets grantable by exact name (`grants.permission_sets`); empty
     * when the policy grants none. A set not listed is not grantable.
     */
    readonly permissionSets: readonly string[]
  }
  readonly requesters: { readonly users: readonly string[]; readonly teams: readonly string[] }
  /**
   * Where its request files must live (`request_paths`), compiled with CODEOWNERS' pattern rules;
   * absent: anywhere under `requests/`.
   */
  readonly requestPaths?: readonly CodeownersPattern[]
  readonly maxDurationMs: number
  readonly maxDurationText: string
  /** The request's ticket must match this (compiled with the `u` flag). */
  readonly ticket?: RegExp
  readonly approvals: readonly ApprovalRule[]
  /** When true the PR author's own approval may count. Default false. */
  readonly selfApproval: boolean
  /** Requests within these limits need no approvals. */
  readonly autoApprove?: AutoApprove
  /** Emergency use (`/jit break-glass`), when the policy allows it. */
  readonly breakGlass?: BreakGlass
  /** On revocation, also cut sessions issued before it (issue: revocation). Default false. */
  readonly revokeSessions: boolean
}

const policyValidator = compileDocumentValidator(policySchema, 'policy')

/** Parses and validates one policy file. Cross-file checks (unique names, real actions) are done by the repository loader. */
export function parsePolicy(params: { file: string; text: string }): Parsed<Policy> {
  const { file } = params
  const parsed = parseYamlDocument({ file, text: params.text, what: 'policy file' })
  if (!parsed.ok) return parsed
  const document = parsed.value
  const checked = policyValidator.validate(document)
  if (!checked.ok) return checked
  const raw = checked.value

  const errors: InputError[] = []
  const report = (path: readonly (string | number)[], message: string) => errors.push({ file, line: document.lineOf(path), message })

  for (const [index, resource] of (raw.grants.resources ?? []).entries()) {
    const problem = describeResourceProblem(resource)
    if (problem) report(['grants', 'resources', index], `grants.resources: ${problem}`)
  }
  if (raw.grants.actions === undefined && raw.grants.permission_sets === undefined)
    errors.push({
      file,
      line: document.lineOf(['grants'], 'key'),
      message: 'grants has neither actions nor permission_sets: list the IAM actions or the permission sets this policy grants',
    })
  if (raw.grants.actions === undefined && raw.grants.resources !== undefined)
    report(['grants', 'resources'], 'grants.resources applies to grants.actions, and this policy grants no actions: remove resources')
  const maxDuration = parseDuration(raw.max_duration)
  if (!maxDuration.ok) report(['max_duration'], `max_duration ${maxDuration.message}`)
  let autoApprove: Policy['autoApprove']
  if (raw.auto_approve !== undefined) {
    const text = raw.auto_approve.max_duration
    const limit = parseDuration(text)
    if (!limit.ok) {
      report(['auto_approve', 'max_duration'], `auto_approve.max_duration ${limit.message}`)
    } else if (maxDuration.ok && limit.ms > maxDuration.ms) {
      report(
        ['auto_approve', 'max_duration'],
        `auto_approve.max_duration "${text}" is longer than the policy's max_duration "${raw.max_duration}"`,
      )
    } else {
      const conditions = raw.auto_approve
      const windows = conditions.windows?.map((window, index): MaintenanceWindow => {
        const problem = describeTimeZoneProblem(window.time_zone)
        if (problem) report(['auto_approve', 'windows', index, 'time_zone'], `auto_approve.windows: time_zone ${problem}`)
        return {
          days: [...new Set(window.days)],
          from: window.from,
          to: window.to,
          timeZone: window.time_zone,
          line: document.lineOf(['auto_approve', 'windows', index]),
        }
      })
      autoApprove = {
        maxDurationMs: limit.ms,
        maxDurationText: text,
        ...(conditions.requesters && {
          requesters: { users: lowerCaseAll(conditions.requesters.users ?? []), teams: lowerCaseAll(conditions.requesters.teams ?? []) },
        }),
        ...(conditions.accounts && { accounts: conditions.accounts }),
        ...(windows && { windows }),
      }
    }
  }
  const breakGlass = raw.break_glass === undefined ? undefined : readBreakGlass(raw, maxDuration, document, report)
  const ticket = compileTicketPattern(raw.ticket, report)
  const requestPaths = raw.request_paths?.map((pattern, index) => {
    const problem = findPatternProblem(pattern)
    if (problem) report(['request_paths', index], `request_paths: ${problem}`)
    return compileCodeownersPattern(pattern)
  })
  const approvals = (raw.approvals ?? []).map((rule, index) => readApprovalRule(rule, index, document))
  if (approvals.length === 0 && raw.auto_approve === undefined) {
    errors.push({
      file,
      line: raw.approvals === undefined ? document.lineOf(['name'], 'key') : document.lineOf(['approvals']),
      message: 'the policy has no approval rule: add at least one under `approvals`, or set `auto_approve`',
    })
  }
  if (errors.length > 0 || !maxDuration.ok) return { ok: false, errors }

  const policy: Policy = {
    name: raw.name,
    ...(raw.description !== undefined && { description: raw.description }),
    file,
    line: document.lineOf(['name'], 'key'),
    grants: {
      accounts: raw.grants.accounts,
      actions: raw.grants.actions ?? [],
      actionLines: (raw.grants.actions ?? []).map((_, index) => document.lineOf(['grants', 'actions', index])),
      resources: raw.grants.resources ?? ['*'],
      permissionSets: [...new Set(raw.grants.permission_sets ?? [])],
    },
    requesters: {
      users: lowerCaseAll(raw.requesters.users ?? []),
      teams: lowerCaseAll(raw.requesters.teams ?? []),
    },
    ...(requestPaths !== undefined && { requestPaths }),
    maxDurationMs: maxDuration.ms,
    maxDurationText: raw.max_duration,
    ...(ticket !== undefined && { ticket }),
    approvals,
    selfApproval: raw.self_approval ?? false,
    ...(autoApprove !== undefined && { autoApprove }),
    ...(breakGlass !== undefined && { breakGlass }),
    revokeSessions: raw.revoke_sessions ?? false,
  }
  return { ok: true, value: policy }
}

type Report = (path: readonly (string | number)[], message: string) => void

function readBreakGlass(
  raw: PolicyDocument,
  maxDuration: ReturnType<typeof parseDuration>,
  document: YamlDocument,
  report: Report,
): BreakGlass | undefined {
  const bg = raw.break_glass
  if (bg === undefined) return undefined
  const limit = parseDuration(bg.max_duration)
  const within = parseDuration(bg.review_within)
  if (!limit.ok) report(['break_glass', 'max_duration'], `break_glass.max_duration ${limit.message}`)
  else if (maxDuration.ok && limit.ms > maxDuration.ms)
    report(
      ['break_glass', 'max_duration'],
      `break_glass.max_duration "${bg.max_duration}" is longer than the policy's max_duration "${raw.max_duration}"`,
    )
  if (!within.ok) report(['break_glass', 'review_within'], `break_glass.review_within ${within.message}`)
  const ticket = compileTicketPattern(bg.ticket, (path, message) => report(['break_glass', ...path], `break_glass.${message}`))
  if (!limit.ok || !within.ok) return undefined
  const notify = bg.notify ?? []
  return {
    maxDurationMs: limit.ms,
    maxDurationText: bg.max_duration,
    reviewWithinMs: within.ms,
    reviewWithinText: bg.review_within,
    ...(ticket !== undefined && { ticket }),
    notify: {
      users: lowerCaseAll(notify.filter((entry) => !entry.startsWith('@'))),
      teams: lowerCaseAll(notify.filter((entry) => entry.startsWith('@'))),
    },
    line: document.lineOf(['break_glass'], 'key'),
  }
}

type RawApprovalRule = NonNullable<PolicyDocument['approvals']>[number]

function readApprovalRule(rule: RawApprovalRule, index: number, document: YamlDocument): ApprovalRule {
  const from: ApprovalSource =
    rule.from === 'codeowners'
      ? { kind: 'codeowners' }
      : {
          kind: 'principals',
          users: lowerCaseAll(rule.from.filter((entry) => !entry.startsWith('@'))),
          teams: lowerCaseAll(rule.from.filter((entry) => entry.startsWith('@'))),
        }
  return { from, count: rule.count ?? 1, line: document.lineOf(['approvals', index]) }
}

function compileTicketPattern(pattern: string | undefined, report: Report): RegExp | undefined {
  if (pattern === undefined) return undefined
  try {
    return new RegExp(pattern, 'u')
  } catch (error) {
    const reason = error instanceof SyntaxError ? error.message : String(error)
    report(['ticket'], `ticket ${JSON.stringify(pattern)} is not a valid regular expression: ${reason}`)
    return undefined
  }
}

function lowerCaseAll(names: readonly string[]): string[] {
  return [...new Set(names.map((name) => name.toLowerCase()))]
}
