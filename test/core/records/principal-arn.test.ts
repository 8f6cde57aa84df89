import { describe, expect, it } from 'vitest'
import { parsePrincipalArn } from '../../../src/core/records/principal-arn.js'

describe('parsePrincipalArn', () => {
  it.each([
    ['arn:aws:iam::111111111111:role/jit-alice', { kind: 'role', account: '111111111111', name: 'jit-alice' }],
    ['arn:aws:iam::111111111111:role/people/eng/jit-alice', { kind: 'role', account: '111111111111', name: 'jit-alice' }],
    ['arn:aws:iam::222222222222:user/alice@example.com', { kind: 'user', account: '222222222222', name: 'alice@example.com' }],
    ['arn:aws-us-gov:iam::333333333333:user/ops/bob', { kind: 'user', account: '333333333333', name: 'bob' }],
  ])('reads %s', (arn, expected) => {
    expect(parsePrincipalArn(arn)).toEqual({ ...expected, arn })
  })

  it.each([
    ['a group', 'arn:aws:iam::111111111111:group/admins'],
    ['an assumed-role session', 'arn:aws:sts::111111111111:assumed-role/jit-alice/session'],
    ['a short account', 'arn:aws:iam::11111:role/jit-alice'],
    ['a trailing slash', 'arn:aws:iam::111111111111:role/jit-alice/'],
    ['a template left unfilled', 'arn:aws:iam::{account}:role/jit-{login}'],
  ])('refuses %s', (_label, arn) => {
    expect(parsePrincipalArn(arn)).toBeUndefined()
  })
})
