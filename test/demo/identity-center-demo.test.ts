import { existsSync } from 'node:fs'
import { describe, expect, it } from 'vitest'
import { DEMO_USAGE, parseDemoArguments, runLifecycleDemo } from '../../src/demo/lifecycle-demo.js'
import type { LocalStack } from '../../src/demo/start-local-stack.js'

// `npm run demo -- --identity-center`: the same lifecycle on IAM Identity Center, from the pull request to
// the sweep that deletes the assignment and the permission set; what it prints is what the closing
// note shows (the grant record, the AWS calls of the grant and of the revocation).
describe('the lifecycle demo on IAM Identity Center', () => {
  it('grants through a per-request permission set, shows its progress, revokes it at expiry and leaves no set behind', async () => {
    let output = ''
    let stack: LocalStack | undefined
    const code = await runLifecycleDemo(
      { write: (text: string) => (output += text) },
      { backend: 'identity-center', onStarted: (started) => (stack = started) },
    )

    expect(output).not.toContain('The demo failed')
    expect(code).toBe(0)
    expect(output).toContain('an emulated AWS IAM Identity Center, and the app itself')
    expect(output).toContain('The check: success: Approved: approved by @bob, @carol under policy prod-ec2-incident')
    // The assignment is slow: the pull request was told how far the grant got, then the outcome.
    expect(output).toContain('Granting in 1 account: `111111111111` still provisioning (13 s)…')
    expect(output).toMatch(
      /The app granted\. In AWS, permission set (jit-[0-9a-f]{8}-pr-1) \(session duration PT2H\), with the inline policy:/,
    )
    expect(output).toContain('"aws:CurrentTime": "2027-03-02T11:05:00Z"')
    expect(output).toMatch(/Assigned: 111111111111 jit-[0-9a-f]{8}-pr-1 \(account, permission set\)/)
    expect(output).toContain(
      'AWS calls of the grant: sts:AssumeRole, identitystore:GetUserId, sso:CreatePermissionSet, sso:PutInlinePolicyToPermissionSet, sso:CreateAccountAssignment, sso:DescribeAccountAssignmentCreationStatus ×7\n',
    )
    // The grant record names the permission set, its ARN and the assignment request.
    expect(output).toContain('principal: identity-center-user:alice@acme.com')
    expect(output).toMatch(
      /permission_set:\n\s+arn: arn:aws:sso:::permissionSet\/ssoins-[0-9a-f]+\/ps-[0-9a-f]+\n\s+user_id: \S+\n\s+assignment_request_id: [0-9a-f-]{36}\n/,
    )
    expect(output).toContain('## ✅ Access granted: pr-1')
    expect(output).toMatch(/jit-[0-9a-f]{8}-pr-1 is still in place\./)
    expect(output).toContain(
      'AWS calls of the sweep (its reconcile, then the revocation): sts:AssumeRole, identitystore:GetUserId, sso:ListAccountAssignmentsForPrincipal, sso:DescribePermissionSet ×2, identitystore:GetUserId, sso:DeleteAccountAssignment, sso:DescribeAccountAssignmentDeletionStatus ×7, sso:DeletePermissionSet\n',
    )
    expect(output).toContain('In AWS: the assignment and the permission set are deleted; the instance holds no permission set.')
    expect(output).toMatch(/\* [0-9a-f]{7} 11:06 jit-access\[bot\] +Revoke grant: pr-1\n/)

    // The emulator's final state: no permission set, no assignment; and nothing left running.
    expect(stack).toBeDefined()
    expect(stack!.aws.state.identityCenter.permissionSets.size).toBe(0)
    expect(stack!.aws.state.identityCenter.assignments).toEqual([])
    expect(existsSync(stack!.dir)).toBe(false)
    await expect(fetch(stack!.aws.url)).rejects.toThrow()
  })

  it('takes --identity-center or nothing; anything else is a usage error', () => {
    expect(parseDemoArguments([])).toEqual({ ok: true, backend: 'iam' })
    expect(parseDemoArguments(['--identity-center'])).toEqual({ ok: true, backend: 'identity-center' })
    expect(parseDemoArguments(['--identity-centre'])).toEqual({ ok: false, problem: 'unknown argument "--identity-centre"' })
    expect(parseDemoArguments(['--identity-center', 'now'])).toEqual({ ok: false, problem: 'unknown argument "now"' })
    expect(DEMO_USAGE).toBe('usage: npm run demo [-- --identity-center]')
  })
})
