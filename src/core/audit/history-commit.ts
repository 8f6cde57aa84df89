import type { CommitIdentity } from '../records/judge-record-authorship.js'

/** One file a commit changed, as `git log --raw` lists it against the commit's first parent. */
export interface HistoryChange {
  readonly path: string
  /** `A` added, `M` modified, `D` deleted, `T` type changed. */
  readonly status: string
  /** The blob before the commit; null when the commit added the file. */
  readonly oldBlob: string | null
  /** The blob after the commit; null when the commit deleted the file. */
  readonly newBlob: string | null
  /** The new blob's text, for record files only (`grants/**.yaml`); undefined otherwise or when deleted. */
  readonly text?: string
}

/** One commit of the default branch's first-parent history that touched records or rules, oldest first. */
export interface HistoryCommit {
  readonly sha: string
  readonly parents: readonly string[]
  readonly author: CommitIdentity
  readonly committer: CommitIdentity
  /** Committer date, ISO 8601. */
  readonly committedAt: string
  readonly message: string
  readonly changes: readonly HistoryChange[]
}

/** The paths the audit reads: records, policies, CODEOWNERS and settings (what `git log` is limited to). */
export const AUDITED_PATHS = ['grants', 'policies', '.github/CODEOWNERS', 'CODEOWNERS', 'docs/CODEOWNERS', '.github/jit.yml'] as const

/** Whether the audit looks at changes to `path`: records, policies, CODEOWNERS and settings (AUDITED_PATHS). */
export function isAuditedPath(path: string): boolean {
  return AUDITED_PATHS.some((audited) => path === audited || path.startsWith(`${audited}/`))
}

/** Whether a path holds a record whose text the audit reads. */
export function isRecordFile(path: string): boolean {
  return /^grants\/[^/]+\/[^/]+\.yaml$/u.test(path)
}

/** Whether a path is one of the rules a decision reads (policies, CODEOWNERS, settings). */
export function isRulesFile(path: string): boolean {
  return (
    path.startsWith('policies/') || path === '.github/jit.yml' || ['.github/CODEOWNERS', 'CODEOWNERS', 'docs/CODEOWNERS'].includes(path)
  )
}

/** `2026-03-01T09:00:00Z` (milliseconds only when not zero): an instant as the records write it. */
export function formatInstant(ms: number): string {
  return new Date(ms).toISOString().replace(/\.000Z$/u, 'Z')
}
