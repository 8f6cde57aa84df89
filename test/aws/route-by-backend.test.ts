import { describe, expect, it } from 'vitest'
import { routeByBackend } from '../../src/aws/route-by-backend.js'
import type { CloudProvider, GrantOutcome, GrantPlan, RevokeParams } from '../../src/core/ports/cloud-provider.js'

const plan: GrantPlan = {
  requestId: 'pr-5',
  namespace: 'bb0610eed9',
  requester: 'alice',
  notBefore: new Date('2026-12-01T09:00:00Z'),
  expiresAt: new Date('2026-12-01T10:00:00Z'),
  revokeSessions: false,
  targets: [
    { account: '111111111111', principalArn: 'arn:aws:iam::111111111111:role/jit-alice', actions: ['s3:GetObject'], resources: ['*'] },
    { account: '222222222222', principalArn: 'identity-center-user:alice@acme.com', actions: ['s3:GetObject'], resources: ['*'] },
  ],
}

/** A provider that grants (or fails) every target it is given, and records what it was asked. */
function fakeProvider(name: string, ok: boolean, asked: string[]): CloudProvider {
  const grant = async (part: GrantPlan): Promise<GrantOutcome> => {
    asked.push(`${name} grant ${part.targets.map((target) => target.account).join(',')}`)
    return {
      requestId: part.requestId,
      ok,
      dryRun: false,
      summary: `${name} ${ok ? 'granted' : 'failed'}`,
      targets: part.targets.map((target) => ({
        account: target.account,
        principalArn: target.principalArn,
        policyName: `${name}-policy`,
        policyDocument: '{}',
        granterRoleArn: `${name}-granter`,
        status: ok ? 'granted' : 'failed',
        description: `${name} on ${target.account}`,
      })),
    }
  }
  return {
    grant,
    revoke: async (params: RevokeParams) => {
      asked.push(`${name} revoke ${params.targets.map((target) => target.account).join(',')}`)
      return {
        requestId: params.requestId,
        namespace: 'bb0610eed9',
        ok: true,
        dryRun: false,
        summary: 'revoked',
        targets: params.targets.map((target) => ({ ...target, granterRoleArn: '', status: 'revoked', description: 'revoked' })),
      }
    },
    describeGrant: (part) =>
      part.targets.map((target) => ({
        account: target.account,
        principalArn: target.principalArn,
        policyName: `${name}-policy`,
        policyDocument: '{}',
      })),
    inspectGrant: async (part) => ({ requestId: part.requestId, dryRun: false, targets: [] }),
    listManagedPolicies: async () => [],
    listAllManagedPolicies: async (request) => {
      asked.push(`${name} inventory ${Object.keys(request.accounts).join(',')}`)
      return { principals: [], problems: [`${name} problem`], principalsListed: Object.keys(request.accounts).length }
    },
    readManagedPolicy: async () => null,
  }
}

describe('routeByBackend', () => {
  const settings = { backend: 'iam' as const, accountBackends: { '222222222222': 'identity_center' as const } }

  it('sends each account to its backend, and a request on one backend straight through', async () => {
    const asked: string[] = []
    const provider = routeByBackend({
      settings,
      providers: { iam: fakeProvider('iam', true, asked), identity_center: fakeProvider('ic', true, asked) },
    })
    const outcome = await provider.grant(plan)
    expect(outcome.ok).toBe(true)
    expect(asked).toEqual(['iam grant 111111111111', 'ic grant 222222222222'])
    await provider.grant({ ...plan, targets: [plan.targets[0]!] })
    expect(asked.at(-1)).toBe('iam grant 111111111111')
  })

  it('keeps a grant across both backends all or nothing: the IAM part is revoked when Identity Center fails', async () => {
    const asked: string[] = []
    const provider = routeByBackend({
      settings,
      providers: { iam: fakeProvider('iam', true, asked), identity_center: fakeProvider('ic', false, asked) },
    })
    const outcome = await provider.grant(plan)
    expect(outcome.ok).toBe(false)
    expect(asked).toEqual(['iam grant 111111111111', 'ic grant 222222222222', 'iam revoke 111111111111'])
    expect(outcome.targets.map((target) => [target.account, target.status])).toEqual([
      ['111111111111', 'rolled-back'],
      ['222222222222', 'failed'],
    ])
  })

  it('sends each account of a full reconcile pass to its backend, and puts their findings side by side', async () => {
    const asked: string[] = []
    const provider = routeByBackend({
      settings,
      providers: { iam: fakeProvider('iam', true, asked), identity_center: fakeProvider('ic', true, asked) },
    })
    const inventory = await provider.listAllManagedPolicies({
      namespace: 'bb0610eed9',
      accounts: { '111111111111': ['arn:aws:iam::111111111111:role/jit-*'], '222222222222': [], '333333333333': [] },
    })
    expect(asked).toEqual(['iam inventory 111111111111,333333333333', 'ic inventory 222222222222'])
    expect(inventory).toEqual({ principals: [], problems: ['iam problem', 'ic problem'], principalsListed: 3 })
  })
})
