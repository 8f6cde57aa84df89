import { judgeRecordAuthorship, type RecordAuthorship, type RecordPathCommit } from '../../core/records/judge-record-authorship.js'
import type { GitHubApi } from '../../github/github-api.js'
import { readFromGitHub } from '../../github/github-read-error.js'
import { shortSha } from '../../core/text/short-sha.js'

/** Record paths judged per query (each an alias with its history): one query for most repositories. */
const PATHS_PER_QUERY = 50
/** Commits of each path's history read: the app's last write is among the newest unless a person made many since. */
const HISTORY_DEPTH = 20

const IDENTITY = 'name email'

function buildQuery(count: number): string {
  const variables = Array.from({ length: count }, (_, i) => `$p${i}: String!`).join(', ')
  const fields = Array.from(
    { length: count },
    (_, i) =>
      `c${i}: file(path: $p${i}) { oid } h${i}: history(first: ${HISTORY_DEPTH}, path: $p${i}) { nodes { oid message author { ${IDENTITY} } committer { ${IDENTITY} } signature { isValid wasSignedByGitHub } file(path: $p${i}) { oid } } }`,
  ).join('\n      ')
  return `query jitRecordAuthorship($owner: String!, $repo: String!, $commit: GitObjectID!, ${variables}) {
  repository(owner: $owner, name: $repo) {
    object(oid: $commit) {
      ... on Commit {
      ${fields}
      }
    }
  }
}`
}

interface HistoryNode {
  oid: string
  message: string
  author: { name: string; email: string } | null
  committer: { name: string; email: string } | null
  signature: { isValid: boolean; wasSignedByGitHub: boolean } | null
  file: { oid: string } | null
}

type AuthorshipData = { repository: { object: Record<string, unknown> | null } | null }

/** One record to judge: its path and the request id its commits name. */
export interface RecordToJudge {
  readonly path: string
  readonly id: string
}

/** A record's judgement, with the app's own text when it was tampered with and the app wrote it before. */
export interface JudgedRecord {
  readonly path: string
  readonly id: string
  readonly authorship: RecordAuthorship
  /** The record as the app last wrote it (tampered records only; undefined when the app never wrote it). */
  readonly appText?: string
}

/**
 * Judges who wrote each record at `commitSha`: its blob there and its path's history (`history(path:)`,
 * git's `log -- <path>`), in one GraphQL query per 50 records; the app's own version of a tampered
 * record is read in one more query. See `judgeRecordAuthorship`.
 */
export async function readRecordAuthorship(params: {
  api: GitHubApi
  owner: string
  repo: string
  commitSha: string
  records: readonly RecordToJudge[]
  appLogin: string | undefined
}): Promise<JudgedRecord[]> {
  const { api, owner, repo, commitSha } = params
  const judged: JudgedRecord[] = []
  for (let start = 0; start < params.records.length; start += PATHS_PER_QUERY) {
    const chunk = params.records.slice(start, start + PATHS_PER_QUERY)
    const variables = Object.fromEntries(chunk.map((record, i) => [`p${i}`, record.path]))
    const data = await readFromGitHub(`the history of the grant records at ${shortSha(commitSha)}`, () =>
      api.graphql<AuthorshipData>(buildQuery(chunk.length), { owner, repo, commit: commitSha, ...variables }),
    )
    const commit = data.repository?.object ?? {}
    chunk.forEach((record, i) => {
      const current = commit[`c${i}`] as { oid: string } | null | undefined
      const nodes = ((commit[`h${i}`] as { nodes?: (HistoryNode | null)[] | null } | null | undefined)?.nodes ?? []).flatMap((node) =>
        node ? [toPathCommit(node)] : [],
      )
      const authorship = judgeRecordAuthorship({
        path: record.path,
        id: record.id,
        currentBlobSha: current?.oid ?? null,
        history: nodes,
        appLogin: params.appLogin,
      })
      judged.push({ ...record, authorship })
    })
  }
  const toRead = judged.filter((record) => record.authorship.kind === 'tampered' && record.authorship.appCommitSha !== null)
  if (toRead.length === 0) return judged
  const texts = await readAppTexts({ api, owner, repo, records: toRead })
  return judged.map((record) => {
    const text = texts.get(record.path)
    return text === undefined ? record : { ...record, appText: text }
  })
}

function toPathCommit(node: HistoryNode): RecordPathCommit {
  return {
    sha: node.oid,
    message: node.message,
    author: node.author,
    committer: node.committer,
    signedByGitHub: node.signature?.isValid === true && node.signature.wasSignedByGitHub,
    blobSha: node.file?.oid ?? null,
  }
}

/** The text of each tampered record as the app's commit wrote it, in one query. */
async function readAppTexts(params: {
  api: GitHubApi
  owner: string
  repo: string
  records: readonly JudgedRecord[]
}): Promise<Map<string, string>> {
  const expressions = params.records.map((record) =>
    record.authorship.kind === 'tampered' ? `${record.authorship.appCommitSha}:${record.path}` : '',
  )
  const variables = expressions.map((_, i) => `$e${i}: String!`).join(', ')
  const fields = expressions.map((_, i) => `t${i}: object(expression: $e${i}) { ... on Blob { text } }`).join('\n    ')
  const query = `query jitAppRecords($owner: String!, $repo: String!, ${variables}) {\n  repository(owner: $owner, name: $repo) {\n    ${fields}\n  }\n}`
  const data = await readFromGitHub('the grant records as the app wrote them', () =>
    params.api.graphql<{ repository: Record<string, { text?: string | null } | null> | null }>(query, {
      owner: params.owner,
      repo: params.repo,
      ...Object.fromEntries(expressions.map((expression, i) => [`e${i}`, expression])),
    }),
  )
  const texts = new Map<string, string>()
  params.records.forEach((record, i) => {
    const text = data.repository?.[`t${i}`]?.text
    if (typeof text === 'string') texts.set(record.path, text)
  })
  return texts
}
