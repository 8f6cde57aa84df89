/**
 * Maps `items` through `work` with at most `concurrency` calls in flight, keeping the input order in
 * the result. `work` should not throw (outcomes carry failures); if it does, the first error rejects
 * the whole map after in-flight calls settle.
 */
export async function mapConcurrently<T, R>(
  items: readonly T[],
  concurrency: number,
  work: (item: T, index: number) => Promise<R>,
): Promise<R[]> {
  const results = new Array<R>(items.length)
  let next = 0
  const worker = async (): Promise<void> => {
    while (next < items.length) {
      const index = next++
      results[index] = await work(items[index] as T, index)
    }
  }
  const workers = Array.from({ length: Math.max(1, Math.min(concurrency, items.length)) }, () => worker())
  await Promise.all(workers)
  return results
}
