import { randomUUID } from 'node:crypto'
import { appendFile } from 'node:fs/promises'
import { escapeMarkdown } from '../core/text/inert-text.js'
import type { SweepReport } from '../workflows/sweep/run-sweep.js'
import { EXIT, type CliCommand, type CliIo } from './cli-io.js'
import { main } from './jit.js'

/**
 * What `action.yml` passes in, as `INPUT_<NAME>` variables (upper case, `-` written `_`): a composite
 * action's runner sets none by itself, so its step maps each input to its variable explicitly.
 */
export interface ActionInputs {
  readonly appId: string
  readonly privateKey: string
  readonly repository: string
  readonly externalId: string | undefined
  readonly awsRegion: string | undefined
  readonly dryRun: boolean
  readonly doctor: boolean
}

/** An input the workflow gave wrong: the step fails with `::error` naming the input. */
export class ActionInputError extends Error {
  override readonly name = 'ActionInputError'
}

/** Reads and checks the action's inputs; an unknown value is an error, never a guess. */
export function readActionInputs(env: CliIo['env']): ActionInputs {
  const input = (name: string): string => (env[inputVariable(name)] ?? '').trim()
  const appId = input('app-id')
  if (!/^[1-9][0-9]*$/.test(appId)) throw new ActionInputError(`input app-id must be the GitHub App's numeric id, got "${appId}"`)
  const privateKey = input('private-key')
  if (!/^-----BEGIN (RSA )?PRIVATE KEY-----[\s\S]+-----END (RSA )?PRIVATE KEY-----$/.test(privateKey))
    throw new ActionInputError("input private-key must be the GitHub App's private key (PEM, as GitHub gives it)")
  const repository = input('repository') || (env.GITHUB_REPOSITORY ?? '')
  if (!/^[\w.-]+\/[\w.-]+$/.test(repository))
    throw new ActionInputError(`input repository must be owner/name (the access repository), got "${repository}"`)
  const flag = (name: string): boolean => {
    const value = input(name) || 'false'
    if (value !== 'true' && value !== 'false') throw new ActionInputError(`input ${name} must be true or false, got "${value}"`)
    return value === 'true'
  }
  return {
    appId,
    privateKey,
    repository,
    externalId: input('external-id') || undefined,
    awsRegion: input('aws-region') || undefined,
    dryRun: flag('dry-run'),
    doctor: flag('doctor'),
  }
}

/** The variable an input is passed in: `app-id` → `INPUT_APP_ID`. */
export function inputVariable(name: string): string {
  return `INPUT_${name.toUpperCase().replaceAll('-', '_')}`
}

/** The environment `jit` runs with: the app's credentials, never a token the workflow happens to have. */
export function commandEnvironment(env: CliIo['env'], inputs: ActionInputs): Record<string, string | undefined> {
  // With GITHUB_TOKEN set, `jit` would act as github-actions[bot]; the action acts as the app, so it is dropped.
  const { GITHUB_TOKEN: _token, ...rest } = env
  return {
    ...rest,
    GITHUB_REPOSITORY: inputs.repository,
    APP_ID: inputs.appId,
    PRIVATE_KEY: inputs.privateKey,
    ...(inputs.externalId ? { JIT_EXTERNAL_ID: inputs.externalId } : {}),
    ...(inputs.awsRegion ? { AWS_REGION: inputs.awsRegion } : {}),
  }
}

interface CommandRun {
  readonly exitCode: number
  readonly stdout: string
  readonly stderr: string
}

/**
 * The GitHub Action (`action.yml`): `jit doctor` when asked, then `jit sweep`, both as the GitHub App (the
 * installation token for the access repository is minted from the app's key, so every record commit is the
 * app's, never github-actions[bot]'s). Writes the outputs (`exit-code`, `summary`, `revoked`, `failed`,
 * `report`) to `GITHUB_OUTPUT` and a summary to `GITHUB_STEP_SUMMARY`. Returns the step's exit code:
 * 0, or the first failing command's code (a doctor finding does not stop the sweep: revocations come first).
 */
export async function runAction(io: CliIo, commands: readonly CliCommand[]): Promise<number> {
  let inputs: ActionInputs
  try {
    inputs = readActionInputs(io.env)
  } catch (error) {
    if (!(error instanceof ActionInputError)) throw error
    io.stdout.write(`::error title=jit-access::${error.message}\n`)
    return EXIT.invalid
  }
  const env = commandEnvironment(io.env, inputs)
  const run = async (argv: string[]): Promise<CommandRun> => {
    let stdout = ''
    let stderr = ''
    const exitCode = await main(
      argv,
      {
        stdout: { write: (text: string) => (stdout += text) },
        stderr: { write: (text: string) => (io.stderr.write(text), (stderr += text)) },
        cwd: io.cwd,
        env,
        ...(io.now ? { now: io.now } : {}),
      },
      commands,
    )
    return { exitCode, stdout, stderr }
  }
  const summary: string[] = []
  let exitCode: number = EXIT.ok

  if (inputs.doctor) {
    const doctor = await run(['doctor', '--repo', inputs.repository, '--json'])
    io.stdout.write(doctor.stdout)
    await writeOutput(io.env, 'doctor-exit-code', String(doctor.exitCode))
    await writeOutput(io.env, 'doctor-report', doctor.stdout.trim())
    summary.push(`### jit doctor: ${escapeMarkdown(inputs.repository)}`, '', codeBlock(doctor.stdout + doctor.stderr), '')
    if (doctor.exitCode !== EXIT.ok) {
      io.stdout.write(`::error title=jit doctor::jit doctor exited ${doctor.exitCode}; see the step summary\n`)
      exitCode = doctor.exitCode
    }
  }

  const sweep = await run(['sweep', '--json', ...(inputs.dryRun ? ['--dry-run'] : [])])
  const report = parseReport(sweep.stdout)
  // The command's own workflow commands (::warning for drift and tampering) pass through to the log.
  for (const line of sweep.stdout.split('\n')) if (line.startsWith('::')) io.stdout.write(line + '\n')
  await writeOutput(io.env, 'exit-code', String(sweep.exitCode))
  if (report) {
    const revoked = report.grants.filter((grant) => grant.status === 'revoked').length
    const failed = report.grants.filter((grant) => grant.status === 'failed').length
    io.stdout.write(`${report.summary}\n`)
    await writeOutput(io.env, 'summary', report.summary)
    await writeOutput(io.env, 'revoked', String(revoked))
    await writeOutput(io.env, 'failed', String(failed))
    await writeOutput(io.env, 'report', JSON.stringify(report))
    summary.push(`### jit sweep: ${escapeMarkdown(inputs.repository)}`, '', escapeMarkdown(report.summary), '')
    for (const grant of report.grants) summary.push(`- ${escapeMarkdown(`${grant.status}: ${grant.explanation}`)}`)
    for (const record of report.tampered) summary.push(`- ${escapeMarkdown(`tampered: ${record.explanation}`)}`)
    for (const problem of report.problems) summary.push(`- ${escapeMarkdown(`problem: ${problem}`)}`)
  } else {
    summary.push(`### jit sweep: ${escapeMarkdown(inputs.repository)}`, '', codeBlock(sweep.stdout + sweep.stderr))
  }
  if (sweep.exitCode !== EXIT.ok) {
    io.stdout.write(`::error title=jit sweep::jit sweep exited ${sweep.exitCode}; see the step summary\n`)
    if (exitCode === EXIT.ok) exitCode = sweep.exitCode
  }
  if (io.env.GITHUB_STEP_SUMMARY) await appendFile(io.env.GITHUB_STEP_SUMMARY, summary.join('\n') + '\n')
  return exitCode
}

function parseReport(stdout: string): SweepReport | undefined {
  const line = stdout.split('\n').find((candidate) => candidate.startsWith('{'))
  if (!line) return undefined
  try {
    return JSON.parse(line) as SweepReport
  } catch {
    return undefined
  }
}

/** A fenced block that no line of `text` can close (the fence is longer than any backtick run in it). */
function codeBlock(text: string): string {
  const longest = Math.max(2, ...[...text.matchAll(/`+/g)].map((run) => run[0].length))
  const fence = '`'.repeat(longest + 1)
  return `${fence}\n${text.trimEnd()}\n${fence}`
}

/** `name<<DELIMITER` form: a value may span lines, and a random delimiter cannot appear in it. */
async function writeOutput(env: CliIo['env'], name: string, value: string): Promise<void> {
  if (!env.GITHUB_OUTPUT) return
  const delimiter = `jit_${randomUUID()}`
  await appendFile(env.GITHUB_OUTPUT, `${name}<<${delimiter}\n${value}\n${delimiter}\n`)
}
