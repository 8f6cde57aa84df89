/**
 * A clock that only moves when told to. The app, both emulators and the sweep read the same one, so
 * "two hours later" is a statement in a scenario, not a wait.
 */
export interface ManualClock {
  /** The current instant (a fresh Date each call, so callers cannot move the clock by mutating it). */
  now(): Date
  /** Moves the clock forward by `ms` and returns the new instant. */
  advance(ms: number): Date
  /** Sets the clock to `instant`; moving backwards is refused, as no real clock does it. */
  set(instant: Date): Date
}

/** Starts a manual clock at `start`. */
export function createManualClock(start: Date): ManualClock {
  let current = start.getTime()
  const set = (instant: Date): Date => {
    if (instant.getTime() < current)
      throw new RangeError(`the clock cannot go back from ${new Date(current).toISOString()} to ${instant.toISOString()}`)
    current = instant.getTime()
    return new Date(current)
  }
  return {
    now: () => new Date(current),
    advance: (ms) => set(new Date(current + ms)),
    set,
  }
}
