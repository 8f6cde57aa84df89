import { CfnOutput, Duration, RemovalPolicy, Stack, type StackProps } from 'aws-cdk-lib'
import { Effect, PolicyStatement, Role, ServicePrincipal } from 'aws-cdk-lib/aws-iam'
import {
  Code,
  FunctionUrlAuthType,
  Function as LambdaFunction,
  ParamsAndSecretsLayerVersion,
  ParamsAndSecretsVersions,
  Runtime,
} from 'aws-cdk-lib/aws-lambda'
import { LogGroup, RetentionDays } from 'aws-cdk-lib/aws-logs'
import { Schedule, ScheduleExpression, ScheduleTargetInput } from 'aws-cdk-lib/aws-scheduler'
import { LambdaInvoke } from 'aws-cdk-lib/aws-scheduler-targets'
import { Secret } from 'aws-cdk-lib/aws-secretsmanager'
import type { Construct } from 'constructs'
import { SCHEDULED_SWEEP_INPUT } from '../src/lambda/scheduled-event.js'

export interface JitAccessAppStackProps extends StackProps {
  /** The deployment package: dist/ and the production node_modules (see `deploy/package-lambda.mjs`). */
  readonly code: Code
  /** The GitHub App's id. */
  readonly appId: string
  /** The ExternalId every granter role requires (also the granter StackSet's `ExternalId`). */
  readonly externalId: string
  /** The AWS Organization whose accounts' granter roles the functions may assume (`aws:ResourceOrgID`). */
  readonly organizationId: string
  /** The granter role's name in every account (default `jit-granter`). */
  readonly granterRoleName?: string
  /** How often the sweep runs (default every 5 minutes: the schedule's rate is the sweep interval). */
  readonly sweepEvery?: Duration
  /** GitHub Enterprise Server's API (`https://HOST/api/v3`); default api.github.com. */
  readonly githubApiUrl?: string
}

/** The execution roles' names: fixed, so the granter StackSet can trust them before this stack's outputs are read. */
export const WEBHOOK_ROLE_NAME = 'jit-access-webhook'
export const SWEEP_ROLE_NAME = 'jit-access-sweep'

/**
 * The app on AWS Lambda: the webhook function behind a function URL (GitHub's signature is the
 * authentication), the sweep function on an EventBridge Scheduler schedule, the private key and webhook
 * secret in Secrets Manager (read once per cold start through the Parameters and Secrets extension), and
 * one least-privilege execution role per function: its own logs, its own secrets, and `sts:AssumeRole`
 * on the granter role name in the organisation's accounts, nothing else.
 */
export class JitAccessAppStack extends Stack {
  constructor(scope: Construct, id: string, props: JitAccessAppStackProps) {
    super(scope, id, props)
    const granterRoleName = props.granterRoleName ?? 'jit-granter'
    const privateKey = new Secret(this, 'PrivateKey', {
      secretName: 'jit-access/private-key',
      description: "The GitHub App's private key (PEM): put it with `aws secretsmanager put-secret-value`",
    })
    const webhookSecret = new Secret(this, 'WebhookSecret', {
      secretName: 'jit-access/webhook-secret',
      description: "The GitHub App's webhook secret: generated here, copy it into the app's settings",
      generateSecretString: { passwordLength: 40, excludePunctuation: true },
    })
    const paramsAndSecrets = ParamsAndSecretsLayerVersion.fromVersion(ParamsAndSecretsVersions.V1_0_103, { cacheSize: 10 })

    const environment = {
      APP_ID: props.appId,
      JIT_EXTERNAL_ID: props.externalId,
      JIT_PRIVATE_KEY_SECRET_ARN: privateKey.secretArn,
      // The in-app sweeper never runs in Lambda; the scheduled function sweeps.
      JIT_SWEEP: 'off',
      NODE_OPTIONS: '--enable-source-maps',
      ...(props.githubApiUrl ? { GITHUB_API_URL: props.githubApiUrl } : {}),
    }

    const webhook = this.createFunction('Webhook', {
      roleName: WEBHOOK_ROLE_NAME,
      handler: 'dist/src/lambda/webhook.handler',
      timeout: Duration.seconds(60),
      code: props.code,
      environment: { ...environment, JIT_WEBHOOK_SECRET_ARN: webhookSecret.secretArn },
      secrets: [privateKey, webhookSecret],
      granterRoleName,
      organizationId: props.organizationId,
      paramsAndSecrets,
    })
    const url = webhook.addFunctionUrl({ authType: FunctionUrlAuthType.NONE })

    const sweep = this.createFunction('Sweep', {
      roleName: SWEEP_ROLE_NAME,
      handler: 'dist/src/lambda/sweep.handler',
      timeout: Duration.minutes(5),
      code: props.code,
      environment,
      secrets: [privateKey],
      granterRoleName,
      organizationId: props.organizationId,
      paramsAndSecrets,
      // One pass at a time: a schedule that fires while a pass runs waits (or is retried), never overlaps.
      reservedConcurrentExecutions: 1,
    })
    new Schedule(this, 'SweepSchedule', {
      description: 'jit-access: one sweep pass over every access repository',
      schedule: ScheduleExpression.rate(props.sweepEvery ?? Duration.minutes(5)),
      target: new LambdaInvoke(sweep, { input: ScheduleTargetInput.fromObject(SCHEDULED_SWEEP_INPUT), retryAttempts: 0 }),
    })

    new CfnOutput(this, 'WebhookUrl', { value: url.url, description: "The GitHub App's webhook URL" })
    new CfnOutput(this, 'WebhookRoleArn', { value: webhook.role!.roleArn })
    new CfnOutput(this, 'SweepRoleArn', { value: sweep.role!.roleArn })
    new CfnOutput(this, 'PrivateKeySecretArn', { value: privateKey.secretArn })
    new CfnOutput(this, 'WebhookSecretArn', { value: webhookSecret.secretArn })
  }

  private createFunction(
    id: string,
    params: {
      roleName: string
      handler: string
      timeout: Duration
      code: Code
      environment: Record<string, string>
      secrets: Secret[]
      granterRoleName: string
      organizationId: string
      paramsAndSecrets: ParamsAndSecretsLayerVersion
      reservedConcurrentExecutions?: number
    },
  ): LambdaFunction {
    const logGroup = new LogGroup(this, `${id}Logs`, { retention: RetentionDays.THREE_MONTHS, removalPolicy: RemovalPolicy.RETAIN })
    // No managed policy (AWSLambdaBasicExecutionRole allows every log group): each grant below is named.
    const role = new Role(this, `${id}Role`, { roleName: params.roleName, assumedBy: new ServicePrincipal('lambda.amazonaws.com') })
    role.addToPrincipalPolicy(
      new PolicyStatement({
        sid: 'OwnLogs',
        actions: ['logs:CreateLogStream', 'logs:PutLogEvents'],
        resources: [`${logGroup.logGroupArn}:*`],
      }),
    )
    for (const secret of params.secrets)
      role.addToPrincipalPolicy(
        new PolicyStatement({ sid: `Read${secret.node.id}`, actions: ['secretsmanager:GetSecretValue'], resources: [secret.secretArn] }),
      )
    role.addToPrincipalPolicy(
      new PolicyStatement({
        sid: 'AssumeGranterInOrganisation',
        effect: Effect.ALLOW,
        actions: ['sts:AssumeRole'],
        resources: [`arn:${this.partition}:iam::*:role/${params.granterRoleName}`],
        conditions: { StringEquals: { 'aws:ResourceOrgID': params.organizationId } },
      }),
    )
    return new LambdaFunction(this, id, {
      // Node.js 20 is past its end of life on Lambda (no new functions from 2027-02-01); the code runs on 20 and later.
      runtime: Runtime.NODEJS_24_X,
      handler: params.handler,
      code: params.code,
      timeout: params.timeout,
      memorySize: 1024,
      role,
      logGroup,
      environment: params.environment,
      paramsAndSecrets: params.paramsAndSecrets,
      ...(params.reservedConcurrentExecutions !== undefined ? { reservedConcurrentExecutions: params.reservedConcurrentExecutions } : {}),
    })
  }
}
