import type { Notifier } from '../../core/ports/notifier.js'
import type { ActionCatalogue } from '../../core/matching/action-catalogue.js'
import type { CloudProvider } from '../../core/ports/cloud-provider.js'
import type { Logger } from '../../core/ports/logger.js'
import type { RecordState } from '../../core/records/grant-record.js'
import type { UnrecordedMerge } from '../../core/records/reconcile.js'
import type { JitSettings } from '../../core/files/settings.js'
import type { Engine } from '../check/evaluate-pull-request.js'
import type { GitHubApi } from '../../github/github-api.js'
import { grantOnMerge, GrantWorkflowError } from '../grant/grant-on-merge.js'

/** What the sweep needs to run the grant workflow again for a merge that left no record. */
export interface HealMergeDependencies {
  /** The cloud for one grant; the granter role comes from the settings at the merge's base. */
  readonly createProvider: (settings: JitSettings) => CloudProvider
  /** Loaded only when there is a merge to heal: most sweeps have none. */
  readonly catalogue: () => Promise<ActionCatalogue>
  readonly engine?: Engine
  /** Merges healed in one sweep at most (default 10); the rest wait for the next sweep. */
  readonly maxPerSweep?: number
  /** Told the healed grant's outcome (default: nobody). */
  readonly notifier?: Notifier
}

/** A merged request that had no record, and what the sweep did about it. */
export interface HealedMerge {
  readonly id: string
  readonly number: number
  /**
   * `healed-merge`: the grant workflow ran again and committed `path`. `would-heal`: a dry run.
   * `already-recorded`: another writer recorded it meanwhile. `record-removed`: its record was deleted
   * from the branch since it was written (the branch's history says so); nothing is granted again, and a
   * person should restore the record. `not-granted`: the workflow does not act on
   * it (nothing recorded, as for its webhook). `failed`: the workflow stopped on an error; retried next
   * sweep. `deferred`: over this sweep's bound; next sweep.
   */
  readonly status: 'healed-merge' | 'would-heal' | 'already-recorded' | 'record-removed' | 'not-granted' | 'failed' | 'deferred'
  /** The record the heal committed (or found), when there is one. */
  readonly path: string | null
  readonly explanation: string
}

export const DEFAULT_HEALS_PER_SWEEP = 10

/**
 * Runs the grant workflow again for each merge, one after another (each commits to the default branch),
 * exactly as a redelivered `pull_request.closed` webhook would: the workflow is idempotent, and its grant
 * window is anchored at the merge, so a policy put before a crash is put again under the same name.
 */
export async function healMerges(params: {
  api: GitHubApi
  owner: string
  repo: string
  branch: string
  merges: readonly UnrecordedMerge[]
  deps: HealMergeDependencies
  now: Date
  dryRun: boolean
  log: Logger
}): Promise<HealedMerge[]> {
  const { merges, deps, now } = params
  const healed: HealedMerge[] = []
  if (merges.length === 0) return healed
  if (params.dryRun)
    return merges.map((merge) => ({
      id: merge.id,
      number: merge.number,
      status: 'would-heal',
      path: null,
      explanation: `${merge.explanation}; a sweep would run its grant again`,
    }))
  const catalogue = await deps.catalogue()
  for (const merge of merges) {
    try {
      const result = await grantOnMerge(
        {
          api: params.api,
          catalogue,
          now: () => now,
          createProvider: deps.createProvider,
          log: params.log,
          ...(deps.engine ? { engine: deps.engine } : {}),
          ...(deps.notifier ? { notifier: deps.notifier } : {}),
        },
        {
          owner: params.owner,
          repo: params.repo,
          number: merge.number,
          merged: true,
          // Listed as merged into the default branch from this repository (forks are never requests).
          fromFork: false,
          baseRef: params.branch,
          defaultBranch: params.branch,
          deliveryId: `jit-sweep-${now.toISOString()}-${merge.id}`,
        },
      )
      if (result.kind === 'recorded') {
        healed.push({
          id: merge.id,
          number: merge.number,
          status: 'healed-merge',
          path: result.path,
          explanation: `${merge.explanation}; its grant ran again and recorded it ${RECORDED_AS[result.record.state]} in ${result.path}`,
        })
      } else if (result.kind === 'already-recorded' && result.removed) {
        healed.push({
          id: merge.id,
          number: merge.number,
          status: 'record-removed',
          path: result.paths[0] ?? null,
          explanation: `${merge.explanation}; but ${result.paths.join(', ')} ${result.paths.length === 1 ? 'was' : 'were'} committed before and deleted since: a request is handled once, so nothing is granted again (restore the record from the branch's history)`,
        })
      } else if (result.kind === 'already-recorded') {
        healed.push({
          id: merge.id,
          number: merge.number,
          status: 'already-recorded',
          path: result.paths[0] ?? null,
          explanation: `${merge.explanation}; another writer recorded it meanwhile (${result.paths.join(', ')})`,
        })
      } else {
        healed.push({
          id: merge.id,
          number: merge.number,
          status: 'not-granted',
          path: null,
          explanation: `${merge.explanation}; the grant workflow does not act on it: ${result.reason}`,
        })
      }
    } catch (error) {
      // The workflow already told the pull request and the log; the next sweep tries again.
      if (!(error instanceof GrantWorkflowError)) throw error
      const granted = error.outcome?.ok && !error.outcome.dryRun ? ' (the access WAS granted in AWS but is not recorded)' : ''
      healed.push({
        id: merge.id,
        number: merge.number,
        status: 'failed',
        path: null,
        explanation: `${merge.explanation}; running its grant again failed${granted}: ${error.message}; retried next sweep`,
      })
    }
  }
  return healed
}

/** How a healed merge's record reads in its explanation, by the state the grant workflow recorded. */
const RECORDED_AS: Record<RecordState, string> = {
  granting: 'as granting (the sweep finishes it)',
  active: 'as granted',
  refused: 'as refused (merged without approval)',
  failed: 'as failed',
  revoked: 'as revoked',
}
