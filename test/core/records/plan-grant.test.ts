import { beforeAll, describe, expect, it } from 'vitest'
import type { GrantOutcome } from '../../../src/core/ports/cloud-provider.js'
import { decide } from '../../../src/core/decision/decide.js'
import type { Decision } from '../../../src/core/decision/decision.js'
import {
  buildFailureRecord,
  buildGrantRecord,
  buildRefusalRecord,
  planGrant,
  type MergeFacts,
} from '../../../src/core/records/plan-grant.js'
import { decisionInput, loadExampleWorld, NOW, readExampleRequest, review, type ExampleWorld } from '../../support/example-repo.js'
import { TEST_NAMESPACE } from '../../fixtures/namespace.js'

let world: ExampleWorld
beforeAll(async () => {
  world = await loadExampleWorld()
})

const INCIDENT = 'requests/sre/inc-4821-terminate-web.yaml'
const MERGED_AT = new Date('2026-12-01T07:59:30Z')
const blobOf = (path: string): string => Buffer.from(path).toString('hex').padEnd(40, '0').slice(0, 40)

function mergeFacts(overrides: Partial<MergeFacts> = {}): MergeFacts {
  const policyBlobShas = Object.fromEntries(world.repository.policies.map((policy) => [policy.file, blobOf(policy.file)]))
  return {
    pullNumber: 42,
    pullUrl: 'https://github.com/acme/access/pull/42',
    mergeCommitSha: '4'.repeat(40),
    mergedBy: 'bob',
    mergedAt: MERGED_AT,
    requestBlobSha: 'b'.repeat(40),
    policyBlobShas,
    ...overrides,
  }
}

async function decideFile(
  requestFile: { path: string; text: string },
  author: string,
  reviews: ReturnType<typeof review>[],
): Promise<Decision> {
  return decide(decisionInput(world, { requestFile, author, reviews }))
}

const incidentApproved = async (): Promise<Decision> =>
  decideFile(await readExampleRequest(INCIDENT), 'alice', [review('bob', 'APPROVED'), review('carol', 'APPROVED')])

describe('planGrant', () => {
  it('plans one target per account, the principal from the settings, exactly the approved actions and resources, from the merge for the duration', async () => {
    const decision = await incidentApproved()
    const planning = planGrant({ namespace: TEST_NAMESPACE, decision, settings: world.repository.settings, merge: mergeFacts(), now: NOW })
    if (!planning.ok) throw new Error(planning.error)
    expect(planning.plan).toEqual({
      namespace: TEST_NAMESPACE,
      requestId: 'pr-42',
      requester: 'alice',
      notBefore: MERGED_AT,
      expiresAt: new Date('2026-12-01T09:59:30Z'),
      revokeSessions: false,
      targets: [
        {
          account: '111111111111',
          principalArn: 'arn:aws:iam::111111111111:role/jit-alice',
          actions: ['ec2:StopInstances', 'ec2:TerminateInstances'],
          resources: ['arn:aws:ec2:us-east-1:111111111111:instance/i-0abc123'],
        },
      ],
    })
    expect(planning.draft).toMatchObject({
      id: 'pr-42',
      state: 'active',
      request: { path: INCIDENT, blob_sha: 'b'.repeat(40) },
      pull_request: { number: 42, merged_by: 'bob', merge_commit_sha: '4'.repeat(40) },
      requester: 'alice',
      ticket: 'INC-4821',
      duration: '2h',
      extends: null,
      not_before: '2026-12-01T07:59:30Z',
      expires_at: '2026-12-01T09:59:30Z',
      revoke_sessions: false,
      policies: [
        {
          name: 'prod-ec2-incident',
          file: 'policies/prod-ec2-incident.yaml',
          blob_sha: blobOf('policies/prod-ec2-incident.yaml'),
          auto_approved: false,
        },
      ],
    })
    expect(planning.draft.approvals.map((approval) => `${approval.login} ${approval.review_id} ${approval.rule}`)).toEqual([
      expect.stringMatching(
        /^bob \d+ prod-ec2-incident rule 1: code owners of requests\/sre\/inc-4821-terminate-web\.yaml \(@acme\/sre-leads\)$/,
      ),
      expect.stringMatching(/^carol \d+ prod-ec2-incident rule 2: @acme\/security$/),
    ])
  })

  it('starts at the request start when it names one', async () => {
    const text = [
      'reason: planned maintenance',
      'ticket: CHG-77',
      'duration: 1h',
      'start: 2026-12-02T10:00:00Z',
      'access:',
      '  - account: "111111111111"',
      '    actions: [ec2:RebootInstances]',
      '    resources: ["arn:aws:ec2:us-east-1:111111111111:instance/i-1"]',
    ].join('\n')
    const decision = await decideFile({ path: 'requests/sre/maintenance.yaml', text }, 'alice', [
      review('bob', 'APPROVED'),
      review('dan', 'APPROVED'),
    ])
    expect(decision.verdict).toBe('approved')
    const planning = planGrant({ namespace: TEST_NAMESPACE, decision, settings: world.repository.settings, merge: mergeFacts(), now: NOW })
    if (!planning.ok) throw new Error(planning.error)
    expect([planning.plan.notBefore.toISOString(), planning.plan.expiresAt.toISOString()]).toEqual([
      '2026-12-02T10:00:00.000Z',
      '2026-12-02T11:00:00.000Z',
    ])
  })

  it('asks to cut sessions on revocation when a chosen policy says revoke_sessions', async () => {
    const decision = await decideFile(await readExampleRequest('requests/sre/iam-cleanup.yaml'), 'alice', [
      review('carol', 'APPROVED'),
      review('dan', 'APPROVED'),
    ])
    expect(decision.verdict).toBe('approved')
    const planning = planGrant({ namespace: TEST_NAMESPACE, decision, settings: world.repository.settings, merge: mergeFacts(), now: NOW })
    expect(planning.ok && planning.plan.revokeSessions).toBe(true)
  })

  it('uses the per-login principal override', async () => {
    const decision = await decideFile(await readExampleRequest('requests/data/fix-orders.yaml'), 'grace', [review('henry', 'APPROVED')])
    const planning = planGrant({ namespace: TEST_NAMESPACE, decision, settings: world.repository.settings, merge: mergeFacts(), now: NOW })
    expect(planning.ok && planning.plan.targets.map((target) => target.principalArn)).toEqual(['arn:aws:iam::111111111111:user/grace'])
  })

  it('plans one target in each account of a multi-account request', async () => {
    const text = [
      'reason: Open the VPN port in prod and staging (CHG-7)',
      'duration: 2h',
      'access:',
      '  - account: "111111111111"',
      '    actions: [ec2:AuthorizeSecurityGroupIngress]',
      '    resources: ["arn:aws:ec2:us-east-1:111111111111:security-group/sg-0abc"]',
      '  - account: "222222222222"',
      '    actions: [ec2:DescribeSecurityGroups]',
    ].join('\n')
    const decision = await decideFile({ path: 'requests/network/compare.yaml', text }, 'heidi', [
      review('ivan', 'APPROVED'),
      review('carol', 'APPROVED'),
    ])
    expect(decision.verdict).toBe('approved')
    const planning = planGrant({ namespace: TEST_NAMESPACE, decision, settings: world.repository.settings, merge: mergeFacts(), now: NOW })
    if (!planning.ok) throw new Error(planning.error)
    expect(planning.plan.targets.map((target) => [target.account, target.principalArn, target.actions, target.resources])).toEqual([
      [
        '111111111111',
        'arn:aws:iam::111111111111:role/jit-heidi',
        ['ec2:AuthorizeSecurityGroupIngress'],
        ['arn:aws:ec2:us-east-1:111111111111:security-group/sg-0abc'],
      ],
      ['222222222222', 'arn:aws:iam::222222222222:role/jit-heidi', ['ec2:DescribeSecurityGroups'], ['*']],
    ])
    expect(planning.draft.policies.map((policy) => policy.name)).toEqual(['network-change'])
  })

  it('refuses to widen: different resources for different actions in one account cannot be one statement', async () => {
    const text = [
      'reason: Stop one node, reboot another (INC-4821)',
      'ticket: INC-4821',
      'duration: 1h',
      'access:',
      '  - account: "111111111111"',
      '    actions: [ec2:StopInstances]',
      '    resources: ["arn:aws:ec2:us-east-1:111111111111:instance/i-1"]',
      '  - account: "111111111111"',
      '    actions: [ec2:RebootInstances]',
      '    resources: ["arn:aws:ec2:us-east-1:111111111111:instance/i-2"]',
    ].join('\n')
    const decision = await decideFile({ path: 'requests/sre/two.yaml', text }, 'alice', [
      review('bob', 'APPROVED'),
      review('carol', 'APPROVED'),
    ])
    // The check refuses it before anyone approves (a green check means the grant is accepted) ...
    expect(decision.verdict).toBe('invalid')
    expect(decision.errors).toEqual([
      {
        file: 'requests/sre/two.yaml',
        line: 5,
        message: expect.stringContaining('different resources for different actions in account 111111111111'),
      },
    ])
    // ... and the plan refuses it again, should a merge get past the check.
    const planning = planGrant({
      namespace: TEST_NAMESPACE,
      decision: { ...decision, verdict: 'approved' },
      settings: world.repository.settings,
      merge: mergeFacts(),
      now: NOW,
    })
    expect(planning).toEqual({
      ok: false,
      error: expect.stringContaining('different resources for different actions in account 111111111111'),
    })
  })

  it('refuses a window that ended before the grant ran (a very late redelivery)', async () => {
    const decision = await incidentApproved()
    const planning = planGrant({
      namespace: TEST_NAMESPACE,
      decision,
      settings: world.repository.settings,
      merge: mergeFacts({ mergedAt: new Date('2026-11-30T00:00:00Z') }),
      now: NOW,
    })
    expect(planning).toEqual({
      ok: false,
      error:
        'the approved window (2026-11-30T00:00:00Z to 2026-11-30T02:00:00Z) had already ended when the grant ran at 2026-12-01T08:00:00Z',
    })
  })

  it('refuses a decision that is not approved', async () => {
    const decision = await decideFile(await readExampleRequest(INCIDENT), 'alice', [review('bob', 'APPROVED')])
    expect(decision.verdict).toBe('pending')
    expect(planGrant({ namespace: TEST_NAMESPACE, decision, settings: world.repository.settings, merge: mergeFacts(), now: NOW })).toEqual({
      ok: false,
      error: expect.stringContaining('not approved'),
    })
  })
})

describe('records', () => {
  const outcomeFor = (status: 'granted' | 'would-grant', dryRun: boolean): GrantOutcome => ({
    requestId: 'pr-42',
    ok: true,
    dryRun,
    summary: 'granted',
    targets: [
      {
        account: '111111111111',
        principalArn: 'arn:aws:iam::111111111111:role/jit-alice',
        policyName: 'jit-pr-42-exp-20261201T095930Z',
        policyDocument: '{}',
        granterRoleArn: 'arn:aws:iam::111111111111:role/jit-granter',
        status,
        description: 'put',
      },
    ],
  })

  it('a grant record names the AWS policy the provider wrote and says whether it was a dry run', async () => {
    const decision = await incidentApproved()
    const planning = planGrant({ namespace: TEST_NAMESPACE, decision, settings: world.repository.settings, merge: mergeFacts(), now: NOW })
    if (!planning.ok) throw new Error(planning.error)
    const record = buildGrantRecord({
      draft: planning.draft,
      plan: planning.plan,
      outcome: outcomeFor('granted', false),
      grantedAt: new Date('2026-12-01T08:00:01.500Z'),
    })
    expect(record.targets).toEqual([
      {
        account: '111111111111',
        principal: 'arn:aws:iam::111111111111:role/jit-alice',
        actions: ['ec2:StopInstances', 'ec2:TerminateInstances'],
        resources: ['arn:aws:ec2:us-east-1:111111111111:instance/i-0abc123'],
        aws_policy_name: 'jit-pr-42-exp-20261201T095930Z',
      },
    ])
    expect(record.granted_at).toBe('2026-12-01T08:00:01Z')
    // The YAML reads in this order: who and why, who approved, what, when.
    expect(Object.keys(record)).toEqual([
      'id',
      'state',
      'request',
      'pull_request',
      'requester',
      'reason',
      'ticket',
      'duration',
      'extends',
      'approvals',
      'policies',
      'targets',
      'not_before',
      'expires_at',
      'granted_at',
      'revoke_sessions',
      'dry_run',
    ])
    expect(record.dry_run).toBe(false)
    expect(
      buildGrantRecord({ draft: planning.draft, plan: planning.plan, outcome: outcomeFor('would-grant', true), grantedAt: NOW }).dry_run,
    ).toBe(true)
  })

  it('a failure record keeps each target outcome and error', async () => {
    const decision = await incidentApproved()
    const planning = planGrant({ namespace: TEST_NAMESPACE, decision, settings: world.repository.settings, merge: mergeFacts(), now: NOW })
    if (!planning.ok) throw new Error(planning.error)
    const failed: GrantOutcome = {
      ...outcomeFor('granted', false),
      ok: false,
      targets: [
        {
          ...outcomeFor('granted', false).targets[0]!,
          status: 'failed',
          description: 'could not put',
          failure: { code: 'AccessDenied', message: 'denied', permanent: true },
        },
      ],
    }
    const record = buildFailureRecord({
      decision,
      merge: mergeFacts(),
      error: 'denied',
      failedAt: NOW,
      dryRun: false,
      plan: planning.plan,
      outcome: failed,
    })
    expect(record.targets).toEqual([
      expect.objectContaining({
        account: '111111111111',
        outcome: 'failed: could not put',
        error: 'denied',
        aws_policy_name: 'jit-pr-42-exp-20261201T095930Z',
      }),
    ])
    expect(record).toMatchObject({ state: 'failed', error: 'denied', failed_at: '2026-12-01T08:00:00Z', requester: 'alice' })
  })

  it('a refusal record carries the verdict, its summary, the full explanation and who merged', async () => {
    const decision = await decideFile(await readExampleRequest(INCIDENT), 'alice', [review('bob', 'APPROVED')])
    const record = buildRefusalRecord({ decision, merge: mergeFacts({ mergedBy: 'root' }), refusedAt: NOW })
    expect(record).toMatchObject({ state: 'refused', verdict: 'pending', summary: decision.summary, pull_request: { merged_by: 'root' } })
    expect(record.explanation).toContain('1 more approval from @acme/security (policy prod-ec2-incident)')
  })
})
