import { mkdir, rm, writeFile } from 'node:fs/promises'
import { dirname, join } from 'node:path'
import { APP_LOGIN, runGit } from '../../../bench/generate-audit-history.js'
import { recordPath, type AccessRecord } from '../../../src/core/records/grant-record.js'
import { formatRecordCommitMessage, formatRecordDocument } from '../../../src/core/records/record-document.js'

/** The app's identity as GitHub writes it on its commits. */
export const APP = { name: APP_LOGIN, email: `41898282+${APP_LOGIN}@users.noreply.github.com` }

/** One real `git commit` on the clone: files written (null deletes), by `who`, at `at`. */
export async function commitFiles(params: {
  dir: string
  files: Readonly<Record<string, string | null>>
  message: string
  who: { name: string; email: string }
  at: string
}): Promise<string> {
  for (const [path, content] of Object.entries(params.files)) {
    const file = join(params.dir, path)
    if (content === null) await rm(file)
    else {
      await mkdir(dirname(file), { recursive: true })
      await writeFile(file, content)
    }
  }
  await runGit(params.dir, ['add', '-A', '--', ...Object.keys(params.files)])
  const env = { GIT_AUTHOR_DATE: params.at, GIT_COMMITTER_DATE: params.at }
  const identity = ['-c', `user.name=${params.who.name}`, '-c', `user.email=${params.who.email}`]
  await runGitWithEnv(params.dir, [...identity, 'commit', '-q', '-m', params.message], env)
  return (await runGit(params.dir, ['rev-parse', 'HEAD'])).trim()
}

async function runGitWithEnv(dir: string, args: string[], env: Record<string, string>): Promise<void> {
  const { spawn } = await import('node:child_process')
  await new Promise<void>((resolve, reject) => {
    const child = spawn('git', args, { cwd: dir, env: { ...process.env, ...env }, stdio: ['ignore', 'ignore', 'pipe'] })
    let err = ''
    child.stderr.on('data', (chunk: Buffer) => (err += chunk.toString('utf8')))
    child.on('close', (code) => (code === 0 ? resolve() : reject(new Error(`git ${args.join(' ')}: ${err}`))))
  })
}

/**
 * Commits one record where its state says, with the app's message (`edit` may change it), by the app
 * unless `who` says otherwise.
 */
export function commitRecord(params: {
  dir: string
  record: AccessRecord
  at: string
  who?: { name: string; email: string }
  editMessage?: (message: string) => string
}): Promise<string> {
  const { record } = params
  const message = formatRecordCommitMessage(record)
  return commitFiles({
    dir: params.dir,
    files: { [recordPath(record.state, record.id)]: formatRecordDocument(record) },
    message: params.editMessage ? params.editMessage(message) : message,
    who: params.who ?? APP,
    at: params.at,
  })
}
