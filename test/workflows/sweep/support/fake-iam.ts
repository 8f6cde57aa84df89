import {
  DeleteRolePolicyCommand,
  GetRolePolicyCommand,
  IAMClient,
  IAMServiceException,
  ListRolePoliciesCommand,
  NoSuchEntityException,
  PutRolePolicyCommand,
} from '@aws-sdk/client-iam'
import { AssumeRoleCommand, STSClient } from '@aws-sdk/client-sts'
import { mockClient } from 'aws-sdk-client-mock'
import { createIamProvider } from '../../../../src/aws/iam/iam-provider.js'
import type { CloudProvider } from '../../../../src/core/ports/cloud-provider.js'

/**
 * IAM and STS mocked with aws-sdk-client-mock, with state: the inline policies of each role, so a test
 * asserts what is left in AWS after a sweep, not only which calls were made. `failDeletes` answers
 * AccessDenied for the named policies.
 */
export class FakeIam {
  readonly sts = mockClient(STSClient)
  readonly iam = mockClient(IAMClient)
  /** `role name` → policy names. */
  readonly policies = new Map<string, Set<string>>()
  readonly failDeletes = new Set<string>()
  readonly deletes: string[] = []
  /** `role name policy name` of every put, in order. */
  readonly puts: string[] = []
  readonly assumed: string[] = []

  constructor(initial: Record<string, string[]> = {}) {
    for (const [role, names] of Object.entries(initial)) this.policies.set(role, new Set(names))
    this.sts.on(AssumeRoleCommand).callsFake((input: { RoleArn: string; RoleSessionName: string }) => {
      this.assumed.push(`${input.RoleArn} as ${input.RoleSessionName}`)
      return {
        Credentials: {
          AccessKeyId: 'ASIA',
          SecretAccessKey: 'secret',
          SessionToken: 'token',
          Expiration: new Date('2099-01-01T00:00:00Z'),
        },
      }
    })
    this.iam.on(DeleteRolePolicyCommand).callsFake((input: { RoleName: string; PolicyName: string }) => {
      this.deletes.push(input.PolicyName)
      if (this.failDeletes.has(input.PolicyName)) {
        throw new IAMServiceException({
          name: 'AccessDenied',
          $fault: 'client',
          $metadata: { httpStatusCode: 403 },
          message: 'not authorized to perform iam:DeleteRolePolicy',
        })
      }
      if (!this.policies.get(input.RoleName)?.delete(input.PolicyName)) {
        throw new NoSuchEntityException({
          $metadata: { httpStatusCode: 404 },
          message: `The role policy with name ${input.PolicyName} cannot be found.`,
        })
      }
      return {}
    })
    this.iam
      .on(ListRolePoliciesCommand)
      .callsFake((input: { RoleName: string }) => ({ PolicyNames: [...(this.policies.get(input.RoleName) ?? [])], IsTruncated: false }))
    this.iam.on(GetRolePolicyCommand).callsFake((input: { RoleName: string; PolicyName: string }) => {
      if (!this.policies.get(input.RoleName)?.has(input.PolicyName))
        throw new NoSuchEntityException({
          $metadata: { httpStatusCode: 404 },
          message: `The role policy with name ${input.PolicyName} cannot be found.`,
        })
      return {
        RoleName: input.RoleName,
        PolicyName: input.PolicyName,
        PolicyDocument: encodeURIComponent('{"Version":"2012-10-17","Statement":[]}'),
      }
    })
    this.iam.on(PutRolePolicyCommand).callsFake((input: { RoleName: string; PolicyName: string }) => {
      this.puts.push(`${input.RoleName} ${input.PolicyName}`)
      this.policies.set(input.RoleName, new Set([...(this.policies.get(input.RoleName) ?? []), input.PolicyName]))
      return {}
    })
  }

  /** The real AWS provider, talking to the mocked clients. */
  provider(): CloudProvider {
    return createIamProvider({
      granterRole: 'arn:aws:iam::{account}:role/jit-granter',
      externalId: 'ext-1',
      createStsClient: (config) => new STSClient(config),
      createIamClient: (config) => new IAMClient(config),
      sleep: async () => {},
      retry: { maxAttempts: 1 },
    })
  }

  restore(): void {
    this.sts.restore()
    this.iam.restore()
  }
}
