import { describe, expect, test } from 'vitest'
import { evaluateTrustPolicy } from '../../../emulator/aws/evaluate-trust-policy.js'

const user = { account: '111111111111', arns: ['arn:aws:iam::111111111111:user/alice'] }

function trust(statement: Record<string, unknown>): string {
  return JSON.stringify({ Version: '2012-10-17', Statement: [{ Effect: 'Allow', Action: 'sts:AssumeRole', ...statement }] })
}

describe('evaluateTrustPolicy', () => {
  test.each([
    { case: 'any principal', policy: trust({ Principal: { AWS: '*' } }), externalId: undefined, allowed: true },
    { case: 'the bare "*" principal', policy: trust({ Principal: '*' }), externalId: undefined, allowed: true },
    { case: 'the caller’s account id', policy: trust({ Principal: { AWS: '111111111111' } }), externalId: undefined, allowed: true },
    {
      case: 'the caller’s account root',
      policy: trust({ Principal: { AWS: 'arn:aws:iam::111111111111:root' } }),
      externalId: undefined,
      allowed: true,
    },
    {
      case: 'another account',
      policy: trust({ Principal: { AWS: 'arn:aws:iam::222222222222:root' } }),
      externalId: undefined,
      allowed: false,
    },
    {
      case: 'the caller’s ARN in a list',
      policy: trust({ Principal: { AWS: ['x', 'arn:aws:iam::111111111111:user/alice'] } }),
      externalId: undefined,
      allowed: true,
    },
    {
      case: 'a service principal only',
      policy: trust({ Principal: { Service: 'ec2.amazonaws.com' } }),
      externalId: undefined,
      allowed: false,
    },
    {
      case: 'the matching external id',
      policy: trust({ Principal: { AWS: '*' }, Condition: { StringEquals: { 'sts:ExternalId': 'abc' } } }),
      externalId: 'abc',
      allowed: true,
    },
    {
      case: 'a different external id',
      policy: trust({ Principal: { AWS: '*' }, Condition: { StringEquals: { 'sts:ExternalId': 'abc' } } }),
      externalId: 'abd',
      allowed: false,
    },
    {
      case: 'a condition the emulator does not evaluate',
      policy: trust({ Principal: { AWS: '*' }, Condition: { Bool: { 'aws:MultiFactorAuthPresent': 'true' } } }),
      externalId: undefined,
      allowed: false,
    },
    { case: 'another action', policy: trust({ Principal: { AWS: '*' }, Action: 'sts:TagSession' }), externalId: undefined, allowed: false },
    {
      case: 'an explicit deny beside an allow',
      policy: JSON.stringify({
        Version: '2012-10-17',
        Statement: [
          { Effect: 'Allow', Principal: { AWS: '*' }, Action: 'sts:AssumeRole' },
          { Effect: 'Deny', Principal: { AWS: '111111111111' }, Action: 'sts:*' },
        ],
      }),
      externalId: undefined,
      allowed: false,
    },
  ])('$case → allowed: $allowed', ({ policy, externalId, allowed }) => {
    expect(evaluateTrustPolicy({ trustPolicy: policy, principal: user, externalId })).toBe(allowed)
  })
})
