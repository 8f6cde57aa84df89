import { mkdtemp, readFile, rm, writeFile, mkdir, cp } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { fileURLToPath } from 'node:url'
import { main } from '../cli/jit.js'

/**
 * `npm run demo` (offline part): walks one access request through the decision engine as the app would
 * see it, using the example access repository and its teams file. No network, no credentials.
 */
const EXAMPLE = fileURLToPath(new URL('../../../examples/access-repo/', import.meta.url))
const REQUEST = 'requests/sre/inc-4821-terminate-web.yaml'

async function jit(args: string[], cwd: string): Promise<{ code: number; out: string }> {
  let out = ''
  const write = (text: string): boolean => {
    out += text
    return true
  }
  const code = await main(args, { stdout: { write }, stderr: { write }, cwd, env: {} })
  return { code, out }
}

function say(text: string): void {
  process.stdout.write(`\n\x1b[1m▶ ${text}\x1b[0m\n`)
}

function show(text: string): void {
  process.stdout.write(text.replace(/^/gm, '    ').trimEnd() + '\n')
}

async function step(title: string, args: string[], cwd: string): Promise<number> {
  say(title)
  show(`$ jit ${args.join(' ')}`)
  const { code, out } = await jit(args, cwd)
  show(out)
  show(`(exit ${code})`)
  return code
}

export async function runOfflineDemo(): Promise<number> {
  const work = await mkdtemp(join(tmpdir(), 'jit-demo-'))
  try {
    await cp(EXAMPLE, work, { recursive: true, dereference: true })
    say('The access repository: policies, CODEOWNERS and settings, validated as the policy check does')
    const checks: number[] = []
    checks.push(await step('jit validate', ['validate'], work))
    say(`alice (@acme/sre) opens a pull request adding ${REQUEST}:`)
    show(await readFile(join(work, REQUEST), 'utf8'))
    const base = [REQUEST, '--author', 'alice', '--teams', 'teams.yaml']
    checks.push(await step('The app evaluates it: no review yet', ['check', ...base], work))
    checks.push(await step('bob (a code owner of requests/, via @acme/sre-leads) approves', ['check', ...base, '--approved-by', 'bob'], work))
    checks.push(await step('carol (@acme/security) approves too: the check turns green, merging would grant', ['check', ...base, '--approved-by', 'bob,carol'], work))
    checks.push(await step('frank, who is not in @acme/sre, asks for the same: denied, and the check says why', ['check', REQUEST, '--author', 'frank', '--teams', 'teams.yaml'], work))
    await mkdir(join(work, 'requests', 'sre'), { recursive: true })
    await writeFile(join(work, 'requests/sre/typo.yaml'), 'reason: Reboot the web node\nticket: INC-4822\nduration: 30m\naccess:\n  - account: "111111111111"\n    actions: [ec2:RebootInstance]\n')
    checks.push(await step('A typo in an action is invalid input, pointed at its line', ['check', 'requests/sre/typo.yaml', '--author', 'alice', '--teams', 'teams.yaml'], work))
    const expected = [0, 1, 1, 0, 3, 2]
    const ok = checks.every((code, index) => code === expected[index])
    say(ok ? 'Done: every verdict was as expected.' : `Unexpected exit codes: ${checks.join(', ')} (expected ${expected.join(', ')})`)
    return ok ? 0 : 1
  } finally {
    await rm(work, { recursive: true, force: true })
  }
}

if (process.argv[1] && fileURLToPath(import.meta.url) === process.argv[1]) {
  process.exitCode = await runOfflineDemo()
}
