/** A count and its noun, the noun plural unless the count is one: `1 error`, `2 errors`, `0 errors`. */
export function formatCount(count: number, noun: string, pluralNoun = `${noun}s`): string {
  return `${count} ${chooseNoun(count, noun, pluralNoun)}`
}

/** The noun alone, singular or plural by the count: `file` for 1, `files` otherwise. */
export function chooseNoun(count: number, noun: string, pluralNoun = `${noun}s`): string {
  return count === 1 ? noun : pluralNoun
}

/** A number as a person reads it, with thousands separators: `1,600`. */
export function formatNumber(value: number): string {
  return value.toLocaleString('en-US')
}
