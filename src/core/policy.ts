import type { Parsed } from './input-error.js'

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
    /** Defaults to `["*"]`. */
    readonly resources: readonly string[]
  }
  readonly requesters: { readonly users: readonly string[]; readonly teams: readonly string[] }
  readonly maxDurationMs: number
  readonly maxDurationText: string
  /** The request's ticket must match this (compiled with the `u` flag). */
  readonly ticket?: RegExp
  readonly approvals: readonly ApprovalRule[]
  /** When true the PR author's own approval may count. Default false. */
  readonly selfApproval: boolean
  /** Requests within these limits need no approvals. */
  readonly autoApprove?: { readonly maxDurationMs: number; readonly maxDurationText: string }
  /** On revocation, also cut sessions issued before it (issue: revocation). Default false. */
  readonly revokeSessions: boolean
}

/** Parses and validates one policy file. Cross-file checks (unique names, real actions) are done by the repository loader. */
export declare function parsePolicy(params: { file: string; text: string }): Parsed<Policy>
