import type { GitHubApi } from '../../github/github-api.js'
import { commitToBranch } from '../../github/commit-to-branch.js'
import { readLastFullPass } from '../../core/records/full-pass.js'
import { readRecordIds, type RecordSnapshot } from './read-grant-records.js'
import { type ConfirmedRevocation, planRevocationCommit, type RevocationCommitPlan } from './revocation-commit.js'

/** The latest instant a Date holds: any recorded time reads as past against it. */
const LATEST_TIME = new Date(8.64e15)

export interface RevocationCommitResult {
  /** Undefined when nothing was left to record (another sweeper recorded everything first). */
  readonly commitSha: string | undefined
  readonly attempts: number
  readonly recorded: readonly ConfirmedRevocation[]
  /** Revocations another writer recorded first (their record was no longer active at the head). */
  readonly skipped: readonly ConfirmedRevocation[]
}

/**
 * Records confirmed revocations in one commit on `branch`. When the branch is still where the records
 * were read, what was read is what is there; when it moved (a grant merged, another sweeper committed)
 * the ids are read again at the new head, so only records still active are moved and no record is
 * written twice or lost. The commit is built on the head the records were read at, without reading the
 * head again; `expectedHeadOid` is the lock.
 */
export async function commitRevocations(params: {
  api: GitHubApi
  owner: string
  repo: string
  branch: string
  readAt: Pick<RecordSnapshot, 'commitSha' | 'records' | 'revokedIds'> & Partial<Pick<RecordSnapshot, 'intents' | 'unreadableActive'>>
  revocations: readonly ConfirmedRevocation[]
  /** The full reconcile pass's record, committed with the revocations (or alone). */
  fullPass?: NonNullable<Parameters<typeof planRevocationCommit>[0]['fullPass']> & { readonly at: Date }
}): Promise<RevocationCommitResult> {
  const { api, owner, repo, readAt } = params
  let last: RevocationCommitPlan | undefined
  const outcome = await commitToBranch({
    api,
    owner,
    repo,
    branch: params.branch,
    knownHead: { commitSha: readAt.commitSha },
    build: async (head) => {
      const ids =
        head.commitSha === readAt.commitSha
          ? {
              activeIds: new Set([...readAt.records, ...(readAt.unreadableActive ?? [])].map((record) => record.id)),
              revokedIds: readAt.revokedIds,
              pendingIds: new Set((readAt.intents ?? []).map((intent) => intent.id)),
              fullPassText: null,
            }
          : await readRecordIds({ api, owner, repo, commitSha: head.commitSha })
      // Another sweeper that moved the branch may have recorded a full pass as recent as this one: it stands.
      const recorded = readLastFullPass(ids.fullPassText, LATEST_TIME)
      const newer = recorded.kind === 'read' && params.fullPass !== undefined && recorded.at >= params.fullPass.at
      const fullPass = newer ? undefined : params.fullPass
      last = planRevocationCommit({ revocations: params.revocations, ...ids, ...(fullPass ? { fullPass } : {}) })
      return last?.plan
    },
  })
  if (!outcome.committed || !last) return { commitSha: undefined, attempts: outcome.attempts, recorded: [], skipped: params.revocations }
  return { commitSha: outcome.commitSha, attempts: outcome.attempts, recorded: last.recorded, skipped: last.skipped }
}
