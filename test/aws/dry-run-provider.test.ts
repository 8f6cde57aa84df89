import { describe, expect, it } from 'vitest'
import type { GrantPlan } from '../../src/core/ports/cloud-provider.js'
import { createDryRunProvider } from '../../src/aws/dry-run-provider.js'
import { TEST_NAMESPACE } from '../fixtures/namespace.js'

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
