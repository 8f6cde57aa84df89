import { backendFor, type JitSettings } from '../files/settings.js'
import type { InventoryRequest } from '../ports/cloud-provider.js'

/**
 * The principals a full reconcile pass looks through. A pattern is a principal ARN with `*` where a
 * login goes: what the settings' `principal` template (and each per-login override) can become in one
 * account, e.g. `arn:aws:iam::111111111111:role/jit-*`.
 */
export interface PrincipalPattern {
  readonly kind: 'role' | 'user'
  readonly account: string
  /** The longest IAM path every match starts with, for `ListRoles`/`ListUsers` `PathPrefix` (at least `/`). */
  readonly pathPrefix: string
  /** Whether an ARN IAM listed is one this pattern stands for (IAM names ignore case). */
  readonly matches: (arn: string) => boolean
}

/** What `{login}` can be: a GitHub login, lower-cased (letters, digits, hyphens; at most 39). */
const LOGIN_CHARACTERS = '[a-z0-9-]{1,39}'

/** Reads a pattern; undefined when it is not an IAM role or user ARN pattern (then nothing is listed for it). */
export function parsePrincipalPattern(pattern: string): PrincipalPattern | undefined {
  const match = /^arn:aws[a-z-]*:iam::(\d{12}):(role|user)(\/.*)$/u.exec(pattern)
  if (!match) return undefined
  const [, account, kind, resource] = match as unknown as [string, string, 'role' | 'user', string]
  const star = resource.indexOf('*')
  const fixed = star === -1 ? resource : resource.slice(0, star)
  const pathPrefix = fixed.slice(0, fixed.lastIndexOf('/') + 1)
  const source = pattern
    .split('*')
    .map((part) => part.replace(/[.*+?^${}()|[\]\\]/gu, '\\$&'))
    .join(LOGIN_CHARACTERS)
  const regex = new RegExp(`^${source}$`, 'iu')
  return { kind, account, pathPrefix, matches: (arn) => regex.test(arn) }
}

/**
 * The patterns of a full pass per account: in each account the policies name (and those records name,
 * whose grants may still be live), the `principal` template and every override with `{account}` filled
 * in and `{login}` as `*`. An Identity Center account gets none: its backend lists the instance.
 */
export function planInventoryRequest(params: {
  namespace: string
  settings: Pick<JitSettings, 'backend' | 'accountBackends' | 'principal' | 'principalOverrides'>
  /** 12-digit account ids named by the policies, records and settings; anything else (`*`) is skipped. */
  accounts: Iterable<string>
}): InventoryRequest {
  const { settings } = params
  const templates = [...new Set([settings.principal, ...Object.values(settings.principalOverrides)])]
  const accounts: Record<string, readonly string[]> = {}
  for (const account of [...new Set(params.accounts)].filter((id) => /^\d{12}$/u.test(id)).sort()) {
    accounts[account] =
      backendFor(settings, account) === 'identity_center'
        ? []
        : [...new Set(templates.map((template) => template.replaceAll('{account}', account).replaceAll('{login}', '*')))]
  }
  return { namespace: params.namespace, accounts }
}
