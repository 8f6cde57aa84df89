import type { InputError, Parsed } from './input-error.js'

/** One `access` entry of a request file, after parsing (resources defaulted to `["*"]`). */
export interface AccessEntry {
  /** 12-digit AWS account id. */
  readonly account: string
  /** IAM action names or patterns as written (e.g. `ec2:StopInstances`, `ec2:Describe*`). */
  readonly actions: readonly string[]
  /** Resource ARNs or patterns as written; `["*"]` when the file omits them. */
  readonly resources: readonly string[]
  /** 1-based line of this entry in the request file, for explanations and annotations. */
  readonly line: number
}

/** A request file (`requests/**.yaml`) after parsing and schema validation. */
export interface AccessRequest {
  /** Path relative to the access repository root. */
  readonly file: string
  readonly reason: string
  readonly ticket?: string
  /** The duration as the user wrote it (`2h`, `PT2H`). */
  readonly durationText: string
  readonly durationMs: number
  /** Requested start; absent means "when granted". */
  readonly start?: Date
  /** Request id of an active grant this request extends (e.g. `pr-42`). */
  readonly extends?: string
  readonly access: readonly AccessEntry[]
}

/** One (account, action, resource) triple: the unit the decision engine covers with a policy. */
export interface RequestItem {
  readonly account: string
  readonly action: string
  readonly resource: string
  /** Line of the `access` entry this item came from. */
  readonly line: number
}

/**
 * Parses and validates a request file (YAML text). Structural checks only: schema, duration bounds,
 * account ids. Checks that need the outside world (unknown actions, a start in the past) are made by
 * the decision engine, which knows the action catalogue and the clock.
 */
export declare function parseAccessRequest(params: { file: string; text: string }): Parsed<AccessRequest>

/** Splits a request into items, one per (account, action, resource). */
export declare function listRequestItems(request: AccessRequest): RequestItem[]

export type { InputError }
