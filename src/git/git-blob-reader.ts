import { spawn, type ChildProcessWithoutNullStreams } from 'node:child_process'
import { GitReadError } from './git-read-error.js'

/**
 * `git cat-file --batch` kept open: blobs are asked for by name and answered in order, so many requests
 * are in flight at once (one process, no round trip per blob). `read` resolves to the blob's text, or
 * null when git says the object is missing.
 */
export interface GitBlobReader {
  read(name: string): Promise<string | null>
  close(): Promise<void>
}

export function openGitBlobReader(dir: string): GitBlobReader {
  const child: ChildProcessWithoutNullStreams = spawn('git', ['cat-file', '--batch'], { cwd: dir, stdio: ['pipe', 'pipe', 'pipe'] })
  const waiting: { resolve: (text: string | null) => void; reject: (error: Error) => void; name: string }[] = []
  let buffer: Buffer = Buffer.alloc(0)
  let stderr = ''
  let failure: Error | undefined

  const failAll = (error: Error) => {
    failure ??= error
    for (const entry of waiting.splice(0)) entry.reject(failure)
  }
  child.stderr.on('data', (chunk: Buffer) => (stderr += chunk.toString('utf8')))
  child.on('error', (error) => failAll(new GitReadError(`could not run git cat-file in ${dir}`, { cause: error })))
  // git exits at once outside a repository: what was written to it is then answered by the exit below.
  child.stdin.on('error', (error) =>
    failAll(new GitReadError(`git cat-file stopped reading in ${dir}: ${stderr.trim()}`, { cause: error })),
  )
  child.on('close', (code) => {
    if (waiting.length > 0) failAll(new GitReadError(`git cat-file exited with ${code} in ${dir}: ${stderr.trim()}`))
  })
  child.stdout.on('data', (chunk: Buffer) => {
    buffer = buffer.length === 0 ? chunk : Buffer.concat([buffer, chunk])
    for (;;) {
      const newline = buffer.indexOf(10)
      if (newline < 0 || waiting.length === 0) return
      const header = buffer.subarray(0, newline).toString('utf8')
      if (header.endsWith(' missing') || header.endsWith(' ambiguous')) {
        buffer = buffer.subarray(newline + 1)
        waiting.shift()!.resolve(null)
        continue
      }
      const match = /^[0-9a-f]{40,64} (\w+) (\d+)$/u.exec(header)
      if (!match) return failAll(new GitReadError(`git cat-file answered "${header}" for ${waiting[0]!.name}`))
      const size = Number(match[2])
      if (buffer.length < newline + 1 + size + 1) return
      const body = buffer.subarray(newline + 1, newline + 1 + size)
      buffer = buffer.subarray(newline + 2 + size)
      waiting.shift()!.resolve(match[1] === 'blob' ? body.toString('utf8') : null)
    }
  })

  return {
    read(name) {
      if (failure) return Promise.reject(failure)
      if (/[\n\0]/u.test(name)) return Promise.reject(new GitReadError(`not an object name: ${JSON.stringify(name)}`))
      return new Promise((resolve, reject) => {
        waiting.push({ resolve, reject, name })
        child.stdin.write(`${name}\n`)
      })
    },
    async close() {
      child.stdin.end()
      if (child.exitCode === null && child.signalCode === null) await new Promise((resolve) => child.once('close', resolve))
    },
  }
}
