import type { GrantError, GrantOutcome, GrantPlan, GrantTargetOutcome } from '../../core/ports/cloud-provider.js'
import {
  countTargets,
  describeGrant,
  describePolicyPlacement,
  describePrincipal,
  describeWindow,
  type GrantStep,
  type ReadyGrantStep,
} from './grant-steps.js'
import type { IamSession } from './iam-session.js'

/**
 * Where one target stands in a grant. A grant moves its targets forward in order (planned, prepared,
 * put) and stops at the first failure; then every target put is rolled back.
 */
export type TargetGrant =
  /** Nothing done; when the grant is over, it stopped before reaching this target. */
  | { readonly stage: 'planned'; readonly step: GrantStep }
  /** The granter session is open and (unless measuring is off) the principal has room for the policy. Nothing written. */
  | { readonly stage: 'prepared'; readonly step: ReadyGrantStep; readonly session: IamSession }
  | { readonly stage: 'put'; readonly step: ReadyGrantStep; readonly session: IamSession }
  /** What stopped the grant: a problem in the plan, or AWS while preparing or putting. */
  | { readonly stage: 'failed'; readonly step: GrantStep; readonly error: GrantError }
  /** Put, then deleted because another target failed. */
  | { readonly stage: 'rolled-back'; readonly step: ReadyGrantStep }
  | { readonly stage: 'rollback-failed'; readonly step: ReadyGrantStep; readonly error: GrantError }

export type TargetGrantAt<Stage extends TargetGrant['stage']> = Extract<TargetGrant, { readonly stage: Stage }>

export function isFailed(target: TargetGrant): target is TargetGrantAt<'failed'> {
  return target.stage === 'failed'
}

/** The outcome of a grant whose targets have gone as far as they will. */
export function reportGrant(plan: GrantPlan, targets: readonly TargetGrant[]): GrantOutcome {
  const failure = targets.find(isFailed)
  const failedWhere = failure ? describePrincipal(failure.step) : ''
  const outcomes = targets.map((target) => describeTargetGrant(plan, target, failedWhere))
  if (!failure) {
    return {
      requestId: plan.requestId,
      ok: true,
      dryRun: false,
      summary: `granted ${plan.requestId} on ${countTargets(targets.length)} from ${describeWindow(plan)}`,
      targets: outcomes,
    }
  }
  const rolledBack = targets.filter((target) => target.stage === 'rolled-back').length
  const rollbackFailedIn = targets.flatMap((target) => (target.stage === 'rollback-failed' ? [target.step.target.account] : []))
  const rollback = [
    ...(rolledBack > 0 ? [`rolled back ${countTargets(rolledBack)}`] : []),
    ...(rollbackFailedIn.length > 0 ? [`rollback failed in ${rollbackFailedIn.join(', ')}`] : []),
  ]
  return {
    requestId: plan.requestId,
    ok: false,
    dryRun: false,
    summary: `did not grant ${plan.requestId}: ${failure.error.message}${rollback.length > 0 ? `; ${rollback.join('; ')}` : ''}`,
    targets: outcomes,
    error: failure.error,
  }
}

/** `failedWhere` names the principal whose failure stopped the grant ('' when none did). */
function describeTargetGrant(plan: GrantPlan, target: TargetGrant, failedWhere: string): GrantTargetOutcome {
  const { step } = target
  const placement = describePolicyPlacement(step)
  switch (target.stage) {
    case 'put':
      return targetOutcome(
        step,
        'granted',
        `put ${placement}, as ${target.session.sessionName} via ${step.granterRoleArn}, ${describeGrant(step)} from ${describeWindow(plan)}`,
      )
    case 'planned':
    case 'prepared':
      return targetOutcome(step, 'not-attempted', `did not put ${placement}: the grant stopped when ${failedWhere} failed`)
    case 'failed':
      return targetOutcome(step, 'failed', target.error.message, { failure: target.error.toFailure() })
    case 'rolled-back':
      return targetOutcome(step, 'rolled-back', `put ${placement}, then deleted it because ${failedWhere} failed`)
    case 'rollback-failed':
      return targetOutcome(
        step,
        'rollback-failed',
        `put ${placement}, and could not delete it after ${failedWhere} failed: it stays until its condition expires or a sweep removes it`,
        { rollbackFailure: target.error.toFailure() },
      )
  }
}

function targetOutcome(
  step: GrantStep,
  status: GrantTargetOutcome['status'],
  description: string,
  extra: Pick<GrantTargetOutcome, 'failure' | 'rollbackFailure'> = {},
): GrantTargetOutcome {
  return {
    account: step.target.account,
    principalArn: step.target.principalArn,
    policyName: step.policyName,
    policyDocument: step.policyDocument,
    granterRoleArn: step.granterRoleArn,
    status,
    description,
    ...extra,
  }
}
