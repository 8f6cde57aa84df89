import type {
  CloudProvider,
  GrantInspection,
  GrantOutcome,
  GrantPlan,
  GrantTargetOutcome,
  ManagedPolicy,
  RevokeOutcome,
  RevokeParams,
  RevokeTargetOutcome,
} from '../core/ports/cloud-provider.js'
import { formatGranterRoleArn } from './granter-session.js'
import { describeGrant, describePolicyPlacement, describeWindow, type GrantStep, planGrantSteps } from './iam/grant-steps.js'
import { buildSessionCutPolicyDocument, nameSessionCutPolicy, serializePolicyDocument } from '../core/records/iam-policy-document.js'
import { parsePrincipalArn } from '../core/records/principal-arn.js'
import { describeGrantPolicies } from './iam/iam-inspect.js'
import { nameRoleSession } from './role-session-name.js'
import { summarizeDryRunRevocation } from './revocation-outcome.js'
import { formatCount } from '../core/text/plural.js'
import { usesIdentityCenter, type JitSettings } from '../core/files/settings.js'
import { createIdentityCenterDryRunProvider } from './identity-center/identity-center-dry-run.js'
import { routeByBackend } from './route-by-backend.js'

/**
 * A CloudProvider that calls nothing and says exactly what the AWS provider would do, routed per account
 * as the AWS provider is (`routeByBackend`): for an IAM account which granter role it would assume under
 * which session name, and which policy document it would put on which principal; for an Identity Center
 * account which permission set it would create, provision and assign (`createIdentityCenterDryRunProvider`).
 * It makes the same checks each backend makes before its first call (principal ARNs, window, names, the
 * new policy's own size), so a plan it accepts fails in AWS only for reasons AWS alone knows (access,
 * other inline policies, users, quotas).
 */
export function createDryRunProvider(params: {
  granterRole: string
  /** The backends of `.github/jit.yml`; without them every account is on IAM. */
  settings?: Partial<Pick<JitSettings, 'backend' | 'accountBackends' | 'identityCenter'>>
  /** `owner/repo`: names an Identity Center permission set. */
  repository?: string
  now?: () => Date
}): CloudProvider {
  const iam = createIamDryRunProvider(params)
  const backends = { backend: params.settings?.backend ?? 'iam', accountBackends: params.settings?.accountBackends ?? {} }
  const identityCenter = params.settings?.identityCenter
  if (!usesIdentityCenter(backends) || !identityCenter) return iam
  if (params.repository === undefined)
    throw new Error('the Identity Center dry run needs the access repository (owner/repo) to name its permission sets')
  return routeByBackend({
    settings: backends,
    providers: {
      iam,
      identity_center: createIdentityCenterDryRunProvider({
        settings: identityCenter,
        repository: params.repository,
        now: params.now ?? (() => new Date()),
      }),
    },
  })
}

function createIamDryRunProvider(params: { granterRole: string }): CloudProvider {
  async function grant(plan: GrantPlan): Promise<GrantOutcome> {
    const steps = planGrantSteps({ plan, granterRole: params.granterRole })
    const problem = steps.find((step) => step.problem)?.problem
    const targets = steps.map((step): GrantTargetOutcome => {
      const base = {
        account: step.target.account,
        principalArn: step.target.principalArn,
        policyName: step.policyName,
        policyDocument: step.policyDocument,
        granterRoleArn: step.granterRoleArn,
      }
      if (step.problem) return { ...base, status: 'failed', description: step.problem.message, failure: step.problem.toFailure() }
      if (problem)
        return {
          ...base,
          status: 'not-attempted',
          description: `would not put ${describePolicyPlacement(step)}: the plan has a problem elsewhere`,
        }
      return { ...base, status: 'would-grant', description: describeWouldGrant(plan, step) }
    })
    return problem
      ? {
          requestId: plan.requestId,
          ok: false,
          dryRun: true,
          summary: `would not grant ${plan.requestId}: ${problem.message}`,
          targets,
          error: problem,
        }
      : {
          requestId: plan.requestId,
          ok: true,
          dryRun: true,
          summary: `would grant ${plan.requestId} on ${formatCount(steps.length, 'target')} from ${describeWindow(plan)}`,
          targets,
        }
  }

  async function revoke(request: RevokeParams): Promise<RevokeOutcome> {
    const cutName = nameSessionCutPolicy({ namespace: request.namespace, requestId: request.requestId, revokedAt: request.revokedAt })
    const cutDocument = serializePolicyDocument(
      buildSessionCutPolicyDocument({ requestId: request.requestId, revokedAt: request.revokedAt }),
    )
    const session = nameRoleSession({ requestId: request.requestId, purpose: 'revoke' })
    const cutPrincipals = new Set<string>()
    const targets = request.targets.map((target): RevokeTargetOutcome => {
      const principal = parsePrincipalArn(target.principalArn)
      const granterRoleArn = formatGranterRoleArn(params.granterRole, target.account)
      const placement = describePolicyPlacement({ policyName: target.policyName, target, ...(principal ? { principal } : {}) })
      const key = `${target.account} ${target.principalArn}`
      const cut = request.cutSessions && !cutPrincipals.has(key)
      cutPrincipals.add(key)
      const description =
        `would assume ${granterRoleArn} as ${session} and delete ${placement}` +
        (cut ? `, then put inline policy ${cutName} denying everything to sessions issued before the revocation: ${cutDocument}` : '')
      return {
        account: target.account,
        principalArn: target.principalArn,
        policyName: target.policyName,
        granterRoleArn,
        status: 'would-revoke',
        description,
        ...(cut ? { sessionCut: { policyName: cutName, policyDocument: cutDocument, status: 'would-cut' as const } } : {}),
      }
    })
    return summarizeDryRunRevocation(request, targets)
  }

  /** A dry run cannot see AWS: it reports no policies, so a reconcile in dry run plans no deletion. */
  async function listManagedPolicies(): Promise<ManagedPolicy[]> {
    return []
  }

  /** A dry run cannot see AWS: every planned policy reads as absent, and the inspection says it was not read. */
  async function inspectGrant(plan: GrantPlan): Promise<GrantInspection> {
    const targets = describeGrantPolicies(plan, params.granterRole).map((policy) => ({
      ...policy,
      found: 'absent' as const,
      description: `dry run: ${policy.policyName} on ${policy.principalArn} was not read from AWS`,
    }))
    return { requestId: plan.requestId, dryRun: true, targets }
  }

  return {
    grant,
    revoke,
    listManagedPolicies,
    // A dry run cannot see AWS: a full pass finds nothing, and reads no document.
    listAllManagedPolicies: async () => ({ principals: [], problems: [], principalsListed: 0, dryRun: true }),
    readManagedPolicy: async () => null,
    describeGrant: (plan) => describeGrantPolicies(plan, params.granterRole),
    inspectGrant,
  }
}

function describeWouldGrant(plan: GrantPlan, step: GrantStep): string {
  const session = nameRoleSession({ requestId: plan.requestId, purpose: 'grant' })
  return (
    `would assume ${step.granterRoleArn} as ${session} and put ${describePolicyPlacement(step)}, ` +
    `${describeGrant(step)} from ${describeWindow(plan)}: ${step.policyDocument}`
  )
}
