import fc from 'fast-check'
import { describe, expect, it } from 'vitest'
import {
  coversPattern,
  findUncoveredExample,
  hasWildcard,
  matchesWildcard,
  PatternTooComplexError,
} from '../../../src/core/matching/wildcard.js'

/** The reference semantics, independent of the implementation: a regular expression per pattern. */
function referenceRegex(pattern: string, ignoreCase: boolean): RegExp {
  const body = [...pattern]
    .map((char) => (char === '*' ? '[\\s\\S]*' : char === '?' ? '[\\s\\S]' : char.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')))
    .join('')
  return new RegExp(`^${body}$`, ignoreCase ? 'i' : '')
}

const patternChars = ['a', 'b', ':', '*', '?'] as const
// Concrete strings use a letter no pattern mentions too, since wildcards must match it as well.
const valueChars = ['a', 'b', ':', 'c'] as const
const pattern = fc.array(fc.constantFrom(...patternChars), { maxLength: 7 }).map((chars) => chars.join(''))
const value = fc.array(fc.constantFrom(...valueChars), { maxLength: 9 }).map((chars) => chars.join(''))
const mixedCasePattern = fc.array(fc.constantFrom('a', 'A', 'b', 'B', '*', '?'), { maxLength: 6 }).map((chars) => chars.join(''))

/** A member of `patternText`'s language: each `*` becomes one of `runs` and each `?` one of `singles`. */
function memberOf(patternText: string, runs: readonly string[], singles: readonly string[]): string {
  let run = 0
  let single = 0
  return [...patternText]
    .map((char) => {
      if (char === '*') return runs[run++ % Math.max(runs.length, 1)] ?? ''
      if (char === '?') return singles[single++ % Math.max(singles.length, 1)] ?? 'c'
      return char
    })
    .join('')
}

const runs = fc.array(value, { minLength: 1, maxLength: 4 })
const singles = fc.array(fc.constantFrom(...valueChars), { minLength: 1, maxLength: 4 })
/**
 * Pairs of patterns where coverage is common enough to test soundness: random pairs (mostly not
 * covered) and pairs whose requested side narrows the granted side's wildcards to other patterns.
 */
const coveragePair = fc.oneof(
  fc.record({ granted: pattern, requested: pattern }),
  fc
    .tuple(
      pattern,
      fc.array(pattern, { minLength: 1, maxLength: 4 }),
      fc.array(fc.constantFrom(...patternChars), { minLength: 1, maxLength: 4 }),
    )
    .map(([granted, starFills, questionFills]) => ({ granted, requested: memberOf(granted, starFills, questionFills) })),
)

describe('matchesWildcard', () => {
  it.each([
    { pattern: 'ec2:StopInstances', value: 'ec2:StopInstances', matches: true },
    { pattern: 'ec2:StopInstances', value: 'ec2:StopInstance', matches: false },
    { pattern: 'ec2:Describe*', value: 'ec2:DescribeInstances', matches: true },
    { pattern: 'ec2:Describe*', value: 'ec2:Describe', matches: true },
    { pattern: 'ec2:Describe*', value: 'ec2:CreateTags', matches: false },
    { pattern: '*', value: '', matches: true },
    { pattern: '?', value: '', matches: false },
    { pattern: 'a?c', value: 'abc', matches: true },
    { pattern: 'a?c', value: 'abbc', matches: false },
    { pattern: 'a*b*c', value: 'aXbYc', matches: true },
    { pattern: 'a*b*c', value: 'aXbY', matches: false },
    { pattern: '*ab', value: 'ab', matches: true },
    { pattern: 'ab*ab', value: 'ab', matches: false },
    { pattern: 'arn:aws:s3:::bucket/*', value: 'arn:aws:s3:::bucket/a/b.txt', matches: true },
    { pattern: 'a.c', value: 'abc', matches: false },
  ])('$pattern against $value is $matches', ({ pattern: patternText, value: valueText, matches }) => {
    expect(matchesWildcard(patternText, valueText)).toBe(matches)
  })

  it('compares resources case-sensitively by default and actions case-insensitively on request', () => {
    expect(matchesWildcard('arn:aws:s3:::Bucket/*', 'arn:aws:s3:::bucket/x')).toBe(false)
    expect(matchesWildcard('EC2:stopinstances', 'ec2:StopInstances')).toBe(false)
    expect(matchesWildcard('EC2:stopinstances', 'ec2:StopInstances', { ignoreCase: true })).toBe(true)
    expect(matchesWildcard('ec2:describe*', 'EC2:DescribeVolumes', { ignoreCase: true })).toBe(true)
  })

  it('agrees with a reference regular expression', () => {
    fc.assert(
      fc.property(pattern, value, fc.boolean(), (patternText, valueText, ignoreCase) => {
        expect(matchesWildcard(patternText, valueText, { ignoreCase })).toBe(referenceRegex(patternText, ignoreCase).test(valueText))
      }),
      { numRuns: 3000 },
    )
  })

  it('agrees with the reference on members of the language, which random strings rarely hit', () => {
    fc.assert(
      fc.property(pattern, pattern, runs, singles, (patternText, other, runsValue, singlesValue) => {
        const member = memberOf(other, runsValue, singlesValue)
        expect(matchesWildcard(patternText, member)).toBe(referenceRegex(patternText, false).test(member))
        expect(matchesWildcard(other, member)).toBe(true)
      }),
      { numRuns: 3000 },
    )
  })
})

describe('coversPattern', () => {
  it.each([
    { granted: 'ec2:*', requested: 'ec2:Describe*', covers: true },
    { granted: 'ec2:Describe*', requested: 'ec2:Describe*', covers: true },
    { granted: 'ec2:DescribeInstances', requested: 'ec2:Describe*', covers: false },
    { granted: 'ec2:Describe*', requested: 'ec2:*', covers: false },
    { granted: 'ec2:Describe*', requested: 'ec2:DescribeInstances', covers: true },
    { granted: 'ec2:*', requested: '*', covers: false },
    { granted: 'arn:aws:s3:::bucket/*', requested: '*', covers: false },
    { granted: '*', requested: '*', covers: true },
    { granted: '*', requested: 'anything?at*all', covers: true },
    { granted: 'a*', requested: 'a?c', covers: true },
    { granted: 'a?c', requested: 'a*', covers: false },
    { granted: 'a??', requested: 'a?c', covers: true },
    // The requested `*` may be empty or not; `*?` covers both cases differently.
    { granted: '*?', requested: 'a*', covers: true },
    { granted: '?*', requested: '*?', covers: true },
    { granted: '*?*?', requested: '??*', covers: true },
    { granted: '*??', requested: '?*', covers: false },
    { granted: '*a*', requested: '?*a', covers: true },
    { granted: '*a*a*', requested: '*a*', covers: false },
    { granted: 'arn:aws:s3:::bucket/*', requested: 'arn:aws:s3:::bucket/logs/*', covers: true },
    { granted: 'arn:aws:s3:::bucket/logs/*', requested: 'arn:aws:s3:::bucket/*', covers: false },
  ])('$granted covers $requested: $covers', ({ granted, requested, covers }) => {
    expect(coversPattern(granted, requested)).toBe(covers)
    const example = findUncoveredExample(granted, requested)
    if (covers) {
      expect(example).toBeUndefined()
    } else {
      expect(example).toBeDefined()
      expect(matchesWildcard(requested, example ?? '')).toBe(true)
      expect(matchesWildcard(granted, example ?? '')).toBe(false)
    }
  })

  it('gives a short example in the requested spelling', () => {
    expect(findUncoveredExample('ec2:DescribeInstances', 'ec2:Describe*', { ignoreCase: true })).toBe('ec2:Describe')
    expect(findUncoveredExample('ec2:Describe*', 'ec2:*', { ignoreCase: true })).toBe('ec2:')
    expect(findUncoveredExample('ec2:StopInstances', 'ec2:StartInstances')).toBe('ec2:StartInstances')
  })

  it('compares actions case-insensitively and resources case-sensitively', () => {
    expect(coversPattern('EC2:*', 'ec2:describe*', { ignoreCase: true })).toBe(true)
    expect(coversPattern('EC2:*', 'ec2:describe*')).toBe(false)
    expect(coversPattern('arn:aws:s3:::Bucket/*', 'arn:aws:s3:::bucket/x')).toBe(false)
    expect(coversPattern('ec2:StopInstances', 'EC2:stopinstances', { ignoreCase: true })).toBe(true)
  })

  it('is sound: whatever it says is covered, every member of the requested language matches the grant', () => {
    fc.assert(
      fc.property(coveragePair, runs, singles, ({ granted, requested }, runsValue, singlesValue) => {
        fc.pre(coversPattern(granted, requested))
        const member = memberOf(requested, runsValue, singlesValue)
        expect(referenceRegex(requested, false).test(member)).toBe(true)
        expect(referenceRegex(granted, false).test(member)).toBe(true)
      }),
      { numRuns: 5000 },
    )
  })

  it('is complete: whatever it says is not covered comes with an example the grant misses', () => {
    fc.assert(
      fc.property(pattern, pattern, fc.boolean(), (granted, requested, ignoreCase) => {
        const covered = coversPattern(granted, requested, { ignoreCase })
        const example = findUncoveredExample(granted, requested, { ignoreCase })
        if (covered) {
          expect(example).toBeUndefined()
        } else {
          expect(example).toBeDefined()
          expect(referenceRegex(requested, ignoreCase).test(example ?? '')).toBe(true)
          expect(referenceRegex(granted, ignoreCase).test(example ?? '')).toBe(false)
        }
      }),
      { numRuns: 5000 },
    )
  })

  it('is complete and sound with mixed case when case is ignored', () => {
    fc.assert(
      fc.property(
        mixedCasePattern,
        mixedCasePattern,
        fc.array(fc.constantFrom('a', 'B', 'c'), { minLength: 1, maxLength: 4 }),
        (granted, requested, fill) => {
          const example = findUncoveredExample(granted, requested, { ignoreCase: true })
          if (example === undefined) {
            const member = memberOf(requested, [fill.join('')], fill)
            expect(referenceRegex(granted, true).test(member)).toBe(true)
          } else {
            expect(referenceRegex(requested, true).test(example)).toBe(true)
            expect(referenceRegex(granted, true).test(example)).toBe(false)
          }
        },
      ),
      { numRuns: 3000 },
    )
  })

  it('is reflexive', () => {
    fc.assert(
      fc.property(pattern, fc.boolean(), (patternText, ignoreCase) => {
        expect(coversPattern(patternText, patternText, { ignoreCase })).toBe(true)
      }),
    )
  })

  it('lets `*` cover everything, and only a pattern that matches everything covers `*`', () => {
    fc.assert(
      fc.property(pattern, (patternText) => {
        expect(coversPattern('*', patternText)).toBe(true)
        // Only patterns made of `*` alone match every string (a literal or `?` excludes the empty string).
        expect(coversPattern(patternText, '*')).toBe(/^\*+$/.test(patternText))
      }),
    )
  })

  it('covers every specialisation of a pattern (a `*` narrowed to any pattern, a `?` to any character)', () => {
    fc.assert(
      fc.property(pattern, fc.array(pattern, { minLength: 1, maxLength: 4 }), singles, (granted, starFills, questionFills) => {
        const requested = memberOf(granted, starFills, questionFills)
        expect(coversPattern(granted, requested)).toBe(true)
        expect(findUncoveredExample(granted, requested)).toBeUndefined()
      }),
      { numRuns: 3000 },
    )
  })
})

describe('pathological patterns', () => {
  it('refuses to compare them rather than hang or guess', () => {
    // "an `a` twenty characters from the end" needs an automaton with about 2^20 states.
    const granted = `*a${'?'.repeat(20)}`
    expect(() => coversPattern(granted, granted)).toThrow(PatternTooComplexError)
    expect(() => coversPattern(granted, granted)).toThrow(`cannot tell whether "${granted}" covers "${granted}"`)
  })

  it('still compares realistic ARN patterns quickly', () => {
    expect(coversPattern('arn:aws:ec2:*:123456789012:instance/*', 'arn:aws:ec2:us-east-?:123456789012:instance/i-*')).toBe(true)
    expect(coversPattern('arn:aws:ec2:*:123456789012:instance/*', 'arn:aws:ec2:*:*:instance/*')).toBe(false)
    expect(findUncoveredExample('arn:aws:ec2:*:123456789012:instance/*', 'arn:aws:ec2:*:*:instance/*')).toBe('arn:aws:ec2:::instance/')
  })
})

describe('hasWildcard', () => {
  it('spots `*` and `?` only', () => {
    expect(hasWildcard('ec2:Describe*')).toBe(true)
    expect(hasWildcard('ec2:Describe?')).toBe(true)
    expect(hasWildcard('ec2:DescribeInstances')).toBe(false)
  })
})
