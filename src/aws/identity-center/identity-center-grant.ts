import {
  GrantError,
  type GrantOptions,
  type GrantOutcome,
  type GrantPlan,
  type GrantTarget,
  type GrantTargetOutcome,
  type PlannedGrantPolicy,
} from '../../core/ports/cloud-provider.js'
import { parseIdentityCenterPrincipal } from '../../core/files/settings.js'
import { serializePolicyDocument } from '../../core/records/iam-policy-document.js'
import {
  buildPermissionSetPolicyDocument,
  checkPermissionSetName,
  chooseSessionDuration,
  describePermissionSet as describeForIdentityCenter,
  namePermissionSet,
} from '../../core/records/permission-set.js'
import { toGrantError, type TargetContext } from '../grant-error.js'
import { copyCuratedPolicies, nameCopiedPermissionSet, prepareCuratedCopy, type CuratedCopy } from './curated-permission-set.js'
import { trackGrantProgress } from './grant-progress.js'
import type { IdentityCenterBackend, IdentityCenterSession } from './identity-center-session.js'
import {
  createAssignment,
  createPermissionSet,
  deleteAssignment,
  deletePermissionSet,
  findPermissionSetByName,
  findUserId,
  putInlinePolicy,
} from './permission-set-api.js'

/** The permission set a plan's targets share: its name and inline policy, known before any call. */
export function describePermissionSetGrant(
  backend: Pick<IdentityCenterBackend, 'repository' | 'settings'>,
  plan: GrantPlan,
): PlannedGrantPolicy[] {
  const policyName = namePermissionSet({ repository: backend.repository, requestId: plan.requestId })
  const policyDocument = serializePolicyDocument(
    buildPermissionSetPolicyDocument({
      requestId: plan.requestId,
      notBefore: plan.notBefore,
      expiresAt: plan.expiresAt,
      grants: plan.targets,
    }),
  )
  return plan.targets.map((target) => ({ account: target.account, principalArn: target.principalArn, policyName, policyDocument }))
}

/** Where one target stands in an Identity Center grant. */
type TargetState =
  | { readonly stage: 'planned' }
  | { readonly stage: 'assigned'; readonly userId: string; readonly permissionSetArn: string; readonly requestId: string }
  | { readonly stage: 'failed'; readonly error: GrantError }
  | { readonly stage: 'rolled-back' }
  | { readonly stage: 'rollback-failed'; readonly error: GrantError }

/**
 * Grants a plan through one permission set: resolve each user in the Identity Store, create the set (or
 * find it, on a re-run) with the window in its inline policy and a session duration within what is left,
 * then assign it to the user in each account, waiting for each assignment to complete. All or nothing:
 * when one account fails, the assignments made are removed and the set deleted.
 */
export async function grantPermissionSet(
  backendOfProvider: IdentityCenterBackend,
  plan: GrantPlan,
  options?: GrantOptions,
): Promise<GrantOutcome> {
  const progress = trackGrantProgress(backendOfProvider, plan, options)
  const { backend } = progress
  const planned = describePermissionSetGrant(backend, plan)
  const name = planned[0]?.policyName ?? namePermissionSet({ repository: backend.repository, requestId: plan.requestId })
  let document = planned[0]?.policyDocument ?? ''
  const states: TargetState[] = plan.targets.map(() => ({ stage: 'planned' }))
  const first = plan.targets[0]
  if (!first) return report(backend, plan, name, document, states, undefined)
  const context = (target: GrantTarget): TargetContext => ({
    requestId: plan.requestId,
    account: target.account,
    principalArn: target.principalArn,
  })

  const nameProblem = checkPermissionSetName(name)
  if (nameProblem) {
    states[0] = {
      stage: 'failed',
      error: new GrantError({
        message: `request ${plan.requestId}: ${nameProblem}`,
        code: 'InvalidPlan',
        permanent: true,
        ...context(first),
      }),
    }
    return report(backend, plan, name, document, states, undefined)
  }
  let session: IdentityCenterSession
  try {
    session = await backend.openSession({ ...context(first), purpose: 'grant' })
  } catch (cause) {
    states[0] = { stage: 'failed', error: toGrantError(cause, { ...context(first), doing: 'open the Identity Center granter session' }) }
    return report(backend, plan, name, document, states, undefined)
  }

  // Users first: an unknown user costs no write.
  const userIds: string[] = []
  for (const [index, target] of plan.targets.entries()) {
    const userName = parseIdentityCenterPrincipal(target.principalArn)
    try {
      if (userName === undefined)
        throw new GrantError({
          message: `request ${plan.requestId}: ${target.principalArn} is not an Identity Center user`,
          code: 'InvalidPlan',
          permanent: true,
          ...context(target),
        })
      const userId = await findUserId(backend, session, userName)
      if (userId === undefined) {
        throw new GrantError({
          message: `request ${plan.requestId}: there is no Identity Center user ${userName} in ${backend.settings.identityStoreId}; fix identity_center.user_name (or users) in .github/jit.yml`,
          code: 'NoSuchUser',
          permanent: true,
          ...context(target),
        })
      }
      userIds.push(userId)
    } catch (cause) {
      states[index] = {
        stage: 'failed',
        error: toGrantError(cause, { ...context(target), doing: `look up the Identity Center user ${userName ?? ''}` }),
      }
      return report(backend, plan, name, document, states, session)
    }
  }

  // A curated set is read before anything is written: missing, or too big to copy, costs no write.
  let copy: CuratedCopy | undefined
  if (first.permissionSet !== undefined) {
    try {
      copy = await prepareCuratedCopy(backend, session, plan)
      document = copy.document
    } catch (cause) {
      states[0] = {
        stage: 'failed',
        error: toGrantError(cause, { ...context(first), doing: `read the curated permission set ${first.permissionSet}` }),
      }
      return report(backend, plan, name, document, states, session)
    }
  }

  let arn: string
  try {
    const sessionDuration = chooseSessionDuration({ now: backend.now(), expiresAt: plan.expiresAt })
    const description = describeForIdentityCenter({ repository: backend.repository, requestId: plan.requestId, expiresAt: plan.expiresAt })
    const created = await createPermissionSet(backend, session, { name, description, sessionDuration })
    const found = created ?? (await findPermissionSetByName(backend, session, name))
    if (found === undefined)
      throw new GrantError({
        message: `request ${plan.requestId}: permission set ${name} was neither created nor found`,
        code: 'Conflict',
        permanent: false,
        ...context(first),
      })
    arn = found
    await putInlinePolicy(backend, session, arn, document)
    if (copy) await copyCuratedPolicies(backend, session, { arn, copy, created: created !== undefined })
  } catch (cause) {
    states[0] = {
      stage: 'failed',
      error: toGrantError(cause, { ...context(first), doing: `create permission set ${name} with its inline policy` }),
    }
    return report(backend, plan, name, document, states, session)
  }

  for (const [index, target] of plan.targets.entries()) {
    try {
      progress.assigning(index)
      const requestId = await createAssignment(backend, session, { arn, account: target.account, userId: userIds[index]! })
      states[index] = { stage: 'assigned', userId: userIds[index]!, permissionSetArn: arn, requestId }
      progress.assigned(index)
    } catch (cause) {
      states[index] = {
        stage: 'failed',
        error: toGrantError(cause, { ...context(target), doing: `assign ${name} to ${target.principalArn} in ${target.account}` }),
      }
      break
    }
  }
  const stopped = states.find((state) => state.stage === 'failed')
  // Undoing is not progress: the rollback's waits report nothing.
  const note = stopped ? await rollBack(backendOfProvider, session, plan, { arn, name, states, userIds }) : undefined
  const outcome = report(backend, plan, name, document, states, session, note, stopped?.stage === 'failed' ? stopped.error : undefined)
  return nameCopiedPermissionSet(outcome, copy)
}

/**
 * Removes every assignment made, and any whose creation did not end in time (it may still complete), then
 * the set. What cannot be undone is reported on its target (`rollback-failed`), or in the summary for the set.
 */
async function rollBack(
  backend: IdentityCenterBackend,
  session: IdentityCenterSession,
  plan: GrantPlan,
  params: { arn: string; name: string; states: TargetState[]; userIds: readonly string[] },
): Promise<string | undefined> {
  let clean = true
  for (const [index, target] of plan.targets.entries()) {
    const state = params.states[index]!
    const timedOut = state.stage === 'failed' && state.error.code === 'AsyncRequestTimedOut'
    if (state.stage !== 'assigned' && !timedOut) continue
    try {
      await deleteAssignment(backend, session, { arn: params.arn, account: target.account, userId: params.userIds[index]! })
      if (state.stage === 'assigned') params.states[index] = { stage: 'rolled-back' }
    } catch (cause) {
      clean = false
      const context = { requestId: plan.requestId, account: target.account, principalArn: target.principalArn }
      params.states[index] = {
        stage: 'rollback-failed',
        error: toGrantError(cause, { ...context, doing: `remove the assignment of ${params.name} in ${target.account}` }),
      }
    }
  }
  if (!clean) return `permission set ${params.name} stays until a sweep removes it (its policy's window still bounds it)`
  try {
    await deletePermissionSet(backend, session, params.arn)
    return undefined
  } catch (cause) {
    const first = plan.targets[0]!
    const error = toGrantError(cause, {
      requestId: plan.requestId,
      account: first.account,
      principalArn: first.principalArn,
      doing: `delete permission set ${params.name}`,
    })
    // A set with no assignment grants nothing; it is left for a sweep, and said.
    return `${error.message}; the set has no assignment left and grants nothing`
  }
}

function report(
  backend: IdentityCenterBackend,
  plan: GrantPlan,
  name: string,
  document: string,
  states: readonly TargetState[],
  session: IdentityCenterSession | undefined,
  note?: string,
  /** The failure that stopped the grant, when rolling back replaced its target's state. */
  stopped?: GrantError,
): GrantOutcome {
  const granterRoleArn = session?.granterRoleArn ?? backend.settings.granterRole
  const failed = states.find(
    (state): state is Extract<TargetState, { stage: 'failed' | 'rollback-failed' }> =>
      state.stage === 'failed' || state.stage === 'rollback-failed',
  )?.error
  const until = plan.expiresAt.toISOString()
  const targets = plan.targets.map((target, index): GrantTargetOutcome => {
    const state = states[index]!
    const base = { account: target.account, principalArn: target.principalArn, policyName: name, policyDocument: document, granterRoleArn }
    const where = `permission set ${name} for ${target.principalArn} in ${target.account}`
    switch (state.stage) {
      case 'assigned':
        return {
          ...base,
          status: 'granted',
          description: `assigned ${where} (assignment request ${state.requestId}) until ${until}`,
          permissionSet: { permissionSetArn: state.permissionSetArn, userId: state.userId, assignmentRequestId: state.requestId },
        }
      case 'planned':
        return { ...base, status: 'not-attempted', description: `did not assign ${where}: the grant stopped at an earlier failure` }
      case 'failed':
        return { ...base, status: 'failed', description: state.error.message, failure: state.error.toFailure() }
      case 'rolled-back':
        return { ...base, status: 'rolled-back', description: `assigned ${where}, then removed it because another account failed` }
      case 'rollback-failed':
        return {
          ...base,
          status: 'rollback-failed',
          description: `assigned ${where}, and could not remove it: it stays until its condition expires or a sweep removes it`,
          rollbackFailure: state.error.toFailure(),
        }
    }
  })
  if (!failed) {
    return {
      requestId: plan.requestId,
      ok: true,
      dryRun: false,
      summary: `granted ${plan.requestId} through permission set ${name} in ${plan.targets.length} account(s) until ${until}`,
      targets,
    }
  }
  return {
    requestId: plan.requestId,
    ok: false,
    dryRun: false,
    summary: `did not grant ${plan.requestId}: ${(stopped ?? failed).message}${note ? `; ${note}` : ''}`,
    targets,
    error: stopped ?? failed,
  }
}
