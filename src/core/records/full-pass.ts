import { parseYamlDocument } from '../files/yaml-document.js'
import { formatRecordTime } from './plan-sweep.js'

/**
 * When the sweep last looked through every principal the settings can map to (a full reconcile pass),
 * kept in git beside the records so every sweeper (the app, `jit sweep`, the scheduled workflow) agrees
 * on when the next one is due. Not a record: outside `grants/`, which holds only records.
 */
export const FULL_PASS_PATH = '.jit/reconcile.yaml'

/** What the sweep writes after a full pass. */
export interface FullPassRecord {
  readonly lastFullPass: Date
  readonly principalsListed: number
  /** Accounts or principals that could not be read: looked at again in the next full pass. */
  readonly problems: readonly string[]
}

/** The last full pass as read from git: none yet, one, or a file the sweep cannot trust (then a pass is due). */
export type LastFullPass =
  { readonly kind: 'none' } | { readonly kind: 'read'; readonly at: Date } | { readonly kind: 'unreadable'; readonly reason: string }

const PROBLEMS_KEPT = 20
const PROBLEM_CHARS = 300

/** The file's text: the time, how many principals were listed, and the problems (at most 20, each cut to 300 characters). */
export function formatFullPassRecord(pass: FullPassRecord): string {
  const problems = pass.problems.slice(0, PROBLEMS_KEPT).map((problem) => JSON.stringify(cut(problem)))
  const more = pass.problems.length - PROBLEMS_KEPT
  return [
    '# Written by the jit sweep after each full reconcile pass; the next one is due reconcile.full_every after last_full_pass.',
    `last_full_pass: "${formatRecordTime(pass.lastFullPass)}"`,
    `principals_listed: ${pass.principalsListed}`,
    `problems_count: ${pass.problems.length}`,
    problems.length === 0 ? 'problems: []' : `problems:\n${problems.map((problem) => `  - ${problem}`).join('\n')}`,
    ...(more > 0 ? [`# and ${more} more problems, in the sweep's report`] : []),
    '',
  ].join('\n')
}

function cut(text: string): string {
  return text.length <= PROBLEM_CHARS ? text : `${text.slice(0, PROBLEM_CHARS - 1)}…`
}

/**
 * Reads the file. Whatever cannot be trusted makes a pass due: a file that does not parse, a time that
 * is not one, or a time after `now` (written by hand to put the next pass off).
 */
export function readLastFullPass(text: string | null, now: Date): LastFullPass {
  if (text === null) return { kind: 'none' }
  const parsed = parseYamlDocument({ file: FULL_PASS_PATH, text, what: 'full pass record' })
  if (!parsed.ok) return { kind: 'unreadable', reason: parsed.errors.map((error) => `line ${error.line}: ${error.message}`).join('; ') }
  const value = parsed.value.value as { last_full_pass?: unknown } | null
  const written = value && typeof value === 'object' ? value.last_full_pass : undefined
  const at = typeof written === 'string' && /^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\dZ$/u.test(written) ? new Date(written) : undefined
  if (at === undefined || Number.isNaN(at.getTime())) return { kind: 'unreadable', reason: 'last_full_pass is not a UTC time' }
  if (at.getTime() > now.getTime()) return { kind: 'unreadable', reason: `last_full_pass ${written} is in the future` }
  return { kind: 'read', at }
}

/** Whether this sweep runs a full pass, and why, in a reviewer's words. */
export function decideFullPass(params: {
  last: LastFullPass
  now: Date
  everyMs: number
  /** Something else needs one now (an active record the sweep cannot read). */
  forcedBy?: string
}): { readonly due: boolean; readonly reason: string } {
  const { last, now } = params
  if (params.forcedBy !== undefined) return { due: true, reason: params.forcedBy }
  if (last.kind === 'none') return { due: true, reason: `no full pass is recorded in ${FULL_PASS_PATH}` }
  if (last.kind === 'unreadable') return { due: true, reason: `${FULL_PASS_PATH} cannot be trusted (${last.reason})` }
  const dueAt = last.at.getTime() + params.everyMs
  return dueAt <= now.getTime()
    ? { due: true, reason: `the last full pass was at ${formatRecordTime(last.at)}` }
    : {
        due: false,
        reason: `the last full pass was at ${formatRecordTime(last.at)}; the next is due at ${formatRecordTime(new Date(dueAt))}`,
      }
}
