import { GrantError, type GrantOutcome, type GrantPlan } from '../../core/ports/cloud-provider.js'
import { type TargetContext, toGrantError } from '../grant-error.js'
import { isFailed, reportGrant, type TargetGrant, type TargetGrantAt } from './grant-report.js'
import { describePolicyPlacement, type GrantStep, isReadyGrantStep, planGrantSteps, type ReadyGrantStep } from './grant-steps.js'
import { deleteInlinePolicy, type InlinePolicyApi, measureOtherInlinePolicies } from './inline-policy-api.js'
import { checkInlinePolicySize } from '../../core/records/inline-policy-size.js'
import type { IamBackend } from './iam-session.js'

export interface IamGrantBackend extends IamBackend {
  /** Count the principal's other inline policies against IAM's quota before putting anything. */
  readonly measureExisting: boolean
}

/**
 * Puts one inline policy per target, all or nothing: prepare every target (assume, measure, check;
 * no writes), then put each, and if any target failed, delete what was put.
 */
export async function grantInlinePolicies(backend: IamGrantBackend, plan: GrantPlan): Promise<GrantOutcome> {
  const steps = planGrantSteps({ plan, granterRole: backend.granterRole })
  const ready = steps.filter(isReadyGrantStep)
  if (ready.length < steps.length) return reportGrant(plan, refuseGrant(steps))
  const prepared = await prepareGrant(backend, plan, ready)
  const put = await putGrant(backend, plan, prepared)
  return reportGrant(plan, await rollBackGrant(backend, plan, put))
}

/** The plan's first problem stops the grant before any AWS call. */
function refuseGrant(steps: readonly GrantStep[]): TargetGrant[] {
  const refused = steps.find((step) => step.problem)
  return steps.map((step) =>
    step === refused && step.problem ? { stage: 'failed', step, error: step.problem } : { stage: 'planned', step },
  )
}

/** Prepares every target before putting anything: a denied AssumeRole or a full principal then costs no rollback. */
async function prepareGrant(backend: IamGrantBackend, plan: GrantPlan, steps: readonly ReadyGrantStep[]): Promise<TargetGrant[]> {
  const targets: TargetGrant[] = []
  for (const step of steps) targets.push(targets.some(isFailed) ? { stage: 'planned', step } : await prepareTarget(backend, plan, step))
  return targets
}

/** Puts each prepared policy in order, unless preparing failed; stops at the first failure. */
async function putGrant(backend: IamBackend, plan: GrantPlan, targets: readonly TargetGrant[]): Promise<TargetGrant[]> {
  if (targets.some(isFailed)) return [...targets]
  const result: TargetGrant[] = []
  for (const target of targets) {
    result.push(target.stage === 'prepared' && !result.some(isFailed) ? await putTarget(backend, plan, target) : target)
  }
  return result
}

/** When a target failed, deletes in order every policy put on the others. */
async function rollBackGrant(backend: IamBackend, plan: GrantPlan, targets: readonly TargetGrant[]): Promise<TargetGrant[]> {
  if (!targets.some(isFailed)) return [...targets]
  const result: TargetGrant[] = []
  for (const target of targets) result.push(target.stage === 'put' ? await rollBackTarget(backend, plan, target) : target)
  return result
}

async function prepareTarget(
  backend: IamGrantBackend,
  plan: GrantPlan,
  step: ReadyGrantStep,
): Promise<TargetGrantAt<'prepared'> | TargetGrantAt<'failed'>> {
  const context = contextOf(plan, step)
  try {
    const session = await backend.openSession({ ...context, principal: step.principal, purpose: 'grant' })
    if (backend.measureExisting) checkRoom(context, step, await measureExisting(backend, context, step, session.policies))
    return { stage: 'prepared', step, session }
  } catch (cause) {
    return { stage: 'failed', step, error: explainFailure(cause, plan, step, 'prepare') }
  }
}

/** Size of the principal's inline policies other than this step's; throws GrantError. */
async function measureExisting(
  backend: IamBackend,
  context: TargetContext,
  step: ReadyGrantStep,
  policies: InlinePolicyApi,
): Promise<number> {
  try {
    return await measureOtherInlinePolicies(policies, backend.call, step.policyName)
  } catch (cause) {
    const { principal } = step
    throw toGrantError(cause, {
      ...context,
      doing: `read the inline policies of ${principal.kind} ${principal.name} in ${step.target.account}`,
    })
  }
}

/** Refuses a policy that would take the principal over IAM's inline quota, counting what is already on it. */
function checkRoom(context: TargetContext, step: ReadyGrantStep, existingSize: number): void {
  const problem = checkInlinePolicySize({
    requestId: context.requestId,
    principal: step.principal,
    account: step.target.account,
    newSize: step.policySize,
    existingSize,
  })
  if (problem) throw new GrantError({ message: problem, code: 'PolicyTooLarge', permanent: true, ...context })
}

async function putTarget(
  backend: IamBackend,
  plan: GrantPlan,
  target: TargetGrantAt<'prepared'>,
): Promise<TargetGrantAt<'put'> | TargetGrantAt<'failed'>> {
  const { step, session } = target
  try {
    await backend.call(() => session.policies.put(step.policyName, step.policyDocument))
    return { stage: 'put', step, session }
  } catch (cause) {
    return { stage: 'failed', step, error: explainFailure(cause, plan, step, 'put') }
  }
}

async function rollBackTarget(
  backend: IamBackend,
  plan: GrantPlan,
  target: TargetGrantAt<'put'>,
): Promise<TargetGrantAt<'rolled-back'> | TargetGrantAt<'rollback-failed'>> {
  const { step, session } = target
  try {
    await deleteInlinePolicy(session.policies, backend.call, step.policyName)
    return { stage: 'rolled-back', step }
  } catch (cause) {
    return { stage: 'rollback-failed', step, error: explainFailure(cause, plan, step, 'delete') }
  }
}

function contextOf(plan: GrantPlan, step: GrantStep): TargetContext {
  return { requestId: plan.requestId, account: step.target.account, principalArn: step.target.principalArn }
}

/** "request pr-42: could not put inline policy ... on role jit-alice in 111111111111 (AccessDenied: ...)". */
function explainFailure(cause: unknown, plan: GrantPlan, step: GrantStep, verb: 'prepare' | 'put' | 'delete'): GrantError {
  return toGrantError(cause, { ...contextOf(plan, step), doing: `${verb} ${describePolicyPlacement(step)}` })
}
