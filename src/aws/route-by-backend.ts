import type {
  CloudProvider,
  GrantOptions,
  GrantOutcome,
  GrantPlan,
  GrantTargetOutcome,
  RevokeOutcome,
} from '../core/ports/cloud-provider.js'
import { backendFor, type CloudBackend, type JitSettings } from '../core/files/settings.js'

/**
 * One provider over the backends an access repository's accounts use (`backend` and `accounts` in
 * `.github/jit.yml`): each target goes to its account's backend. A grant spanning both stays all or
 * nothing: the IAM part is granted first, and revoked when the Identity Center part fails.
 */
export function routeByBackend(params: {
  settings: Pick<JitSettings, 'backend' | 'accountBackends'>
  providers: Readonly<Record<CloudBackend, CloudProvider | undefined>>
}): CloudProvider {
  const providerOf = (account: string): CloudProvider => {
    const backend = backendFor(params.settings, account)
    const provider = params.providers[backend]
    if (!provider) throw new Error(`no ${backend} provider for account ${account}: .github/jit.yml names a backend the app was not given`)
    return provider
  }
  const split = <T extends { readonly account: string }>(items: readonly T[]) => {
    const parts = new Map<CloudProvider, T[]>()
    for (const item of items) {
      const provider = providerOf(item.account)
      parts.set(provider, [...(parts.get(provider) ?? []), item])
    }
    return [...parts]
  }
  const only = (accounts: readonly string[]): CloudProvider | undefined => {
    const providers = new Set(accounts.map(providerOf))
    return providers.size === 1 ? [...providers][0] : undefined
  }

  return {
    grant: async (plan, options) => {
      const single = only(plan.targets.map((target) => target.account))
      if (single) return await single.grant(plan, options)
      return await grantAcross(plan, split(plan.targets), options)
    },
    revoke: async (request) => {
      const single = only(request.targets.map((target) => target.account))
      if (single) return await single.revoke(request)
      const outcomes: RevokeOutcome[] = []
      for (const [provider, targets] of split(request.targets)) outcomes.push(await provider.revoke({ ...request, targets }))
      return {
        requestId: request.requestId,
        ok: outcomes.every((outcome) => outcome.ok),
        dryRun: outcomes.some((outcome) => outcome.dryRun),
        summary: outcomes.map((outcome) => outcome.summary).join('; '),
        targets: outcomes.flatMap((outcome) => outcome.targets),
      }
    },
    describeGrant: (plan) => split(plan.targets).flatMap(([provider, targets]) => provider.describeGrant({ ...plan, targets })),
    inspectGrant: async (plan) => {
      const single = only(plan.targets.map((target) => target.account))
      if (single) return await single.inspectGrant(plan)
      const parts = []
      for (const [provider, targets] of split(plan.targets)) parts.push(await provider.inspectGrant({ ...plan, targets }))
      return { requestId: plan.requestId, dryRun: parts.some((part) => part.dryRun), targets: parts.flatMap((part) => part.targets) }
    },
    listManagedPolicies: (request) => providerOf(request.account).listManagedPolicies(request),
    listAllManagedPolicies: async (request) => {
      // Each backend looks through its own accounts; their findings are put side by side.
      const parts = new Map<CloudProvider, Record<string, readonly string[]>>()
      for (const [account, patterns] of Object.entries(request.accounts)) {
        const provider = providerOf(account)
        parts.set(provider, { ...parts.get(provider), [account]: patterns })
      }
      const inventories = []
      for (const [provider, accounts] of parts) inventories.push(await provider.listAllManagedPolicies({ ...request, accounts }))
      return {
        principals: inventories.flatMap((inventory) => inventory.principals),
        problems: inventories.flatMap((inventory) => inventory.problems),
        principalsListed: inventories.reduce((sum, inventory) => sum + inventory.principalsListed, 0),
        ...(inventories.some((inventory) => inventory.dryRun) ? { dryRun: true } : {}),
      }
    },
    readManagedPolicy: (target) => providerOf(target.account).readManagedPolicy(target),
  }
}

/** Grants each backend's part in turn; when one fails, the parts granted are revoked and reported rolled back. */
async function grantAcross(
  plan: GrantPlan,
  parts: readonly [CloudProvider, GrantPlan['targets'][number][]][],
  options: GrantOptions | undefined,
): Promise<GrantOutcome> {
  const done: { provider: CloudProvider; outcome: GrantOutcome }[] = []
  for (const [provider, targets] of parts) {
    // Each backend reports the progress of its own part (only Identity Center's waits).
    const outcome = await provider.grant({ ...plan, targets }, options)
    if (outcome.ok) {
      done.push({ provider, outcome })
      continue
    }
    const rolledBack: GrantTargetOutcome[] = []
    for (const previous of done) {
      const revoked = await previous.provider.revoke({
        requestId: plan.requestId,
        // No session cut is written in a rollback, so a plan from before namespaces needs none.
        namespace: plan.namespace ?? '',
        targets: previous.outcome.targets.map((target) => ({
          account: target.account,
          principalArn: target.principalArn,
          policyName: target.policyName,
          ...(target.permissionSet ? { permissionSetArn: target.permissionSet.permissionSetArn } : {}),
        })),
        revokedAt: new Date(plan.notBefore.getTime()),
        cutSessions: false,
      })
      for (const target of previous.outcome.targets) {
        const undone = revoked.targets.find(
          (candidate) => candidate.account === target.account && candidate.principalArn === target.principalArn,
        )
        const failed = !undone || undone.status === 'failed'
        rolledBack.push({
          ...target,
          status: failed ? 'rollback-failed' : 'rolled-back',
          description: failed
            ? `${target.description}, and could not be undone after another account failed: it stays until its condition expires or a sweep removes it`
            : `${target.description}, then undone because another account failed`,
          ...(failed && undone?.failure ? { rollbackFailure: undone.failure } : {}),
        })
      }
    }
    const untried = parts
      .slice(done.length + 1)
      .flatMap(([other, targets]) => other.describeGrant({ ...plan, targets }))
      .map((policy): GrantTargetOutcome => ({
        ...policy,
        granterRoleArn: '',
        status: 'not-attempted',
        description: `did not grant ${policy.policyName} in ${policy.account}: the grant stopped at an earlier failure`,
      }))
    return { ...outcome, targets: [...rolledBack, ...outcome.targets, ...untried] }
  }
  return {
    requestId: plan.requestId,
    ok: true,
    dryRun: done.some((part) => part.outcome.dryRun),
    summary: done.map((part) => part.outcome.summary).join('; '),
    targets: done.flatMap((part) => part.outcome.targets),
  }
}
