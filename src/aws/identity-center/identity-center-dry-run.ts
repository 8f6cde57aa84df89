import type {
  CloudProvider,
  GrantOutcome,
  GrantPlan,
  GrantTargetOutcome,
  RevokeOutcome,
  RevokeParams,
  RevokeTargetOutcome,
} from '../../core/ports/cloud-provider.js'
import { parseIdentityCenterPrincipal, type IdentityCenterSettings } from '../../core/files/settings.js'
import { formatIsoSeconds, serializePolicyDocument } from '../../core/records/iam-policy-document.js'
import {
  buildRevokedPermissionSetPolicyDocument,
  checkPermissionSetName,
  chooseSessionDuration,
  describePermissionSet,
  PERMISSION_SET_LIMITS,
} from '../../core/records/permission-set.js'
import { summarizeDryRunRevocation } from '../revocation-outcome.js'
import { formatCount } from '../../core/text/plural.js'
import { nameRoleSession } from '../role-session-name.js'
import { describePermissionSetGrant } from './identity-center-grant.js'

/**
 * The dry run of the Identity Center backend: calls nothing, and says what `grantPermissionSet` and
 * `revokePermissionSets` would do, step by step, with the pre-flight checks they make before their first
 * call (the set's name, each target an Identity Center user). What only AWS knows (whether the user
 * exists, the instance's quota, a set left by an earlier run) is not known here.
 */
export function createIdentityCenterDryRunProvider(params: {
  settings: IdentityCenterSettings
  /** `owner/repo`: names the permission set. */
  repository: string
  now: () => Date
}): CloudProvider {
  const backend = { settings: params.settings, repository: params.repository }
  const granterRoleArn = params.settings.granterRole
  const store = params.settings.identityStoreId

  async function grant(plan: GrantPlan): Promise<GrantOutcome> {
    const planned = describePermissionSetGrant(backend, plan)
    const name = planned[0]?.policyName ?? ''
    const nameProblem = planned.length > 0 ? checkPermissionSetName(name) : undefined
    const userProblem = plan.targets.find((target) => parseIdentityCenterPrincipal(target.principalArn) === undefined)
    const problem = nameProblem
      ? `request ${plan.requestId}: ${nameProblem}`
      : userProblem
        ? `request ${plan.requestId}: ${userProblem.principalArn} is not an Identity Center user`
        : undefined
    const session = nameRoleSession({ requestId: plan.requestId, purpose: 'grant' })
    const duration = chooseSessionDuration({ now: params.now(), expiresAt: plan.expiresAt })
    const window = `from ${formatIsoSeconds(plan.notBefore)} to ${formatIsoSeconds(plan.expiresAt)}`
    const short =
      plan.expiresAt.getTime() - params.now().getTime() < PERMISSION_SET_LIMITS.minSessionMs
        ? ` (the shortest Identity Center allows: the policy's aws:CurrentTime condition still ends the access at ${formatIsoSeconds(plan.expiresAt)})`
        : ''
    const description = describePermissionSet({ repository: params.repository, requestId: plan.requestId, expiresAt: plan.expiresAt })
    const targets = planned.map((target, index): GrantTargetOutcome => {
      const base = { ...target, granterRoleArn }
      const userName = parseIdentityCenterPrincipal(target.principalArn)
      if (problem !== undefined) {
        const own = (index === 0 && nameProblem) || (!nameProblem && userName === undefined)
        return own
          ? { ...base, status: 'failed', description: problem, failure: { code: 'InvalidPlan', message: problem, permanent: true } }
          : { ...base, status: 'not-attempted', description: `would not assign permission set ${name}: the plan has a problem elsewhere` }
      }
      const assign = `provision it to account ${target.account} and assign it there to Identity Center user ${userName} (looked up in ${store})`
      return {
        ...base,
        status: 'would-grant',
        description:
          index === 0
            ? `would assume ${granterRoleArn} as ${session}, create permission set ${name} ("${description}") with session duration ` +
              `${duration}${short} and inline policy ${target.policyDocument}, then ${assign}, ${window}`
            : `would ${assign}, with permission set ${name}, ${window}`,
      }
    })
    if (problem !== undefined)
      return { requestId: plan.requestId, ok: false, dryRun: true, summary: `would not grant ${plan.requestId}: ${problem}`, targets }
    return {
      requestId: plan.requestId,
      ok: true,
      dryRun: true,
      summary: `would grant ${plan.requestId} through permission set ${name} in ${formatCount(targets.length, 'account')} ${window}`,
      targets,
    }
  }

  async function revoke(request: RevokeParams): Promise<RevokeOutcome> {
    const session = nameRoleSession({ requestId: request.requestId, purpose: 'revoke' })
    const deny = serializePolicyDocument(buildRevokedPermissionSetPolicyDocument({ requestId: request.requestId }))
    const targets = request.targets.map((target): RevokeTargetOutcome => {
      const name = target.policyName
      const found = target.permissionSetArn
        ? `find permission set ${name} (${target.permissionSetArn}, if it still bears that name, else by name)`
        : `find permission set ${name} by name`
      const narrow = request.cutSessions
        ? `, narrow its inline policy to ${deny} and provision it again in ${target.account} so live sessions stop`
        : `, and if the set's description says it has not expired yet, narrow its inline policy to deny everything and provision it again in ${target.account} so live sessions stop`
      return {
        account: target.account,
        principalArn: target.principalArn,
        policyName: name,
        granterRoleArn,
        status: 'would-revoke',
        description:
          `would assume ${granterRoleArn} as ${session}, ${found}${narrow}, remove its assignment to Identity Center user ` +
          `${parseIdentityCenterPrincipal(target.principalArn) ?? target.principalArn} in ${target.account}, then delete the set once nothing is assigned`,
        ...(request.cutSessions ? { sessionCut: { policyName: name, policyDocument: deny, status: 'would-cut' as const } } : {}),
      }
    })
    return summarizeDryRunRevocation(request, targets)
  }

  return {
    grant,
    revoke,
    describeGrant: (plan) => describePermissionSetGrant(backend, plan),
    // A dry run cannot see AWS: every planned assignment reads as absent, and the inspection says it was not read.
    inspectGrant: async (plan) => ({
      requestId: plan.requestId,
      dryRun: true,
      targets: describePermissionSetGrant(backend, plan).map((target) => ({
        ...target,
        found: 'absent' as const,
        description: `dry run: permission set ${target.policyName} for ${target.principalArn} in ${target.account} was not read from AWS`,
      })),
    }),
    listManagedPolicies: async () => [],
    // Nothing listed, and said to be a dry run: a sweep records no full pass from it.
    listAllManagedPolicies: async () => ({ principals: [], problems: [], principalsListed: 0, dryRun: true }),
    readManagedPolicy: async () => null,
  }
}
