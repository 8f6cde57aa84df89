const MINUTE_MS = 60_000
const HOUR_MS = 60 * MINUTE_MS
const DAY_MS = 24 * HOUR_MS

/** The shortest access a request or policy may name: anything shorter is a typo, not a need. */
export const MIN_DURATION_MS = 5 * MINUTE_MS
/** The longest access a request or policy may name. */
export const MAX_DURATION_MS = 90 * DAY_MS

/** The accepted spellings, quoted in every message about a bad duration. */
export const DURATION_FORMS = 'Nm, Nh or Nd (e.g. 30m, 2h, 1d) or an ISO 8601 duration (e.g. PT2H, PT1H30M, P1D)'

/** One ISO 8601 component: digits, and a fraction (`.` or `,`) only on the last component written. */
const isoComponent = (unit: string): string => `([0-9]+(?:[.,][0-9]+(?=${unit}$))?)${unit}`
const ISO_SOURCE =
  `P(?=[0-9T])(?:${isoComponent('W')})?(?:${isoComponent('D')})?` +
  `(?:T(?=[0-9])(?:${isoComponent('H')})?(?:${isoComponent('M')})?(?:${isoComponent('S')})?)?`

/** Matches the duration syntax; the JSON Schemas use it so editors flag bad spellings too. */
export const DURATION_PATTERN = `^(?:[0-9]+[mhd]|${ISO_SOURCE.replaceAll('([0-9]', '(?:[0-9]')})$`

const SHORT_FORM = /^([0-9]+)([mhd])$/
const ISO_FORM = new RegExp(`^${ISO_SOURCE}$`)
const ISO_UNITS_MS = [7 * DAY_MS, DAY_MS, HOUR_MS, MINUTE_MS, 1000] as const

/** Inclusive bounds a duration must fall within; each defaults to the request bounds. */
export interface DurationBounds {
  readonly minMs?: number
  readonly maxMs?: number
}

export type DurationResult = { readonly ok: true; readonly ms: number } | { readonly ok: false; readonly message: string }

/**
 * Reads a duration as users write it in request and policy files: `30m`, `2h`, `1d`, or an ISO 8601
 * duration without years or months (whose length varies): `PT2H`, `PT1H30M`, `P1D`, `P1W`, with a
 * fraction in the smallest unit written (`PT1.5H`, `P0,5D`) as ISO 8601 allows, to the millisecond.
 * The message of a failure says what was wrong and which forms are accepted.
 */
export function parseDuration(text: string, bounds: DurationBounds = {}): DurationResult {
  const ms = readMilliseconds(text)
  if (ms === 'too-precise') {
    return { ok: false, message: `"${text}" is more precise than a millisecond: shorten its fraction` }
  }
  if (ms === undefined) {
    return { ok: false, message: `"${text}" is not a duration: use ${DURATION_FORMS}` }
  }
  const minMs = bounds.minMs ?? MIN_DURATION_MS
  const maxMs = bounds.maxMs ?? MAX_DURATION_MS
  if (ms < minMs) {
    return { ok: false, message: `"${text}" is too short: the minimum is ${formatDuration(minMs)}` }
  }
  if (ms > maxMs) {
    return { ok: false, message: `"${text}" is too long: the maximum is ${formatDuration(maxMs)}` }
  }
  return { ok: true, ms }
}

/** Formats milliseconds in the short form users write, largest units first: `1d2h`, `1h30m`, `45s`. */
export function formatDuration(ms: number): string {
  if (ms <= 0) return '0m'
  const parts: string[] = []
  let rest = ms
  for (const [unit, size] of [
    ['d', DAY_MS],
    ['h', HOUR_MS],
    ['m', MINUTE_MS],
    ['s', 1000],
  ] as const) {
    const count = Math.floor(rest / size)
    if (count > 0) parts.push(`${count}${unit}`)
    rest -= count * size
  }
  return parts.length > 0 ? parts.join('') : `${ms}ms`
}

function readMilliseconds(text: string): number | 'too-precise' | undefined {
  const short = SHORT_FORM.exec(text)
  if (short) {
    const unit = short[2] === 'm' ? MINUTE_MS : short[2] === 'h' ? HOUR_MS : DAY_MS
    return Number(short[1]) * unit
  }
  const iso = ISO_FORM.exec(text)
  if (!iso) return undefined
  // Exact decimal arithmetic: 1.1 hours is 3,960,000 ms, not the 3,960,000.0000000005 of binary floating point.
  let total = 0n
  for (const [index, unitMs] of ISO_UNITS_MS.entries()) {
    const value = iso[index + 1]
    if (value === undefined) continue
    const [whole, fraction = ''] = value.split(/[.,]/)
    const scale = 10n ** BigInt(fraction.length)
    const scaled = (BigInt(whole!) * scale + BigInt(fraction || '0')) * BigInt(unitMs)
    if (scaled % scale !== 0n) return 'too-precise'
    total += scaled / scale
  }
  return total > BigInt(Number.MAX_SAFE_INTEGER) ? Number.MAX_SAFE_INTEGER : Number(total)
}
