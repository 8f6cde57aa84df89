import type { Parsed } from './input-error.js'

/** `.github/jit.yml`: how GitHub logins map to AWS, and operational settings. All optional. */
export interface JitSettings {
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
}

export const DEFAULT_SETTINGS: JitSettings = {
  principal: 'arn:aws:iam::{account}:role/jit-{login}',
  principalOverrides: {},
  granterRole: 'arn:aws:iam::{account}:role/jit-granter',
  sweepIntervalMs: 5 * 60_000,
  pendingMaxAgeMs: 7 * 24 * 3_600_000,
}

/** Parses `.github/jit.yml`; missing keys take DEFAULT_SETTINGS. */
export declare function parseSettings(params: { file: string; text: string }): Parsed<JitSettings>

/** Substitutes `{account}` and `{login}` in the principal template (override first). */
export declare function principalFor(settings: JitSettings, params: { account: string; login: string }): string
