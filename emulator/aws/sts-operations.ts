import { randomBytes } from 'node:crypto'
import { AwsQueryError } from './aws-query-error.js'
import type { Caller } from './authenticate-caller.js'
import { createEntityId, type SessionCredential } from './emulator-state.js'
import { evaluateTrustPolicy } from './evaluate-trust-policy.js'
import type { Operation } from './operation-context.js'
import { readIntegerParam, readRequiredParam } from './parse-query-request.js'

const roleArnPattern = /^arn:aws:iam::(\d{12}):role(\/(?:[\x21-\x7e]*\/)?)([\w+=,.@-]{1,64})$/
const sessionNamePattern = /^[\w+=,.@-]{2,64}$/
// AWS caps role chaining (assuming a role with role credentials) at one hour.
const chainedSessionLimitSeconds = 3600

/**
 * STS AssumeRole: the role must exist in the account its ARN names and its trust policy must let
 * the caller in (with the right `sts:ExternalId`); otherwise `AccessDenied` (403), as AWS answers
 * even for a role that does not exist. Issues temporary credentials and records the assumption.
 */
const assumeRole: Operation = ({ state, caller, params, now }) => {
  const roleArn = readRequiredParam(params, 'RoleArn')
  const sessionName = readRequiredParam(params, 'RoleSessionName')
  if (!sessionNamePattern.test(sessionName)) {
    throw new AwsQueryError(
      'ValidationError',
      400,
      `1 validation error detected: Value '${sessionName}' at 'roleSessionName' failed to satisfy constraint: Member must satisfy regular expression pattern: [\\w+=,.@-]*`,
    )
  }
  const externalId = params['ExternalId']
  const denied = new AwsQueryError(
    'AccessDenied',
    403,
    `User: ${caller.arn} is not authorized to perform: sts:AssumeRole on resource: ${roleArn}`,
  )
  const match = roleArnPattern.exec(roleArn)
  if (match === null) {
    throw new AwsQueryError('ValidationError', 400, `${roleArn} is invalid`)
  }
  const [, account, path, roleName] = match as unknown as [string, string, string, string]
  const role = state.findRole(account, roleName)
  if (role === undefined || role.path !== path) throw denied
  const trusted = evaluateTrustPolicy({
    trustPolicy: role.assumeRolePolicyDocument,
    principal: { account: caller.account, arns: callerArns(caller) },
    externalId,
  })
  if (!trusted) throw denied

  const durationSeconds = readIntegerParam(params, 'DurationSeconds') ?? 3600
  const maxDuration = caller.kind === 'assumed-role' ? chainedSessionLimitSeconds : role.maxSessionDuration
  if (durationSeconds < 900) {
    throw new AwsQueryError(
      'ValidationError',
      400,
      `1 validation error detected: Value '${durationSeconds}' at 'durationSeconds' failed to satisfy constraint: Member must have value greater than or equal to 900`,
    )
  }
  if (durationSeconds > maxDuration) {
    throw new AwsQueryError('ValidationError', 400, 'The requested DurationSeconds exceeds the MaxSessionDuration set for this role.')
  }

  const session: SessionCredential = {
    accessKeyId: createEntityId('ASIA', 16),
    secretAccessKey: randomBytes(30).toString('base64'),
    sessionToken: randomBytes(96).toString('base64'),
    expiration: new Date(now.getTime() + durationSeconds * 1000),
    account,
    roleName: role.roleName,
    roleArn: role.arn,
    roleId: role.roleId,
    sessionName,
  }
  state.sessions.set(session.accessKeyId, session)
  state.assumptions.push({
    at: now,
    account,
    roleName: role.roleName,
    roleArn: role.arn,
    sessionName,
    externalId,
    durationSeconds,
    callerArn: caller.arn,
    accessKeyId: session.accessKeyId,
  })
  return {
    Credentials: {
      AccessKeyId: session.accessKeyId,
      SecretAccessKey: session.secretAccessKey,
      SessionToken: session.sessionToken,
      Expiration: session.expiration,
    },
    AssumedRoleUser: {
      AssumedRoleId: `${role.roleId}:${sessionName}`,
      Arn: `arn:aws:sts::${account}:assumed-role/${role.roleName}/${sessionName}`,
    },
  }
}

function callerArns(caller: Caller): string[] {
  return caller.kind === 'user' ? [caller.arn] : [caller.arn, caller.roleArn]
}

/** The STS actions the emulator implements, by action name. */
export const stsOperations: Readonly<Record<string, Operation>> = {
  AssumeRole: assumeRole,
  GetCallerIdentity: ({ state, caller }) => ({
    UserId:
      caller.kind === 'user'
        ? (state.findUser(caller.account, caller.userName)?.userId ?? caller.accessKeyId)
        : `${caller.roleId}:${caller.sessionName}`,
    Account: caller.account,
    Arn: caller.arn,
  }),
}
