import type { CloudProvider, GrantInspection } from '../../core/ports/cloud-provider.js'
import type { Logger } from '../../core/ports/logger.js'
import { completeIntent, failIntent, grantOfIntent, planFromIntent, resolveIntent } from '../../core/records/grant-intent.js'
import { recordPath, type AccessRecord, type IntentRecord } from '../../core/records/grant-record.js'
import { buildRevokedRecord, SWEEPER_LOGIN } from '../../core/records/plan-sweep.js'
import { formatRecordCommitMessage, formatRecordDocument } from '../../core/records/record-document.js'
import { commitToBranch } from '../../github/commit-to-branch.js'
import type { GitHubApi } from '../../github/github-api.js'
import { mapConcurrently } from '../../aws/map-concurrently.js'
import { readRecordIds } from './read-grant-records.js'
import type { ConfirmedRevocation } from './revocation-commit.js'

/** An intent the sweep found in `grants/pending/`, and what it did about it. */
export interface SettledIntent {
  readonly id: string
  /**
   * `waiting`: younger than the grace, left for a later sweep. `completed`: AWS held it as planned, the
   * active record is committed. `undone`: AWS did not hold it as planned; what was there is deleted and
   * the failure recorded. `expired`: held as planned but its window ended; deleted, recorded as revoked.
   * `would-settle`: a dry run. `failed`: AWS could not be read or what was found could not be deleted (or
   * the commit failed); the intent stays and the next sweep tries again.
   */
  readonly status: 'waiting' | 'completed' | 'undone' | 'expired' | 'would-settle' | 'failed' | 'settled-by-another-writer'
  readonly explanation: string
}

/**
 * Finishes the grants written ahead whose workflow never committed the outcome (a crash, a lost commit):
 * for each intent older than the grace, reads back from AWS what it planned, decides (`resolveIntent`),
 * then completes it (one commit per intent: `Jit-Action: grant`), or undoes it (deletes what is there,
 * `Jit-Action: fail`), or, when its window ended, deletes it and returns the revocation for the sweep's
 * revocation commit. The commit is made only while the intent is still at the head: a grant workflow or
 * a revocation that settled it first wins.
 */
export async function settleIntents(params: {
  api: GitHubApi
  owner: string
  repo: string
  branch: string
  provider: CloudProvider
  /** The repository's namespace, for the revocations' session cuts (there are none here). */
  namespace: string
  intents: readonly IntentRecord[]
  now: Date
  graceMs: number
  dryRun: boolean
  concurrency: number
  log: Logger
}): Promise<{ settled: SettledIntent[]; revocations: ConfirmedRevocation[] }> {
  const { provider, now, log } = params
  const settled: SettledIntent[] = []
  const revocations: ConfirmedRevocation[] = []
  const decided = await mapConcurrently(params.intents, params.concurrency, async (intent) => {
    const old = now.getTime() - Date.parse(intent.intended_at) >= params.graceMs
    let inspection: GrantInspection | undefined
    if (old && !params.dryRun) {
      try {
        inspection = await provider.inspectGrant(planFromIntent(intent))
      } catch (error) {
        return { intent, problem: `could not read ${intent.id} back from AWS: ${(error as Error).message}` }
      }
    }
    return {
      intent,
      inspection,
      resolution: resolveIntent({ intent, inspection, now, graceMs: old && params.dryRun ? Infinity : params.graceMs }),
    }
  })
  for (const item of decided) {
    const { intent } = item
    if ('problem' in item) {
      settled.push({ id: intent.id, status: 'failed', explanation: `${item.problem}; retried next sweep` })
      continue
    }
    const { resolution } = item
    if (resolution.kind === 'wait') {
      const dry = params.dryRun && now.getTime() - Date.parse(intent.intended_at) >= params.graceMs
      settled.push(
        dry
          ? {
              id: intent.id,
              status: 'would-settle',
              explanation: `${intent.id} was left granting since ${intent.intended_at}; a sweep would read it back from AWS and settle it`,
            }
          : { id: intent.id, status: 'waiting', explanation: resolution.explanation },
      )
      continue
    }
    if (resolution.kind === 'complete') {
      const record = completeIntent(intent, now, item.inspection)
      settled.push(
        await commitSettlement({ ...params, intent, record, note: `${resolution.explanation}; the grant is complete` }, 'completed'),
      )
      continue
    }
    const targets =
      resolution.kind === 'expire'
        ? intent.targets.map((target) => ({ account: target.account, principalArn: target.principal, policyName: target.aws_policy_name }))
        : resolution.present.map(({ account, principalArn, policyName }) => ({ account, principalArn, policyName }))
    const outcome =
      targets.length > 0
        ? await provider.revoke({ namespace: params.namespace, requestId: intent.id, targets, revokedAt: now, cutSessions: false })
        : undefined
    if (outcome && !outcome.ok) {
      settled.push({
        id: intent.id,
        status: 'failed',
        explanation: `${resolution.explanation}; deleting it failed (${outcome.summary}); retried next sweep`,
      })
      log.warn({ requestId: intent.id, outcome: outcome.summary }, 'could not undo a grant left granting; the intent stays')
      continue
    }
    if (resolution.kind === 'expire' && outcome) {
      const record = buildRevokedRecord({
        record: grantOfIntent(intent),
        revokedAt: now,
        revokedBy: SWEEPER_LOGIN,
        reason: 'expired',
        outcome,
        whileGranting: true,
      })
      revocations.push({ record, source: 'granting', summary: `${resolution.explanation}; ${outcome.summary}` })
      settled.push({ id: intent.id, status: 'expired', explanation: `${resolution.explanation}; ${outcome.summary}` })
      continue
    }
    const found = outcome
      ? outcome.targets.map((target) => ({
          account: target.account,
          principalArn: target.principalArn,
          outcome: `found in AWS and deleted: ${target.status}`,
          error: null,
        }))
      : []
    const record = failIntent({
      intent,
      error: `the grant was left unfinished and AWS did not hold it as planned (${resolution.explanation.split('; read back from AWS: ')[1] ?? 'nothing found'}); ${outcome ? 'what was there was deleted' : 'nothing was in place'}`,
      failedAt: now,
      targets: intent.targets.map((target) => {
        const deleted = found.find((f) => f.account === target.account && f.principalArn === target.principal)
        return deleted ?? { account: target.account, principalArn: target.principal, outcome: 'not in AWS', error: null }
      }),
    })
    settled.push(await commitSettlement({ ...params, intent, record, note: resolution.explanation }, 'undone'))
  }
  return { settled, revocations }
}

async function commitSettlement(
  params: {
    api: GitHubApi
    owner: string
    repo: string
    branch: string
    intent: IntentRecord
    record: AccessRecord
    note: string
    log: Logger
  },
  status: 'completed' | 'undone',
): Promise<SettledIntent> {
  const { api, owner, repo, intent, record } = params
  const path = recordPath(record.state, intent.id)
  try {
    const commit = await commitToBranch({
      api,
      owner,
      repo,
      branch: params.branch,
      build: async (head) => {
        const ids = await readRecordIds({ api, owner, repo, commitSha: head.commitSha })
        if (!ids.pendingIds.has(intent.id) || ids.activeIds.has(intent.id) || ids.revokedIds.has(intent.id)) return undefined
        return {
          message: formatRecordCommitMessage(record, {
            note: `Settled by the sweep from ${recordPath('granting', intent.id)}: ${params.note}.`,
          }),
          changes: [
            { path: recordPath('granting', intent.id), content: null },
            { path, content: formatRecordDocument(record) },
          ],
        }
      },
    })
    if (!commit.committed)
      return { id: intent.id, status: 'settled-by-another-writer', explanation: `${params.note}; another writer settled it first` }
    params.log.info({ requestId: intent.id, path, commit: commit.commitSha }, params.note)
    return { id: intent.id, status, explanation: `${params.note}; recorded in ${path}` }
  } catch (error) {
    return {
      id: intent.id,
      status: 'failed',
      explanation: `${params.note}; committing ${path} failed (${(error as Error).message}); retried next sweep`,
    }
  }
}
