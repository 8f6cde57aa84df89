import { describe, expect, it } from 'vitest'
import { checkInlinePolicySize, measurePolicySize } from '../../../src/core/records/inline-policy-size.js'

describe('inline policy size', () => {
  it('counts characters other than white space, as IAM does', () => {
    expect(measurePolicySize('{ "a" :\n\t"b c" }')).toBe('{"a":"bc"}'.length)
  })

  it('accepts a policy that exactly fills the quota and explains one that does not', () => {
    const principal = { kind: 'user' as const, account: '111111111111', name: 'alice', arn: 'arn:aws:iam::111111111111:user/alice' }
    expect(
      checkInlinePolicySize({ requestId: 'pr-42', principal, account: '111111111111', newSize: 2_000, existingSize: 48 }),
    ).toBeUndefined()
    expect(checkInlinePolicySize({ requestId: 'pr-42', principal, account: '111111111111', newSize: 2_000, existingSize: 49 })).toBe(
      'request pr-42 needs 2,049 characters of inline policy on user alice in 111111111111 (2,000 for this request plus 49 already on it); ' +
        'IAM allows 2,048 per user: split the request or use wildcards the policy allows',
    )
  })
})
