import fc from 'fast-check'
import { describe, expect, it } from 'vitest'
import { compileActionCoverage, findUncoveredAction } from '../../../src/core/matching/action-pattern.js'
import {
  compileResourceCoverage,
  compileResourceMatch,
  describeResourceProblem,
  findUncoveredResource,
} from '../../../src/core/matching/arn-pattern.js'

/** IAM's reading, independent of the implementation: each of the first five segments a regex of its own, the rest one more. */
function referenceMatch(pattern: string, value: string): boolean {
  if (pattern === '*') return true
  const split = (text: string) => {
    const parts = text.split(':')
    return parts.length < 6 ? undefined : [...parts.slice(0, 5), parts.slice(5).join(':')]
  }
  const patternParts = split(pattern)
  const valueParts = split(value)
  if (!patternParts || !valueParts) return false
  return patternParts.every((part, index) => {
    const body = [...part].map((char) =>
      char === '*' ? '[\\s\\S]*' : char === '?' ? '[\\s\\S]' : char.replace(/[.*+?^${}()|[\]\\]/g, '\\$&'),
    )
    return new RegExp(`^${body.join('')}$`).test(valueParts[index] ?? '')
  })
}

const segmentChars = ['a', 'b', '*', '?'] as const
const resourceChars = ['a', 'b', ':', '/', '*', '?'] as const
const segment = fc.array(fc.constantFrom(...segmentChars), { maxLength: 4 }).map((chars) => chars.join(''))
const resourcePart = fc
  .tuple(fc.constantFrom('', 'instance/', 'log-group:'), fc.array(fc.constantFrom(...resourceChars), { minLength: 1, maxLength: 5 }))
  .map(([type, chars]) => `${type}${chars.join('')}`)
/** Well-formed ARN patterns over a small alphabet (so that coverage is common), and `*`. */
const arnPattern = fc.oneof(
  { weight: 1, arbitrary: fc.constant('*') },
  {
    weight: 9,
    arbitrary: fc
      .tuple(fc.constantFrom('aws', 'aws-cn'), fc.constantFrom('ec2', 'logs'), segment, segment, resourcePart)
      .map((parts) => ['arn', ...parts].join(':'))
      .filter((arn) => describeResourceProblem(arn) === undefined),
  },
)
const fill = fc.array(fc.constantFrom('a', 'b', 'c', ':', '/'), { maxLength: 3 }).map((chars) => chars.join(''))

/** A concrete ARN `pattern` names: each wildcard filled, never with a colon outside the resource part. */
function concreteOf(pattern: string, fills: readonly string[]): string {
  if (pattern === '*') return `arn:aws:ec2:${fills[0]?.replace(/:/g, '') ?? ''}:a:instance/${fills[1] ?? ''}`
  let colons = 0
  let next = 0
  return [...pattern]
    .map((char) => {
      if (char === ':') colons++
      if (char !== '*' && char !== '?') return char
      const text = fills[next++ % Math.max(fills.length, 1)] ?? ''
      const chosen = char === '?' ? (text[0] ?? 'c') : text
      return colons < 5 ? chosen.replace(/:/g, 'c') : chosen
    })
    .join('')
}

describe('resource coverage follows IAM, segment by segment', () => {
  it.each([
    // A wildcard in the region does not reach into the account (the attack: another account's ARN).
    {
      granted: 'arn:aws:ec2:us-*:111111111111:instance/*',
      requested: 'arn:aws:ec2:us-x:999999999999:111111111111:instance/i-1',
      covers: false,
    },
    { granted: 'arn:aws:ec2:*:111111111111:instance/*', requested: 'arn:aws:ec2:us-east-1:111111111111:instance/i-1', covers: true },
    { granted: 'arn:aws:ec2:*:111111111111:instance/*', requested: 'arn:aws:ec2:*:111111111111:instance/i-*', covers: true },
    { granted: 'arn:aws:ec2:*:111111111111:instance/*', requested: 'arn:aws:ec2:*:*:instance/*', covers: false },
    // The resource part is one piece: its `*` crosses colons.
    {
      granted: 'arn:aws:logs:*:111111111111:log-group:*',
      requested: 'arn:aws:logs:eu-west-1:111111111111:log-group:app:log-stream:x',
      covers: true,
    },
    { granted: 'arn:aws:s3:::bucket/*', requested: 'arn:aws:s3:::bucket/logs/*', covers: true },
    { granted: 'arn:aws:s3:::bucket/*', requested: '*', covers: false },
    { granted: '*', requested: '*', covers: true },
    { granted: '*', requested: 'arn:aws:s3:::anything*', covers: true },
    { granted: 'arn:aws:ec2:*:*:*', requested: 'arn:aws-cn:ec2:*:*:*', covers: false },
  ])('$granted covers $requested: $covers', ({ granted, requested, covers }) => {
    expect(compileResourceCoverage(granted)(requested)).toBe(covers)
    const example = findUncoveredResource(granted, requested)
    if (covers) return expect(example).toBeUndefined()
    expect(example).toBeDefined()
    if (requested !== '*') expect(referenceMatch(requested, example ?? '')).toBe(true)
    expect(referenceMatch(granted, example ?? '')).toBe(false)
  })

  it('is sound: whatever it says is covered, every concrete resource the request names is matched, segment by segment', () => {
    fc.assert(
      fc.property(arnPattern, arnPattern, fc.array(fill, { minLength: 1, maxLength: 4 }), (granted, requested, fills) => {
        fc.pre(compileResourceCoverage(granted)(requested))
        const concrete = concreteOf(requested, fills)
        expect(referenceMatch(requested, concrete)).toBe(true)
        expect(referenceMatch(granted, concrete)).toBe(true)
        expect(compileResourceMatch(granted)(concrete)).toBe(true)
      }),
      { numRuns: 3000, seed: 4821 },
    )
  })

  it('is complete: whatever it says is not covered comes with a resource the request names and the grant misses', () => {
    fc.assert(
      fc.property(arnPattern, arnPattern, (granted, requested) => {
        const example = findUncoveredResource(granted, requested)
        if (example === undefined) return
        if (requested !== '*') expect(referenceMatch(requested, example)).toBe(true)
        expect(referenceMatch(granted, example)).toBe(false)
      }),
      { numRuns: 3000, seed: 4822 },
    )
  })

  it('is reflexive', () => {
    fc.assert(
      fc.property(arnPattern, (pattern) => {
        expect(findUncoveredResource(pattern, pattern)).toBeUndefined()
      }),
      { seed: 4823 },
    )
  })
})

describe('action coverage follows IAM', () => {
  it.each([
    { granted: '*', requested: '*', covers: true },
    { granted: '*', requested: 'ec2:TerminateInstances', covers: true },
    { granted: 'ec2:*', requested: '*', covers: false },
    { granted: 'ec2:*', requested: 'EC2:TerminateInstances', covers: true },
    { granted: 'EC2:Describe*', requested: 'ec2:describeinstances', covers: true },
    { granted: 'ec2:Describe*', requested: 'ec2:Describe*', covers: true },
    { granted: 'ec2:DescribeInstances', requested: 'ec2:Describe*', covers: false },
  ])('$granted covers $requested: $covers', ({ granted, requested, covers }) => {
    expect(compileActionCoverage(granted)(requested)).toBe(covers)
    expect(findUncoveredAction(granted, requested) === undefined).toBe(covers)
  })
})

describe('describeResourceProblem', () => {
  it.each([
    ['*', undefined],
    ['arn:aws:ec2:us-east-1:111111111111:instance/i-0abc123', undefined],
    ['arn:aws-us-gov:s3:::bucket*/key', undefined],
    ['arn:aws:logs:*:111111111111:log-group:app:*', undefined],
    ['arn:x', 'resource "arn:x" is not an ARN'],
    ['arn:aws:ec2:us-east-1:111111111111', 'resource "arn:aws:ec2:us-east-1:111111111111" is not an ARN'],
    ['arn:aws:ec2:us-east-1:111111111111:', 'has nothing after the account'],
    ['arn:awz:ec2:*:111111111111:instance/*', 'names the partition "awz", which AWS does not have'],
    ['arn:*:ec2:*:111111111111:instance/*', 'names the partition "*"'],
    ['arn:aws:e?2:*:111111111111:instance/*', 'has a wildcard in its service ("e?2")'],
    ['arn:aws:EC2:*:111111111111:instance/*', 'has the service "EC2"'],
    ['arn:aws:ec2:*:111111111111:inst*/i-1', 'has a wildcard in its resource type ("inst*/")'],
    ['arn:aws:s3:::home/${aws:username}/*', 'contains a policy variable'],
    ['arn:aws:s3:::bucket/caf\u00e9', undefined],
    ['arn:aws:s3:::bucket/\u20ac', 'contains "\u20ac" (U+20AC), which IAM does not accept in a policy'],
    ['arn:aws:s3:::bucket/\u0085', '(U+0085)'],
  ])('%s: %s', (resource, problem) => {
    const found = describeResourceProblem(resource)
    if (problem === undefined) expect(found).toBeUndefined()
    else expect(found).toContain(problem)
  })
})
