import { describe, expect, it } from 'vitest'
import type { GrantPlan } from '../../src/core/ports/cloud-provider.js'
import { createDryRunProvider } from '../../src/aws/dry-run-provider.js'
import { TEST_NAMESPACE } from '../fixtures/namespace.js'
import { namePermissionSet } from '../../src/core/records/permission-set.js'

const provider = createDryRunProvider({ granterRole: 'arn:aws:iam::{account}:role/jit-granter' })
const plan: GrantPlan = {
  namespace: TEST_NAMESPACE,
  requestId: 'pr-42',
  requester: 'alice',
  notBefore: new Date('2026-12-01T10:00:00Z'),
  expiresAt: new Date('2026-12-01T11:00:00Z'),
  revokeSessions: true,
  targets: [
    { account: '111111111111', principalArn: 'arn:aws:iam::111111111111:role/jit-alice', actions: ['ec2:StopInstances'], resources: ['*'] },
  ],
}

describe('createDryRunProvider', () => {
  it('says which role it would assume and which document it would put where', async () => {
    const outcome = await provider.grant(plan)
    const document =
      '{"Version":"2012-10-17","Statement":[{"Sid":"JitPr42Grant","Effect":"Allow","Action":["ec2:StopInstances"],"Resource":["*"],' +
      '"Condition":{"DateGreaterThan":{"aws:CurrentTime":"2026-12-01T10:00:00Z"},"DateLessThan":{"aws:CurrentTime":"2026-12-01T11:00:00Z"}}}]}'
    expect(outcome).toEqual({
      requestId: 'pr-42',
      ok: true,
      dryRun: true,
      summary: 'would grant pr-42 on 1 target from 2026-12-01T10:00:00Z to 2026-12-01T11:00:00Z',
      targets: [
        {
          account: '111111111111',
          principalArn: 'arn:aws:iam::111111111111:role/jit-alice',
          policyName: `jit-${TEST_NAMESPACE}-pr-42-exp-20261201T110000Z`,
          policyDocument: document,
          granterRoleArn: 'arn:aws:iam::111111111111:role/jit-granter',
          status: 'would-grant',
          description:
            `would assume arn:aws:iam::111111111111:role/jit-granter as jit-pr-42-grant and put inline policy jit-${TEST_NAMESPACE}-pr-42-exp-20261201T110000Z ` +
            `on role jit-alice in 111111111111, allowing 1 action on 1 resource from 2026-12-01T10:00:00Z to 2026-12-01T11:00:00Z: ${document}`,
        },
      ],
    })
  })

  it('fails as the AWS provider would, before any call, on a plan AWS would refuse', async () => {
    const outcome = await provider.grant({ ...plan, expiresAt: plan.notBefore })
    expect(outcome.ok).toBe(false)
    expect(outcome.targets[0]?.status).toBe('failed')
    expect(outcome.summary).toBe('would not grant pr-42: request pr-42 ends (2026-12-01T10:00:00Z) before it starts (2026-12-01T10:00:00Z)')
  })

  it('says which policy it would delete and which session cut it would put', async () => {
    const outcome = await provider.revoke({
      namespace: TEST_NAMESPACE,
      requestId: 'pr-42',
      targets: [
        {
          account: '111111111111',
          principalArn: 'arn:aws:iam::111111111111:role/jit-alice',
          policyName: `jit-${TEST_NAMESPACE}-pr-42-exp-20261201T110000Z`,
        },
      ],
      revokedAt: new Date('2026-12-01T10:20:00Z'),
      cutSessions: true,
    })
    expect(outcome.ok).toBe(true)
    expect(outcome.summary).toBe('would revoke pr-42 on 1 target and cut earlier sessions')
    expect(outcome.targets[0]?.status).toBe('would-revoke')
    expect(outcome.targets[0]?.sessionCut).toMatchObject({
      policyName: `jit-${TEST_NAMESPACE}-pr-42-revoked-20261201T102000Z`,
      status: 'would-cut',
    })
    expect(outcome.targets[0]?.description).toMatch(
      /^would assume arn:aws:iam::111111111111:role\/jit-granter as jit-pr-42-revoke and delete inline policy jit-bb0610eed9-pr-42-exp-20261201T110000Z on role jit-alice in 111111111111, then put inline policy jit-bb0610eed9-pr-42-revoked-20261201T102000Z denying everything/,
    )
  })
})

describe('createDryRunProvider on Identity Center accounts', () => {
  const identityCenter = {
    instanceArn: 'arn:aws:sso:::instance/ssoins-1234567890abcdef',
    identityStoreId: 'd-1234567890',
    region: 'eu-west-1',
    granterRole: 'arn:aws:iam::999999999999:role/jit-identity-center-granter',
    userName: '{login}@acme.com',
    userOverrides: {},
  }
  const PROD = '111111111111'
  const STAGING = '222222222222'
  const mixed = createDryRunProvider({
    granterRole: 'arn:aws:iam::{account}:role/jit-granter',
    settings: { backend: 'identity_center', accountBackends: { [STAGING]: 'iam' }, identityCenter },
    repository: 'acme/access',
    now: () => new Date('2026-12-01T10:00:00Z'),
  })
  const name = namePermissionSet({ repository: 'acme/access', requestId: 'pr-42' })
  const icPlan: GrantPlan = {
    ...plan,
    targets: [
      { account: PROD, principalArn: 'identity-center-user:alice@acme.com', actions: ['ec2:StopInstances'], resources: ['*'] },
      { account: STAGING, principalArn: 'arn:aws:iam::222222222222:role/jit-alice', actions: ['ec2:StopInstances'], resources: ['*'] },
    ],
  }

  it('says which permission set it would create with which policy and session, where it would assign it, and routes IAM accounts to IAM', async () => {
    const outcome = await mixed.grant(icPlan)
    expect(outcome.ok).toBe(true)
    expect(outcome.dryRun).toBe(true)
    const [prod, staging] = outcome.targets
    expect(prod).toMatchObject({ account: PROD, policyName: name, status: 'would-grant', granterRoleArn: identityCenter.granterRole })
    expect(prod?.description).toBe(
      `would assume ${identityCenter.granterRole} as jit-pr-42-grant, create permission set ${name} ` +
        `("jit-access pr-42 of acme/access until 2026-12-01T11:00:00Z") with session duration PT1H and inline policy ${prod?.policyDocument}, ` +
        `then provision it to account ${PROD} and assign it there to Identity Center user alice@acme.com (looked up in d-1234567890), ` +
        'from 2026-12-01T10:00:00Z to 2026-12-01T11:00:00Z',
    )
    expect(JSON.parse(prod!.policyDocument)).toMatchObject({
      Statement: [{ Sid: `JitPr42Grant${PROD}`, Condition: { StringEquals: { 'aws:PrincipalAccount': PROD } } }],
    })
    expect(staging).toMatchObject({ account: STAGING, status: 'would-grant', granterRoleArn: 'arn:aws:iam::222222222222:role/jit-granter' })
    expect(staging?.description).toContain('put inline policy')
  })

  it('says the session outlives a window shorter than an hour and the policy still ends the access at the window', async () => {
    const outcome = await mixed.grant({ ...icPlan, expiresAt: new Date('2026-12-01T10:20:00Z'), targets: icPlan.targets.slice(0, 1) })
    expect(outcome.targets[0]?.description).toContain(
      "session duration PT1H (the shortest Identity Center allows: the policy's aws:CurrentTime condition still ends the access at 2026-12-01T10:20:00Z)",
    )
  })

  it('fails before any call as the backend would: a set name over 32 characters', async () => {
    const outcome = await mixed.grant({ ...icPlan, requestId: 'pr-12345678901234567', targets: icPlan.targets.slice(0, 1) })
    expect(outcome.ok).toBe(false)
    expect(outcome.targets[0]?.status).toBe('failed')
    expect(outcome.summary).toMatch(
      /^would not grant pr-12345678901234567: request pr-12345678901234567: the permission set name .* is 33 characters; Identity Center allows 32$/,
    )
  })

  it('says what a revocation would delete, and the deny it would provision first when it cuts sessions', async () => {
    const outcome = await mixed.revoke({
      namespace: TEST_NAMESPACE,
      requestId: 'pr-42',
      targets: [
        {
          account: PROD,
          principalArn: 'identity-center-user:alice@acme.com',
          policyName: name,
          permissionSetArn: 'arn:aws:sso:::permissionSet/ssoins-1234567890abcdef/ps-1',
        },
      ],
      revokedAt: new Date('2026-12-01T10:20:00Z'),
      cutSessions: true,
    })
    expect(outcome).toMatchObject({ ok: true, dryRun: true, summary: 'would revoke pr-42 on 1 target and cut earlier sessions' })
    expect(outcome.targets[0]).toMatchObject({ status: 'would-revoke', sessionCut: { policyName: name, status: 'would-cut' } })
    expect(outcome.targets[0]?.description).toBe(
      `would assume ${identityCenter.granterRole} as jit-pr-42-revoke, find permission set ${name} ` +
        '(arn:aws:sso:::permissionSet/ssoins-1234567890abcdef/ps-1, if it still bears that name, else by name), ' +
        `narrow its inline policy to ${outcome.targets[0]?.sessionCut?.policyDocument} and provision it again in ${PROD} so live sessions stop, ` +
        `remove its assignment to Identity Center user alice@acme.com in ${PROD}, then delete the set once nothing is assigned`,
    )
  })

  it('finds nothing in a full pass, on either backend, and says it is a dry run so no sweep records the pass', async () => {
    const passes: Record<string, string[]>[] = [
      { [PROD]: [] },
      { [STAGING]: ['arn:aws:iam::222222222222:role/jit-*'] },
      { [PROD]: [], [STAGING]: [] },
    ]
    for (const accounts of passes) {
      expect(await mixed.listAllManagedPolicies({ namespace: 'bb0610eed9', accounts })).toEqual({
        principals: [],
        problems: [],
        principalsListed: 0,
        dryRun: true,
      })
    }
  })
})
