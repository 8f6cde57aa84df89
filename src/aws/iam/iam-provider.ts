import {
  DeleteRolePolicyCommand,
  DeleteUserPolicyCommand,
  GetRolePolicyCommand,
  GetUserPolicyCommand,
  type IAMClient,
  ListRolePoliciesCommand,
  ListUserPoliciesCommand,
  PutRolePolicyCommand,
  PutUserPolicyCommand,
} from '@aws-sdk/client-iam'
import { AssumeRoleCommand, type STSClient } from '@aws-sdk/client-sts'
import {
  type CloudProvider,
  GrantError,
  type GrantOutcome,
  type GrantPlan,
  type GrantTargetOutcome,
  type ManagedPolicy,
  type RevokeOutcome,
  type RevokeParams,
  type RevokeTarget,
  type RevokeTargetOutcome,
  type SessionCutOutcome,
} from '../../core/ports/cloud-provider.js'
import { AWS_GLOBAL_REGION, type CreateIamClient, type CreateStsClient } from '../aws-clients.js'
import {
  describeGrant,
  describePolicyPlacement,
  describePrincipal,
  describeWindow,
  formatGranterRoleArn,
  type GrantStep,
  planGrantSteps,
} from './grant-steps.js'
import { checkInlinePolicySize, measurePolicySize } from './inline-policy-size.js'
import { buildSessionCutPolicyDocument, nameSessionCutPolicy, parseManagedPolicyName, serializePolicyDocument } from '../policy-document.js'
import { parsePrincipalArn, type Principal } from './principal-arn.js'
import { classifyAwsError, type RetryOptions, retryAwsCall } from '../retry.js'
import { nameRoleSession } from '../role-session-name.js'

export interface AwsProviderParams {
  /** ARN template of the role assumed in each target account, `{account}` substituted (`JitSettings.granterRole`). */
  readonly granterRole: string
  /** The ExternalId the granter roles' trust policies require (from the app's environment). */
  readonly externalId: string
  readonly createStsClient: CreateStsClient
  readonly createIamClient: CreateIamClient
  /** Waits between retries; tests pass one that records and returns at once. */
  readonly sleep: (ms: number) => Promise<void>
  /** Jitter source in [0, 1). Default Math.random. */
  readonly random?: () => number
  readonly retry?: RetryOptions
  /**
   * Read the principal's other inline policies (ListRolePolicies + GetRolePolicy) so the aggregate
   * quota is checked before putting anything. Default true; the granter role then needs
   * `iam:List{Role,User}Policies` and `iam:Get{Role,User}Policy`. When false, only the new policy's
   * own size is checked and IAM reports an overflow as LimitExceeded at put time.
   */
  readonly measureExistingPolicies?: boolean
  /** Lifetime of each granter session. Default 900 s, the minimum: every operation is short. */
  readonly sessionDurationSeconds?: number
}

/** Stands in for a request id in sessions and errors of listing, which serves reconciliation, not one request. */
const RECONCILE = 'reconcile'

/** A principal in an account, reached through one granter session. */
interface Connection {
  readonly iam: IAMClient
  readonly granterRoleArn: string
  readonly sessionName: string
}

/**
 * The AWS implementation of CloudProvider: for each target account it assumes the granter role
 * (ExternalId, a session name carrying the request id, so CloudTrail ties every IAM change to the
 * request) and writes inline policies on the target role or user.
 */
export function createAwsProvider(params: AwsProviderParams): CloudProvider {
  const random = params.random ?? Math.random
  const measureExisting = params.measureExistingPolicies ?? true
  let sts: STSClient | undefined

  const call = <T>(operation: () => Promise<T>): Promise<T> =>
    retryAwsCall({ operation, sleep: params.sleep, random, ...(params.retry ? { options: params.retry } : {}) })

  const fail = (error: unknown, context: { requestId: string; account: string; principalArn: string; doing: string }): GrantError => {
    if (error instanceof GrantError) return error
    const { code, message, transient } = classifyAwsError(error)
    const subject = context.requestId === RECONCILE ? RECONCILE : `request ${context.requestId}`
    return new GrantError({
      message: `${subject}: could not ${context.doing} (${code}: ${message})`,
      code,
      permanent: !transient,
      requestId: context.requestId,
      account: context.account,
      principalArn: context.principalArn,
      cause: error,
    })
  }

  async function connect(context: {
    requestId: string
    account: string
    principalArn: string
    purpose: 'grant' | 'revoke' | 'list'
  }): Promise<Connection> {
    const granterRoleArn = formatGranterRoleArn(params.granterRole, context.account)
    const sessionName = nameRoleSession({ requestId: context.requestId, purpose: context.purpose })
    sts ??= params.createStsClient({ region: AWS_GLOBAL_REGION, maxAttempts: 1 })
    const stsClient = sts
    let response
    try {
      response = await call(() =>
        stsClient.send(
          new AssumeRoleCommand({
            RoleArn: granterRoleArn,
            RoleSessionName: sessionName,
            ExternalId: params.externalId,
            DurationSeconds: params.sessionDurationSeconds ?? 900,
          }),
        ),
      )
    } catch (error) {
      throw fail(error, { ...context, doing: `assume ${granterRoleArn} as ${sessionName} in ${context.account}` })
    }
    const credentials = response.Credentials
    if (!credentials?.AccessKeyId || !credentials.SecretAccessKey || !credentials.SessionToken) {
      throw new GrantError({
        message: `request ${context.requestId}: STS returned no credentials for ${granterRoleArn}`,
        code: 'NoCredentials',
        permanent: true,
        requestId: context.requestId,
        account: context.account,
        principalArn: context.principalArn,
      })
    }
    const iam = params.createIamClient({
      region: AWS_GLOBAL_REGION,
      maxAttempts: 1,
      credentials: {
        accessKeyId: credentials.AccessKeyId,
        secretAccessKey: credentials.SecretAccessKey,
        sessionToken: credentials.SessionToken,
        ...(credentials.Expiration ? { expiration: credentials.Expiration } : {}),
      },
    })
    return { iam, granterRoleArn, sessionName }
  }

  async function listInlinePolicyNames(iam: IAMClient, principal: Principal): Promise<string[]> {
    const names: string[] = []
    let marker: string | undefined
    do {
      const page = await call<{ PolicyNames?: string[] | undefined; IsTruncated?: boolean | undefined; Marker?: string | undefined }>(() =>
        principal.kind === 'role'
          ? iam.send(new ListRolePoliciesCommand({ RoleName: principal.name, ...(marker ? { Marker: marker } : {}) }))
          : iam.send(new ListUserPoliciesCommand({ UserName: principal.name, ...(marker ? { Marker: marker } : {}) })),
      )
      names.push(...(page.PolicyNames ?? []))
      marker = page.IsTruncated ? page.Marker : undefined
    } while (marker)
    return names
  }

  /** Size IAM counts for the principal's inline policies other than `replacing` (which a put would overwrite). */
  async function measureOtherInlinePolicies(iam: IAMClient, principal: Principal, replacing: string): Promise<number> {
    let total = 0
    for (const policyName of await listInlinePolicyNames(iam, principal)) {
      if (policyName === replacing) continue
      const response = await call<{ PolicyDocument?: string | undefined }>(() =>
        principal.kind === 'role'
          ? iam.send(new GetRolePolicyCommand({ RoleName: principal.name, PolicyName: policyName }))
          : iam.send(new GetUserPolicyCommand({ UserName: principal.name, PolicyName: policyName })),
      )
      // IAM returns documents URL-encoded (RFC 3986).
      total += measurePolicySize(decodeURIComponent(response.PolicyDocument ?? ''))
    }
    return total
  }

  function putInlinePolicy(iam: IAMClient, principal: Principal, policyName: string, policyDocument: string): Promise<unknown> {
    return call(() =>
      principal.kind === 'role'
        ? iam.send(new PutRolePolicyCommand({ RoleName: principal.name, PolicyName: policyName, PolicyDocument: policyDocument }))
        : iam.send(new PutUserPolicyCommand({ UserName: principal.name, PolicyName: policyName, PolicyDocument: policyDocument })),
    )
  }

  /** Deletes a policy; `false` when it was not there (already revoked). */
  async function deleteInlinePolicy(iam: IAMClient, principal: Principal, policyName: string): Promise<boolean> {
    try {
      await call(() =>
        principal.kind === 'role'
          ? iam.send(new DeleteRolePolicyCommand({ RoleName: principal.name, PolicyName: policyName }))
          : iam.send(new DeleteUserPolicyCommand({ UserName: principal.name, PolicyName: policyName })),
      )
      return true
    } catch (error) {
      if (classifyAwsError(error).code === 'NoSuchEntity') return false
      throw error
    }
  }

  async function grant(plan: GrantPlan): Promise<GrantOutcome> {
    const steps = planGrantSteps({ plan, granterRole: params.granterRole })
    const connections: Connection[] = []
    let failedAt = steps.findIndex((step) => step.problem)
    let error = steps[failedAt]?.problem

    // Prepare every target before putting anything: a denied AssumeRole or a full principal then costs no rollback.
    for (let index = 0; error === undefined && index < steps.length; index++) {
      const step = steps[index] as GrantStep
      const principal = step.principal as Principal
      const context = { requestId: plan.requestId, account: step.target.account, principalArn: step.target.principalArn }
      try {
        const connection = await connect({ ...context, purpose: 'grant' })
        connections.push(connection)
        if (measureExisting) {
          let existingSize: number
          try {
            existingSize = await measureOtherInlinePolicies(connection.iam, principal, step.policyName)
          } catch (cause) {
            throw fail(cause, {
              ...context,
              doing: `read the inline policies of ${principal.kind} ${principal.name} in ${step.target.account}`,
            })
          }
          const problem = checkInlinePolicySize({
            requestId: plan.requestId,
            principal,
            account: step.target.account,
            newSize: step.policySize,
            existingSize,
          })
          if (problem) throw new GrantError({ message: problem, code: 'PolicyTooLarge', permanent: true, ...context })
        }
      } catch (cause) {
        error = fail(cause, { ...context, doing: `prepare ${describePolicyPlacement(step)}` })
        failedAt = index
      }
    }

    const granted: number[] = []
    for (let index = 0; error === undefined && index < steps.length; index++) {
      const step = steps[index] as GrantStep
      try {
        await putInlinePolicy((connections[index] as Connection).iam, step.principal as Principal, step.policyName, step.policyDocument)
        granted.push(index)
      } catch (cause) {
        error = fail(cause, {
          requestId: plan.requestId,
          account: step.target.account,
          principalArn: step.target.principalArn,
          doing: `put ${describePolicyPlacement(step)}`,
        })
        failedAt = index
      }
    }

    if (error === undefined) {
      const targets = steps.map((step, index) =>
        targetOutcome(
          step,
          'granted',
          `put ${describePolicyPlacement(step)}, as ${(connections[index] as Connection).sessionName} via ${step.granterRoleArn}, ${describeGrant(step)} from ${describeWindow(plan)}`,
        ),
      )
      return {
        requestId: plan.requestId,
        ok: true,
        dryRun: false,
        summary: `granted ${plan.requestId} on ${countTargets(steps.length)} from ${describeWindow(plan)}`,
        targets,
      }
    }

    const failedStep = steps[failedAt] as GrantStep
    const failedWhere = describePrincipal(failedStep)
    const targets: GrantTargetOutcome[] = []
    let rolledBack = 0
    const rollbackFailures: string[] = []
    for (const [index, step] of steps.entries()) {
      if (index === failedAt) {
        targets.push(targetOutcome(step, 'failed', error.message, { failure: error.toFailure() }))
      } else if (!granted.includes(index)) {
        targets.push(
          targetOutcome(
            step,
            'not-attempted',
            `did not put ${describePolicyPlacement(step)}: the grant stopped when ${failedWhere} failed`,
          ),
        )
      } else {
        try {
          await deleteInlinePolicy((connections[index] as Connection).iam, step.principal as Principal, step.policyName)
          rolledBack++
          targets.push(
            targetOutcome(step, 'rolled-back', `put ${describePolicyPlacement(step)}, then deleted it because ${failedWhere} failed`),
          )
        } catch (cause) {
          const rollbackError = fail(cause, {
            requestId: plan.requestId,
            account: step.target.account,
            principalArn: step.target.principalArn,
            doing: `delete ${describePolicyPlacement(step)}`,
          })
          rollbackFailures.push(step.target.account)
          targets.push(
            targetOutcome(
              step,
              'rollback-failed',
              `put ${describePolicyPlacement(step)}, and could not delete it after ${failedWhere} failed: it stays until its condition expires or a sweep removes it`,
              {
                rollbackFailure: rollbackError.toFailure(),
              },
            ),
          )
        }
      }
    }
    const rollback = [
      ...(rolledBack > 0 ? [`rolled back ${countTargets(rolledBack)}`] : []),
      ...(rollbackFailures.length > 0 ? [`rollback failed in ${rollbackFailures.join(', ')}`] : []),
    ]
    return {
      requestId: plan.requestId,
      ok: false,
      dryRun: false,
      summary: `did not grant ${plan.requestId}: ${error.message}${rollback.length > 0 ? `; ${rollback.join('; ')}` : ''}`,
      targets,
      error,
    }
  }

  async function revokeTarget(request: RevokeParams, target: RevokeTarget, cutDone: Set<string>): Promise<RevokeTargetOutcome> {
    const granterRoleArn = formatGranterRoleArn(params.granterRole, target.account)
    const context = { requestId: request.requestId, account: target.account, principalArn: target.principalArn }
    const base = { account: target.account, principalArn: target.principalArn, policyName: target.policyName, granterRoleArn }
    const principal = parsePrincipalArn(target.principalArn)
    const placement = describePolicyPlacement({ policyName: target.policyName, target, ...(principal ? { principal } : {}) })
    const principalKey = `${target.account} ${target.principalArn}`
    const wantsCut = request.cutSessions && !cutDone.has(principalKey)
    const cutName = nameSessionCutPolicy({ requestId: request.requestId, revokedAt: request.revokedAt })
    const cutDocument = serializePolicyDocument(
      buildSessionCutPolicyDocument({ requestId: request.requestId, revokedAt: request.revokedAt }),
    )
    const failedCut = (failure: GrantError): SessionCutOutcome => ({
      policyName: cutName,
      policyDocument: cutDocument,
      status: 'failed',
      failure: failure.toFailure(),
    })
    cutDone.add(principalKey)

    if (!principal || principal.account !== target.account) {
      const error = new GrantError({
        message: `request ${request.requestId}: ${target.principalArn} is not an IAM role or user in ${target.account}`,
        code: 'InvalidPlan',
        permanent: true,
        ...context,
      })
      return {
        ...base,
        status: 'failed',
        description: error.message,
        failure: error.toFailure(),
        ...(wantsCut ? { sessionCut: failedCut(error) } : {}),
      }
    }
    let connection: Connection
    try {
      connection = await connect({ ...context, purpose: 'revoke' })
    } catch (cause) {
      const error = fail(cause, { ...context, doing: `connect to ${target.account}` })
      return {
        ...base,
        status: 'failed',
        description: error.message,
        failure: error.toFailure(),
        ...(wantsCut ? { sessionCut: failedCut(error) } : {}),
      }
    }

    let outcome: RevokeTargetOutcome
    try {
      const deleted = await deleteInlinePolicy(connection.iam, principal, target.policyName)
      outcome = deleted
        ? { ...base, status: 'revoked', description: `deleted ${placement}, as ${connection.sessionName} via ${granterRoleArn}` }
        : { ...base, status: 'already-revoked', description: `${placement} was already gone` }
    } catch (cause) {
      const error = fail(cause, { ...context, doing: `delete ${placement}` })
      outcome = { ...base, status: 'failed', description: error.message, failure: error.toFailure() }
    }
    if (!wantsCut) return outcome
    // Cut even when the delete failed: sessions issued before the revocation must stop either way.
    try {
      await putInlinePolicy(connection.iam, principal, cutName, cutDocument)
      return {
        ...outcome,
        description: `${outcome.description}; cut sessions of ${principal.kind} ${principal.name} issued before the revocation with inline policy ${cutName}`,
        sessionCut: { policyName: cutName, policyDocument: cutDocument, status: 'cut' },
      }
    } catch (cause) {
      const error = fail(cause, {
        ...context,
        doing: `put session-cut policy ${cutName} on ${principal.kind} ${principal.name} in ${target.account}`,
      })
      return { ...outcome, description: `${outcome.description}; ${error.message}`, sessionCut: failedCut(error) }
    }
  }

  async function revoke(request: RevokeParams): Promise<RevokeOutcome> {
    const cutDone = new Set<string>()
    const targets: RevokeTargetOutcome[] = []
    for (const target of request.targets) targets.push(await revokeTarget(request, target, cutDone))
    const failed = targets.filter((target) => target.status === 'failed' || target.sessionCut?.status === 'failed')
    const ok = failed.length === 0
    return {
      requestId: request.requestId,
      ok,
      dryRun: false,
      summary: ok
        ? `revoked ${request.requestId} on ${countTargets(targets.length)}${request.cutSessions ? ' and cut earlier sessions' : ''}`
        : `revocation of ${request.requestId} failed on ${countTargets(failed.length)} of ${targets.length}: ${failed.map((target) => target.description).join('; ')}`,
      targets,
    }
  }

  async function listManagedPolicies(request: { account: string; principalArn: string }): Promise<ManagedPolicy[]> {
    const context = { requestId: RECONCILE, ...request }
    const principal = parsePrincipalArn(request.principalArn)
    if (!principal || principal.account !== request.account) {
      throw new GrantError({
        message: `${request.principalArn} is not an IAM role or user in ${request.account}`,
        code: 'InvalidPlan',
        permanent: true,
        ...context,
      })
    }
    const connection = await connect({ ...context, purpose: 'list' })
    let names: string[]
    try {
      names = await listInlinePolicyNames(connection.iam, principal)
    } catch (cause) {
      throw fail(cause, { ...context, doing: `list the inline policies of ${principal.kind} ${principal.name} in ${request.account}` })
    }
    return names.flatMap((policyName): ManagedPolicy[] => {
      const parsed = parseManagedPolicyName(policyName)
      return parsed ? [{ ...parsed, policyName }] : []
    })
  }

  return { grant, revoke, listManagedPolicies }
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

function countTargets(count: number): string {
  return `${count} target${count === 1 ? '' : 's'}`
}
