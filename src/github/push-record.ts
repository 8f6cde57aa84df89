import type { Push } from '../core/decision/decision.js'

/**
 * Who pushed to a pull request, as the app saw it: the `sender` of each `pull_request` opened, reopened
 * and synchronize event, which GitHub authenticates. Commit author and committer fields are whatever the
 * pusher wrote, so they prove nothing. The app keeps what it saw where only it can write: in the
 * `external_id` of its own check runs (read back filtered by the app's id), one record per check run:
 *
 *     42;head-pusher=mallory;pushes=alice:1a2b3c4d5e6f,mallory:def5678abcd1
 *
 * `42` is the pull request's number (GitHub does not link the check runs of fork PRs to their pull
 * request, so a re-run finds it here); `head-pusher` who pushed the check run's own head commit, when
 * the app knew; `pushes` every push known when it was written, carried forward push by push.
 */
export interface PushRecord {
  readonly pullNumber: number
  readonly headPusher?: string
  readonly pushes: readonly Push[]
}

/** GitHub logins: letters, digits and single hyphens. Anything else in a record is not ours. */
const LOGIN = /^[a-z\d](?:[a-z\d]|-(?=[a-z\d])){0,38}(?:\[bot\])?$/iu
const SHA_PREFIX = /^[0-9a-f]{7,40}$/u
/** How many pushes a record carries (the oldest are dropped): keeps `external_id` short. */
export const MAX_RECORDED_PUSHES = 40
/** The length of the commit prefixes recorded. */
const RECORDED_SHA_LENGTH = 12

export function formatPushRecord(record: PushRecord): string {
  const parts = [String(record.pullNumber)]
  if (record.headPusher !== undefined) parts.push(`head-pusher=${record.headPusher.toLowerCase()}`)
  const pushes = record.pushes.slice(-MAX_RECORDED_PUSHES)
  if (pushes.length > 0)
    parts.push(`pushes=${pushes.map((push) => `${push.login.toLowerCase()}:${push.sha.slice(0, RECORDED_SHA_LENGTH)}`).join(',')}`)
  return parts.join(';')
}

/** Reads a record back; undefined for anything malformed (an older check run holds only the number). */
export function parsePushRecord(externalId: string | null | undefined): PushRecord | undefined {
  if (!externalId) return undefined
  const [number, ...fields] = externalId.split(';')
  const pullNumber = Number.parseInt(number ?? '', 10)
  if (!Number.isSafeInteger(pullNumber) || String(pullNumber) !== number) return undefined
  let headPusher: string | undefined
  const pushes: Push[] = []
  for (const field of fields) {
    const [key, value = ''] = field.split('=', 2)
    if (key === 'head-pusher' && LOGIN.test(value)) headPusher = value.toLowerCase()
    else if (key === 'pushes') {
      for (const entry of value.split(',')) {
        const [login = '', sha = ''] = entry.split(':')
        if (LOGIN.test(login) && SHA_PREFIX.test(sha)) pushes.push({ login: login.toLowerCase(), sha })
      }
    } else return undefined
  }
  return { pullNumber, pushes, ...(headPusher === undefined ? {} : { headPusher }) }
}

/** Adds pushes not already known (same login and commit prefix), keeping the order they were first seen. */
export function mergePushes(known: readonly Push[], more: readonly Push[]): Push[] {
  const merged = [...known]
  for (const push of more) {
    const same = (other: Push): boolean => other.login === push.login && (other.sha.startsWith(push.sha) || push.sha.startsWith(other.sha))
    if (!merged.some(same)) merged.push(push)
  }
  return merged
}
