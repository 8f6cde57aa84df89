/**
 * A seeded pseudo-random source (mulberry32), so a benchmark generates the same repository and the
 * same requests on every run and two runs can be compared.
 */
export interface SeededRandom {
  /** A float in [0, 1). */
  next(): number
  /** An integer in [min, max], both included. */
  integer(min: number, max: number): number
  /** True with probability `p`. */
  chance(p: number): boolean
  /** One element of a non-empty list. */
  pick<T>(items: readonly T[]): T
  /** `count` distinct elements (fewer if the list is shorter), in random order. */
  sample<T>(items: readonly T[], count: number): T[]
}

/** Creates a seeded source; the same seed gives the same sequence. */
export function createSeededRandom(seed: number): SeededRandom {
  let state = seed >>> 0
  const next = (): number => {
    state = (state + 0x6d2b79f5) >>> 0
    let t = state
    t = Math.imul(t ^ (t >>> 15), t | 1)
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61)
    return ((t ^ (t >>> 14)) >>> 0) / 4_294_967_296
  }
  const integer = (min: number, max: number): number => min + Math.floor(next() * (max - min + 1))
  return {
    next,
    integer,
    chance: (p) => next() < p,
    pick: <T>(items: readonly T[]): T => {
      if (items.length === 0) throw new RangeError('cannot pick from an empty list')
      return items[integer(0, items.length - 1)] as T
    },
    sample: <T>(items: readonly T[], count: number): T[] => {
      const copy = [...items]
      const taken: T[] = []
      while (taken.length < count && copy.length > 0) {
        const index = integer(0, copy.length - 1)
        taken.push(copy[index] as T)
        copy[index] = copy[copy.length - 1] as T
        copy.pop()
      }
      return taken
    },
  }
}
