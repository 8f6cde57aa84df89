import type { AccessRequest } from '../files/access-request.js'
import type { CopiedPermissionSet, GrantOutcome, GrantPlan, GrantTarget } from '../ports/cloud-provider.js'
import type { Decision } from '../decision/decision.js'
import type {
  FailureRecord,
  GrantRecord,
  RecordBase,
  RecordedApproval,
  RecordedCuratedPermissionSet,
  RecordedPolicy,
  RecordState,
  RefusalRecord,
} from './grant-record.js'
import { requestIdFor } from './grant-record.js'
import { describeWindowProblem, groupGrantsByAccount } from './grant-feasibility.js'
import { renderDecision } from '../decision/render-decision.js'
import { principalFor, type JitSettings } from '../files/settings.js'

/** What the records need to know about the merge and the files the decision read, gathered by the GitHub adapter. */
export interface MergeFacts {
  readonly pullNumber: number
  readonly pullUrl: string
  readonly mergeCommitSha: string | null
  readonly mergedBy: string | null
  /**
   * When GitHub merged the pull request. A request without `start` begins here, not at "now": the
   * window (and so the AWS policy name, which carries the expiry) is then the same on every delivery
   * of the webhook, which is what makes a re-run put the same policy instead of a second one.
   */
  readonly mergedAt: Date
  /** Blob SHA of the request file at the merged head. */
  readonly requestBlobSha: string
  /** Blob SHA of each policy file at the base the decision read, by path. */
  readonly policyBlobShas: Readonly<Record<string, string>>
}

/** Everything a grant record says that is known before the cloud is called. */
export type GrantDraft = Omit<GrantRecord, 'targets' | 'granted_at' | 'dry_run'>

/** An approved decision turned into what to write, or why it cannot be written (nothing is called then). */
export type GrantPlanning =
  { readonly ok: true; readonly plan: GrantPlan; readonly draft: GrantDraft } | { readonly ok: false; readonly error: string }

const round = (time: Date): string => time.toISOString().replace(/\.\d{3}Z$/, 'Z')

/**
 * Plans the grant of an approved decision, its policies named in the repository's namespace: one target
 * per account, the principal from the settings, the actions and resources exactly as approved, the window from the request's `start` (or the merge)
 * for its duration, and `revokeSessions` when any chosen policy asks for it.
 *
 * Refuses (ok: false) when the decision is not approved, when an account's items are not a plain
 * "these actions on these resources" (one statement per account would then grant more than was
 * approved), or when the window has already ended.
 */
export function planGrant(params: {
  decision: Decision
  settings: JitSettings
  merge: MergeFacts
  now: Date
  /** The access repository's namespace, which every policy name carries. */
  namespace: string
}): GrantPlanning {
  const { decision, settings, merge, now } = params
  const request = decision.request
  if (decision.verdict !== 'approved' || !request) return { ok: false, error: `the request is not approved (${decision.summary})` }

  const grouped = groupGrantsByAccount(request)
  if (!grouped.ok) return { ok: false, error: grouped.error }
  const targets: GrantTarget[] = grouped.grants.map(({ account, actions, resources, permissionSet }) => ({
    account,
    principalArn: principalFor(settings, { account, login: decision.author }),
    actions: [...actions],
    resources: [...resources],
    ...(permissionSet !== undefined && { permissionSet }),
  }))

  const notBefore = request.start ?? merge.mergedAt
  const expiresAt = new Date(notBefore.getTime() + request.durationMs)
  const windowProblem = describeWindowProblem({ notBefore, expiresAt })
  if (windowProblem) return { ok: false, error: windowProblem }
  if (expiresAt.getTime() <= now.getTime()) {
    return {
      ok: false,
      error: `the approved window (${round(notBefore)} to ${round(expiresAt)}) had already ended when the grant ran at ${round(now)}`,
    }
  }

  const policies: RecordedPolicy[] = []
  for (const result of decision.policies) {
    const blobSha = merge.policyBlobShas[result.policy.file]
    if (blobSha === undefined)
      return {
        ok: false,
        error: `the blob SHA of ${result.policy.file} at the base was not read, so the record could not name the policy version`,
      }
    policies.push({ name: result.policy.name, file: result.policy.file, blob_sha: blobSha, auto_approved: result.autoApproved })
  }
  const approvals: RecordedApproval[] = decision.policies.flatMap((result) =>
    result.rules.flatMap((rule, index) =>
      rule.counted.map((approval) => ({
        login: approval.login,
        review_id: approval.reviewId ?? null,
        commit: approval.commitId,
        submitted_at: approval.submittedAt,
        rule: `${result.policy.name} rule ${index + 1}: ${rule.source}`,
      })),
    ),
  )
  const revokeSessions = decision.policies.some((result) => result.policy.revokeSessions)
  const plan: GrantPlan = {
    namespace: params.namespace,
    requestId: requestIdFor(merge.pullNumber),
    requester: decision.author,
    notBefore,
    expiresAt,
    revokeSessions,
    targets,
  }
  const draft: GrantDraft = {
    ...describeRecordBase({ state: 'active', decision, request, merge }),
    extends: request.extends ?? null,
    approvals,
    policies,
    not_before: round(notBefore),
    expires_at: round(expiresAt),
    revoke_sessions: revokeSessions,
  }
  return { ok: true, plan, draft }
}

/** The record of a grant the cloud accepted (or, in a dry run, would have): names come from the outcome. */
export function buildGrantRecord(params: { draft: GrantDraft; plan: GrantPlan; outcome: GrantOutcome; grantedAt: Date }): GrantRecord {
  const { draft, plan, outcome } = params
  const { not_before, expires_at, revoke_sessions, ...story } = draft
  // Key order is the order the YAML reads in: who and why, who approved, what, when.
  return {
    ...story,
    targets: plan.targets.map((target) => {
      const found = findOutcome(outcome, target)
      return {
        account: target.account,
        principal: target.principalArn,
        actions: target.actions,
        resources: target.resources,
        aws_policy_name: found?.policyName ?? '',
        ...(found?.permissionSet
          ? {
              permission_set: {
                arn: found.permissionSet.permissionSetArn,
                user_id: found.permissionSet.userId,
                assignment_request_id: found.permissionSet.assignmentRequestId,
              },
            }
          : {}),
        ...recordCuratedPermissionSet(target, found?.copied),
      }
    }),
    not_before,
    expires_at,
    granted_at: round(params.grantedAt),
    revoke_sessions,
    dry_run: outcome.dryRun,
  }
}

/**
 * The record of an approved request that was not granted: the cloud refused (each target's outcome
 * says what was done and undone) or the plan could not be made (no target was attempted).
 */
export function buildFailureRecord(params: {
  decision: Decision
  merge: MergeFacts
  error: string
  failedAt: Date
  dryRun: boolean
  plan?: GrantPlan
  outcome?: GrantOutcome
}): FailureRecord {
  const { plan, outcome } = params
  return {
    ...describeRecordBase({ state: 'failed', decision: params.decision, request: params.decision.request, merge: params.merge }),
    failed_at: round(params.failedAt),
    error: params.error,
    dry_run: params.dryRun,
    targets: (plan?.targets ?? []).map((target) => {
      const found = outcome ? findOutcome(outcome, target) : undefined
      const error = found?.failure?.message ?? found?.rollbackFailure?.message ?? null
      return {
        account: target.account,
        principal: target.principalArn,
        actions: target.actions,
        resources: target.resources,
        aws_policy_name: found?.policyName ?? '(not named)',
        ...recordCuratedPermissionSet(target, found?.copied),
        outcome: found ? `${found.status}: ${found.description}` : 'not-attempted',
        error,
      }
    }),
  }
}

/** The record of a request merged without an approved verdict, with the decision's full explanation. */
export function buildRefusalRecord(params: { decision: Decision; merge: MergeFacts; refusedAt: Date }): RefusalRecord {
  const { decision } = params
  const verdict = decision.verdict
  // A programming error, not a user's: the workflow grants approved decisions.
  if (verdict === 'approved') throw new Error(`buildRefusalRecord: pr-${params.merge.pullNumber} is approved; it is granted, not refused`)
  return {
    ...describeRecordBase({ state: 'refused', decision, request: decision.request, merge: params.merge }),
    refused_at: round(params.refusedAt),
    verdict,
    summary: decision.summary,
    explanation: renderDecision(decision, { format: 'text' }),
  }
}

/**
 * The record of a request merged in a shape that can never be granted, judged before any decision: from a
 * fork, with commits that change more than the request, or where the rules of the merge cannot be named.
 */
export function buildMergeRefusalRecord(params: {
  merge: MergeFacts
  requester: string
  requestPath: string
  title: string
  reason: string
  refusedAt: Date
}): RefusalRecord {
  const { merge } = params
  return {
    id: requestIdFor(merge.pullNumber),
    state: 'refused',
    request: { path: params.requestPath, blob_sha: merge.requestBlobSha },
    pull_request: { number: merge.pullNumber, url: merge.pullUrl, merge_commit_sha: merge.mergeCommitSha, merged_by: merge.mergedBy },
    requester: params.requester,
    // Not decided, so not read: the explanation says why the request was never evaluated.
    reason: '',
    ticket: null,
    duration: '',
    refused_at: round(params.refusedAt),
    verdict: 'invalid',
    summary: params.title,
    explanation: params.reason,
  }
}

function describeRecordBase<S extends RecordState>(params: {
  state: S
  decision: Decision
  request: AccessRequest | undefined
  merge: MergeFacts
}): RecordBase & { state: S } {
  const { decision, request, merge } = params
  return {
    id: requestIdFor(merge.pullNumber),
    state: params.state,
    request: { path: decision.requestPath, blob_sha: merge.requestBlobSha },
    pull_request: { number: merge.pullNumber, url: merge.pullUrl, merge_commit_sha: merge.mergeCommitSha, merged_by: merge.mergedBy },
    requester: decision.author,
    // An invalid request has no parsed reason or duration; the explanation says why.
    reason: request?.reason ?? '',
    ticket: request?.ticket ?? null,
    duration: request?.durationText ?? '',
  }
}

/** A target's curated permission set as the record names it: by name, and what was copied when AWS told. */
export function recordCuratedPermissionSet(
  target: GrantTarget,
  copied: CopiedPermissionSet | undefined,
): { curated_permission_set?: RecordedCuratedPermissionSet } {
  if (target.permissionSet === undefined) return {}
  return { curated_permission_set: copied ? recordCopiedPermissionSet(copied) : { name: target.permissionSet } }
}

/** What was copied from a curated permission set, as the record says it. */
export function recordCopiedPermissionSet(copied: CopiedPermissionSet): RecordedCuratedPermissionSet {
  return {
    name: copied.name,
    arn: copied.arn,
    managed_policies: [...copied.managedPolicyArns],
    customer_managed_policies: copied.customerManagedPolicies.map((reference) => ({ name: reference.name, path: reference.path })),
    inline_policy: copied.inlinePolicy,
    ...(copied.permissionsBoundary && {
      permissions_boundary:
        'managedPolicyArn' in copied.permissionsBoundary
          ? { managed_policy_arn: copied.permissionsBoundary.managedPolicyArn }
          : { customer_managed_policy: { ...copied.permissionsBoundary.customerManagedPolicy } },
    }),
  }
}

function findOutcome(outcome: GrantOutcome, target: GrantTarget) {
  return outcome.targets.find((candidate) => candidate.account === target.account && candidate.principalArn === target.principalArn)
}
