import type { IncomingMessage, ServerResponse } from 'node:http'
import type { SinkHealth } from '../workflows/notify/create-notifier.js'

/** The last sweep of one repository, as the health endpoint shows it. */
export interface RepositorySweep {
  readonly at: string
  readonly outcome: 'swept' | 'failed'
  readonly summary: string
}

export interface SweepHealthReport {
  /** `off` when `JIT_SWEEP=off`: replicas or a scheduled job sweep instead. */
  readonly sweeper: 'on' | 'off'
  readonly lastPassAt: string | null
  readonly repositories: Readonly<Record<string, RepositorySweep>>
  readonly lastError: { readonly at: string; readonly repository: string | null; readonly message: string } | null
}

/** What the sweeper did, for `GET /jit/health`. */
export interface SweepHealth {
  recordSweep(repository: string, sweep: RepositorySweep): void
  recordError(error: { at: Date; repository: string | null; message: string }): void
  recordPass(at: Date): void
  report(): SweepHealthReport
}

export const HEALTH_PATH = '/jit/health'

export function createSweepHealth(sweeper: 'on' | 'off'): SweepHealth {
  const repositories: Record<string, RepositorySweep> = {}
  let lastError: SweepHealthReport['lastError'] = null
  let lastPassAt: string | null = null
  return {
    recordSweep: (repository, sweep) => void (repositories[repository] = sweep),
    recordError: ({ at, repository, message }) => void (lastError = { at: at.toISOString(), repository, message }),
    recordPass: (at) => void (lastPassAt = at.toISOString()),
    report: () => ({ sweeper, lastPassAt, repositories: { ...repositories }, lastError }),
  }
}

/** A Probot `addHandler` handler: answers `GET /jit/health` with the report as JSON (the sweeper's, and each notification sink's last delivery and last error), and nothing else. */
export function createHealthHandler(
  health: SweepHealth,
  notifications?: { health(): Readonly<Record<string, SinkHealth>> },
): (req: IncomingMessage, res: ServerResponse) => boolean {
  return (req, res) => {
    const path = (req.url ?? '').split('?')[0]
    if (path !== HEALTH_PATH || (req.method !== 'GET' && req.method !== 'HEAD')) return false
    res.writeHead(200, { 'content-type': 'application/json; charset=utf-8', 'cache-control': 'no-store' })
    res.end(req.method === 'HEAD' ? undefined : JSON.stringify({ ...health.report(), notifications: notifications?.health() ?? {} }))
    return true
  }
}
