import type { CloudProvider, Inventory, InventoryRequest } from '../../core/ports/cloud-provider.js'
import { decideFullPass, FULL_PASS_PATH, formatFullPassRecord, readLastFullPass } from '../../core/records/full-pass.js'
import { planInventoryRequest } from '../../core/records/principal-pattern.js'
import type { RemovedPolicyDocument } from '../../core/records/grant-record.js'
import type { Logger } from '../../core/ports/logger.js'
import type { GrantRecord, IntentRecord } from '../../core/records/grant-record.js'
import { buildRevokedRecord, listRevokeTargets, planSweep, summariseAwsOutcome, SWEEPER_LOGIN } from '../../core/records/plan-sweep.js'
import {
  buildOrphanRecord,
  confirmOrphans,
  type DriftedGrant,
  findUnrecordedMerges,
  isHealedBy,
  type ListedPrincipal,
  listPrincipalsToInspect,
  type OrphanPolicy,
  reconcileGrants,
  type SpentSessionCut,
  type UnrecordedMerges,
} from '../../core/records/reconcile.js'
import { readSettingsOrDefaults, type JitSettings } from '../../core/files/settings.js'
import type { ApiCallCount, GitHubApi } from '../../github/github-api.js'
import { closeStaleRequests, type StaleRequest } from './close-stale-requests.js'
import { commitRevocations } from './commit-revocations.js'
import { DEFAULT_HEALS_PER_SWEEP, healMerges, type HealedMerge, type HealMergeDependencies } from './heal-merges.js'
import { mapConcurrently } from '../../aws/map-concurrently.js'
import { readMergeTimes } from './read-merge-times.js'
import { type DefaultBranch, readDefaultBranch, readRecordSnapshot } from './read-grant-records.js'
import type { ConfirmedRevocation } from './revocation-commit.js'
import { settleIntents, type SettledIntent } from './settle-intents.js'
import { commentOnTamperedRecords, judgeActiveRecords, judgeIntentRecords, type TamperedRecord } from './tampered-records.js'
import { nameRepositoryNamespace } from '../../aws/repository-namespace.js'
import { formatCount } from '../../core/text/plural.js'
import { SILENT_NOTIFIER, type Notifier } from '../../core/ports/notifier.js'
import { notifySweep } from '../notify/notify-sweep.js'
import { remindPendingRequests, type Reminder } from './remind-pending-requests.js'
import { shortSha } from '../../core/text/short-sha.js'
import { flagOverdueReviews, type FlaggedReview } from './flag-overdue-reviews.js'
import { documentKey, readRemovedDocument, withDocuments } from './removed-documents.js'
import { revokeUnreadableRecords, type UnreadableRecordResult } from './unreadable-records.js'

export interface SweepParams {
  readonly api: GitHubApi
  readonly owner: string
  readonly repo: string
  /** Deletes policies; the dry-run provider for `--dry-run`. */
  readonly provider: CloudProvider
  /** The sweep's instant: what is due, and the `revoked_at` it records. */
  readonly now: Date
  /** Plan and report only: no AWS write, no commit, no PR closed. */
  readonly dryRun?: boolean
  /** List the `jit-` policies in AWS to repair drift (default true; off in a dry run, which cannot see AWS). */
  readonly reconcile?: boolean
  /** Close request PRs left unapproved longer than `pending_max_age` (default true). */
  readonly closeStale?: boolean
  /** AWS revocations in flight at once (default 8). */
  readonly concurrency?: number
  /**
   * An unexpired orphan whose PR merged less than this ago may be a grant being committed, and a merge
   * with no record younger than this may be its webhook still running: both are left for a later sweep
   * (default 15 minutes).
   */
  readonly orphanGraceMs?: number
  /**
   * Find merged request PRs with no record in any `grants/` folder and run the grant workflow again for
   * them (in a dry run: report them). Absent: merges are not looked at.
   */
  readonly heal?: HealMergeDependencies
  /** Already read by the caller (the app reads it to honour `sweep_interval`). */
  readonly branch?: DefaultBranch
  /** Where the sweep (and the grant workflow of a healed merge) writes what it did; absent: nowhere. */
  readonly log?: Logger
  /** Called after each AWS revocation, for a progress bar. */
  readonly onProgress?: (done: number, total: number) => void
  /**
   * The app's bot login (`<slug>[bot]`): a record whose last write is not a commit by it is tampering.
   * Absent (a sweep under a plain token): only the app's trailers and blobs are compared.
   */
  readonly appLogin?: string
  /** Told revocations, drift, tampering and late break-glass reviews after the commit (default: nobody). */
  readonly notifier?: Notifier
}

/** One grant the sweep revoked, or failed to. */
export interface SweptGrant {
  readonly id: string
  readonly status: 'revoked' | 'would-revoke' | 'failed' | 'revoked-by-another-sweeper'
  readonly explanation: string
}

export interface OrphanResult extends OrphanPolicy {
  readonly status: 'revoked' | 'would-revoke' | 'failed' | 'deferred'
  readonly detail: string
}

export type { HealedMerge } from './heal-merges.js'

/** Everything one sweep decided and did; `--json` prints it as is. */
export interface SweepReport {
  readonly repository: string
  readonly branch: string
  /** The commit the records were read at. */
  readonly readAt: string
  readonly now: string
  readonly dryRun: boolean
  readonly active: number
  readonly grants: readonly SweptGrant[]
  readonly problems: readonly string[]
  readonly orphans: readonly OrphanResult[]
  readonly drift: readonly DriftedGrant[]
  readonly spentSessionCuts: readonly (SpentSessionCut & { readonly status: string })[]
  readonly staleRequests: readonly StaleRequest[]
  /** Pending requests whose approvers the sweep reminded (in the app's comment), or would have. */
  readonly reminders: readonly Reminder[]
  /** Merged request PRs that had no record, and what the sweep did about them. */
  readonly healedMerges: readonly HealedMerge[]
  /** Break-glass grants found unreviewed past their `review_due`, flagged by this sweep (absent when none). */
  readonly reviewsFlagged?: readonly FlaggedReview[]
  /** Grants written ahead whose outcome was never committed (`grants/pending/`), and what the sweep did about them. */
  readonly intents: readonly SettledIntent[]
  /** Active records not as the app last wrote them: never obeyed; the app's own last record is acted on. */
  readonly tampered: readonly TamperedRecord[]
  /**
   * The full reconcile pass (every principal the settings can map to, in every account the policies
   * name): whether this sweep ran one and why, how many principals it listed, and what it could not read.
   */
  readonly fullPass: FullPassReport
  /** Active records that cannot be read, and what the sweep did about their grants (absent when none). */
  readonly unreadableRecords?: readonly UnreadableRecordResult[]
  readonly commit: { readonly sha: string; readonly attempts: number } | null
  readonly githubCalls: ApiCallCount
  readonly summary: string
}

/** Whether a sweep ran the full reconcile pass (see `reconcile.full_every`). */
export interface FullPassReport {
  readonly ran: boolean
  readonly reason: string
  readonly principalsListed: number
  /** Accounts and principals the pass could not read: looked at again in the next full pass. */
  readonly problems: readonly string[]
}

const DEFAULT_CONCURRENCY = 8
const DEFAULT_ORPHAN_GRACE_MS = 15 * 60_000

const UNLOGGED: Logger = { debug: () => undefined, info: () => undefined, warn: () => undefined, error: () => undefined }

/**
 * One sweep of one access repository, the same function wherever it runs (the app's interval, `jit
 * sweep`, the scheduled workflow): read the records at the default branch head, decide what is due,
 * delete the policies in AWS, then record every confirmed revocation in one commit. A grant AWS did
 * not confirm stays active and is tried again next sweep. Two sweepers at once are safe: AWS deletion is
 * idempotent, and the ref update is the lock, so the loser re-reads and records only what is left.
 */
export async function runSweep(params: SweepParams): Promise<SweepReport> {
  const { api, owner, repo, provider, now } = params
  const dryRun = params.dryRun ?? false
  const log = params.log ?? UNLOGGED
  const concurrency = params.concurrency ?? DEFAULT_CONCURRENCY
  const revokedAt = now
  // Everything this repository writes in AWS carries its namespace; the reconcile claims nothing else.
  const namespace = nameRepositoryNamespace({ owner, repo })

  const branch = params.branch ?? (await readDefaultBranch({ api, owner, repo }))
  const { settings, problems: settingsProblems } = readSweepSettings(branch)
  const graceMs = params.orphanGraceMs ?? DEFAULT_ORPHAN_GRACE_MS
  const snapshot = await readRecordSnapshot({
    api,
    owner,
    repo,
    commitSha: branch.commitSha,
    branch: branch.name,
    merges: params.heal !== undefined,
  })
  // A record someone edited by hand is not obeyed: the sweep acts on what the app last wrote for that id.
  const judged = await judgeActiveRecords({
    api,
    owner,
    repo,
    commitSha: snapshot.commitSha,
    records: snapshot.records,
    appLogin: params.appLogin,
  })
  const records = judged.records
  // The same for intents: a sweep settles (completes, undoes) only what the app itself wrote ahead.
  const judgedIntents = await judgeIntentRecords({
    api,
    owner,
    repo,
    commitSha: snapshot.commitSha,
    records: snapshot.intents,
    appLogin: params.appLogin,
  })
  const intentRecords = judgedIntents.records
  const tampered = [...judged.tampered, ...judgedIntents.tampered]
  for (const record of tampered) log.warn({ requestId: record.id, path: record.path, commit: record.commitSha }, record.explanation)
  const plan = planSweep({ records, now })
  const unrecorded = findUnrecordedMerges({
    merges: snapshot.merges,
    recordedIds: snapshot.recordedIds,
    now,
    graceMs,
    limit: params.heal?.maxPerSweep ?? DEFAULT_HEALS_PER_SWEEP,
  })

  // A full pass every `reconcile.full_every`, and whenever an active record cannot be read (its grant is
  // then found, and revoked at its end, from what AWS holds).
  const reconciling = params.reconcile ?? !dryRun
  const unreadableActive = reconciling ? snapshot.unreadableActive : []
  const fullPassDecision = decideFullPass({
    last: readLastFullPass(snapshot.fullPassText, now),
    now,
    everyMs: settings.fullReconcileEveryMs,
    ...(unreadableActive.length > 0
      ? { forcedBy: `${unreadableActive.map((record) => record.path).join(', ')} cannot be read: its grant is found in AWS` }
      : {}),
  })
  const fullPass =
    reconciling && fullPassDecision.due
      ? planInventoryRequest({
          namespace,
          settings,
          accounts: [
            ...snapshot.policyAccounts.accounts,
            ...Object.keys(settings.accountBackends),
            ...[...records, ...intentRecords].flatMap((record) => record.targets.map((target) => target.account)),
          ],
        })
      : undefined

  // Reconcile first: it reads AWS before this sweep changes it, so a policy being deleted now is not drift.
  const reconciliation = reconciling
    ? await reconcileWithAws({
        api,
        owner,
        repo,
        provider,
        namespace,
        now,
        records,
        intents: intentRecords,
        due: plan.due.map((d) => d.record),
        healing: new Set(unrecorded.due.map((merge) => merge.id)),
        graceMs,
        concurrency,
        fullPass,
        unreadableIds: new Set(unreadableActive.map((record) => record.id)),
        heldIds: new Set(tampered.filter((record) => record.action === 'ignored').map((record) => record.id)),
      })
    : undefined
  const problems = [
    ...settingsProblems,
    ...snapshot.unreadable
      .filter((error) => !unreadableActive.some((record) => record.path === error.path))
      .map((error) => `${error.message}; left as it is`),
    ...(fullPass ? snapshot.policyAccounts.problems : []),
    ...plan.problems.map((problem) => problem.explanation),
    ...(reconciliation?.problems ?? []),
  ]

  const total = plan.due.length + (reconciliation?.confirmed.length ?? 0) + (reconciliation?.spent.length ?? 0)
  let done = 0
  const progress = () => params.onProgress?.(++done, total)

  const confirmed: ConfirmedRevocation[] = []
  const grants: SweptGrant[] = []
  const dueOutcomes = await mapConcurrently(plan.due, concurrency, async (due) => {
    const outcome = await provider.revoke({
      namespace,
      requestId: due.record.id,
      targets: listRevokeTargets(due.record),
      revokedAt,
      cutSessions: due.record.revoke_sessions,
    })
    progress()
    return { due, outcome }
  })
  for (const { due, outcome } of dueOutcomes) {
    if (outcome.dryRun) {
      grants.push({ id: due.record.id, status: 'would-revoke', explanation: `${due.explanation}; ${outcome.summary}` })
    } else if (!outcome.ok) {
      grants.push({
        id: due.record.id,
        status: 'failed',
        explanation: `${due.explanation}; ${outcome.summary}; it stays active and is retried next sweep`,
      })
      log.warn({ requestId: due.record.id, outcome: outcome.summary }, 'revocation failed; the grant stays active')
    } else {
      const record = buildRevokedRecord({ record: due.record, revokedAt, revokedBy: SWEEPER_LOGIN, reason: 'expired', outcome })
      confirmed.push({ record, source: 'active', summary: `${due.explanation}; ${outcome.summary}` })
    }
  }

  // Grants written ahead and never finished: read back from AWS, then completed or undone.
  const intents = await settleIntents({
    api,
    owner,
    repo,
    branch: branch.name,
    provider,
    namespace,
    intents: intentRecords,
    now,
    graceMs,
    dryRun,
    concurrency,
    log,
  })
  confirmed.push(...intents.revocations)

  const orphans: OrphanResult[] = (reconciliation?.deferred ?? []).map((orphan) => ({
    ...orphan,
    status: 'deferred',
    detail: 'its pull request merged moments ago: the grant may still be being committed; a later sweep decides',
  }))
  const orphanOutcomes = await mapConcurrently(reconciliation?.confirmed ?? [], concurrency, async (orphan) => {
    const target = { account: orphan.account, principalArn: orphan.principalArn, policyName: orphan.policyName }
    // What the orphan allowed is known only from AWS: read it before it is gone, for its record.
    const read = await readRemovedDocument(provider, target)
    const outcome = await provider.revoke({ namespace, requestId: orphan.requestId, targets: [target], revokedAt, cutSessions: false })
    progress()
    return { orphan, outcome, read }
  })
  for (const { orphan, outcome, read } of orphanOutcomes) {
    if (outcome.dryRun || !outcome.ok) {
      orphans.push({ ...orphan, status: outcome.dryRun ? 'would-revoke' : 'failed', detail: outcome.summary })
      continue
    }
    const unread = read.kind === 'unread' ? `; ${read.problem}` : ''
    orphans.push({ ...orphan, status: 'revoked', detail: `${outcome.summary}${unread}` })
    const documents = new Map<string, RemovedPolicyDocument>(
      read.kind === 'read' ? [[documentKey(orphan.account, orphan.principalArn, orphan.policyName), read.document]] : [],
    )
    const record = buildOrphanRecord({
      orphan,
      revokedAt,
      revokedBy: SWEEPER_LOGIN,
      aws: withDocuments(summariseAwsOutcome(outcome), documents),
      repositoryUrl: branch.url,
    })
    confirmed.push({ record, source: 'orphan', summary: `${orphan.explanation}; ${outcome.summary}` })
  }

  const unreadable =
    unreadableActive.length > 0
      ? await revokeUnreadableRecords({
          provider,
          namespace,
          now,
          unreadable: unreadableActive,
          found: reconciliation?.ofUnreadable ?? [],
          inventoryProblems: reconciliation?.inventory?.problems ?? [],
          repositoryUrl: branch.url,
          concurrency,
        })
      : undefined
  confirmed.push(...(unreadable?.revocations ?? []))
  for (const result of unreadable?.results ?? []) {
    log[result.status === 'revoked' ? 'info' : 'warn'](
      { requestId: result.id, path: result.path, status: result.status },
      result.explanation,
    )
  }

  const fullPassReport: FullPassReport = {
    ran: reconciliation?.inventory !== undefined,
    reason:
      fullPass && reconciliation?.inventory === undefined
        ? `${fullPassDecision.reason}; the AWS provider is a dry run, which lists nothing, so no pass is recorded`
        : fullPassDecision.reason,
    principalsListed: reconciliation?.inventory?.principalsListed ?? 0,
    problems: reconciliation?.inventory?.problems ?? [],
  }

  const spentSessionCuts = await mapConcurrently(reconciliation?.spent ?? [], concurrency, async (cut) => {
    const outcome = await provider.revoke({
      namespace,
      requestId: cut.requestId,
      targets: [{ account: cut.account, principalArn: cut.principalArn, policyName: cut.policyName }],
      revokedAt,
      cutSessions: false,
    })
    progress()
    return { ...cut, status: outcome.dryRun ? 'would-delete' : outcome.ok ? 'deleted' : `failed: ${outcome.summary}` }
  })

  let commit: SweepReport['commit'] = null
  const committed: ConfirmedRevocation[] = []
  // A full pass is recorded in git (even one that found nothing) so the next sweeper knows when one is due.
  const fullPassRecord =
    !dryRun && fullPassReport.ran
      ? {
          at: now,
          path: FULL_PASS_PATH,
          content: formatFullPassRecord({
            lastFullPass: now,
            principalsListed: fullPassReport.principalsListed,
            problems: fullPassReport.problems,
          }),
          summary: `Full reconcile pass: ${formatCount(fullPassReport.principalsListed, 'principal')} listed, ${formatCount(fullPassReport.problems.length, 'problem')}`,
        }
      : undefined
  if (!dryRun && (confirmed.length > 0 || fullPassRecord)) {
    const result = await commitRevocations({
      api,
      owner,
      repo,
      branch: branch.name,
      readAt: { ...snapshot, intents: intentRecords },
      revocations: confirmed,
      ...(fullPassRecord ? { fullPass: fullPassRecord } : {}),
    })
    if (result.commitSha) commit = { sha: result.commitSha, attempts: result.attempts }
    const skipped = new Set(result.skipped.map((revocation) => revocation.record.id))
    committed.push(...confirmed.filter((revocation) => !skipped.has(revocation.record.id)))
    for (const revocation of confirmed) {
      if (revocation.source !== 'active') continue
      grants.push(
        skipped.has(revocation.record.id)
          ? {
              id: revocation.record.id,
              status: 'revoked-by-another-sweeper',
              explanation: `${revocation.summary}; another sweeper recorded it first`,
            }
          : { id: revocation.record.id, status: 'revoked', explanation: revocation.summary },
      )
    }
  }

  if (!dryRun) await commentOnTamperedRecords({ api, owner, repo, tampered, grants, log })
  const reviewsFlagged = await flagOverdueReviews({
    api,
    owner,
    repo,
    branch: branch.name,
    readAt: commit?.sha ?? snapshot.commitSha,
    markers: snapshot.reviewsDue,
    now,
    notifier: params.notifier ?? SILENT_NOTIFIER,
    sinks: settings.notifications,
    log,
    dryRun,
  })

  const healedMerges = params.heal
    ? await healUnrecordedMerges({
        api,
        owner,
        repo,
        branch: branch.name,
        now,
        heal: params.heal,
        log,
        unrecorded,
        orphaned: reconciliation?.confirmed ?? [],
        dryRun,
      })
    : []

  const openRequests =
    (params.closeStale ?? true)
      ? await closeStaleRequests({ api, owner, repo, now, maxAgeMs: settings.pendingMaxAgeMs, dryRun })
      : { stale: [], pending: [] }
  const staleRequests = openRequests.stale
  const drift = reconciliation?.drift ?? []
  for (const drifted of drift) log.warn({ requestId: drifted.id, policy: drifted.policyName }, drifted.explanation)
  if (!dryRun)
    notifySweep(params.notifier ?? SILENT_NOTIFIER, {
      sinks: settings.notifications,
      repository: `${owner}/${repo}`,
      repositoryUrl: branch.url,
      at: now,
      committed,
      drift,
      tampered,
    })
  const reminders = await remindPendingRequests({
    api,
    owner,
    repo,
    now,
    remindAfterMs: settings.remindAfterMs,
    pending: openRequests.pending,
    dryRun,
    log,
  })

  const report: Omit<SweepReport, 'summary'> = {
    repository: `${owner}/${repo}`,
    branch: branch.name,
    readAt: snapshot.commitSha,
    now: now.toISOString(),
    dryRun,
    active: records.length,
    grants: grants.sort((a, b) => a.id.localeCompare(b.id, 'en', { numeric: true })),
    problems,
    orphans,
    drift,
    spentSessionCuts,
    staleRequests,
    reminders,
    healedMerges,
    intents: intents.settled,
    tampered,
    fullPass: fullPassReport,
    ...(unreadable ? { unreadableRecords: unreadable.results } : {}),
    ...(reviewsFlagged.length > 0 ? { reviewsFlagged } : {}),
    commit,
    githubCalls: { ...api.calls },
  }
  const summary = summariseSweep(report)
  log.info({ repository: report.repository, commit: commit?.sha ?? null, githubCalls: report.githubCalls }, summary)
  return { ...report, summary }
}

/** The settings at the branch head; settings that do not parse are a problem, and the defaults are used. */
function readSweepSettings(branch: DefaultBranch): { settings: JitSettings; problems: string[] } {
  const { settings, problem } = readSettingsOrDefaults(branch.settingsText)
  return { settings, problems: problem === undefined ? [] : [`${problem}; the sweep used the defaults`] }
}

/**
 * Heals the due merges, reports those over the bound, and leaves out a merge whose expired orphan policy
 * this sweep confirmed: the orphan's record in `grants/revoked/` is its record, and granting it again
 * could only record that its window had ended.
 */
async function healUnrecordedMerges(input: {
  api: GitHubApi
  owner: string
  repo: string
  branch: string
  now: Date
  heal: HealMergeDependencies
  log: Logger
  unrecorded: Pick<UnrecordedMerges, 'due' | 'overLimit'>
  orphaned: readonly OrphanPolicy[]
  dryRun: boolean
}): Promise<HealedMerge[]> {
  const { heal, log } = input
  const orphaned = new Set(input.orphaned.map((orphan) => orphan.requestId))
  const healed = await healMerges({
    api: input.api,
    owner: input.owner,
    repo: input.repo,
    branch: input.branch,
    merges: input.unrecorded.due.filter((merge) => !orphaned.has(merge.id)),
    deps: heal,
    now: input.now,
    dryRun: input.dryRun,
    log,
  })
  const deferred = input.unrecorded.overLimit.map((merge): HealedMerge => ({
    id: merge.id,
    number: merge.number,
    status: 'deferred',
    path: null,
    explanation: `${merge.explanation}; a sweep heals at most ${heal.maxPerSweep ?? DEFAULT_HEALS_PER_SWEEP} merges, so it is left for the next sweep`,
  }))
  for (const merge of healed)
    log[merge.status === 'failed' || merge.status === 'record-removed' ? 'warn' : 'info'](
      { requestId: merge.id, status: merge.status, path: merge.path },
      merge.explanation,
    )
  return [...healed, ...deferred]
}

/** What AWS holds that the records do not say, and the principals it could not be asked about. */
interface AwsReconciliation {
  /** Orphan policies to delete and record now. */
  readonly confirmed: readonly OrphanPolicy[]
  /** Orphans whose grant may still be being committed: a later sweep decides. */
  readonly deferred: readonly OrphanPolicy[]
  readonly drift: readonly DriftedGrant[]
  readonly spent: readonly SpentSessionCut[]
  /** One line per principal whose policies could not be listed. */
  readonly problems: readonly string[]
  /** Policies of requests whose active record cannot be read: revoked at their end, never as orphans. */
  readonly ofUnreadable: readonly OrphanPolicy[]
  /** Set when this sweep ran the full pass. */
  readonly inventory?: { readonly principalsListed: number; readonly problems: readonly string[] }
}

async function reconcileWithAws(input: {
  api: GitHubApi
  owner: string
  repo: string
  provider: CloudProvider
  namespace: string
  now: Date
  records: readonly GrantRecord[]
  intents: readonly IntentRecord[]
  due: readonly GrantRecord[]
  /** Requests whose merge this sweep heals: their unexpired orphans are the heal's to account for. */
  healing: ReadonlySet<string>
  graceMs: number
  concurrency: number
  /** The full pass to run, when one is due: every principal the settings can map to. */
  fullPass: InventoryRequest | undefined
  unreadableIds: ReadonlySet<string>
  heldIds: ReadonlySet<string>
}): Promise<AwsReconciliation> {
  const { records, now } = input
  const listed: ListedPrincipal[] = []
  const problems: string[] = []
  await mapConcurrently(listPrincipalsToInspect([...records, ...input.intents]), input.concurrency, async (principal) => {
    try {
      listed.push({ ...principal, policies: await input.provider.listManagedPolicies(principal) })
    } catch (error) {
      // An unreadable principal is neither drift nor orphan: it is reported and looked at next sweep.
      problems.push(`could not list the policies of ${principal.principalArn}: ${(error as Error).message}`)
    }
  })
  const inventory = input.fullPass ? await runFullPass(input.provider, input.fullPass) : undefined
  // A principal both listings saw is taken from the per-record listing; the full pass adds the others.
  const seen = new Set(listed.map((principal) => `${principal.account} ${principal.principalArn}`))
  for (const principal of inventory?.principals ?? []) {
    if (!seen.has(`${principal.account} ${principal.principalArn}`)) listed.push(principal)
  }
  problems.push(...(inventory?.problems ?? []))
  const reconciliation = reconcileGrants({
    namespace: input.namespace,
    records,
    intents: input.intents,
    listed,
    revoking: new Set(input.due.map((record) => record.id)),
    now,
    unreadableIds: input.unreadableIds,
    heldIds: input.heldIds,
  })
  for (const policy of reconciliation.held) {
    problems.push(
      `${policy.policyName} on ${policy.principalArn} is of ${policy.requestId}, whose active record the app did not write: it is left for a person (see the tampered record)`,
    )
  }
  // Only an unexpired orphan needs its merge time, and not one this sweep's heal accounts for.
  const unexpired = reconciliation.orphans.filter(
    (orphan) => orphan.expiresAt.getTime() > now.getTime() && !isHealedBy(orphan, input.healing, now),
  )
  const mergedAt =
    unexpired.length > 0
      ? await readMergeTimes({ api: input.api, owner: input.owner, repo: input.repo, requestIds: unexpired.map((o) => o.requestId) })
      : new Map<string, Date | null>()
  const { confirmed, deferred } = confirmOrphans({
    orphans: reconciliation.orphans,
    mergedAt,
    now,
    graceMs: input.graceMs,
    healing: input.healing,
  })
  return {
    confirmed,
    deferred,
    drift: reconciliation.drift,
    spent: reconciliation.spentSessionCuts,
    problems,
    ofUnreadable: reconciliation.ofUnreadableRecords,
    ...(inventory && !inventory.dryRun
      ? { inventory: { principalsListed: inventory.principalsListed, problems: inventory.problems } }
      : {}),
  }
}

/** The full pass; a provider that throws (a backend the app was not given) is one problem line, never the sweep's end. */
async function runFullPass(provider: CloudProvider, request: InventoryRequest): Promise<Inventory> {
  try {
    return await provider.listAllManagedPolicies(request)
  } catch (error) {
    return { principals: [], problems: [`the full reconcile pass failed: ${(error as Error).message}`], principalsListed: 0 }
  }
}

/** One line a reviewer reads first, e.g. "revoked 3 expired grants (1 failed, retried next sweep); 1 orphan; 0 drift". */
export function summariseSweep(report: Omit<SweepReport, 'summary'>): string {
  const count = (status: SweptGrant['status']) => report.grants.filter((grant) => grant.status === status).length
  const parts = [
    report.dryRun
      ? `would revoke ${count('would-revoke')} of ${report.active} active grants`
      : `revoked ${count('revoked')} of ${report.active} active grants`,
  ]
  if (count('failed') > 0) parts.push(`${count('failed')} failed in AWS and stay active until the next sweep`)
  if (count('revoked-by-another-sweeper') > 0) parts.push(`${count('revoked-by-another-sweeper')} already recorded by another sweeper`)
  const orphaned = report.orphans.filter((orphan) => orphan.status === 'revoked' || orphan.status === 'would-revoke').length
  if (orphaned > 0) parts.push(`${orphaned} orphan polic${orphaned === 1 ? 'y' : 'ies'} ${report.dryRun ? 'would be ' : ''}deleted`)
  if (report.drift.length > 0) parts.push(`${formatCount(report.drift.length, 'drifted grant')} (policy missing in AWS)`)
  const stale = report.staleRequests.filter((request) => request.status !== 'failed').length
  if (stale > 0) parts.push(`${formatCount(stale, 'stale request')} ${report.dryRun ? 'would be ' : ''}closed`)
  const heals = (status: HealedMerge['status']) => report.healedMerges.filter((merge) => merge.status === status).length
  const flaggedReviews = report.reviewsFlagged?.length ?? 0
  if (flaggedReviews > 0)
    parts.push(`${report.dryRun ? 'would flag' : 'flagged'} ${formatCount(flaggedReviews, 'unreviewed break-glass grant')}`)
  const healed = heals(report.dryRun ? 'would-heal' : 'healed-merge')
  if (healed > 0) parts.push(`${report.dryRun ? 'would record' : 'recorded'} ${formatCount(healed, 'merge')} that had no record`)
  if (heals('failed') > 0) parts.push(`${formatCount(heals('failed'), 'unrecorded merge')} failed to heal, retried next sweep`)
  if (heals('deferred') > 0) parts.push(`${formatCount(heals('deferred'), 'unrecorded merge')} left for the next sweep`)
  const intents = (status: SettledIntent['status']) => report.intents.filter((intent) => intent.status === status).length
  if (intents('completed') > 0) parts.push(`completed ${formatCount(intents('completed'), 'grant')} left granting (read back from AWS)`)
  if (intents('undone') + intents('expired') > 0)
    parts.push(`undid ${formatCount(intents('undone') + intents('expired'), 'grant')} left granting`)
  if (intents('failed') > 0) parts.push(`${formatCount(intents('failed'), 'grant')} left granting could not be settled, retried next sweep`)
  const removed = heals('record-removed')
  if (removed > 0) parts.push(`${formatCount(removed, 'merge')} whose record was deleted from the branch (not granted again)`)
  if (report.tampered.length > 0) parts.push(`${formatCount(report.tampered.length, 'tampered record')} (not obeyed)`)
  if (report.fullPass.ran) parts.push(`full reconcile pass: ${formatCount(report.fullPass.principalsListed, 'principal')} listed`)
  const unreadable = (status: UnreadableRecordResult['status']) =>
    (report.unreadableRecords ?? []).filter((r) => r.status === status).length
  if (unreadable('revoked') + unreadable('would-revoke') > 0)
    parts.push(
      `${report.dryRun ? 'would revoke' : 'revoked'} ${formatCount(unreadable('revoked') + unreadable('would-revoke'), 'grant')} whose record cannot be read`,
    )
  if (report.problems.length > 0) parts.push(`${formatCount(report.problems.length, 'problem')}`)
  parts.push(report.commit ? `recorded in ${shortSha(report.commit.sha)}` : 'no commit')
  return `${report.repository}: ${parts.join('; ')}`
}
