import { describe, expect, it } from 'vitest'
import { DURATION_PATTERN, formatDuration, MAX_DURATION_MS, MIN_DURATION_MS, parseDuration } from '../../../src/core/files/duration.js'

const MINUTE = 60_000
const HOUR = 60 * MINUTE
const DAY = 24 * HOUR

describe('parseDuration', () => {
  it.each([
    ['5m', 5 * MINUTE],
    ['30m', 30 * MINUTE],
    ['2h', 2 * HOUR],
    ['1d', DAY],
    ['90d', 90 * DAY],
    ['PT2H', 2 * HOUR],
    ['PT1H30M', 90 * MINUTE],
    ['PT5M', 5 * MINUTE],
    ['PT300S', 5 * MINUTE],
    ['P1D', DAY],
    ['P1DT12H', 36 * HOUR],
    ['P2W', 14 * DAY],
    // ISO 8601 allows a decimal fraction (point or comma) in the smallest unit written.
    ['PT1.5H', 90 * MINUTE],
    ['PT0,5H', 30 * MINUTE],
    ['PT1.1H', 66 * MINUTE],
    ['P1.5D', 36 * HOUR],
    ['P0.5W', 84 * HOUR],
    ['P1DT1.25H', DAY + 75 * MINUTE],
    ['PT7.5M', 450_000],
    ['PT300.5S', 300_500],
    ['PT300.125S', 300_125],
  ])('reads %s', (text, ms) => {
    expect(parseDuration(text)).toEqual({ ok: true, ms })
  })

  it.each([
    ['0m', 'too short: the minimum is 5m'],
    ['4m', 'too short: the minimum is 5m'],
    ['PT4M59S', 'too short: the minimum is 5m'],
    ['91d', 'too long: the maximum is 90d'],
    ['999999d', 'too long: the maximum is 90d'],
    ['P13W', 'too long: the maximum is 90d'],
  ])('rejects %s as out of bounds', (text, message) => {
    const result = parseDuration(text)
    expect(result.ok).toBe(false)
    if (!result.ok) expect(result.message).toBe(`"${text}" is ${message}`)
  })

  it.each([
    '2 hours',
    '2H',
    'h',
    '1.5h',
    '-1h',
    'PT',
    'P',
    'P1DT',
    'P1Y',
    'P1M',
    'pt2h',
    '2h30m',
    ' 2h',
    '',
    // A fraction only in the smallest unit written, with digits on both sides of the decimal sign.
    'PT1.5H30M',
    'P1.5DT2H',
    'P0.5W1D',
    'PT.5H',
    'PT1.H',
    'PT1..5H',
    'PT1.5',
  ])('rejects %j with the allowed forms', (text) => {
    const result = parseDuration(text)
    expect(result).toEqual({
      ok: false,
      message: `"${text}" is not a duration: use Nm, Nh or Nd (e.g. 30m, 2h, 1d) or an ISO 8601 duration (e.g. PT2H, PT1H30M, P1D)`,
    })
  })

  it('refuses a fraction finer than a millisecond rather than rounding it', () => {
    expect(parseDuration('PT300.0001S')).toEqual({
      ok: false,
      message: '"PT300.0001S" is more precise than a millisecond: shorten its fraction',
    })
    expect(parseDuration('PT0.0000001H')).toEqual({
      ok: false,
      message: '"PT0.0000001H" is more precise than a millisecond: shorten its fraction',
    })
  })

  it('schemas accept exactly the spellings the parser reads', () => {
    const pattern = new RegExp(DURATION_PATTERN)
    for (const text of ['PT1.5H', 'P0,5D', '2h', 'P1DT1.25H']) expect(pattern.test(text), text).toBe(true)
    for (const text of ['PT1.5H30M', '1.5h', 'PT.5H', 'P1Y']) expect(pattern.test(text), text).toBe(false)
  })

  it('applies other bounds when given', () => {
    expect(parseDuration('1m', { minMs: MINUTE })).toEqual({ ok: true, ms: MINUTE })
    expect(parseDuration('2d', { maxMs: DAY })).toEqual({ ok: false, message: '"2d" is too long: the maximum is 1d' })
  })

  it('has the documented bounds', () => {
    expect(MIN_DURATION_MS).toBe(5 * MINUTE)
    expect(MAX_DURATION_MS).toBe(90 * DAY)
  })
})

describe('formatDuration', () => {
  it.each([
    [5 * MINUTE, '5m'],
    [90 * MINUTE, '1h30m'],
    [DAY + 2 * HOUR, '1d2h'],
    [45_000, '45s'],
    [0, '0m'],
  ])('formats %d ms as %s', (ms, text) => {
    expect(formatDuration(ms)).toBe(text)
  })
})
