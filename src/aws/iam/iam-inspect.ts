import {
  GrantError,
  type GrantInspection,
  type GrantPlan,
  type InspectedGrantTarget,
  type PlannedGrantPolicy,
  type PolicyFound,
} from '../../core/ports/cloud-provider.js'
import { toGrantError } from '../grant-error.js'
import { classifyAwsError } from '../retry.js'
import { describePolicyPlacement, type GrantStep, planGrantSteps } from './grant-steps.js'
import type { IamBackend } from './iam-session.js'

/** The policy each target of the plan receives, from the same steps a grant runs. */
export function describeGrantPolicies(plan: GrantPlan, granterRole: string): PlannedGrantPolicy[] {
  return planGrantSteps({ plan, granterRole }).map((step) => ({
    account: step.target.account,
    principalArn: step.target.principalArn,
    policyName: step.policyName,
    policyDocument: step.policyDocument,
  }))
}

/**
 * Reads back each target's planned policy (`Get{Role,User}Policy`): is it there, and with the planned
 * document? A target whose principal is not a role or user cannot hold it, so it reads as absent.
 * Throws GrantError when IAM cannot be read.
 */
export async function inspectInlinePolicies(backend: IamBackend, plan: GrantPlan): Promise<GrantInspection> {
  const targets: InspectedGrantTarget[] = []
  for (const step of planGrantSteps({ plan, granterRole: backend.granterRole })) targets.push(await inspectTarget(backend, plan, step))
  return { requestId: plan.requestId, dryRun: false, targets }
}

async function inspectTarget(backend: IamBackend, plan: GrantPlan, step: GrantStep): Promise<InspectedGrantTarget> {
  const planned = {
    account: step.target.account,
    principalArn: step.target.principalArn,
    policyName: step.policyName,
    policyDocument: step.policyDocument,
  }
  const placement = describePolicyPlacement(step)
  if (!step.principal) return { ...planned, found: 'absent', description: `${placement} cannot exist: not a role or user` }
  const context = { requestId: plan.requestId, account: step.target.account, principalArn: step.target.principalArn }
  const session = await backend.openSession({ ...context, principal: step.principal, purpose: 'list' })
  let document: string | undefined
  try {
    document = decodeURIComponent(await backend.call(() => session.policies.get(step.policyName)))
  } catch (error) {
    if (error instanceof GrantError) throw error
    if (classifyAwsError(error).code !== 'NoSuchEntity') throw toGrantError(error, { ...context, doing: `read back ${placement}` })
  }
  const found: PolicyFound = document === undefined ? 'absent' : isSameDocument(document, step.policyDocument) ? 'as-planned' : 'different'
  return { ...planned, found, description: describeFound(placement, found) }
}

function describeFound(placement: string, found: PolicyFound): string {
  switch (found) {
    case 'as-planned':
      return `${placement} is in place with the planned document`
    case 'different':
      return `${placement} is in place with a document other than the planned one`
    case 'absent':
      return `${placement} is not in place`
  }
}

/** IAM may return a document reformatted; the same JSON value is the same document. */
function isSameDocument(found: string, planned: string): boolean {
  try {
    return JSON.stringify(JSON.parse(found)) === JSON.stringify(JSON.parse(planned))
  } catch {
    return false
  }
}
