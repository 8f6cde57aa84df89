/**
 * `jit doctor`'s judgement of the Identity Center backend, when any account's backend is `identity_center`:
 * what only AWS knows about the instance (its region, its quota, its users), from facts read elsewhere. Pure.
 */
import type { DoctorCheck, Fact } from './installation-checklist.js'

/** What the doctor read from Identity Center, through its granter role. */
export interface IdentityCenterFacts {
  readonly instanceArn: string
  readonly identityStoreId: string
  readonly region: string
  readonly granterRoleArn: string
  /** Assuming the granter role with the external id. */
  readonly session: Fact<true>
  /** The instances `ListInstances` lists in `region` (undefined when there was no session). */
  readonly instances?: Fact<readonly { readonly instanceArn: string; readonly identityStoreId: string }[]>
  /** The permission sets of the instance, and how many are this repository's (undefined when there was no session). */
  readonly permissionSets?: Fact<{ readonly total: number; readonly ours: number }>
  /** Each requester's Identity Center user name, and whether the identity store has it. */
  readonly users: readonly { readonly login: string; readonly userName: string; readonly result: Fact<boolean> }[]
  /** The permission sets the instance may hold (2,000 unless AWS raised it). */
  readonly quota: number
}

/** The share of the quota past which the doctor warns. */
const NEAR_QUOTA = 0.9

const ROLE_FIX =
  "create the role identity_center.granter_role names, in the management (or delegated administrator) account, trusting the app's AWS identity with the condition sts:ExternalId = JIT_EXTERNAL_ID"
const NO_SESSION: Pick<DoctorCheck, 'status' | 'detail' | 'fix'> = {
  status: 'warn',
  detail: 'not checked: no Identity Center granter session',
  fix: 'fix the Identity Center granter role first',
}

export function judgeIdentityCenter(facts: IdentityCenterFacts): DoctorCheck[] {
  return [judgeSession(facts), judgeInstance(facts), judgePermissionSets(facts), judgeUsers(facts)]
}

function judgeSession(facts: IdentityCenterFacts): DoctorCheck {
  const title = 'the Identity Center granter role'
  if (facts.session.ok) return { title, status: 'pass', detail: `assumed ${facts.granterRoleArn} with the external id` }
  return { title, status: 'fail', detail: `${facts.granterRoleArn}: ${facts.session.problem}`, fix: ROLE_FIX }
}

function judgeInstance(facts: IdentityCenterFacts): DoctorCheck {
  const title = `the Identity Center instance in ${facts.region}`
  if (facts.instances === undefined) return { title, ...NO_SESSION }
  if (!facts.instances.ok)
    return {
      title,
      status: 'fail',
      detail: `ListInstances failed: ${facts.instances.problem}`,
      fix: 'allow sso:ListInstances to the Identity Center granter role',
    }
  const found = facts.instances.value.find((instance) => instance.instanceArn === facts.instanceArn)
  if (found === undefined) {
    const listed = facts.instances.value.map((instance) => instance.instanceArn).join(', ')
    return {
      title,
      status: 'fail',
      detail: `${facts.region} has ${listed ? `only ${listed}` : 'no Identity Center instance'}, not ${facts.instanceArn}`,
      fix: 'set identity_center.region to the region of the instance (IAM Identity Center → Settings), and instance_arn to its ARN, in .github/jit.yml',
    }
  }
  if (found.identityStoreId !== facts.identityStoreId)
    return {
      title,
      status: 'fail',
      detail: `${facts.instanceArn} uses identity store ${found.identityStoreId}, not ${facts.identityStoreId}`,
      fix: `set identity_center.identity_store_id to ${found.identityStoreId} in .github/jit.yml`,
    }
  return { title, status: 'pass', detail: `${facts.instanceArn}, identity store ${facts.identityStoreId}` }
}

function judgePermissionSets(facts: IdentityCenterFacts): DoctorCheck {
  const title = 'permission sets in the Identity Center instance'
  if (facts.permissionSets === undefined) return { title, ...NO_SESSION }
  if (!facts.permissionSets.ok)
    return {
      title,
      status: 'fail',
      detail: `could not list them: ${facts.permissionSets.problem}`,
      fix: 'allow sso:ListPermissionSets and sso:DescribePermissionSet on the instance to the Identity Center granter role',
    }
  const { total, ours } = facts.permissionSets.value
  const detail = `${total.toLocaleString('en-US')} of the quota of ${facts.quota.toLocaleString('en-US')}, ${ours.toLocaleString('en-US')} of them this repository's grants`
  const fix =
    'delete permission sets nobody uses, or ask AWS for a higher quota (Service Quotas → IAM Identity Center → Permission sets per instance): each active grant holds one'
  if (total >= facts.quota) return { title, status: 'fail', detail: `${detail}: the next grant cannot create its permission set`, fix }
  if (total >= facts.quota * NEAR_QUOTA) return { title, status: 'warn', detail: `${detail}: near the quota`, fix }
  return { title, status: 'pass', detail }
}

function judgeUsers(facts: IdentityCenterFacts): DoctorCheck {
  const title = "requesters' Identity Center users"
  if (!facts.session.ok) return { title, ...NO_SESSION }
  if (facts.users.length === 0) return { title, status: 'warn', detail: 'no requester to check', fix: 'name requesters in the policies' }
  const missing = facts.users.filter((user) => !user.result.ok || !user.result.value)
  if (missing.length === 0)
    return { title, status: 'pass', detail: `${facts.users.length} present in identity store ${facts.identityStoreId}` }
  return {
    title,
    status: 'fail',
    detail: missing.map((user) => `${user.userName} (${user.login}): ${user.result.ok ? 'no such user' : user.result.problem}`).join('; '),
    fix: 'create each user in Identity Center, or map the login to its user name under identity_center.users in .github/jit.yml',
  }
}
