import { mkdir, mkdtemp, writeFile } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { describe, expect, it } from 'vitest'
import { main } from '../../src/cli/jit.js'
import { createJitCommands } from '../../src/cli/jit-commands.js'

// `jit check` on a file built to crash the parser: a clear error with the file and line, exit 2 (invalid
// input), never exit 70 (a bug).

async function checkRequest(text: string): Promise<{ code: number; stdout: string; stderr: string }> {
  const dir = await mkdtemp(join(tmpdir(), 'jit-check-cost-'))
  await mkdir(join(dir, 'requests'))
  await writeFile(join(dir, 'requests', 'deep.yaml'), text)
  let stdout = ''
  let stderr = ''
  const code = await main(
    ['check', 'requests/deep.yaml', '--author', 'alice', '--json'],
    {
      stdout: { write: (chunk: string) => (stdout += chunk) },
      stderr: { write: (chunk: string) => (stderr += chunk) },
      cwd: dir,
      env: {},
      now: () => new Date('2026-12-01T08:00:00Z'),
    },
    createJitCommands(),
  )
  return { code, stdout, stderr }
}

describe('jit check on a request nested 2,000 deep', () => {
  it('exits 2 with the file, the line and what is wrong', async () => {
    const result = await checkRequest(`reason: x\nduration: 1h\naccess: ${'['.repeat(2_000)}${']'.repeat(2_000)}\n`)
    expect(result.stderr).toBe('')
    expect(result.code).toBe(2)
    const json = JSON.parse(result.stdout) as { verdict: string; errors: { file: string; line: number; message: string }[] }
    expect(json.verdict).toBe('invalid')
    expect(json.errors).toEqual([
      {
        file: 'requests/deep.yaml',
        line: 3,
        message: 'the request file nests lists and mappings more than 32 levels deep; no request, policy or settings file needs that many',
      },
    ])
  })
})
