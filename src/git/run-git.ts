import { spawn } from 'node:child_process'
import { GitReadError } from './git-read-error.js'

/** Runs `git <args>` in `dir` and resolves to its standard output; GitReadError with what git said when it fails. */
export function runGit(dir: string, args: readonly string[]): Promise<string> {
  return new Promise((resolve, reject) => {
    const child = spawn('git', args, { cwd: dir, stdio: ['ignore', 'pipe', 'pipe'] })
    let out = ''
    let err = ''
    child.stdout.on('data', (chunk: Buffer) => (out += chunk.toString('utf8')))
    child.stderr.on('data', (chunk: Buffer) => (err += chunk.toString('utf8')))
    child.on('error', (error) => reject(new GitReadError(`could not run git in ${dir}`, { cause: error })))
    child.on('close', (code) =>
      code === 0 ? resolve(out) : reject(new GitReadError(`git ${args[0]} failed in ${dir} (exit ${code}): ${err.trim()}`)),
    )
  })
}
