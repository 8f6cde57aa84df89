import { parseDuration } from './duration.js'
import type { InputError, Parsed } from './input-error.js'
import { compileDocumentValidator } from './schemas/document-validator.js'
import { settingsSchema, type SettingsDocument } from './schemas/settings-schema.js'
import { parseYamlDocument, type DocumentPath, type YamlDocument } from './yaml-document.js'
import type { NotificationEventType } from '../notifications/notification-event.js'

/** Where notifications go: a Slack incoming webhook, or a generic webhook of signed CloudEvents. */
export type NotificationSink =
  | { readonly kind: 'slack'; readonly name: string; readonly urlEnv: string; readonly events: ReadonlySet<NotificationEventType> }
  | {
      readonly kind: 'webhook'
      readonly name: string
      readonly urlEnv: string
      /** The environment variable holding the HMAC-SHA256 key. */
      readonly secretEnv: string
      readonly events: ReadonlySet<NotificationEventType>
    }

/** Where a grant is written: an inline IAM policy on a role or user, or an IAM Identity Center permission set. */
export type CloudBackend = 'iam' | 'identity_center'

/** The Identity Center instance that grants in the accounts whose backend is `identity_center`. */
export interface IdentityCenterSettings {
  readonly instanceArn: string
  readonly identityStoreId: string
  readonly region: string
  /** The role (in the management or delegated administrator account) the app assumes to call SSO Admin and the Identity Store. */
  readonly granterRole: string
  /** Template of a login's Identity Center user name; `{login}` (lower-cased) is substituted. */
  readonly userName: string
  /** Per-login overrides (login lower-cased). */
  readonly userOverrides: Readonly<Record<string, string>>
  /** `max_accounts`: the accounts one request may assign its permission set in (the parser always sets it; unset means the default). */
  readonly maxAccounts?: number
}

/** `identity_center.max_accounts` when unset: Identity Center's outstanding `CreateAccountAssignment` requests. */
export const DEFAULT_IDENTITY_CENTER_MAX_ACCOUNTS = 10

/** `.github/jit.yml`: how GitHub logins map to AWS, and operational settings. All optional. */
export interface JitSettings {
  /** The backend of every account not named in `accountBackends`. Default `iam`. */
  readonly backend: CloudBackend
  /** Per-account overrides of `backend`, by account id. */
  readonly accountBackends: Readonly<Record<string, CloudBackend>>
  /** Required when any account's backend is `identity_center`. */
  readonly identityCenter: IdentityCenterSettings | null
  /** ARN template of the principal that receives a grant; `{account}` and `{login}` are substituted. */
  readonly principal: string
  /** Per-login overrides of `principal` (login lower-cased), same placeholders. */
  readonly principalOverrides: Readonly<Record<string, string>>
  /** ARN template of the role the app assumes in the target account to write IAM policies. */
  readonly granterRole: string
  /** How often the in-app sweeper runs. Default 5 minutes. */
  readonly sweepIntervalMs: number
  /** Request PRs left unapproved longer than this are closed. Default 7 days. */
  readonly pendingMaxAgeMs: number
  /** How far ahead of the evaluation a request's `start` may be. Default 30 days. */
  readonly maxStartAheadMs: number
  /** `max_start_ahead` as written, for messages. */
  readonly maxStartAheadText: string
  /** `audit.app_login`: the app's bot login, whose commits alone `jit audit` believes. */
  readonly auditAppLogin?: string
  /** How long a pending request waits before (and between) the sweep's reminders. Default 4 hours. */
  readonly remindAfterMs: number
  /** Where notifications go, and which events each sink wants (none by default). */
  readonly notifications: readonly NotificationSink[]
  /** `reconcile.full_every`: how often the sweep lists every principal the settings can map to. Default 1 day. */
  readonly fullReconcileEveryMs: number
}

export const DEFAULT_SETTINGS: JitSettings = {
  backend: 'iam',
  accountBackends: {},
  identityCenter: null,
  principal: 'arn:aws:iam::{account}:role/jit-{login}',
  principalOverrides: {},
  granterRole: 'arn:aws:iam::{account}:role/jit-granter',
  sweepIntervalMs: 5 * 60_000,
  pendingMaxAgeMs: 7 * 24 * 3_600_000,
  maxStartAheadMs: 30 * 24 * 3_600_000,
  maxStartAheadText: '30d',
  remindAfterMs: 4 * 3_600_000,
  notifications: [],
  fullReconcileEveryMs: 24 * 3_600_000,
}

const settingsValidator = compileDocumentValidator(settingsSchema, 'settings')

const MINUTE_MS = 60_000
const SWEEP_INTERVAL_BOUNDS = { minMs: MINUTE_MS, maxMs: 24 * 60 * MINUTE_MS }
const PENDING_MAX_AGE_BOUNDS = { minMs: 60 * MINUTE_MS, maxMs: 90 * 24 * 60 * MINUTE_MS }
const MAX_START_AHEAD_BOUNDS = { minMs: 60 * MINUTE_MS, maxMs: 365 * 24 * 60 * MINUTE_MS }
const REMIND_AFTER_BOUNDS = { minMs: 60 * MINUTE_MS, maxMs: 30 * 24 * 60 * MINUTE_MS }
const FULL_RECONCILE_BOUNDS = { minMs: 60 * MINUTE_MS, maxMs: 30 * 24 * 60 * MINUTE_MS }
const UNKNOWN_PLACEHOLDER = /\{(?!account\}|login\})[^}]*\}/
const NOT_LOGIN_PLACEHOLDER = /\{(?!login\})[^}]*\}/

/** Parses `.github/jit.yml`; missing keys take DEFAULT_SETTINGS. An empty file means all defaults. */
export function parseSettings(params: { file: string; text: string }): Parsed<JitSettings> {
  const { file } = params
  const parsed = parseYamlDocument({ file, text: params.text, what: 'settings file', allowEmpty: true })
  if (!parsed.ok) return parsed
  const document = parsed.value
  // Before the schema: its "unknown key url" would not say why a URL or secret must not be here.
  const leaks = findWrittenSecrets(document)
  if (leaks.length > 0) return { ok: false, errors: leaks }
  const checked = settingsValidator.validate(document)
  if (!checked.ok) return checked
  const raw = checked.value

  const errors: InputError[] = []
  const report = (path: DocumentPath, message: string, which: 'key' | 'value' = 'value') =>
    errors.push({ file, line: document.lineOf(path, which), message })

  const checkPlaceholders = (path: readonly string[], name: string, template: string) => {
    const unknown = UNKNOWN_PLACEHOLDER.exec(template)
    if (unknown) report(path, `${name} uses the unknown placeholder ${unknown[0]}: only {account} and {login} are substituted`)
  }
  if (raw.principal !== undefined) checkPlaceholders(['principal'], 'principal', raw.principal)
  if (raw.granter_role !== undefined) checkPlaceholders(['granter_role'], 'granter_role', raw.granter_role)

  const principalOverrides: Record<string, string> = {}
  const firstSpelling = new Map<string, string>()
  for (const [written, template] of Object.entries(raw.principals ?? {})) {
    const login = written.toLowerCase()
    checkPlaceholders(['principals', written], `principals.${written}`, template)
    const earlier = firstSpelling.get(login)
    if (earlier !== undefined) {
      report(['principals', written], `principals has "${earlier}" and "${written}", the same GitHub login`, 'key')
      continue
    }
    firstSpelling.set(login, written)
    principalOverrides[login] = template
  }

  const identityCenter = readIdentityCenter(raw.identity_center, report)
  const accountBackends: Record<string, CloudBackend> = {}
  for (const [account, override] of Object.entries(raw.accounts ?? {})) accountBackends[account] = override.backend
  if (identityCenter === null) {
    if (raw.backend === 'identity_center') {
      report(
        ['backend'],
        'backend is identity_center but there is no identity_center section: add its instance_arn, identity_store_id, region, granter_role and user_name',
      )
    }
    for (const [account, override] of Object.entries(raw.accounts ?? {})) {
      if (override.backend === 'identity_center') {
        report(
          ['accounts', account, 'backend'],
          `account ${account} uses identity_center but there is no identity_center section: add its instance_arn, identity_store_id, region, granter_role and user_name`,
        )
      }
    }
  }

  const readInterval = (
    key: 'sweep_interval' | 'pending_max_age' | 'max_start_ahead' | 'remind_after',
    bounds: { minMs: number; maxMs: number },
    fallback: number,
  ) => {
    const text = raw[key]
    if (text === undefined) return fallback
    const duration = parseDuration(text, bounds)
    if (duration.ok) return duration.ms
    report([key], `${key} ${duration.message}`)
    return fallback
  }
  const sweepIntervalMs = readInterval('sweep_interval', SWEEP_INTERVAL_BOUNDS, DEFAULT_SETTINGS.sweepIntervalMs)
  const pendingMaxAgeMs = readInterval('pending_max_age', PENDING_MAX_AGE_BOUNDS, DEFAULT_SETTINGS.pendingMaxAgeMs)
  const maxStartAheadMs = readInterval('max_start_ahead', MAX_START_AHEAD_BOUNDS, DEFAULT_SETTINGS.maxStartAheadMs)
  const remindAfterMs = readInterval('remind_after', REMIND_AFTER_BOUNDS, DEFAULT_SETTINGS.remindAfterMs)
  let fullReconcileEveryMs = DEFAULT_SETTINGS.fullReconcileEveryMs
  const fullEvery = raw.reconcile?.full_every
  if (fullEvery !== undefined) {
    const duration = parseDuration(fullEvery, FULL_RECONCILE_BOUNDS)
    if (duration.ok) fullReconcileEveryMs = duration.ms
    else report(['reconcile', 'full_every'], `reconcile.full_every ${duration.message}`)
  }

  const notifications: NotificationSink[] = []
  for (const [index, sink] of (raw.notifications ?? []).entries()) {
    const name = sink.name ?? `${sink.type}-${index + 1}`
    const path = ['notifications', index]
    if (notifications.some((other) => other.name === name)) report([...path, 'name'], `notifications has two sinks named ${name}`)
    const events = new Set(sink.events)
    if (sink.type === 'slack') {
      if (sink.secret_env !== undefined)
        report([...path, 'secret_env'], 'secret_env is for webhook sinks: a Slack incoming webhook is not signed', 'key')
      notifications.push({ kind: 'slack', name, urlEnv: sink.url_env, events })
    } else if (sink.secret_env === undefined) {
      report(
        path,
        `a webhook sink needs secret_env (the environment variable holding the HMAC key): receivers verify every delivery with it`,
      )
    } else {
      notifications.push({ kind: 'webhook', name, urlEnv: sink.url_env, secretEnv: sink.secret_env, events })
    }
  }
  if (errors.length > 0) return { ok: false, errors }

  return {
    ok: true,
    value: {
      backend: raw.backend ?? DEFAULT_SETTINGS.backend,
      accountBackends,
      identityCenter,
      principal: raw.principal ?? DEFAULT_SETTINGS.principal,
      principalOverrides,
      granterRole: raw.granter_role ?? DEFAULT_SETTINGS.granterRole,
      sweepIntervalMs,
      pendingMaxAgeMs,
      maxStartAheadMs,
      maxStartAheadText: raw.max_start_ahead ?? DEFAULT_SETTINGS.maxStartAheadText,
      ...(raw.audit?.app_login !== undefined ? { auditAppLogin: raw.audit.app_login } : {}),
      remindAfterMs,
      notifications,
      fullReconcileEveryMs,
    },
  }
}

function readIdentityCenter(
  raw: SettingsDocument['identity_center'],
  report: (path: readonly string[], message: string, which?: 'key' | 'value') => void,
): IdentityCenterSettings | null {
  if (raw === undefined) return null
  const checkUserName = (path: readonly string[], name: string, template: string) => {
    const unknown = NOT_LOGIN_PLACEHOLDER.exec(template)
    if (unknown) report(path, `${name} uses the unknown placeholder ${unknown[0]}: only {login} is substituted`)
  }
  checkUserName(['identity_center', 'user_name'], 'identity_center.user_name', raw.user_name)
  const userOverrides: Record<string, string> = {}
  for (const [written, userName] of Object.entries(raw.users ?? {})) {
    const login = written.toLowerCase()
    checkUserName(['identity_center', 'users', written], `identity_center.users.${written}`, userName)
    if (Object.hasOwn(userOverrides, login)) {
      report(['identity_center', 'users', written], `identity_center.users names "${written}" twice (GitHub logins ignore case)`, 'key')
      continue
    }
    userOverrides[login] = userName
  }
  return {
    instanceArn: raw.instance_arn,
    identityStoreId: raw.identity_store_id,
    region: raw.region,
    granterRole: raw.granter_role,
    userName: raw.user_name,
    userOverrides,
    maxAccounts: raw.max_accounts ?? DEFAULT_IDENTITY_CENTER_MAX_ACCOUNTS,
  }
}

/** The backend that grants in an account: its override in `accounts`, else `backend`. */
export function backendFor(settings: Pick<JitSettings, 'backend' | 'accountBackends'>, account: string): CloudBackend {
  return Object.hasOwn(settings.accountBackends, account) ? settings.accountBackends[account]! : settings.backend
}

/** Whether any account's backend is `identity_center` (the default, or an override in `accounts`). */
export function usesIdentityCenter(settings: Partial<Pick<JitSettings, 'backend' | 'accountBackends'>>): boolean {
  return settings.backend === 'identity_center' || Object.values(settings.accountBackends ?? {}).includes('identity_center')
}

/**
 * How an Identity Center user is named where an IAM backend names an ARN (in plans, records and
 * comments): `identity-center-user:<user name>`. The user's id is looked up in the Identity Store when granting.
 */
export const IDENTITY_CENTER_PRINCIPAL_PREFIX = 'identity-center-user:'

/** The Identity Center user name of a login (override first, login lower-cased). */
export function identityCenterUserNameFor(identityCenter: IdentityCenterSettings, login: string): string {
  const lower = login.toLowerCase()
  const template = Object.hasOwn(identityCenter.userOverrides, lower) ? identityCenter.userOverrides[lower]! : identityCenter.userName
  return template.replaceAll('{login}', lower)
}

/** The user name in an `identity-center-user:` principal, or undefined for any other principal. */
export function parseIdentityCenterPrincipal(principal: string): string | undefined {
  return principal.startsWith(IDENTITY_CENTER_PRINCIPAL_PREFIX) ? principal.slice(IDENTITY_CENTER_PRINCIPAL_PREFIX.length) : undefined
}

/**
 * Who receives a grant in an account. For an IAM account, `{account}` and `{login}` substituted in the
 * principal template (override first); for an Identity Center account, `identity-center-user:<user name>`.
 * The login is lower-cased, as GitHub logins are case-insensitive and the principal must be the same
 * however it was typed.
 */
export function principalFor(settings: JitSettings, params: { account: string; login: string }): string {
  const login = params.login.toLowerCase()
  if (backendFor(settings, params.account) === 'identity_center' && settings.identityCenter) {
    return IDENTITY_CENTER_PRINCIPAL_PREFIX + identityCenterUserNameFor(settings.identityCenter, login)
  }
  const template = Object.hasOwn(settings.principalOverrides, login) ? settings.principalOverrides[login]! : settings.principal
  return template.replaceAll('{account}', params.account).replaceAll('{login}', login)
}

/**
 * The settings a workflow acts on when `.github/jit.yml` may be missing or broken: the file's settings,
 * else the defaults, with the problem in words (`.github/jit.yml does not parse (line 2: ...)`) for the
 * caller to report where its user looks.
 */
export function readSettingsOrDefaults(text: string | null): { readonly settings: JitSettings; readonly problem?: string } {
  if (text === null) return { settings: DEFAULT_SETTINGS }
  const parsed = parseSettings({ file: '.github/jit.yml', text })
  if (parsed.ok) return { settings: parsed.value }
  const errors = parsed.errors.map((error) => `line ${error.line}: ${error.message}`).join('; ')
  return { settings: DEFAULT_SETTINGS, problem: `.github/jit.yml does not parse (${errors})` }
}

/** Keys that would hold a URL or secret itself, where only the name of an environment variable belongs. */
const SECRET_KEYS = new Set(['url', 'webhook_url', 'webhook', 'secret', 'token', 'key', 'hmac_key', 'signing_secret'])
/** Values that are a URL or a Slack token, whatever key they sit under. */
const SECRET_VALUE = /^(?:[a-z][a-z0-9+.-]*:\/\/|xox[a-z]-)/iu

/**
 * `.github/jit.yml` is readable by everyone who can read the repository, and its history keeps whatever
 * was ever in it: a webhook URL (which is a credential for Slack) or an HMAC key written there is an
 * error at its line, naming what to write instead.
 */
function findWrittenSecrets(document: YamlDocument): InputError[] {
  const root = document.value as { notifications?: unknown } | null
  const sinks = root && typeof root === 'object' && Array.isArray(root.notifications) ? (root.notifications as unknown[]) : []
  const errors: InputError[] = []
  for (const [index, sink] of sinks.entries()) {
    if (!sink || typeof sink !== 'object') continue
    for (const [key, value] of Object.entries(sink)) {
      const path = ['notifications', index, key]
      if (SECRET_KEYS.has(key.toLowerCase())) {
        errors.push({
          file: document.file,
          line: document.lineOf(path, 'key'),
          message: `notifications: ${key} would put a URL or secret in the repository, where everyone who can read it (and its history) sees it; put it in an environment variable of the app and name that variable with url_env or secret_env`,
        })
      } else if (typeof value === 'string' && SECRET_VALUE.test(value.trim())) {
        errors.push({
          file: document.file,
          line: document.lineOf(path),
          message: `notifications: ${key} holds a URL or token, which must never be written in the repository; put it in an environment variable of the app and write that variable's name here (e.g. JIT_SLACK_WEBHOOK_URL)`,
        })
      }
    }
  }
  return errors
}
