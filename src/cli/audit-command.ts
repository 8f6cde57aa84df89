import { writeFile } from 'node:fs/promises'
import { resolve } from 'node:path'
import { parseArgs } from 'node:util'
import cliProgress from 'cli-progress'
import type { Anomaly } from '../core/audit/anomaly.js'
import { renderAuditPage } from '../core/audit/render-audit-page.js'
import {
  ANOMALY_COLUMNS,
  GRANT_COLUMNS,
  HOLDER_COLUMNS,
  renderAnomaliesTable,
  renderCsv,
  renderHoldersTable,
  renderTimelineTable,
  toGrantRow,
  toHolderRow,
} from '../core/audit/render-audit.js'
import { findHolders, selectTimeline } from '../core/audit/select-grants.js'
import { parseDuration } from '../core/files/duration.js'
import { GitReadError } from '../git/git-read-error.js'
import { DEFAULT_GRACE_MS, runAudit, type AuditResult } from '../workflows/audit/run-audit.js'
import { EXIT, UsageError, type CliCommand, type CliIo } from './cli-io.js'

export const AUDIT_USAGE = `jit audit timeline|who|verify [--repo DIR] [--ref REF] [--app-login LOGIN] [--json | --csv | --html FILE]
      timeline [--since T] [--until T] [--requester LOGIN] [--account ID] [--action X] [--resource ARN]
      who --account ID --action X [--resource ARN] (--at T | --between T1 T2)
      verify [--since T] [--grace DURATION]      exit 0: no anomaly, 1: anomalies`

/** `jit audit`, as `main` dispatches it. */
export const auditCommand: CliCommand = { name: 'audit', run: runAuditCommand, usage: AUDIT_USAGE }

const OPTIONS = {
  repo: { type: 'string' },
  ref: { type: 'string', default: 'HEAD' },
  'app-login': { type: 'string' },
  json: { type: 'boolean', default: false },
  csv: { type: 'boolean', default: false },
  html: { type: 'string' },
  since: { type: 'string' },
  until: { type: 'string' },
  requester: { type: 'string' },
  account: { type: 'string' },
  action: { type: 'string' },
  resource: { type: 'string' },
  at: { type: 'string' },
  between: { type: 'string' },
  grace: { type: 'string' },
} as const

/**
 * An instant from the command line: ISO 8601 with a timezone, or a day (`2026-03-01`, UTC), which as an
 * upper bound (`--until`) means the end of that day.
 */
function parseInstant(flag: string, text: string, end: 'start' | 'end' = 'start'): number {
  if (/^\d{4}-\d{2}-\d{2}$/u.test(text)) {
    const day = Date.parse(`${text}T00:00:00Z`)
    if (!Number.isNaN(day)) return end === 'end' ? day + 24 * 3_600_000 - 1 : day
  }
  if (!/(Z|[+-]\d{2}:?\d{2})$/u.test(text) || Number.isNaN(Date.parse(text)))
    throw new UsageError(
      `${flag} must be a day (2026-03-01) or an ISO 8601 time with a timezone (2026-03-01T09:00:00Z), not ${JSON.stringify(text)}`,
    )
  return Date.parse(text)
}

/** `--between T1 T2` takes two values; parseArgs takes one, so the pair is joined first. */
function joinBetween(args: readonly string[]): string[] {
  const out = [...args]
  const at = out.indexOf('--between')
  if (at >= 0 && out[at + 2] !== undefined && !out[at + 2]!.startsWith('--')) out.splice(at + 1, 2, `${out[at + 1]} ${out[at + 2]}`)
  return out
}

export async function runAuditCommand(args: readonly string[], io: CliIo): Promise<number> {
  const [subcommand, ...rest] = args
  if (subcommand !== 'timeline' && subcommand !== 'who' && subcommand !== 'verify')
    throw new UsageError(
      subcommand === undefined
        ? 'say timeline, who or verify'
        : `unknown audit command ${JSON.stringify(subcommand)}: say timeline, who or verify`,
    )
  const { values } = parseArgs({ args: joinBetween(rest), options: OPTIONS, strict: true })
  const formats = [values.json, values.csv, values.html !== undefined].filter(Boolean).length
  if (formats > 1) throw new UsageError('choose one of --json, --csv and --html')
  if (values.html !== undefined && subcommand === 'who') throw new UsageError('--html is for timeline and verify')
  const now = io.now?.() ?? new Date()
  const since = values.since === undefined ? undefined : parseInstant('--since', values.since)
  const until = values.until === undefined ? undefined : parseInstant('--until', values.until, 'end')
  const graceMs = readGrace(values.grace)
  const whoQuery = subcommand === 'who' ? readWhoQuery(values) : undefined

  let result: AuditResult
  try {
    result = await runAudit({
      dir: resolve(io.cwd, values.repo ?? '.'),
      ref: values.ref,
      ...(values['app-login'] !== undefined ? { appLogin: values['app-login'] } : {}),
      graceMs,
      now,
      ...(formats === 0 || values.html !== undefined ? withProgress(io) : {}),
    })
  } catch (error) {
    if (!(error instanceof GitReadError)) throw error
    io.stderr.write(`jit audit: ${error.message}\n`)
    return EXIT.invalid
  }
  if (result.appLoginSource === 'unknown' && !values.json && !values.csv)
    io.stderr.write(
      `warning: the app's login is not known (set audit.app_login in .github/jit.yml or pass --app-login), so records are judged by their trailers only${result.settingsProblem ? `; ${result.settingsProblem}` : ''}\n`,
    )
  const anomalies = result.anomalies.filter((anomaly) => since === undefined || Date.parse(anomaly.at) >= since || isStateAnomaly(anomaly))

  if (subcommand === 'who') {
    const holders = findHolders(result.grants, whoQuery!)
    if (values.json) io.stdout.write(JSON.stringify({ query: describeQuery(whoQuery!), holders: holders.map(toHolderRow) }, null, 2) + '\n')
    else if (values.csv) io.stdout.write(renderCsv(HOLDER_COLUMNS, holders.map(toHolderRow)))
    else io.stdout.write(renderHoldersTable(holders))
    return EXIT.ok
  }

  const grants =
    subcommand === 'timeline'
      ? selectTimeline(result.grants, {
          ...(since !== undefined ? { since } : {}),
          ...(until !== undefined ? { until } : {}),
          ...pick(values, ['requester', 'account', 'action', 'resource']),
        })
      : selectTimeline(result.grants, since !== undefined ? { since } : {})
  if (values.html !== undefined) {
    const file = resolve(io.cwd, values.html)
    await writeFile(file, renderAuditPage({ title: `jit audit ${subcommand}`, generatedAt: now.toISOString(), grants, anomalies }))
    io.stdout.write(`wrote ${file}: ${grants.length} grants, ${anomalies.length} anomalies\n`)
  } else if (subcommand === 'timeline') {
    if (values.json) io.stdout.write(JSON.stringify({ commits: result.commits, grants: grants.map(toGrantRow) }, null, 2) + '\n')
    else if (values.csv) io.stdout.write(renderCsv(GRANT_COLUMNS, grants.map(toGrantRow)))
    else io.stdout.write(renderTimelineTable(grants))
  } else if (values.json) {
    io.stdout.write(JSON.stringify({ commits: result.commits, appLogin: result.appLogin ?? null, anomalies }, null, 2) + '\n')
  } else if (values.csv) {
    io.stdout.write(renderCsv(ANOMALY_COLUMNS, anomalies))
  } else {
    io.stdout.write(renderAnomaliesTable(anomalies))
  }
  return subcommand === 'verify' && anomalies.length > 0 ? EXIT.pending : EXIT.ok
}

/** Anomalies about the state now (not about one commit) are reported whatever `--since` says. */
function isStateAnomaly(anomaly: Anomaly): boolean {
  return anomaly.kind === 'active-past-expiry' || anomaly.kind === 'no-end'
}

function readGrace(text: string | undefined): number {
  if (text === undefined) return DEFAULT_GRACE_MS
  const parsed = parseDuration(text, { minMs: 0, maxMs: 30 * 24 * 3_600_000 })
  if (!parsed.ok) throw new UsageError(`--grace ${parsed.message}`)
  return parsed.ms
}

type Values = { readonly [key: string]: string | boolean | undefined }

function readWhoQuery(values: Values): { account: string; action: string; resource?: string; from: number; to: number } {
  const account = values['account']
  const action = values['action']
  if (typeof account !== 'string' || typeof action !== 'string') throw new UsageError('who needs --account and --action')
  if (!/^\d{12}$/u.test(account)) throw new UsageError(`--account must be a 12-digit AWS account id, not ${JSON.stringify(account)}`)
  const at = values['at']
  const between = values['between']
  if ((typeof at === 'string') === (typeof between === 'string')) throw new UsageError('who needs one of --at T and --between T1 T2')
  let from: number
  let to: number
  if (typeof at === 'string') from = to = parseInstant('--at', at)
  else {
    const [first, second, extra] = String(between).split(' ')
    if (first === undefined || second === undefined || extra !== undefined)
      throw new UsageError('--between takes two times: --between T1 T2')
    from = parseInstant('--between', first)
    to = parseInstant('--between', second, 'end')
    if (to < from) throw new UsageError('--between: the second time is before the first')
  }
  const resource = values['resource']
  return { account, action, ...(typeof resource === 'string' ? { resource } : {}), from, to }
}

function describeQuery(query: { account: string; action: string; resource?: string; from: number; to: number }) {
  return { ...query, from: new Date(query.from).toISOString(), to: new Date(query.to).toISOString() }
}

function pick<Key extends string>(values: Values, keys: readonly Key[]): Partial<Record<Key, string>> {
  const out: Partial<Record<Key, string>> = {}
  for (const key of keys) {
    const value = values[key]
    if (typeof value === 'string') out[key] = value
  }
  return out
}

/** A progress bar on stderr when it is a terminal (never for --json or --csv, which a program reads). */
function withProgress(io: CliIo): { onProgress?: { start(total: number): void; tick(): void; stop(): void } } {
  const stream = io.stderr as NodeJS.WritableStream & { isTTY?: boolean }
  if (!stream.isTTY) return {}
  const bar = new cliProgress.SingleBar(
    { stream, format: 'reading history [{bar}] {value}/{total} commits', clearOnComplete: true, hideCursor: true },
    cliProgress.Presets.shades_classic,
  )
  let started = false
  return {
    onProgress: {
      start: (total) => {
        bar.start(total, 0)
        started = true
      },
      tick: () => bar.increment(),
      stop: () => {
        if (started) bar.stop()
      },
    },
  }
}
