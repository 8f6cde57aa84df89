import type { RevocationReason } from '../records/grant-record.js'

/** How a grant's story ended, or that it has not. */
export type GrantOutcome =
  | { readonly kind: 'granting' }
  | { readonly kind: 'active' }
  | {
      readonly kind: 'revoked'
      readonly reason: RevocationReason
      readonly at: string
      readonly by: string
      readonly whileGranting: boolean
    }
  | { readonly kind: 'refused'; readonly at: string; readonly verdict: string; readonly summary: string }
  | { readonly kind: 'failed'; readonly at: string; readonly error: string }

/** One commit that wrote a record of the grant (the app's own only: others are anomalies). */
export interface RecordCommit {
  readonly sha: string
  readonly at: string
  /** The record's state in that commit: `granting`, `active`, `revoked`, `refused` or `failed`. */
  readonly state: string
}

export interface GrantTargetSummary {
  readonly account: string
  readonly principal: string
  readonly actions: readonly string[]
  readonly resources: readonly string[]
  /** Identity Center: the curated permission set granted (copied) instead of actions. */
  readonly permissionSet?: string
}

/**
 * One request's history as the app's records tell it: who asked, who approved (with review ids), why,
 * what, the window, and how it ended. Built from the app's own record commits only.
 */
export interface GrantHistory {
  readonly id: string
  readonly requester: string
  readonly reason: string
  readonly ticket: string | null
  readonly approvals: readonly { readonly login: string; readonly reviewId: number | null; readonly submittedAt: string }[]
  readonly policies: readonly string[]
  readonly targets: readonly GrantTargetSummary[]
  /** The window; null for a refusal (nothing was granted, no window was set). */
  readonly notBefore: string | null
  readonly expiresAt: string | null
  readonly grantedAt: string | null
  readonly dryRun: boolean
  readonly pullRequest: {
    readonly number: number
    readonly url: string
    readonly mergeCommit: string | null
    readonly mergedBy: string | null
  }
  readonly outcome: GrantOutcome
  readonly recordCommits: readonly RecordCommit[]
  /** Set for a grant made by break-glass: who broke the glass, when its review is due, and the review once recorded. */
  readonly breakGlass: {
    readonly invokedBy: string
    readonly reviewDue: string
    readonly reviewedAt: string | null
    readonly reviewedBy: readonly string[]
  } | null
}

/** The accounts of a grant, each once, in the order its targets name them. */
export function accountsOf(grant: GrantHistory): string[] {
  return [...new Set(grant.targets.map((target) => target.account))]
}

/** When the grant stopped being usable: its revocation, else its expiry (null when there is no window). */
export function endOf(grant: GrantHistory): string | null {
  if (grant.outcome.kind === 'revoked') {
    if (grant.expiresAt !== null && Date.parse(grant.expiresAt) < Date.parse(grant.outcome.at)) return grant.expiresAt
    return grant.outcome.at
  }
  if (grant.outcome.kind === 'refused' || grant.outcome.kind === 'failed') return grant.outcome.at
  return grant.expiresAt
}

/** One word for the outcome as an auditor filters on it: `expired`, `early`, `orphan`, `superseded`, `refused`, `failed`, `active`, `granting`. */
export function describeOutcome(outcome: GrantOutcome): string {
  return outcome.kind === 'revoked' ? outcome.reason : outcome.kind
}
