/**
 * A small least-recently-used cache for what was read at an immutable commit SHA (keys must contain
 * the repository and the SHA), so repeated events on the same base do not re-read the policies.
 */
export class CommitCache<V> {
  readonly #entries = new Map<string, V>()
  readonly #capacity: number

  constructor(capacity = 200) {
    this.#capacity = capacity
  }

  get(key: string): V | undefined {
    const value = this.#entries.get(key)
    if (value === undefined) return undefined
    // Re-inserting moves the key to the end: Map iteration order is insertion order.
    this.#entries.delete(key)
    this.#entries.set(key, value)
    return value
  }

  set(key: string, value: V): void {
    this.#entries.delete(key)
    this.#entries.set(key, value)
    while (this.#entries.size > this.#capacity) {
      const oldest = this.#entries.keys().next().value as string
      this.#entries.delete(oldest)
    }
  }

  get size(): number {
    return this.#entries.size
  }
}
