import { existsSync } from 'node:fs'
import { dirname, join } from 'node:path'
import { fileURLToPath } from 'node:url'
import { CHECK_NAME } from '../github/check-run-report.js'
import { describeLoggedEntry } from './collecting-logger.js'
import { createIdentityCenterDemo, DemoError, IAM_DEMO, required, type DemoBackend } from './demo-backends.js'
import { createManualClock } from './manual-clock.js'
import { readExampleRepository } from './read-example-repository.js'
import { OWNER, REPO, startLocalStack, type LocalStack } from './start-local-stack.js'
import { shortSha } from '../core/text/short-sha.js'

/**
 * `npm run demo`: one access request from pull request to revocation, on this machine alone. Starts
 * an emulated GitHub (a real git repository in a temporary directory), an emulated IAM/STS (with
 * `--identity-center`: IAM Identity Center, the same lifecycle on the other backend) and the app
 * behind Probot's webhook middleware; plays the engineers' part; narrates what the app answered, what
 * it wrote in AWS and in git; prints the access repository's history; stops everything. No credentials,
 * no network beyond 127.0.0.1.
 */
const REQUEST_PATH = 'requests/sre/inc-4821-terminate-web.yaml'
const START = new Date('2027-03-02T09:00:00Z')
const ACCOUNTS = ['111111111111', '222222222222']

export { DemoError }

/** The backend the demo grants on: IAM roles (`npm run demo`), or IAM Identity Center (`-- --identity-center`). */
export type DemoBackendName = 'iam' | 'identity-center'

export const DEMO_USAGE = 'usage: npm run demo [-- --identity-center]'

/** The demo's arguments: none, or `--identity-center`; anything else is a usage error. */
export function parseDemoArguments(args: readonly string[]): { ok: true; backend: DemoBackendName } | { ok: false; problem: string } {
  const unknown = args.filter((arg) => arg !== '--identity-center')
  if (unknown.length > 0) return { ok: false, problem: `unknown argument ${unknown.map((arg) => JSON.stringify(arg)).join(', ')}` }
  return { ok: true, backend: args.length > 0 ? 'identity-center' : 'iam' }
}

/** Where the narration goes: a stream-like writer, so a test can capture it. */
export interface DemoOutput {
  write(text: string): unknown
}

/** Runs the demo; resolves to the exit code. Everything it started is stopped before it resolves. */
export async function runLifecycleDemo(
  output: DemoOutput = process.stdout,
  options: { color?: boolean; onStarted?: (stack: LocalStack) => void; backend?: DemoBackendName } = {},
): Promise<number> {
  const color = options.color ?? false
  const bold = (text: string) => (color ? `\x1b[1m${text}\x1b[0m` : text)
  const started = Date.now()
  const clock = createManualClock(START)
  const backend: DemoBackend = options.backend === 'identity-center' ? createIdentityCenterDemo(clock) : IAM_DEMO
  const hhmm = () => clock.now().toISOString().slice(11, 16)
  const say = (text: string) => output.write(`\n${bold(`▶ ${hhmm()}  ${text}`)}\n`)
  const line = (text: string) => output.write(`  ${text}\n`)
  const show = (text: string) => output.write(`${text.trimEnd().replace(/^/gm, '      ')}\n`)

  output.write(`${bold('jit-access demo: one AWS access request, from pull request to revocation')}\n`)
  output.write('Everything runs on this machine: an emulated GitHub (a real git repository in a temporary\n')
  output.write(`directory), ${backend.cloud}, and the app itself behind Probot's webhook middleware.\n`)

  let stack: LocalStack | undefined
  const narration = { line, show }
  const stopOnSignal = () => void stack?.stop().finally(() => process.exit(130))
  process.once('SIGINT', stopOnSignal)
  process.once('SIGTERM', stopOnSignal)
  try {
    const example = await readExampleRepository(findExampleRepository())
    const logins = [...new Set([...example.teams.values()].flat())].sort()
    stack = await startLocalStack({
      files: { ...example.files, ...backend.files(example) },
      teams: example.teams,
      accounts: ACCOUNTS,
      principals: logins,
      clock,
      ...(backend.onAppSleep ? { onAppSleep: (ms: number) => backend.onAppSleep?.(stack!, ms) } : {}),
    })
    options.onStarted?.(stack)
    const { github } = stack

    say('Setting up')
    line(
      `GitHub: ${OWNER}/${REPO}, seeded from examples/access-repo: ${Object.keys(example.files).filter((path) => path.startsWith('policies/')).length} policies, .github/CODEOWNERS, .github/jit.yml`,
    )
    line(`Teams: ${[...example.teams].map(([team, members]) => `${team} (${members.join(', ')})`).join(', ')}`)
    backend.seed(stack, narration, ACCOUNTS)

    const request = required(example.requests[REQUEST_PATH], `${REQUEST_PATH} is missing from examples/access-repo`)
    say(`alice (@acme/sre) opens a pull request adding ${REQUEST_PATH}`)
    show(request)
    const opened = await github.openPullRequest({
      author: 'alice',
      branch: 'access/inc-4821',
      files: { [REQUEST_PATH]: request },
      title: 'INC-4821: terminate the stuck web node',
    })
    expectDelivered(opened.delivery.status, 'the pull request webhook')
    let check = latestCheck(stack, opened.headSha)
    line(`The app answers with the check "${CHECK_NAME}": ${check.conclusion}. Its summary:`)
    show(check.output.summary ?? '')
    expectThat(check.conclusion === 'action_required', `the new request should wait for approvals, the check says ${check.conclusion}`)

    clock.advance(2 * 60_000)
    say('bob, who owns /requests/ through @acme/sre-leads in CODEOWNERS, approves')
    expectDelivered((await github.submitReview(opened.number, { login: 'bob', state: 'APPROVED' })).delivery.status, 'the review webhook')
    check = latestCheck(stack, opened.headSha)
    line(`The check: ${check.conclusion}: ${check.output.title}`)

    clock.advance(60_000)
    say('carol (@acme/security) approves')
    expectDelivered((await github.submitReview(opened.number, { login: 'carol', state: 'APPROVED' })).delivery.status, 'the review webhook')
    check = latestCheck(stack, opened.headSha)
    line(`The check: ${check.conclusion}: ${check.output.title}`)
    expectThat(check.conclusion === 'success', `two approvals should satisfy prod-ec2-incident, the check says ${check.conclusion}`)

    clock.advance(2 * 60_000)
    say(`carol merges pull request #${opened.number}`)
    const callsBeforeMerge = stack.aws.state.calls.length
    const merged = await github.mergePullRequest(opened.number, { by: 'carol' })
    await github.settle()
    const grantComment = github.comments(opened.number).at(-1)?.body ?? ''
    if (merged.delivery.status !== 200) show(grantComment)
    expectDelivered(merged.delivery.status, 'the merge webhook')
    const grantName = await backend.showGrant(stack, narration, callsBeforeMerge)
    line('And told the pull request:')
    show(grantComment.replace(/^<!--.*-->\n/, ''))

    clock.set(new Date('2027-03-02T10:05:00Z'))
    say("An hour later the app's sweeper runs: nothing is due yet")
    await stack.tickSweeper()
    expectThat(backend.isGranted(stack, grantName), 'the sweeper removed a grant before its expiry')
    line(`${grantName} is still in place.`)

    clock.set(new Date('2027-03-02T11:06:00Z'))
    say('Past the expiry, the sweeper runs again')
    const callsBeforeSweep = stack.aws.state.calls.length
    await stack.tickSweeper()
    const left = backend.showRevoked(stack, narration, callsBeforeSweep)
    if (left !== undefined) throw new DemoError(left)
    line('In git, the sweeper moved the record to grants/revoked/pr-1.yaml with its revocation:')
    show(await github.git(['log', '-1', '--format=%h %an%n%B', 'main']))
    const revoked = await github.git(['show', 'main:grants/revoked/pr-1.yaml'])
    show(revoked.slice(revoked.indexOf('revocation:')))

    say(`The access repository's history (git log on main of ${OWNER}/${REPO})`)
    show(await github.git(['log', '--graph', '--date=format:%H:%M', '--format=%h %ad %<(16)%an %s', 'main']))
    // The app logs and carries on where a person must look (its sweeper's interval does): none of that here.
    const problems = stack.appLog.filter((entry) => entry.level !== 'warn').map(describeLoggedEntry)
    expectThat(problems.length === 0, `the app logged errors:\n${problems.join('\n')}`)
    const seconds = ((Date.now() - started) / 1000).toFixed(1)
    await stack.stop()
    output.write(`\n${bold(`Done in ${seconds} s. Every server is stopped and the temporary repository removed.`)}\n`)
    return 0
  } catch (error) {
    output.write(`\nThe demo failed: ${error instanceof Error ? (error.stack ?? error.message) : String(error)}\n`)
    return 1
  } finally {
    process.off('SIGINT', stopOnSignal)
    process.off('SIGTERM', stopOnSignal)
    await stack?.stop().catch((error: unknown) => output.write(`Stopping the demo's servers failed: ${String(error)}\n`))
  }
}

/** `examples/access-repo` of this checkout, whether running from `src/` (tests) or `dist/src/` (`npm run demo`). */
function findExampleRepository(): string {
  let dir = dirname(fileURLToPath(import.meta.url))
  for (;;) {
    const candidate = join(dir, 'examples', 'access-repo')
    if (existsSync(join(candidate, 'teams.yaml'))) return candidate
    const parent = dirname(dir)
    if (parent === dir) throw new DemoError('examples/access-repo was not found above the demo; run it from a checkout of the repository')
    dir = parent
  }
}

function latestCheck(stack: LocalStack, sha: string) {
  const run = stack.github
    .checkRuns(sha)
    .filter((candidate) => candidate.name === CHECK_NAME)
    .at(-1)
  return required(run, `the app left no "${CHECK_NAME}" check on ${shortSha(sha)}`)
}

function expectDelivered(status: number, what: string): void {
  expectThat(status === 200, `the app answered ${what} with HTTP ${status}`)
}

function expectThat(condition: boolean, problem: string): void {
  if (!condition) throw new DemoError(problem)
}

// `node dist/src/demo/lifecycle-demo.js`
if (process.argv[1] && fileURLToPath(import.meta.url) === process.argv[1]) {
  const parsed = parseDemoArguments(process.argv.slice(2))
  if (!parsed.ok) {
    process.stderr.write(`${parsed.problem}\n${DEMO_USAGE}\n`)
    process.exit(2)
  }
  const code = await runLifecycleDemo(process.stdout, { color: process.stdout.isTTY === true, backend: parsed.backend })
  process.exitCode = code
  // Nothing should be left running; if something is, say so instead of hanging.
  setTimeout(() => {
    process.stderr.write('the demo left a handle open after stopping; exiting anyway\n')
    process.exit(code === 0 ? 1 : code)
  }, 5_000).unref()
}
