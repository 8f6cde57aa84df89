import { describe, expect, it } from 'vitest'
import { chooseNoun, formatCount } from '../../../src/core/text/plural.js'
import { shortSha } from '../../../src/core/text/short-sha.js'

describe('words for counts', () => {
  it.each([
    [0, 'errors'],
    [1, 'error'],
    [2, 'errors'],
  ])('formatCount(%d) reads "%d %s"', (count, noun) => {
    expect(formatCount(count, 'error')).toBe(`${count} ${noun}`)
    expect(chooseNoun(count, 'error')).toBe(noun)
  })

  it('takes an irregular plural', () => {
    expect(formatCount(2, 'policy', 'policies')).toBe('2 policies')
    expect(chooseNoun(1, 'exists', 'exist')).toBe('exists')
    expect(chooseNoun(3, 'exists', 'exist')).toBe('exist')
  })
})

describe('shortSha', () => {
  it('keeps the seven characters GitHub shows', () => {
    expect(shortSha('45f7bb72c34d1d26da5517c5d89434f7668b5547')).toBe('45f7bb7')
  })
})
