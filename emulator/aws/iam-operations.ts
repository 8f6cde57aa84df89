import { AwsQueryError } from './aws-query-error.js'
import type { Caller } from './authenticate-caller.js'
import type { IamTag, RoleRecord, UserRecord } from './emulator-state.js'
import {
  decodeMarker,
  deleteInlinePolicy,
  getInlinePolicy,
  listInlinePolicyNames,
  putInlinePolicy,
  type PolicyHolder,
} from './manage-inline-policies.js'
import type { Operation, OperationContext } from './operation-context.js'
import { readIntegerParam, readRequiredParam, readStructList } from './parse-query-request.js'
import { parsePolicyDocument } from './policy-document.js'
import type { XmlElements } from './render-xml.js'

// IAM acts in the caller's account: the assumed role's account, or the key owner's.
function findRoleOrFail({ state, caller, params }: OperationContext): RoleRecord {
  const roleName = readEntityName(params, 'RoleName')
  const role = state.findRole(caller.account, roleName)
  if (role === undefined) {
    throw new AwsQueryError('NoSuchEntity', 404, `The role with name ${roleName} cannot be found.`)
  }
  return role
}

function findUserOrFail({ state, caller, params }: OperationContext): UserRecord {
  const givenName = params['UserName']
  // Without a name, GetUser and friends describe the calling user, as IAM does.
  const userName = givenName !== undefined && givenName !== '' ? readEntityName(params, 'UserName') : callerUserName(caller)
  const user = state.findUser(caller.account, userName)
  if (user === undefined) {
    throw new AwsQueryError('NoSuchEntity', 404, `The user with name ${userName} cannot be found.`)
  }
  return user
}

function callerUserName(caller: Caller): string {
  if (caller.kind !== 'user') {
    throw new AwsQueryError('ValidationError', 400, 'Must specify userName when calling with non-User credentials')
  }
  return caller.userName
}

function asHolder(entity: RoleRecord | UserRecord): PolicyHolder {
  return 'roleName' in entity
    ? { kind: 'role', name: entity.roleName, inlinePolicies: entity.inlinePolicies }
    : { kind: 'user', name: entity.userName, inlinePolicies: entity.inlinePolicies }
}

/**
 * Put/Get/Delete/List{Role,User}Policy: IAM's two families of inline-policy operations are the same
 * but for the entity they name (and the `RoleName`/`UserName` echoed back by Get).
 */
function inlinePolicyOperations(
  kind: 'Role' | 'User',
  findOrFail: (context: OperationContext) => RoleRecord | UserRecord,
): Record<string, Operation> {
  return {
    [`Put${kind}Policy`]: (context) => {
      putInlinePolicy(
        asHolder(findOrFail(context)),
        readRequiredParam(context.params, 'PolicyName'),
        readRequiredParam(context.params, 'PolicyDocument'),
      )
      return undefined
    },
    [`Get${kind}Policy`]: (context) => {
      const holder = asHolder(findOrFail(context))
      const policyName = readRequiredParam(context.params, 'PolicyName')
      const document = getInlinePolicy(holder, policyName)
      return { [`${kind}Name`]: holder.name, PolicyName: policyName, PolicyDocument: encodeURIComponent(document) }
    },
    [`Delete${kind}Policy`]: (context) => {
      deleteInlinePolicy(asHolder(findOrFail(context)), readRequiredParam(context.params, 'PolicyName'))
      return undefined
    },
    [`List${kind}Policies`]: (context) => listInlinePolicyNames(asHolder(findOrFail(context)), readPage(context.params)),
  }
}

function renderRole(role: RoleRecord): XmlElements {
  return {
    Path: role.path,
    RoleName: role.roleName,
    RoleId: role.roleId,
    Arn: role.arn,
    CreateDate: role.createDate,
    // IAM returns policy documents URL-encoded (RFC 3986).
    AssumeRolePolicyDocument: encodeURIComponent(role.assumeRolePolicyDocument),
    Description: role.description,
    MaxSessionDuration: role.maxSessionDuration,
    Tags: role.tags.length === 0 ? undefined : role.tags.map((tag) => ({ Key: tag.Key, Value: tag.Value })),
  }
}

function renderUser(user: UserRecord): XmlElements {
  return {
    Path: user.path,
    UserName: user.userName,
    UserId: user.userId,
    Arn: user.arn,
    CreateDate: user.createDate,
    Tags: user.tags.length === 0 ? undefined : user.tags.map((tag) => ({ Key: tag.Key, Value: tag.Value })),
  }
}

function readEntityName(params: Readonly<Record<string, string>>, name: 'RoleName' | 'UserName'): string {
  const value = readRequiredParam(params, name)
  const member = name === 'RoleName' ? 'roleName' : 'userName'
  if (value.length > 64) {
    throw new AwsQueryError(
      'ValidationError',
      400,
      `1 validation error detected: Value '${value}' at '${member}' failed to satisfy constraint: Member must have length less than or equal to 64`,
    )
  }
  if (!/^[\w+=,.@-]{1,64}$/.test(value)) {
    throw new AwsQueryError(
      'ValidationError',
      400,
      `1 validation error detected: Value '${value}' at '${member}' failed to satisfy constraint: Member must satisfy regular expression pattern: [\\w+=,.@-]+`,
    )
  }
  return value
}

function readPath(params: Readonly<Record<string, string>>): string {
  const path = params['Path'] ?? '/'
  if (!/^\/([\x21-\x7e]*\/)?$/.test(path)) {
    throw new AwsQueryError(
      'ValidationError',
      400,
      `The specified value for path is invalid. It must begin and end with / and contain only alphanumeric characters and/or / characters.`,
    )
  }
  return path
}

function readTags(params: Readonly<Record<string, string>>): IamTag[] {
  return readStructList(params, 'Tags').map((tag) => ({ Key: tag['Key'] ?? '', Value: tag['Value'] ?? '' }))
}

const createRole: Operation = ({ state, caller, params, now }) => {
  const roleName = readEntityName(params, 'RoleName')
  const trustPolicy = readRequiredParam(params, 'AssumeRolePolicyDocument')
  parsePolicyDocument(trustPolicy, 'trust')
  const maxSessionDuration = readIntegerParam(params, 'MaxSessionDuration') ?? 3600
  if (maxSessionDuration < 3600 || maxSessionDuration > 43_200) {
    throw new AwsQueryError(
      'ValidationError',
      400,
      `1 validation error detected: Value '${maxSessionDuration}' at 'maxSessionDuration' failed to satisfy constraint: Member must have value between 3600 and 43200`,
    )
  }
  if (state.findRole(caller.account, roleName) !== undefined) {
    throw new AwsQueryError('EntityAlreadyExists', 409, `Role with name ${roleName} already exists.`)
  }
  const role = state.addRole({
    account: caller.account,
    roleName,
    path: readPath(params),
    assumeRolePolicyDocument: trustPolicy,
    description: params['Description'],
    maxSessionDuration,
    tags: readTags(params),
    now,
  })
  return { Role: renderRole(role) }
}

const createUser: Operation = ({ state, caller, params, now }) => {
  const userName = readEntityName(params, 'UserName')
  if (state.findUser(caller.account, userName) !== undefined) {
    throw new AwsQueryError('EntityAlreadyExists', 409, `User with name ${userName} already exists.`)
  }
  const user = state.addUser({ account: caller.account, userName, path: readPath(params), tags: readTags(params), now })
  return { User: renderUser(user) }
}

function readPage(params: Readonly<Record<string, string>>): { marker: string | undefined; maxItems: number | undefined } {
  return { marker: params['Marker'], maxItems: readIntegerParam(params, 'MaxItems') }
}

/**
 * ListRoles / ListUsers: the account's roles or users whose path starts with `PathPrefix` (default `/`),
 * in name order (IAM lists case-insensitively by name), a page of `MaxItems` (default 100, 1 to 1000)
 * at a time. The marker is opaque and names the first entity of the next page.
 */
function listEntities<T extends RoleRecord | UserRecord>(
  entities: Iterable<T>,
  params: Readonly<Record<string, string>>,
  nameOf: (entity: T) => string,
): { page: T[]; IsTruncated: boolean; Marker: string | undefined } {
  const pathPrefix = params['PathPrefix'] ?? '/'
  if (!/^\/[\x21-\x7e]*$/.test(pathPrefix) || pathPrefix.length > 512) {
    throw new AwsQueryError(
      'ValidationError',
      400,
      `1 validation error detected: Value '${pathPrefix}' at 'pathPrefix' failed to satisfy constraint: Member must satisfy regular expression pattern: \\u002F[\\u0021-\\u007F]*`,
    )
  }
  const { marker, maxItems = 100 } = readPage(params)
  if (maxItems < 1 || maxItems > 1000) {
    throw new AwsQueryError(
      'ValidationError',
      400,
      `1 validation error detected: Value '${maxItems}' at 'maxItems' failed to satisfy constraint: Member must have value between 1 and 1000`,
    )
  }
  const start = marker === undefined ? undefined : decodeMarker(marker)
  const sorted = [...entities]
    .filter((entity) => entity.path.startsWith(pathPrefix))
    .sort((a, b) => nameOf(a).toLowerCase().localeCompare(nameOf(b).toLowerCase()))
    .filter((entity) => start === undefined || nameOf(entity).toLowerCase() >= start)
  const next = sorted[maxItems]
  return {
    page: sorted.slice(0, maxItems),
    IsTruncated: next !== undefined,
    Marker: next === undefined ? undefined : Buffer.from(nameOf(next).toLowerCase(), 'utf8').toString('base64url'),
  }
}

const listRoles: Operation = ({ state, caller, params }) => {
  const { page, ...rest } = listEntities(state.getAccount(caller.account).roles.values(), params, (role) => role.roleName)
  return { Roles: page.map(renderRole), ...rest }
}

const listUsers: Operation = ({ state, caller, params }) => {
  const { page, ...rest } = listEntities(state.getAccount(caller.account).users.values(), params, (user) => user.userName)
  return { Users: page.map(renderUser), ...rest }
}

/** The IAM actions the emulator implements, by action name. */
export const iamOperations: Readonly<Record<string, Operation>> = {
  CreateRole: createRole,
  GetRole: (context) => ({ Role: renderRole(findRoleOrFail(context)) }),
  CreateUser: createUser,
  GetUser: (context) => ({ User: renderUser(findUserOrFail(context)) }),
  ListRoles: listRoles,
  ListUsers: listUsers,

  ...inlinePolicyOperations('Role', findRoleOrFail),
  ...inlinePolicyOperations('User', findUserOrFail),
}
