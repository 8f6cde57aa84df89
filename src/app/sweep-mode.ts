/** `JIT_SWEEP`: whether this process runs the in-app sweeper. */
export type SweepMode = 'on' | 'off'

export class SweepModeError extends Error {
  override readonly name = 'SweepModeError'
}

/**
 * Unset or `on`: the app sweeps every installation; `off`: it does not (replicas, or a scheduled `jit sweep`,
 * do it). Anything else stops the app at start, rather than guessing which one was meant.
 */
export function parseSweepMode(env: Readonly<Record<string, string | undefined>>): SweepMode {
  const value = env['JIT_SWEEP']
  if (value === undefined || value === '' || value === 'on') return 'on'
  if (value === 'off') return 'off'
  throw new SweepModeError(
    `JIT_SWEEP is ${JSON.stringify(value)}: set it to "off" to turn the in-app sweeper off (when replicas or a scheduled job sweep), or "on" (the default) or leave it unset to keep it`,
  )
}
