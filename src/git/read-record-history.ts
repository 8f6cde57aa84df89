import { spawn } from 'node:child_process'
import {
  AUDITED_PATHS,
  formatInstant,
  isAuditedPath,
  isRecordFile,
  type HistoryChange,
  type HistoryCommit,
} from '../core/audit/history-commit.js'
import { openGitBlobReader } from './git-blob-reader.js'
import { GitReadError } from './git-read-error.js'
import { runGit } from './run-git.js'

/** Fields of a commit's header, NUL-separated (`-z`), before its raw diff entries. */
const FORMAT = ['%H', '%P', '%an', '%ae', '%cn', '%ce', '%cI', '%B'].join('%x00')
const HEADER_FIELDS = 8
const SHA = /^[0-9a-f]{40}(?:[0-9a-f]{24})?$/u
const RAW_ENTRY = /^:(\d{6}) (\d{6}) ([0-9a-f]{40,64}) ([0-9a-f]{40,64}) ([A-Z])\d*$/u
/** How many commits may wait for their record blobs at once: enough to keep `git cat-file` busy. */
const IN_FLIGHT = 256

function gitArgs(ref: string): string[] {
  return [
    'log',
    '--reverse',
    '--first-parent',
    '--raw',
    '--no-abbrev',
    '--no-renames',
    '-z',
    `--format=${FORMAT}`,
    ref,
    // No pathspec: with one, git compares every commit's trees under each path, which costs more than
    // printing every first-parent commit and keeping those that touch an audited path (isAuditedPath).
    '--',
  ]
}

/**
 * The first-parent history of `ref` in the clone at `dir` that touched records, policies, CODEOWNERS or
 * settings, oldest first, streamed: one `git log --raw` for the commits and their changes, one
 * `git cat-file --batch` for the record blobs. Memory is bounded by IN_FLIGHT commits, never the history.
 * Throws GitReadError when git fails or prints what this reader does not recognise (it never guesses).
 */
export async function* readRecordHistory(params: { dir: string; ref: string }): AsyncGenerator<HistoryCommit> {
  const { dir, ref } = params
  if (ref.startsWith('-')) throw new GitReadError(`not a git revision: ${ref}`)
  const blobs = openGitBlobReader(dir)
  const child = spawn('git', gitArgs(ref), { cwd: dir, stdio: ['ignore', 'pipe', 'pipe'] })
  let stderr = ''
  child.stderr.on('data', (chunk: Buffer) => (stderr += chunk.toString('utf8')))
  const exited = new Promise<number | null>((resolve, reject) => {
    child.on('error', (error) => reject(new GitReadError(`could not run git log in ${dir}`, { cause: error })))
    child.on('close', (code) => resolve(code))
  })
  const queue: Promise<HistoryCommit>[] = []
  const parser = createCommitParser((commit) => queue.push(withRecordTexts(commit, blobs)))
  try {
    for await (const chunk of child.stdout as AsyncIterable<Buffer>) {
      parser.push(chunk)
      while (queue.length > IN_FLIGHT) yield await queue.shift()!
    }
    const code = await exited
    if (code !== 0) throw new GitReadError(`git log failed in ${dir} (exit ${code}): ${stderr.trim()}`)
    parser.end()
    while (queue.length > 0) yield await queue.shift()!
  } finally {
    if (child.exitCode === null) child.kill()
    await blobs.close()
  }
}

/** How many commits `readRecordHistory` will yield (for a progress bar): `git rev-list --count`. */
export async function countRecordHistory(params: { dir: string; ref: string }): Promise<number> {
  const output = await runGit(params.dir, ['rev-list', '--count', '--first-parent', params.ref, '--', ...AUDITED_PATHS])
  return Number(output.trim())
}

/** A file's text at `ref`, or null when it is not there. */
export async function readFileAtRef(params: { dir: string; ref: string; path: string }): Promise<string | null> {
  const blobs = openGitBlobReader(params.dir)
  try {
    return await blobs.read(`${params.ref}:${params.path}`)
  } finally {
    await blobs.close()
  }
}

async function withRecordTexts(commit: HistoryCommit, blobs: ReturnType<typeof openGitBlobReader>): Promise<HistoryCommit> {
  const needed = commit.changes.filter((change) => change.newBlob !== null && isRecordFile(change.path))
  if (needed.length === 0) return commit
  const texts = new Map(await Promise.all(needed.map(async (change) => [change, await blobs.read(change.newBlob!)] as const)))
  return {
    ...commit,
    changes: commit.changes.map((change) => {
      const text = texts.get(change)
      return text === undefined || text === null ? change : { ...change, text }
    }),
  }
}

/**
 * Splits `git log -z --raw` output into commits: NUL-separated tokens, HEADER_FIELDS for the header,
 * then pairs of raw entry and path. A token in the wrong place is an error, so a commit message cannot
 * pass for another commit.
 */
function createCommitParser(emit: (commit: HistoryCommit) => void) {
  let pending: Buffer[] = []
  let header: string[] = []
  let changes: HistoryChange[] = []
  let entry: RegExpExecArray | undefined

  const flush = () => {
    if (header.length === 0) return
    if (header.length < HEADER_FIELDS || entry) throw new GitReadError('git log output ended inside a commit')
    const audited = changes.filter((change) => isAuditedPath(change.path))
    if (audited.length === 0) {
      header = []
      changes = []
      return
    }
    const [sha, parents, an, ae, cn, ce, committedAt, message] = header as [string, string, string, string, string, string, string, string]
    emit({
      sha,
      parents: parents === '' ? [] : parents.split(' '),
      author: { name: an, email: ae },
      committer: { name: cn, email: ce },
      committedAt: formatInstant(Date.parse(committedAt)),
      message,
      changes: audited,
    })
    header = []
    changes = []
  }

  const token = (raw: string) => {
    if (header.length < HEADER_FIELDS) {
      // Only the message may hold line breaks; the header's other fields never start with one.
      const value = header.length === 0 ? raw.replace(/^\n/u, '') : raw
      if (header.length === 0 && !SHA.test(value))
        throw new GitReadError(`git log printed ${JSON.stringify(value.slice(0, 80))} where a commit was expected`)
      header.push(value)
      return
    }
    if (entry) {
      const [, , , oldBlob, newBlob, status] = entry as unknown as [string, string, string, string, string, string]
      changes.push({ path: raw, status, oldBlob: /^0+$/u.test(oldBlob) ? null : oldBlob, newBlob: /^0+$/u.test(newBlob) ? null : newBlob })
      entry = undefined
      return
    }
    const trimmed = raw.replace(/^\n/u, '')
    const match = RAW_ENTRY.exec(trimmed)
    if (match) {
      entry = match
      return
    }
    flush()
    token(trimmed)
  }

  return {
    push(chunk: Buffer) {
      let start = 0
      for (let at = chunk.indexOf(0); at >= 0; at = chunk.indexOf(0, start)) {
        pending.push(chunk.subarray(start, at))
        token(Buffer.concat(pending).toString('utf8'))
        pending = []
        start = at + 1
      }
      if (start < chunk.length) pending.push(chunk.subarray(start))
    },
    end() {
      const rest = Buffer.concat(pending).toString('utf8').trim()
      if (rest !== '') token(rest)
      flush()
    },
  }
}
