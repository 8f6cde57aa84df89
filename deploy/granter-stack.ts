import { CfnOutput, CfnParameter, DefaultStackSynthesizer, Fn, Stack, type StackProps } from 'aws-cdk-lib'
import { CfnManagedPolicy, CfnRole } from 'aws-cdk-lib/aws-iam'
import type { Construct } from 'constructs'

/** IAM actions no grant may ever give: a grant is never a way to more power over IAM, the organisation or the account. */
export const BOUNDARY_DENIED_ACTIONS = [
  'iam:Add*',
  'iam:Attach*',
  'iam:Change*',
  'iam:Create*',
  'iam:Deactivate*',
  'iam:Delete*',
  'iam:Detach*',
  'iam:Enable*',
  'iam:PassRole',
  'iam:Put*',
  'iam:Remove*',
  'iam:Reset*',
  'iam:Resync*',
  'iam:Set*',
  'iam:Tag*',
  'iam:Untag*',
  'iam:Update*',
  'iam:Upload*',
  'organizations:*',
  'account:*',
  'sts:AssumeRole',
] as const

/**
 * What every account of the organisation gets (deployed by a CloudFormation StackSet from this stack's
 * template: no assets, no bootstrap, everything else a parameter): the granter role the app assumes, and
 * the permissions boundary every requester principal carries.
 *
 * - Trust: only the app's execution roles (`TrustedPrincipalArns`), and only with the ExternalId.
 * - The granter may write and delete inline policies (`iam:PutRolePolicy`, `DeleteRolePolicy`,
 *   `GetRolePolicy`, `ListRolePolicies`, and the user equivalents) on the requesters' principals only
 *   (`RequesterNamePattern`, default `jit-*`, the settings' default `role/jit-{login}`), and only on a
 *   principal that carries the boundary (`iam:PermissionsBoundary`); never on itself; and it may list
 *   the account's roles and users (`iam:ListRoles`, `iam:ListUsers`: names and paths, no policies) for the
 *   full reconcile pass; nothing else.
 * - The boundary caps what any grant can give: at most `GrantableActions`, and never IAM writes,
 *   Organizations, account settings or assuming roles.
 */
export class JitGranterStack extends Stack {
  constructor(scope: Construct, id: string, props: StackProps = {}) {
    // A StackSet deploys the template as it is, in accounts never bootstrapped for CDK: no bootstrap version check.
    super(scope, id, {
      synthesizer: new DefaultStackSynthesizer({ generateBootstrapVersionRule: false }),
      analyticsReporting: false,
      ...props,
    })
    const trusted = new CfnParameter(this, 'TrustedPrincipalArns', {
      type: 'CommaDelimitedList',
      description: "The app's execution roles (the JitAccessApp stack's WebhookRoleArn and SweepRoleArn outputs)",
    })
    const externalId = new CfnParameter(this, 'ExternalId', {
      type: 'String',
      noEcho: true,
      minLength: 16,
      description: 'The ExternalId the app sends (JIT_EXTERNAL_ID)',
    })
    const granterName = new CfnParameter(this, 'GranterRoleName', {
      type: 'String',
      default: 'jit-granter',
      allowedPattern: '^[\\w+=,.@-]{1,64}$',
    })
    const requesters = new CfnParameter(this, 'RequesterNamePattern', {
      type: 'String',
      default: 'jit-*',
      allowedPattern: '^[\\w+=,.@/-]+\\*?$',
      description: "Roles and users (name, with path) that receive grants, e.g. jit-* or jit/*: the settings' principal template",
    })
    const grantable = new CfnParameter(this, 'GrantableActions', {
      type: 'CommaDelimitedList',
      default: '*',
      description: 'The most any grant can give (the boundary allows these, minus the denied IAM and Organizations actions)',
    })
    const boundaryName = 'jit-grant-boundary'
    const iamArn = (kind: string, name: string): string => Fn.join('', ['arn:', this.partition, ':iam::', this.account, `:${kind}/`, name])
    const boundaryArn = Fn.join('', ['arn:', this.partition, ':iam::', this.account, `:policy/${boundaryName}`])
    const roles = iamArn('role', requesters.valueAsString)
    const users = iamArn('user', requesters.valueAsString)

    new CfnManagedPolicy(this, 'GrantBoundary', {
      managedPolicyName: boundaryName,
      description: 'jit-access: the most any grant can give; attach it as the permissions boundary of every requester principal',
      policyDocument: {
        Version: '2012-10-17',
        Statement: [
          { Sid: 'Grantable', Effect: 'Allow', Action: grantable.valueAsList, Resource: '*' },
          { Sid: 'NeverGrantable', Effect: 'Deny', Action: [...BOUNDARY_DENIED_ACTIONS], Resource: '*' },
        ],
      },
    })

    const granter = new CfnRole(this, 'GranterRole', {
      roleName: granterName.valueAsString,
      description: 'jit-access: writes the time-bound inline policies of approved grants on requester principals',
      maxSessionDuration: 3600,
      assumeRolePolicyDocument: {
        Version: '2012-10-17',
        Statement: [
          {
            Sid: 'OnlyTheApp',
            Effect: 'Allow',
            Principal: { AWS: trusted.valueAsList },
            Action: 'sts:AssumeRole',
            Condition: { StringEquals: { 'sts:ExternalId': externalId.valueAsString } },
          },
        ],
      },
      policies: [
        {
          policyName: 'jit-granter',
          policyDocument: {
            Version: '2012-10-17',
            Statement: [
              {
                Sid: 'WriteGrantsOnBoundedRequesters',
                Effect: 'Allow',
                Action: ['iam:PutRolePolicy', 'iam:PutUserPolicy'],
                Resource: [roles, users],
                Condition: { StringEquals: { 'iam:PermissionsBoundary': boundaryArn } },
              },
              {
                Sid: 'ReadAndRevokeGrants',
                Effect: 'Allow',
                Action: [
                  'iam:DeleteRolePolicy',
                  'iam:GetRolePolicy',
                  'iam:ListRolePolicies',
                  'iam:DeleteUserPolicy',
                  'iam:GetUserPolicy',
                  'iam:ListUserPolicies',
                ],
                Resource: [roles, users],
              },
              {
                // The full reconcile pass lists every role and user to find the app's policies on principals no record names.
                Sid: 'ListPrincipalsForFullReconcile',
                Effect: 'Allow',
                Action: ['iam:ListRoles', 'iam:ListUsers'],
                Resource: '*',
              },
              {
                Sid: 'NeverItself',
                Effect: 'Deny',
                Action: 'iam:*',
                Resource: [iamArn('role', granterName.valueAsString), boundaryArn],
              },
            ],
          },
        },
      ],
    })
    new CfnOutput(this, 'GranterRoleArn', { value: granter.attrArn })
    new CfnOutput(this, 'GrantBoundaryArn', { value: boundaryArn })
  }
}
