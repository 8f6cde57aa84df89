import { runSimulation, type Simulation } from '@cloud-copilot/iam-simulate'
import { App } from 'aws-cdk-lib'
import { Template } from 'aws-cdk-lib/assertions'
import { beforeAll, describe, expect, it } from 'vitest'
import { JitGranterStack } from '../../deploy/granter-stack.js'
import { buildGrantPolicyDocument, serializePolicyDocument } from '../../src/core/records/iam-policy-document.js'
import { resolveIntrinsics } from './resolve-template.js'

// The granter stack as a StackSet deploys it into account 111111111111, its policies evaluated by an IAM
// policy simulator: what the granter may do, who may assume it, and what the boundary lets a grant give.
const ACCOUNT = '111111111111'
const WEBHOOK_ROLE = 'arn:aws:iam::999999999999:role/jit-access-webhook'
const SWEEP_ROLE = 'arn:aws:iam::999999999999:role/jit-access-sweep'
const EXTERNAL_ID = 'jit-external-id-0123456789'
const GRANTER = `arn:aws:iam::${ACCOUNT}:role/jit-granter`
const BOUNDARY = `arn:aws:iam::${ACCOUNT}:policy/jit-grant-boundary`
const ALICE = `arn:aws:iam::${ACCOUNT}:role/jit-alice`

let template: Template
let granterPolicy: object
let trustPolicy: object
let boundaryPolicy: object

beforeAll(() => {
  const app = new App()
  template = Template.fromStack(new JitGranterStack(app, 'JitAccessGranter'))
  const refs = {
    'AWS::Partition': 'aws',
    'AWS::AccountId': ACCOUNT,
    TrustedPrincipalArns: [WEBHOOK_ROLE, SWEEP_ROLE],
    ExternalId: EXTERNAL_ID,
    GranterRoleName: 'jit-granter',
    RequesterNamePattern: 'jit-*',
    GrantableActions: ['*'],
  }
  const role = Object.values(template.findResources('AWS::IAM::Role'))[0] as { Properties: Record<string, any> }
  granterPolicy = resolveIntrinsics(role.Properties['Policies'][0].PolicyDocument, refs) as object
  trustPolicy = resolveIntrinsics(role.Properties['AssumeRolePolicyDocument'], refs) as object
  const boundary = Object.values(template.findResources('AWS::IAM::ManagedPolicy'))[0] as { Properties: Record<string, any> }
  boundaryPolicy = resolveIntrinsics(boundary.Properties['PolicyDocument'], refs) as object
})

async function evaluate(params: {
  principal: string
  action: string
  resource: string
  identity?: object[]
  resourcePolicy?: object
  boundaries?: object[]
  context?: Record<string, string>
}): Promise<string> {
  const simulation: Simulation = {
    identityPolicies: (params.identity ?? []).map((policy, index) => ({ name: `identity-${index}`, policy })),
    serviceControlPolicies: [],
    resourceControlPolicies: [],
    ...(params.resourcePolicy ? { resourcePolicy: params.resourcePolicy } : {}),
    ...(params.boundaries
      ? { permissionBoundaryPolicies: params.boundaries.map((policy, index) => ({ name: `boundary-${index}`, policy })) }
      : {}),
    request: {
      principal: params.principal,
      action: params.action,
      resource: { accountId: ACCOUNT, resource: params.resource },
      contextVariables: params.context ?? {},
    },
  }
  const response = await runSimulation(simulation, {})
  if (response.resultType === 'error') throw new Error(JSON.stringify(response.errors))
  return response.overallResult
}

const asGranter = (action: string, resource: string, context: Record<string, string> = {}) =>
  evaluate({ principal: GRANTER, action, resource, identity: [granterPolicy], context })

describe('the granter stack template', () => {
  it('is ready for a StackSet: parameters only, no assets, no bootstrap check', () => {
    const json = template.toJSON() as { Parameters: Record<string, unknown>; Rules?: unknown; Resources: Record<string, { Type: string }> }
    expect(Object.keys(json.Parameters).sort()).toEqual([
      'ExternalId',
      'GrantableActions',
      'GranterRoleName',
      'RequesterNamePattern',
      'TrustedPrincipalArns',
    ])
    expect(json.Rules).toBeUndefined()
    expect(
      Object.values(json.Resources)
        .map((resource) => resource.Type)
        .sort(),
    ).toEqual(['AWS::IAM::ManagedPolicy', 'AWS::IAM::Role'])
    template.hasParameter('ExternalId', { NoEcho: true })
  })
})

describe('what the granter may do', () => {
  const bounded = { 'iam:PermissionsBoundary': BOUNDARY }

  it.each([
    ['iam:PutRolePolicy', ALICE],
    ['iam:DeleteRolePolicy', ALICE],
    ['iam:GetRolePolicy', ALICE],
    ['iam:ListRolePolicies', ALICE],
    ['iam:PutUserPolicy', `arn:aws:iam::${ACCOUNT}:user/jit-grace`],
    ['iam:DeleteUserPolicy', `arn:aws:iam::${ACCOUNT}:user/jit-grace`],
  ])('may %s on a requester principal (%s) that carries the boundary', async (action, resource) => {
    expect(await asGranter(action, resource, bounded)).toBe('Allowed')
  })

  it.each(['iam:ListRoles', 'iam:ListUsers'])('may %s in its account, for the full reconcile pass', async (action) => {
    expect(await asGranter(action, '*', {})).toBe('Allowed')
  })

  it.each([
    ['list the policies of a role that is not a requester', 'iam:ListRolePolicies', `arn:aws:iam::${ACCOUNT}:role/admin`, {}],
    ['on a role that is not a requester', 'iam:PutRolePolicy', `arn:aws:iam::${ACCOUNT}:role/admin`, bounded],
    ['on a requester without the boundary', 'iam:PutRolePolicy', ALICE, {}],
    [
      'on a requester with another boundary',
      'iam:PutRolePolicy',
      ALICE,
      { 'iam:PermissionsBoundary': `arn:aws:iam::${ACCOUNT}:policy/open` },
    ],
    ['on itself (its name matches jit-*)', 'iam:PutRolePolicy', GRANTER, bounded],
    ['delete its own policy', 'iam:DeleteRolePolicy', GRANTER, {}],
    ['create a user', 'iam:CreateUser', `arn:aws:iam::${ACCOUNT}:user/jit-new`, bounded],
    ['create a role', 'iam:CreateRole', `arn:aws:iam::${ACCOUNT}:role/jit-new`, bounded],
    ['attach a managed policy', 'iam:AttachRolePolicy', ALICE, bounded],
    ['change a boundary', 'iam:PutRolePermissionsBoundary', ALICE, bounded],
    ['remove a boundary', 'iam:DeleteRolePermissionsBoundary', ALICE, bounded],
    ['edit the boundary policy', 'iam:CreatePolicyVersion', BOUNDARY, {}],
    ['change a trust policy', 'iam:UpdateAssumeRolePolicy', ALICE, bounded],
    ['pass a role', 'iam:PassRole', ALICE, {}],
    ['touch anything else', 's3:GetObject', 'arn:aws:s3:::bucket/key', {}],
  ])('may not %s', async (_name, action, resource, context) => {
    expect(await asGranter(action, resource, context)).not.toBe('Allowed')
  })
})

describe('who may assume the granter', () => {
  const assume = (principal: string, context: Record<string, string>) =>
    evaluate({
      principal,
      action: 'sts:AssumeRole',
      resource: GRANTER,
      resourcePolicy: trustPolicy,
      identity: [{ Version: '2012-10-17', Statement: [{ Effect: 'Allow', Action: 'sts:AssumeRole', Resource: '*' }] }],
      context,
    })

  it("the app's execution roles, with the ExternalId", async () => {
    expect(await assume(WEBHOOK_ROLE, { 'sts:ExternalId': EXTERNAL_ID })).toBe('Allowed')
    expect(await assume(SWEEP_ROLE, { 'sts:ExternalId': EXTERNAL_ID })).toBe('Allowed')
  })

  it('nobody without the ExternalId, and no other principal with it', async () => {
    expect(await assume(WEBHOOK_ROLE, {})).not.toBe('Allowed')
    expect(await assume(WEBHOOK_ROLE, { 'sts:ExternalId': 'guess' })).not.toBe('Allowed')
    expect(await assume('arn:aws:iam::999999999999:role/other', { 'sts:ExternalId': EXTERNAL_ID })).not.toBe('Allowed')
    expect(await assume(`arn:aws:iam::${ACCOUNT}:role/jit-alice`, { 'sts:ExternalId': EXTERNAL_ID })).not.toBe('Allowed')
  })
})

describe('the boundary caps what any grant can give', () => {
  const now = '2026-12-01T10:30:00Z'
  const grant = (actions: string[]) =>
    JSON.parse(
      serializePolicyDocument(
        buildGrantPolicyDocument({
          requestId: 'pr-42',
          notBefore: new Date('2026-12-01T10:00:00Z'),
          expiresAt: new Date('2026-12-01T11:00:00Z'),
          actions,
          resources: ['*'],
        }),
      ),
    ) as object
  const asAlice = (document: object, action: string, resource: string) =>
    evaluate({
      principal: ALICE,
      action,
      resource,
      identity: [document],
      boundaries: [boundaryPolicy],
      context: { 'aws:CurrentTime': now },
    })

  it('lets an approved action through', async () => {
    expect(
      await asAlice(grant(['ec2:TerminateInstances']), 'ec2:TerminateInstances', `arn:aws:ec2:us-east-1:${ACCOUNT}:instance/i-1`),
    ).toBe('Allowed')
  })

  it.each([
    ['iam:CreateUser', `arn:aws:iam::${ACCOUNT}:user/backdoor`],
    ['iam:AttachRolePolicy', ALICE],
    ['iam:PutRolePolicy', ALICE],
    ['iam:DeleteRolePermissionsBoundary', ALICE],
    ['iam:PassRole', `arn:aws:iam::${ACCOUNT}:role/admin`],
    ['sts:AssumeRole', GRANTER],
    ['organizations:LeaveOrganization', '*'],
  ])('refuses %s even to a grant of "*"', async (action, resource) => {
    expect(await asAlice(grant(['*']), action, resource)).toBe('ExplicitlyDenied')
  })
})
