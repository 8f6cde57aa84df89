import { existsSync } from 'node:fs'
import { describe, expect, it } from 'vitest'
import { runLifecycleDemo } from '../../src/demo/lifecycle-demo.js'
import type { LocalStack } from '../../src/demo/start-local-stack.js'

// `npm run demo` runs this function: it must walk the whole lifecycle, say so, and leave nothing behind.
describe('the lifecycle demo', () => {
  it('narrates the request from pull request to revocation, exits 0 and stops everything', async () => {
    const before = process.env['AWS_ENDPOINT_URL_IAM']
    let output = ''
    let stack: LocalStack | undefined
    const code = await runLifecycleDemo({ write: (text: string) => (output += text) }, { onStarted: (started) => (stack = started) })

    expect(output).not.toContain('The demo failed')
    expect(code).toBe(0)
    expect(output).toContain('The app answers with the check "jit / access request": action_required. Its summary:')
    expect(output).toContain('The check: action_required: Pending: 1 more approval from @acme/security (policy prod-ec2-incident)')
    expect(output).toContain('The check: success: Approved: approved by @bob, @carol under policy prod-ec2-incident')
    expect(output).toContain(
      'The app granted. In AWS, role jit-alice in 111111111111 now has the inline policy jit-bb0610eed9-pr-1-exp-20270302T110500Z:',
    )
    expect(output).toContain('"aws:CurrentTime": "2027-03-02T11:05:00Z"')
    expect(output).toContain('In AWS: DeleteRolePolicy jit-bb0610eed9-pr-1-exp-20270302T110500Z; role jit-alice has no inline policy left.')
    expect(output).toMatch(/\* [0-9a-f]{7} 11:06 jit-access\[bot\] +Revoke grant: pr-1\n/)
    expect(output).toMatch(
      /\* [0-9a-f]{7} 09:05 jit-access\[bot\] +Grant pr-1: alice gets ec2:StopInstances, ec2:TerminateInstances in 111111111111 until 2027-03-02 11:05 UTC\n/,
    )

    // Nothing left: the temporary repository is gone, the servers refuse connections, the environment is as it was.
    expect(stack).toBeDefined()
    expect(existsSync(stack!.dir)).toBe(false)
    await expect(fetch(stack!.github.url)).rejects.toThrow()
    await expect(fetch(stack!.aws.url)).rejects.toThrow()
    await expect(fetch(stack!.webhookUrl, { method: 'POST' })).rejects.toThrow()
    expect(process.env['AWS_ENDPOINT_URL_IAM']).toBe(before)
  })
})
