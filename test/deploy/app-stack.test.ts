import { mkdtempSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { runSimulation, type Simulation } from '@cloud-copilot/iam-simulate'
import { App } from 'aws-cdk-lib'
import { Match, Template } from 'aws-cdk-lib/assertions'
import { Code } from 'aws-cdk-lib/aws-lambda'
import { beforeAll, describe, expect, it } from 'vitest'
import { JitAccessAppStack, SWEEP_ROLE_NAME, WEBHOOK_ROLE_NAME } from '../../deploy/app-stack.js'
import { SCHEDULED_SWEEP_INPUT } from '../../src/lambda/scheduled-event.js'
import { resolveIntrinsics } from './resolve-template.js'

const APP_ACCOUNT = '999999999999'
const ORG = 'o-a1b2c3d4e5'
let template: Template

beforeAll(() => {
  const app = new App()
  const packageDir = mkdtempSync(join(tmpdir(), 'jit-lambda-package-'))
  writeFileSync(join(packageDir, 'index.js'), '// stands for the deployment package\n')
  const stack = new JitAccessAppStack(app, 'JitAccessApp', {
    env: { account: APP_ACCOUNT, region: 'eu-west-1' },
    code: Code.fromAsset(packageDir),
    appId: '4242',
    externalId: 'jit-external-id-0123456789',
    organizationId: ORG,
  })
  template = Template.fromStack(stack)
})

describe('the app stack template', () => {
  it('runs the webhook behind a function URL and the sweep on an EventBridge Scheduler schedule, from one package', () => {
    template.resourceCountIs('AWS::Lambda::Function', 2)
    template.hasResourceProperties('AWS::Lambda::Function', {
      Handler: 'dist/src/lambda/webhook.handler',
      Runtime: 'nodejs24.x',
      Timeout: 60,
      Environment: {
        Variables: Match.objectLike({
          APP_ID: '4242',
          JIT_SWEEP: 'off',
          JIT_PRIVATE_KEY_SECRET_ARN: Match.anyValue(),
          JIT_WEBHOOK_SECRET_ARN: Match.anyValue(),
        }),
      },
      Layers: [Match.stringLikeRegexp('AWS-Parameters-and-Secrets-Lambda-Extension')],
    })
    template.hasResourceProperties('AWS::Lambda::Function', {
      Handler: 'dist/src/lambda/sweep.handler',
      Timeout: 300,
      ReservedConcurrentExecutions: 1,
    })
    template.hasResourceProperties('AWS::Lambda::Url', { AuthType: 'NONE' })
    template.hasResourceProperties('AWS::Scheduler::Schedule', {
      ScheduleExpression: 'rate(5 minutes)',
      State: 'ENABLED',
      Target: { Input: JSON.stringify(SCHEDULED_SWEEP_INPUT), RetryPolicy: { MaximumRetryAttempts: 0 } },
    })
    template.resourceCountIs('AWS::SecretsManager::Secret', 2)
    // The roles carry no managed policy (AWSLambdaBasicExecutionRole would allow every log group).
    for (const role of Object.values(
      template.findResources('AWS::IAM::Role', { Properties: { RoleName: Match.stringLikeRegexp('^jit-access-') } }),
    ))
      expect((role as { Properties: Record<string, unknown> }).Properties['ManagedPolicyArns']).toBeUndefined()
  })
})

describe("the functions' handlers", () => {
  it('are built from source files that export them (dist/src/lambda/X.handler from src/lambda/X.ts)', async () => {
    const handlers = Object.values(template.findResources('AWS::Lambda::Function')).map(
      (resource) => (resource as { Properties: { Handler: string } }).Properties.Handler,
    )
    expect(handlers.sort()).toEqual(['dist/src/lambda/sweep.handler', 'dist/src/lambda/webhook.handler'])
    for (const handler of handlers) {
      const [file, name] = handler.replace(/^dist\//, '').split('.') as [string, string]
      const module = (await import(new URL(`../../${file}.ts`, import.meta.url).href)) as Record<string, unknown>
      expect(typeof module[name], handler).toBe('function')
    }
  })
})

/** The identity policy of an execution role, resolved as deployed. */
function rolePolicy(roleName: string): object {
  const roles = template.findResources('AWS::IAM::Role', { Properties: { RoleName: roleName } })
  const [roleId] = Object.keys(roles)
  const policies = Object.values(template.findResources('AWS::IAM::Policy')).filter((policy) =>
    JSON.stringify((policy as { Properties: { Roles: unknown } }).Properties.Roles).includes(`"${roleId}"`),
  )
  expect(policies).toHaveLength(1)
  const refs: Record<string, unknown> = { 'AWS::Partition': 'aws', 'AWS::AccountId': APP_ACCOUNT, 'AWS::Region': 'eu-west-1' }
  for (const id of Object.keys(template.findResources('AWS::SecretsManager::Secret')))
    refs[id] = `arn:aws:secretsmanager:eu-west-1:${APP_ACCOUNT}:secret:${id}-AbCdEf`
  for (const id of Object.keys(template.findResources('AWS::Logs::LogGroup')))
    refs[`${id}.Arn`] = `arn:aws:logs:eu-west-1:${APP_ACCOUNT}:log-group:${id}`
  return resolveIntrinsics((policies[0] as { Properties: { PolicyDocument: object } }).Properties.PolicyDocument, refs) as object
}

/**
 * IAM's answer for the role. A role in another account also needs that role's trust policy: every target
 * here trusts the caller fully, so that what is refused is refused by the execution role's own policy.
 */
async function evaluate(roleName: string, action: string, resource: string, account: string, context: Record<string, string> = {}) {
  const principal = `arn:aws:iam::${APP_ACCOUNT}:role/${roleName}`
  const trustsCaller = { Version: '2012-10-17', Statement: [{ Effect: 'Allow', Principal: { AWS: principal }, Action: 'sts:AssumeRole' }] }
  const simulation: Simulation = {
    identityPolicies: [{ name: 'execution-role', policy: rolePolicy(roleName) }],
    serviceControlPolicies: [],
    resourceControlPolicies: [],
    ...(action === 'sts:AssumeRole' ? { resourcePolicy: trustsCaller } : {}),
    request: {
      principal,
      action,
      resource: { accountId: account, resource },
      contextVariables: context,
    },
  }
  const response = await runSimulation(simulation, {})
  if (response.resultType === 'error') throw new Error(JSON.stringify(response.errors))
  return response.overallResult
}

describe.each([WEBHOOK_ROLE_NAME, SWEEP_ROLE_NAME])('the %s execution role', (roleName) => {
  const inOrg = { 'aws:ResourceOrgID': ORG }

  it('may assume the granter role in any account of the organisation', async () => {
    expect(await evaluate(roleName, 'sts:AssumeRole', 'arn:aws:iam::111111111111:role/jit-granter', '111111111111', inOrg)).toBe('Allowed')
    expect(await evaluate(roleName, 'sts:AssumeRole', 'arn:aws:iam::222222222222:role/jit-granter', '222222222222', inOrg)).toBe('Allowed')
  })

  it.each([
    [
      'the granter role outside the organisation',
      'sts:AssumeRole',
      'arn:aws:iam::333333333333:role/jit-granter',
      '333333333333',
      { 'aws:ResourceOrgID': 'o-other000000' },
    ],
    ['another role', 'sts:AssumeRole', 'arn:aws:iam::111111111111:role/admin', '111111111111', inOrg],
    ['a role named like the granter under a path', 'sts:AssumeRole', 'arn:aws:iam::111111111111:role/x/jit-granter', '111111111111', inOrg],
    ['IAM itself', 'iam:PutRolePolicy', 'arn:aws:iam::111111111111:role/jit-alice', '111111111111', inOrg],
    [
      'another secret',
      'secretsmanager:GetSecretValue',
      `arn:aws:secretsmanager:eu-west-1:${APP_ACCOUNT}:secret:prod-db-AbCdEf`,
      APP_ACCOUNT,
      {},
    ],
    ['another log group', 'logs:PutLogEvents', `arn:aws:logs:eu-west-1:${APP_ACCOUNT}:log-group:other:log-stream:x`, APP_ACCOUNT, {}],
  ])('may not reach %s', async (_name, action, resource, account, context) => {
    expect(await evaluate(roleName, action, resource, account, context)).not.toBe('Allowed')
  })

  it('may read its own secrets only', async () => {
    const secrets = Object.keys(template.findResources('AWS::SecretsManager::Secret'))
    const readable: string[] = []
    for (const id of secrets)
      if (
        (await evaluate(
          roleName,
          'secretsmanager:GetSecretValue',
          `arn:aws:secretsmanager:eu-west-1:${APP_ACCOUNT}:secret:${id}-AbCdEf`,
          APP_ACCOUNT,
        )) === 'Allowed'
      )
        readable.push(id)
    expect(readable.map((id) => id.replace(/[0-9A-F]{8}$/, ''))).toEqual(
      roleName === WEBHOOK_ROLE_NAME ? ['PrivateKey', 'WebhookSecret'] : ['PrivateKey'],
    )
  })
})
