import { execFile, execFileSync } from 'node:child_process'
import { mkdtempSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { promisify } from 'node:util'
import { App } from 'aws-cdk-lib'
import { Annotations, Match } from 'aws-cdk-lib/assertions'
import { Code } from 'aws-cdk-lib/aws-lambda'
import { beforeAll, describe, expect, it } from 'vitest'
import { JitAccessAppStack } from '../../deploy/app-stack.js'
import { JitGranterStack } from '../../deploy/granter-stack.js'

const run = promisify(execFile)
const hasCfnLint = (() => {
  try {
    execFileSync('cfn-lint', ['--version'], { stdio: 'ignore' })
    return true
  } catch {
    return false
  }
})()

function synthesize(): { dir: string; app: App; stacks: [JitGranterStack, JitAccessAppStack] } {
  const dir = mkdtempSync(join(tmpdir(), 'jit-cdk-out-'))
  const packageDir = mkdtempSync(join(tmpdir(), 'jit-lambda-package-'))
  writeFileSync(join(packageDir, 'index.js'), '// stands for the deployment package\n')
  const app = new App({ outdir: dir })
  const granter = new JitGranterStack(app, 'JitAccessGranter')
  const main = new JitAccessAppStack(app, 'JitAccessApp', {
    code: Code.fromAsset(packageDir),
    appId: '4242',
    externalId: 'jit-external-id-0123456789',
    organizationId: 'o-a1b2c3d4e5',
  })
  app.synth()
  return { dir, app, stacks: [granter, main] }
}

describe('the synthesized templates', () => {
  let synthesized: ReturnType<typeof synthesize>
  // One synthesis (with CDK's own template validation) serves both checks: it takes seconds.
  beforeAll(() => void (synthesized = synthesize()), 120_000)

  it('carry no CDK warning or error', () => {
    const { stacks } = synthesized
    for (const stack of stacks) {
      expect(Annotations.fromStack(stack).findWarning('*', Match.anyValue())).toEqual([])
      expect(Annotations.fromStack(stack).findError('*', Match.anyValue())).toEqual([])
    }
  })

  // cfn-lint is a Python tool: on a machine without it this check is skipped, and says so.
  it.skipIf(!hasCfnLint)('pass cfn-lint (skipped where cfn-lint is not installed)', async () => {
    const { dir } = synthesized
    // W3005 is CDK's own explicit DependsOn on a role its function also reads by GetAtt: redundant, harmless.
    const result = await run('cfn-lint', [
      '--ignore-checks',
      'W3005',
      '--',
      join(dir, 'JitAccessGranter.template.json'),
      join(dir, 'JitAccessApp.template.json'),
    ]).then(
      (done) => ({ code: 0, output: done.stdout }),
      (failed: { code: number; stdout: string }) => ({ code: failed.code, output: failed.stdout }),
    )
    expect(result.output).toBe('')
    expect(result.code).toBe(0)
  })
})
