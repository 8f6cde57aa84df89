import { spawn } from 'node:child_process'

/** A git command that exited with a status the caller did not accept. */
export class GitCommandError extends Error {
  readonly args: readonly string[]
  readonly exitCode: number | null
  readonly stderr: string

  constructor(args: readonly string[], exitCode: number | null, stderr: string) {
    super(`git ${args.join(' ')} exited with ${exitCode}: ${stderr.trim()}`)
    this.name = 'GitCommandError'
    this.args = args
    this.exitCode = exitCode
    this.stderr = stderr
  }
}

/** What a finished git command printed. */
export interface GitOutput {
  readonly stdout: Buffer
  readonly stderr: string
  readonly exitCode: number
}

/**
 * Runs `git` in `gitDir` (a bare repository) and collects its output. Exit codes other than 0 and those in
 * `acceptExitCodes` reject with a GitCommandError.
 */
export function runGit(params: {
  gitDir: string
  args: readonly string[]
  input?: string | Buffer
  env?: Readonly<Record<string, string>>
  acceptExitCodes?: readonly number[]
}): Promise<GitOutput> {
  const { gitDir, args, input, env = {}, acceptExitCodes = [] } = params
  return new Promise((resolve, reject) => {
    const child = spawn('git', [`--git-dir=${gitDir}`, ...args], {
      env: { ...process.env, GIT_CONFIG_NOSYSTEM: '1', GIT_TERMINAL_PROMPT: '0', LC_ALL: 'C', ...env },
      stdio: ['pipe', 'pipe', 'pipe'],
    })
    const out: Buffer[] = []
    const err: Buffer[] = []
    child.stdout.on('data', (chunk: Buffer) => out.push(chunk))
    child.stderr.on('data', (chunk: Buffer) => err.push(chunk))
    child.on('error', reject)
    child.on('close', (code) => {
      const stderr = Buffer.concat(err).toString('utf8')
      if (code === 0 || (code !== null && acceptExitCodes.includes(code))) {
        resolve({ stdout: Buffer.concat(out), stderr, exitCode: code })
      } else {
        reject(new GitCommandError(args, code, stderr))
      }
    })
    child.stdin.on('error', () => undefined) // git may exit before reading all input; its exit code tells the story
    child.stdin.end(input ?? '')
  })
}
