import type { Logger } from '../../core/ports/logger.js'
import { recordPath, type GrantRecord, type IntentRecord } from '../../core/records/grant-record.js'
import type { RevokeTarget } from '../../core/ports/cloud-provider.js'
import { escapeMarkdown, formatCode } from '../../core/text/inert-text.js'
import type { GitHubApi } from '../../github/github-api.js'
import { readRecordAuthorship } from './read-record-authorship.js'
import type { LiveRecord } from './read-grant-records.js'
import { parseGrantRecordText, parseIntentRecordText, UnreadableRecordError } from './record-yaml.js'

/** An active record that is not what the app last wrote for its path. */
export interface TamperedRecord {
  readonly id: string
  readonly path: string
  /** The newest commit that changed it and is not the app's; null when none is in the history read. */
  readonly commitSha: string | null
  /** `app-record`: the sweep acts on the app's own last record; `ignored`: the app never wrote one, nothing is acted on. */
  readonly action: 'app-record' | 'ignored'
  readonly explanation: string
  /** The inline policies as the app recorded them (what the sweep revokes); empty when ignored. */
  readonly appTargets: readonly RevokeTarget[]
  /** The inline policies as the edited record names them (never acted on). */
  readonly editedTargets: readonly RevokeTarget[]
}

/**
 * Judges every active record against its path's history and returns the records to act on: the
 * app's own last version for a tampered record, none for a record the app never wrote.
 */
export async function judgeActiveRecords(params: {
  api: GitHubApi
  owner: string
  repo: string
  commitSha: string
  records: readonly GrantRecord[]
  appLogin: string | undefined
}): Promise<{ records: GrantRecord[]; tampered: TamperedRecord[] }> {
  return judgeRecordsIn({ ...params, state: 'active', parse: parseGrantRecordText })
}

/** The same judgement for intents (`grants/pending/`): a sweep settles only what the app itself wrote ahead. */
export async function judgeIntentRecords(params: {
  api: GitHubApi
  owner: string
  repo: string
  commitSha: string
  records: readonly IntentRecord[]
  appLogin: string | undefined
}): Promise<{ records: IntentRecord[]; tampered: TamperedRecord[] }> {
  return judgeRecordsIn({ ...params, state: 'granting', parse: parseIntentRecordText })
}

/**
 * The same judgement for the one record `/jit revoke` or `jit revoke` acts on: the app's own last version
 * of it, or undefined when the app never wrote it (then nothing is revoked on its word).
 */
export async function judgeLiveRecord(params: {
  api: GitHubApi
  owner: string
  repo: string
  commitSha: string
  live: LiveRecord
  appLogin: string | undefined
}): Promise<{ live: LiveRecord | undefined; tampered: TamperedRecord | undefined }> {
  const { live, ...rest } = params
  if (live.state === 'active') {
    const judged = await judgeActiveRecords({ ...rest, records: [live.record] })
    const own = judged.records[0]
    return { live: own ? { state: 'active', record: own } : undefined, tampered: judged.tampered[0] }
  }
  const judged = await judgeIntentRecords({ ...rest, records: [live.record] })
  const own = judged.records[0]
  return { live: own ? { state: 'granting', record: own } : undefined, tampered: judged.tampered[0] }
}

async function judgeRecordsIn<T extends GrantRecord | IntentRecord>(params: {
  api: GitHubApi
  owner: string
  repo: string
  commitSha: string
  records: readonly T[]
  appLogin: string | undefined
  state: 'active' | 'granting'
  parse: (path: string, text: string) => T
}): Promise<{ records: T[]; tampered: TamperedRecord[] }> {
  if (params.records.length === 0) return { records: [], tampered: [] }
  const judged = await readRecordAuthorship({
    ...params,
    records: params.records.map((record) => ({ id: record.id, path: recordPath(params.state, record.id) })),
  })
  const byId = new Map(judged.map((record) => [record.id, record]))
  const records: T[] = []
  const tampered: TamperedRecord[] = []
  for (const record of params.records) {
    const judgement = byId.get(record.id)
    if (judgement === undefined || judgement.authorship.kind === 'app') {
      records.push(record)
      continue
    }
    const { authorship, path } = judgement
    const own = readOwnRecord(path, judgement.appText, record.id, params.parse)
    if (own === undefined) {
      tampered.push({
        id: record.id,
        path,
        commitSha: authorship.commitSha,
        action: 'ignored',
        explanation: `${authorship.explanation}; no record the app wrote for ${record.id} was found, so nothing is revoked or granted for it`,
        appTargets: [],
        editedTargets: listTargets(record),
      })
      continue
    }
    records.push(own)
    tampered.push({
      id: record.id,
      path,
      commitSha: authorship.commitSha,
      action: 'app-record',
      explanation: authorship.explanation,
      appTargets: listTargets(own),
      editedTargets: listTargets(record),
    })
  }
  return { records, tampered }
}

function listTargets(record: GrantRecord | IntentRecord): RevokeTarget[] {
  return record.targets.map((target) => ({ account: target.account, principalArn: target.principal, policyName: target.aws_policy_name }))
}

function readOwnRecord<T extends { readonly id: string }>(
  path: string,
  text: string | undefined,
  id: string,
  parse: (path: string, text: string) => T,
): T | undefined {
  if (text === undefined) return undefined
  try {
    const record = parse(path, text)
    return record.id === id ? record : undefined
  } catch (error) {
    if (error instanceof UnreadableRecordError) return undefined
    throw error
  }
}

/**
 * Tells the request's pull request (`pr-<n>`) when the sweep revoked a grant whose record was tampered
 * with: once, when it acts, so that a reviewer sees what the app did instead of what the file said.
 */
export async function commentOnTamperedRecords(params: {
  api: GitHubApi
  owner: string
  repo: string
  tampered: readonly TamperedRecord[]
  grants: readonly { readonly id: string; readonly status: string; readonly explanation: string }[]
  log: Logger
}): Promise<void> {
  for (const record of params.tampered) {
    const number = /^pr-(\d+)$/u.exec(record.id)?.[1]
    const grant = params.grants.find((swept) => swept.id === record.id && swept.status === 'revoked')
    if (number === undefined || grant === undefined) continue
    const body = [
      `**The grant record of this request was changed by hand, and the app did not obey it.**`,
      '',
      `${escapeMarkdown(record.explanation)}.`,
      '',
      `The sweep revoked the grant as the app recorded it: ${escapeMarkdown(grant.explanation)}.`,
      '',
      ...renderTamperedTargets(record, 'revoked'),
    ].join('\n')
    try {
      await params.api.request('POST /repos/{owner}/{repo}/issues/{issue_number}/comments', {
        owner: params.owner,
        repo: params.repo,
        issue_number: Number(number),
        body,
      })
    } catch (error) {
      // The revocation is committed; a comment that cannot be posted is logged, never a failed sweep.
      params.log.warn({ err: error, requestId: record.id }, 'could not comment on the request about its tampered record')
    }
  }
}

/** The Markdown table of what the app recorded (and did: `done`) beside what the edited record said (ignored). */
export function renderTamperedTargets(record: TamperedRecord, done: string): string[] {
  return [
    '| | inline policy | principal | account |',
    '| --- | --- | --- | --- |',
    ...record.appTargets.map((target) => describeTarget(`the app recorded (${done})`, target)),
    ...record.editedTargets.map((target) => describeTarget('the edited record said (ignored)', target)),
  ]
}

function describeTarget(label: string, target: RevokeTarget): string {
  const cell = (text: string) => formatCode(text, { inCell: true })
  return `| ${label} | ${cell(target.policyName)} | ${cell(target.principalArn)} | ${cell(target.account)} |`
}
