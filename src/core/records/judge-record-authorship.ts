import { toPlainLine } from '../text/inert-text.js'
import { shortSha } from '../text/short-sha.js'

/** Who GitHub says made a commit (name and e-mail as the commit carries them). */
export interface CommitIdentity {
  readonly name: string
  readonly email: string
}

/** One commit of a record path's history (newest first), as `history(path:)` returns it. */
export interface RecordPathCommit {
  readonly sha: string
  readonly message: string
  readonly author: CommitIdentity | null
  readonly committer: CommitIdentity | null
  /** GitHub says the commit carries a valid signature made by GitHub itself (`signature.wasSignedByGitHub`). */
  readonly signedByGitHub: boolean
  /** The record's blob in this commit; null when the commit deleted it. */
  readonly blobSha: string | null
}

/** Whether the record at a path is the one the app last wrote there, and if not, what the app wrote. */
export type RecordAuthorship =
  | { readonly kind: 'app' }
  | {
      readonly kind: 'tampered'
      /** The newest commit that touched the path and is not the app's. */
      readonly commitSha: string | null
      /** Who made it, as its author field says (a person may have written anything there). */
      readonly by: string
      /** The app's newest commit of the path that wrote it, whose blob is the record to act on; null: the app never wrote it. */
      readonly appCommitSha: string | null
      readonly explanation: string
    }

/** Who GitHub names as the committer of the commits it makes and signs (createCommitOnBranch, web edits). */
export const GITHUB_COMMITTER: CommitIdentity = { name: 'GitHub', email: 'noreply@github.com' }

/**
 * True when a commit is one the app made for request `id`: its message carries the app's trailers,
 * `Jit-Request: <id>` and a `Jit-Action:`; and, when the app's login is known, GitHub vouches for it: its
 * author is the app's bot (`<slug>[bot]`, by name or by its noreply e-mail), its committer the bot or
 * GitHub (`GitHub <noreply@github.com>`, what `createCommitOnBranch` records), and GitHub signed it.
 * Author and committer are whatever a pusher wrote; GitHub's signature is what a pusher cannot forge, and
 * GitHub signs an installation's API commits only with the bot as author.
 */
export function isAppRecordCommit(commit: RecordPathCommit, id: string, appLogin: string | undefined): boolean {
  const trailers = commit.message.split('\n').map((line) => line.trim())
  if (!trailers.includes(`Jit-Request: ${id}`) || !trailers.some((line) => /^Jit-Action: \S+$/u.test(line))) return false
  if (appLogin === undefined) return true
  return (
    commit.signedByGitHub &&
    isAppIdentity(commit.author, appLogin) &&
    (isAppIdentity(commit.committer, appLogin) || isGitHubIdentity(commit.committer))
  )
}

function isAppIdentity(identity: CommitIdentity | null, appLogin: string): boolean {
  if (identity === null) return false
  const login = appLogin.toLowerCase()
  return identity.name.toLowerCase() === login || identity.email.toLowerCase().endsWith(`+${login}@users.noreply.github.com`)
}

function isGitHubIdentity(identity: CommitIdentity | null): boolean {
  return identity !== null && identity.name === GITHUB_COMMITTER.name && identity.email.toLowerCase() === GITHUB_COMMITTER.email
}

/**
 * Judges the record at `path` (request `id`) from its blob at the branch head and the path's history:
 * it is the app's when its blob is the blob of the newest commit by the app that touched the path (a
 * person's edit undone to the letter is the app's record again). Otherwise it was tampered with: the
 * judgement names the newest commit that is not the app's and the app's own last version, if any.
 */
export function judgeRecordAuthorship(params: {
  path: string
  id: string
  currentBlobSha: string | null
  /** Newest first. */
  history: readonly RecordPathCommit[]
  appLogin: string | undefined
}): RecordAuthorship {
  const { path, id, history, appLogin } = params
  const appCommit = history.find((commit) => isAppRecordCommit(commit, id, appLogin))
  if (appCommit !== undefined && appCommit.blobSha !== null && appCommit.blobSha === params.currentBlobSha) return { kind: 'app' }
  const other = history.find((commit) => !isAppRecordCommit(commit, id, appLogin))
  // A commit's author name is whatever its pusher wrote: shown as one plain line, never trusted.
  const by = other?.author ? toPlainLine(other.author.name) : 'someone'
  const at = other ? ` in ${shortSha(other.sha)}` : ''
  if (appCommit === undefined || appCommit.blobSha === null)
    return {
      kind: 'tampered',
      commitSha: other?.sha ?? null,
      by,
      appCommitSha: null,
      explanation: `${path} was not written by the app (last changed by ${by}${at}); it is not obeyed`,
    }
  return {
    kind: 'tampered',
    commitSha: other?.sha ?? null,
    by,
    appCommitSha: appCommit.sha,
    explanation: `${path} was changed by ${by}${at} after the app wrote it in ${shortSha(appCommit.sha)}; the app acts on its own record`,
  }
}
