/**
 * What `jit audit verify` flags, each in an auditor's words. Kinds, in the order they are listed:
 * - `record-not-by-app`: a record written by a commit that is not the app's (identity or trailers);
 * - `record-edited`: a record changed after the app wrote it; `record-removed`: deleted by someone else;
 * - `unreadable-record`: a record file that does not parse as a record;
 * - `trailer-mismatch`: the app's commit trailers disagree with the record it wrote;
 * - `active-past-expiry`: still recorded active past its expiry plus the grace (the sweep is not running);
 * - `late-revocation`: revoked as expired, but later than its expiry plus the grace;
 * - `no-end`: an intent never completed nor undone, past its expiry plus the grace;
 * - `break-glass-unreviewed`: a grant taken by break-glass whose review is past due and not recorded;
 * - `refused-merge`: a request merged without approval (an admin merge), so nothing was granted;
 * - `orphan`: a policy the sweep found in AWS with no record, and deleted;
 * - `rules-changed`: policies, CODEOWNERS or settings changed, with who committed the change.
 */
export type AnomalyKind =
  | 'record-not-by-app'
  | 'record-edited'
  | 'record-removed'
  | 'unreadable-record'
  | 'trailer-mismatch'
  | 'active-past-expiry'
  | 'late-revocation'
  | 'no-end'
  | 'break-glass-unreviewed'
  | 'refused-merge'
  | 'orphan'
  | 'rules-changed'

export interface Anomaly {
  readonly kind: AnomalyKind
  /** When it happened (the commit's date), or for a state found now, when it became wrong. */
  readonly at: string
  readonly commit: string | null
  /** The request id it concerns, if any. */
  readonly id: string | null
  readonly path: string | null
  /** One line an auditor reads. Quotes what people wrote as plain text; escape it where it is shown. */
  readonly message: string
}
