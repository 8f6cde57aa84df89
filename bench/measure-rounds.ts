/** The timings of one measured workload. */
export interface RoundTimings {
  /** Wall time of each timed round, in milliseconds, in the order run. */
  readonly roundsMs: readonly number[]
  /** Median round time divided by the operations per round. */
  readonly medianMsPerOperation: number
  /** Operations per second at the median round. */
  readonly operationsPerSecond: number
}

/**
 * Runs `warmUp` once (untimed: lets the JIT compile the hot paths and fills caches), then `round`
 * `rounds` times, and reports the median round, which resists a noisy neighbour better than the mean.
 */
export function measureRounds(params: {
  rounds: number
  operationsPerRound: number
  warmUp: () => void
  round: () => void
  /** A monotonic clock in milliseconds (`performance.now`). */
  now: () => number
}): RoundTimings {
  params.warmUp()
  const roundsMs: number[] = []
  for (let round = 0; round < params.rounds; round++) {
    const started = params.now()
    params.round()
    roundsMs.push(params.now() - started)
  }
  const medianMs = median(roundsMs)
  const medianMsPerOperation = medianMs / params.operationsPerRound
  return { roundsMs, medianMsPerOperation, operationsPerSecond: 1000 / medianMsPerOperation }
}

/** The median of a non-empty list (the mean of the two middle values for an even count). */
export function median(values: readonly number[]): number {
  if (values.length === 0) throw new RangeError('median of an empty list')
  const sorted = [...values].sort((a, b) => a - b)
  const middle = Math.floor(sorted.length / 2)
  return sorted.length % 2 === 1 ? (sorted[middle] as number) : ((sorted[middle - 1] as number) + (sorted[middle] as number)) / 2
}

/**
 * For work too slow to repeat (Cedar over 1,000 policies): `warmUpItems` untimed calls first, then one
 * pass over every item, timed in `chunks` consecutive slices of equal size; the median slice gives the
 * time per call. Items are in generation order, i.e. random, so every slice is a sample of the same mix.
 * Returns every result, in item order, for checking.
 */
export function measureChunks<T, R>(params: {
  items: readonly T[]
  chunks: number
  warmUpItems: number
  run: (item: T) => R
  now: () => number
}): { readonly results: R[]; readonly timings: RoundTimings } {
  const { items, run, now } = params
  for (const item of items.slice(0, params.warmUpItems)) run(item)
  const size = Math.ceil(items.length / params.chunks)
  const results: R[] = []
  const msPerItem: number[] = []
  const roundsMs: number[] = []
  for (let start = 0; start < items.length; start += size) {
    const slice = items.slice(start, start + size)
    const started = now()
    for (const item of slice) results.push(run(item))
    const elapsed = now() - started
    roundsMs.push(elapsed)
    msPerItem.push(elapsed / slice.length)
  }
  const medianMsPerOperation = median(msPerItem)
  return { results, timings: { roundsMs, medianMsPerOperation, operationsPerSecond: 1000 / medianMsPerOperation } }
}
