import { listPermissionSetItems, listRequestItems, type AccessRequest } from '../files/access-request.js'
import type { InputError } from '../files/input-error.js'
import {
  backendFor,
  DEFAULT_IDENTITY_CENTER_MAX_ACCOUNTS,
  parseIdentityCenterPrincipal,
  principalFor,
  type JitSettings,
} from '../files/settings.js'
import {
  buildCuratedWindowDeny,
  buildPermissionSetPolicyDocument,
  checkPermissionSetName,
  checkUserName,
  namePermissionSet,
  PERMISSION_SET_LIMITS,
} from './permission-set.js'
import {
  buildGrantPolicyDocument,
  checkPolicyName,
  findPolicyDocumentCharacterProblem,
  formatIsoSeconds,
  NAMESPACE_PLACEHOLDER,
  nameGrantPolicy,
  serializePolicyDocument,
} from './iam-policy-document.js'
import { INLINE_POLICY_LIMITS, measurePolicySize } from './inline-policy-size.js'
import { describePrincipalProblem, parsePrincipalArn } from './principal-arn.js'

/**
 * "A green check means AWS accepts the grant": everything the grant step or IAM would refuse about a
 * request itself, found when the request is checked, before anyone approves it. The same pure code
 * builds the grant (`planGrant`, `src/aws/iam/grant-steps.ts`), so what is measured here is what is put.
 * What only AWS knows (the principal's other inline policies, whether the role exists) is left to the grant.
 */

/** One account's share of a request: one inline policy with every action on every resource, or one curated permission set. */
export interface AccountGrant {
  readonly account: string
  readonly actions: readonly string[]
  readonly resources: readonly string[]
  /** The curated Identity Center permission set asked for in the account (then actions and resources are empty). */
  readonly permissionSet?: string
  /** Line of the first `access` entry for the account. */
  readonly line: number
}

/** The earliest and latest instants a grant's window may hold: IAM's dates and our policy names are four-digit years. */
export const EARLIEST_GRANT_TIME = new Date('1970-01-01T00:00:00Z')
export const LATEST_GRANT_TIME = new Date('9999-12-31T23:59:59Z')

/**
 * The request id a check assumes when it does not know its pull request (`jit check` offline): as long
 * as any pull request number GitHub will reach, so the size measured is never less than the grant's.
 */
export const UNKNOWN_REQUEST_ID = 'pr-9999999999'

/**
 * Splits a request into one grant per account, or says why that would grant more than was asked: a
 * grant writes one statement per account (every action on every resource), so within an account every
 * action must be asked on every resource.
 */
export function groupGrantsByAccount(
  request: AccessRequest,
):
  | { readonly ok: true; readonly grants: AccountGrant[] }
  | { readonly ok: false; readonly account: string; readonly line: number; readonly error: string } {
  const groups = new Map<string, { actions: Set<string>; resources: Set<string>; pairs: Set<string>; line: number }>()
  for (const item of listRequestItems(request)) {
    let group = groups.get(item.account)
    if (!group) groups.set(item.account, (group = { actions: new Set(), resources: new Set(), pairs: new Set(), line: item.line }))
    group.actions.add(item.action)
    group.resources.add(item.resource)
    group.pairs.add(`${item.action}\u0000${item.resource}`)
  }
  const grants: AccountGrant[] = []
  const sets = new Map<string, { names: Set<string>; line: number }>()
  for (const item of listPermissionSetItems(request)) {
    const group = groups.get(item.account)
    if (group)
      return {
        ok: false,
        account: item.account,
        line: Math.max(item.line, group.line),
        error: `the request asks for both actions and the permission set ${item.permissionSet} in account ${item.account}; one permission set per request holds its access there, and a copied permission set's policies cannot be narrowed to some actions. Ask for one or the other, in separate requests`,
      }
    const set = sets.get(item.account)
    if (set) set.names.add(item.permissionSet)
    else sets.set(item.account, { names: new Set([item.permissionSet]), line: item.line })
  }
  for (const [account, set] of sets) {
    if (set.names.size > 1)
      return {
        ok: false,
        account,
        line: set.line,
        error: `the request asks for several permission sets (${[...set.names].join(', ')}) in account ${account}; one permission set per request holds its access. Open one request per permission set`,
      }
    grants.push({ account, actions: [], resources: [], permissionSet: [...set.names][0]!, line: set.line })
  }
  for (const [account, group] of groups) {
    if (group.pairs.size !== group.actions.size * group.resources.size) {
      return {
        ok: false,
        account,
        line: group.line,
        error:
          `the request asks for different resources for different actions in account ${account}; ` +
          'a grant writes one statement per account (every action on every resource), which would be more than was approved. ' +
          'Open one request per set of resources.',
      }
    }
    grants.push({ account, actions: [...group.actions], resources: [...group.resources], line: group.line })
  }
  return { ok: true, grants }
}

/** Why IAM could not hold a window from `notBefore` to `expiresAt`, or undefined when it can. */
export function describeWindowProblem(window: { notBefore: Date; expiresAt: Date }): string | undefined {
  const { notBefore, expiresAt } = window
  if (notBefore.getTime() < EARLIEST_GRANT_TIME.getTime()) {
    return `the access would start at ${notBefore.toISOString()}, before ${formatIsoSeconds(EARLIEST_GRANT_TIME)}: choose a later start`
  }
  if (expiresAt.getTime() > LATEST_GRANT_TIME.getTime()) {
    return `the access would end after ${formatIsoSeconds(LATEST_GRANT_TIME)}, which an IAM policy cannot say: choose an earlier start or a shorter duration`
  }
  return undefined
}

/**
 * Everything about the request itself that would make its grant fail, each with the line to fix:
 * a window IAM cannot write, a principal IAM refuses (from `.github/jit.yml`), a policy name IAM
 * refuses, a document with characters IAM refuses or over the inline quota of the principal's kind.
 * `requestId` is the pull request's (`pr-42`); without one the longest is assumed. Starts without a
 * `start` are assumed at `now` (the merge comes later; the size does not depend on when).
 */
export function findUngrantableReasons(params: {
  request: AccessRequest
  settings: JitSettings
  author: string
  now: Date
  requestId?: string | undefined
}): InputError[] {
  const { request, settings, author } = params
  const file = request.file
  const requestId = params.requestId ?? UNKNOWN_REQUEST_ID
  const errors: InputError[] = []

  const notBefore = request.start ?? params.now
  const expiresAt = new Date(notBefore.getTime() + request.durationMs)
  const windowProblem = describeWindowProblem({ notBefore, expiresAt })
  if (windowProblem)
    errors.push({ file, line: request.start ? (request.lines.start ?? 1) : request.lines.duration, message: windowProblem })

  const grouped = groupGrantsByAccount(request)
  if (!grouped.ok) return [...errors, { file, line: grouped.line, message: grouped.error }]
  if (windowProblem) return errors

  const policyName = nameGrantPolicy({ namespace: NAMESPACE_PLACEHOLDER, requestId, expiresAt })
  const nameProblem = checkPolicyName(policyName)
  if (nameProblem) errors.push({ file, line: request.lines.duration, message: nameProblem })

  const permissionSetGrants: { grant: AccountGrant; principal: string }[] = []
  for (const grant of grouped.grants) {
    const report = (message: string): void => void errors.push({ file, line: grant.line, message })
    const principalArn = principalFor(settings, { account: grant.account, login: author })
    if (grant.permissionSet !== undefined && backendFor(settings, grant.account) !== 'identity_center') {
      report(
        `account ${grant.account} is on the IAM backend, where there are no permission sets: permission_set ${grant.permissionSet} can be asked only in accounts whose backend is identity_center in .github/jit.yml; ask for actions instead`,
      )
      continue
    }
    if (backendFor(settings, grant.account) === 'identity_center') {
      permissionSetGrants.push({ grant, principal: principalArn })
      continue
    }
    const principalProblem = describePrincipalProblem(principalArn)
    const principal = parsePrincipalArn(principalArn)
    if (principalProblem || !principal) {
      report(
        `the grant in ${grant.account} would go to ${principalArn}, which IAM refuses: ${principalProblem ?? ''}; fix \`principal\` in .github/jit.yml`,
      )
      continue
    }
    if (principal.account !== grant.account) {
      report(`the grant in ${grant.account} would go to ${principalArn}, in another account; fix \`principal\` in .github/jit.yml`)
      continue
    }
    const document = serializePolicyDocument(
      buildGrantPolicyDocument({ requestId, notBefore, expiresAt, actions: grant.actions, resources: grant.resources }),
    )
    const characterProblem = findPolicyDocumentCharacterProblem(document)
    if (characterProblem) report(`the grant's policy ${characterProblem}`)
    const size = measurePolicySize(document)
    const limit = INLINE_POLICY_LIMITS[principal.kind]
    if (size > limit) {
      report(
        `the grant in ${grant.account} would be an inline policy of ${size.toLocaleString('en-US')} characters on ${principal.kind} ` +
          `${principal.name}; IAM allows ${limit.toLocaleString('en-US')} per ${principal.kind}: ask for fewer actions or resources ` +
          '(a wildcard the policy allows, such as ec2:Describe*, counts as one), or split the request',
      )
    }
  }
  if (permissionSetGrants.length > 0) {
    errors.push(...findPermissionSetProblems({ file, requestId, notBefore, expiresAt, settings, grants: permissionSetGrants }))
  }
  return errors
}

/**
 * What Identity Center would refuse about a request's permission set, each at the line of the account it
 * concerns: a user name it cannot hold, more accounts than one request may assign, a set name over its 32
 * characters, an inline policy over its quota, or a curated set beside other access. One permission set
 * per request is provisioned to every Identity Center account of the request, and the managed policies
 * copied from a curated set hold in each of them (they cannot be limited to an account): so a curated set
 * is grantable only when it is all the request asks for on Identity Center, the same set in every such
 * account. The session duration is never refused: it is what is left of the window within Identity
 * Center's 1 to 12 hours (`chooseSessionDuration`), and when the window is shorter than an hour the
 * policy's `aws:CurrentTime` condition still ends the access at the window.
 */
function findPermissionSetProblems(params: {
  file: string
  requestId: string
  notBefore: Date
  expiresAt: Date
  settings: JitSettings
  grants: readonly { grant: AccountGrant; principal: string }[]
}): InputError[] {
  const { file } = params
  const errors: InputError[] = []
  const curated = params.grants.filter(({ grant }) => grant.permissionSet !== undefined)
  if (curated.length > 0) {
    const names = new Set(curated.map(({ grant }) => grant.permissionSet))
    const other = params.grants.find(({ grant }) => grant.permissionSet === undefined)
    if (other || names.size > 1) {
      const { grant } = other ?? curated.find(({ grant }) => grant.permissionSet !== curated[0]!.grant.permissionSet)!
      const asked =
        grant.permissionSet === undefined ? `actions in ${grant.account}` : `permission set ${grant.permissionSet} in ${grant.account}`
      errors.push({
        file,
        line: grant.line,
        message: `the request asks for the permission set ${curated[0]!.grant.permissionSet} in ${curated[0]!.grant.account} and also ${asked}; one permission set per request is provisioned to every Identity Center account of the request, so a copied set's managed policies would hold in all of them: ask for one permission set (the same in every account) or for actions, in separate requests`,
      })
      return errors
    }
  }
  for (const { grant, principal } of params.grants) {
    const userName = parseIdentityCenterPrincipal(principal) ?? ''
    const problem = checkUserName(userName)
    if (problem) {
      errors.push({
        file,
        line: grant.line,
        message: `the grant in ${grant.account} would go to the Identity Center user "${userName}", a name Identity Center refuses (${problem}); fix identity_center.user_name (or users) in .github/jit.yml`,
      })
    }
  }
  const maxAccounts = params.settings.identityCenter?.maxAccounts ?? DEFAULT_IDENTITY_CENTER_MAX_ACCOUNTS
  if (params.grants.length > maxAccounts) {
    errors.push({
      file,
      line: params.grants[maxAccounts]!.grant.line,
      message:
        `the request assigns its permission set in ${params.grants.length} Identity Center accounts; one request may assign it in at most ${maxAccounts} ` +
        '(identity_center.max_accounts in .github/jit.yml): each assignment is created and confirmed in turn, and all are removed again when one fails. ' +
        'Split the request',
    })
  }
  const line = params.grants[0]!.grant.line
  // The hash of the repository is always 8 hex digits: the name's length and characters do not depend on which repository.
  const nameProblem = checkPermissionSetName(namePermissionSet({ repository: 'owner/repo', requestId: params.requestId }))
  if (nameProblem) errors.push({ file, line, message: `the grant's ${nameProblem.replace(/^the /, '')}` })
  // A curated set's own inline policy is known only at the grant (it is checked there); the window's deny is known now.
  const document = serializePolicyDocument(
    curated.length > 0
      ? { Version: '2012-10-17', Statement: buildCuratedWindowDeny(params) }
      : buildPermissionSetPolicyDocument({
          requestId: params.requestId,
          notBefore: params.notBefore,
          expiresAt: params.expiresAt,
          grants: params.grants.map(({ grant }) => grant),
        }),
  )
  const characterProblem = findPolicyDocumentCharacterProblem(document)
  if (characterProblem) errors.push({ file, line, message: `the grant's policy ${characterProblem}` })
  const size = measurePolicySize(document)
  if (size > PERMISSION_SET_LIMITS.inlinePolicySize) {
    errors.push({
      file,
      line,
      message:
        `the grant would be a permission set whose inline policy has ${size.toLocaleString('en-US')} characters ` +
        `(one statement per Identity Center account of the request); Identity Center allows ` +
        `${PERMISSION_SET_LIMITS.inlinePolicySize.toLocaleString('en-US')} (white space aside): ask for fewer actions or resources ` +
        '(a wildcard the policy allows, such as ec2:Describe*, counts as one), or split the request',
    })
  }
  return errors
}
