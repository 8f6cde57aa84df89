import { GrantError, type GrantPlan, type GrantTarget } from '../../core/ports/cloud-provider.js'
import { checkInlinePolicySize, measurePolicySize } from '../../core/records/inline-policy-size.js'
import {
  buildGrantPolicyDocument,
  checkPolicyName,
  formatIsoSeconds,
  nameGrantPolicy,
  serializePolicyDocument,
} from '../../core/records/iam-policy-document.js'
import { formatGranterRoleArn } from '../granter-session.js'
import { parsePrincipalArn, type Principal } from '../../core/records/principal-arn.js'
import { formatCount } from '../../core/text/plural.js'
import { describeWindowProblem } from '../../core/records/grant-feasibility.js'

interface PlannedPolicy {
  readonly target: GrantTarget
  readonly granterRoleArn: string
  readonly policyName: string
  readonly policyDocument: string
  /** Characters IAM counts for the document. */
  readonly policySize: number
}

/** A target the plan allows: its principal is a role or user in the target account. */
export interface ReadyGrantStep extends PlannedPolicy {
  readonly principal: Principal
  readonly problem?: undefined
}

/** A target that must not run: a bad plan or a policy IAM would refuse. Found without calling AWS. */
export interface RefusedGrantStep extends PlannedPolicy {
  /** Undefined when the principal ARN is not a role or user ARN (then `problem` says so). */
  readonly principal?: Principal
  readonly problem: GrantError
}

/** What the AWS provider will do for one target, decided before any call. */
export type GrantStep = ReadyGrantStep | RefusedGrantStep

export function isReadyGrantStep(step: GrantStep): step is ReadyGrantStep {
  return step.problem === undefined
}

/**
 * Turns a plan into one step per target, with every check that needs no AWS call: principal ARNs,
 * the window, policy names, and the size of the new policy alone against IAM's inline quota.
 */
export function planGrantSteps(params: { plan: GrantPlan; granterRole: string }): GrantStep[] {
  const { plan } = params
  const seen = new Set<string>()
  return plan.targets.map((target): GrantStep => {
    const principal = parsePrincipalArn(target.principalArn)
    const policyName = nameGrantPolicy({ namespace: plan.namespace, requestId: plan.requestId, expiresAt: plan.expiresAt })
    const policyDocument = serializePolicyDocument(
      buildGrantPolicyDocument({
        requestId: plan.requestId,
        notBefore: plan.notBefore,
        expiresAt: plan.expiresAt,
        actions: target.actions,
        resources: target.resources,
      }),
    )
    const policySize = measurePolicySize(policyDocument)
    const key = `${target.account} ${target.principalArn}`
    const duplicate = seen.has(key)
    seen.add(key)
    const planned = {
      target,
      granterRoleArn: formatGranterRoleArn(params.granterRole, target.account),
      policyName,
      policyDocument,
      policySize,
    }
    if (!principal) {
      return {
        ...planned,
        problem: refuse(plan, target, `request ${plan.requestId}: ${target.principalArn} is not an IAM role or user ARN`),
      }
    }
    const problem = findProblem({ plan, target, principal, policyName, policySize, duplicate })
    return problem ? { ...planned, principal, problem } : { ...planned, principal }
  })
}

/** "role jit-alice in 111111111111" (the ARN when it is not a role or user ARN). */
export function describePrincipal(step: { principal?: Principal; target: { account: string; principalArn: string } }): string {
  const who = step.principal ? `${step.principal.kind} ${step.principal.name}` : step.target.principalArn
  return `${who} in ${step.target.account}`
}

/** "inline policy jit-pr-42-exp-20261201T110000Z on role jit-alice in 111111111111". */
export function describePolicyPlacement(step: {
  policyName: string
  principal?: Principal
  target: { account: string; principalArn: string }
}): string {
  return `inline policy ${step.policyName} on ${describePrincipal(step)}`
}

/** "allowing 2 actions on 1 resource". */
export function describeGrant(step: GrantStep): string {
  const actions = new Set(step.target.actions).size
  const resources = new Set(step.target.resources).size
  return `allowing ${formatCount(actions, 'action')} on ${formatCount(resources, 'resource')}`
}

/** "2026-12-01T10:00:00Z to 2026-12-01T11:00:00Z". */
export function describeWindow(plan: { notBefore: Date; expiresAt: Date }): string {
  return `${formatIsoSeconds(plan.notBefore)} to ${formatIsoSeconds(plan.expiresAt)}`
}

/** "2 targets". */
export function countTargets(count: number): string {
  return `${formatCount(count, 'target')}`
}

function refuse(plan: GrantPlan, target: GrantTarget, message: string, code = 'InvalidPlan'): GrantError {
  return new GrantError({
    message,
    code,
    permanent: true,
    requestId: plan.requestId,
    account: target.account,
    principalArn: target.principalArn,
  })
}

function findProblem(params: {
  plan: GrantPlan
  target: GrantTarget
  principal: Principal
  policyName: string
  policySize: number
  duplicate: boolean
}): GrantError | undefined {
  const { plan, target, principal } = params
  const invalid = (message: string, code?: string): GrantError => refuse(plan, target, message, code)
  if (principal.account !== target.account) {
    return invalid(`request ${plan.requestId}: principal ${target.principalArn} is not in target account ${target.account}`)
  }
  if (params.duplicate) {
    return invalid(`request ${plan.requestId} lists ${target.principalArn} in ${target.account} more than once: merge the entries`)
  }
  if (target.actions.length === 0 || target.resources.length === 0) {
    return invalid(`request ${plan.requestId} has no ${target.actions.length === 0 ? 'actions' : 'resources'} for ${target.account}`)
  }
  if (plan.expiresAt.getTime() - plan.notBefore.getTime() < 1000) {
    return invalid(
      `request ${plan.requestId} ends (${formatIsoSeconds(plan.expiresAt)}) before it starts (${formatIsoSeconds(plan.notBefore)})`,
    )
  }
  const windowProblem = describeWindowProblem(plan)
  if (windowProblem) return invalid(`request ${plan.requestId}: ${windowProblem}`)
  const nameProblem = checkPolicyName(params.policyName)
  if (nameProblem) return invalid(`request ${plan.requestId}: ${nameProblem}`)
  const sizeProblem = checkInlinePolicySize({
    requestId: plan.requestId,
    principal,
    account: target.account,
    newSize: params.policySize,
    existingSize: 0,
  })
  if (sizeProblem) return invalid(sizeProblem, 'PolicyTooLarge')
  return undefined
}
