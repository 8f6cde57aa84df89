import { afterEach, describe, expect, it } from 'vitest'
import { formatIdentityCenterSettings, seedIdentityCenter } from '../../src/demo/seed-identity-center.js'
import { PROD, STAGING, startE2eStack, type E2eStack } from './support/start-e2e-stack.js'

// A grant on IAM Identity Center waits for each account assignment, which AWS creates asynchronously.
// When that takes long, the merged pull request's grant comment shows how far it got, then the outcome,
// within a bound on GitHub writes; a quick grant writes the comment once, as ever. The app's waits pass
// on the scenario's clock here, so the emulator's slow status reads take (emulated) time.
const INSTANCE = {
  instanceArn: 'arn:aws:sso:::instance/ssoins-1234567890abcdef',
  identityStoreId: 'd-1234567890',
  region: 'eu-west-1',
  userNames: ['alice@acme.com', 'bob@acme.com'],
}
const POLICY = [
  'name: sre-describe-both',
  'description: Describe EC2 in production and staging',
  'grants:',
  `  accounts: ["${PROD}", "${STAGING}"]`,
  '  actions: ["ec2:DescribeInstances"]',
  '  resources: ["*"]',
  'requesters:',
  '  teams: ["@acme/sre"]',
  'request_paths: ["requests/ops/**"]',
  'max_duration: 4h',
  'approvals:',
  '  - from: codeowners',
  '    count: 1',
  '',
].join('\n')
const REQUEST = [
  'reason: Compare the web fleet in production and staging',
  'duration: 1h',
  'access:',
  ...[PROD, STAGING].flatMap((account) => [`  - account: "${account}"`, '    actions: [ec2:DescribeInstances]', '    resources: ["*"]']),
  '',
].join('\n')

let stack: E2eStack | undefined
afterEach(async () => {
  await stack?.stop()
  stack = undefined
})

/** A stack on Identity Center whose status reads say IN_PROGRESS `pollsToComplete` times; every comment body the app left is kept. */
async function startSlowStack(pollsToComplete: number): Promise<{ stack: E2eStack; bodies: string[] }> {
  const bodies: string[] = []
  let pull = 0
  const started = await startE2eStack({
    files: { '.github/jit.yml': formatIdentityCenterSettings(INSTANCE, '999999999999'), 'policies/sre-describe-both.yaml': POLICY },
    // The grant reports before each wait: what the comment says then is what a reviewer saw meanwhile.
    onAppSleep: (ms) => {
      const body = started.github.comments(pull).at(-1)?.body
      if (body !== undefined && body !== bodies.at(-1)) bodies.push(body)
      started.clock.advance(ms)
    },
  })
  // The app's own account administers Identity Center in this stack (999999999999, see start-local-stack).
  seedIdentityCenter(started, INSTANCE, started.clock.now())
  started.aws.state.identityCenter.pollsToComplete = pollsToComplete
  const opened = await started.requestAccess({ author: 'alice', path: 'requests/ops/compare-fleet.yaml', text: REQUEST })
  pull = opened.number
  await started.github.submitReview(opened.number, { login: 'bob', state: 'APPROVED' })
  expect(started.latestCheck(opened.headSha).conclusion).toBe('success')
  return { stack: started, bodies }
}

/** Merges the request and returns the GitHub calls the app made meanwhile (`METHOD path`), and the final comment bodies. */
async function merge(running: E2eStack): Promise<{ calls: string[]; comments: string[] }> {
  const from = running.proxy.requests.length
  running.clock.advance(60_000)
  const merged = await running.github.mergePullRequest(1, { by: 'bob' })
  await running.github.settle()
  expect(merged.delivery.status).toBe(200)
  const calls = running.proxy.requests.slice(from).map((request) => `${request.method} ${request.path.replace(/\?.*/, '')}`)
  return { calls, comments: running.github.comments(1).map((comment) => comment.body) }
}

const commentWrites = (calls: readonly string[]) => calls.filter((call) => /\/issues\/(comments\/\d+|\d+\/comments)$/.test(call))
let quickMergeCalls: number | undefined

describe('the grant comment while an Identity Center assignment is slow', { timeout: 120_000 }, () => {
  it('a quick grant writes its comment once, as before: no progress, no call more', async () => {
    const started = await startSlowStack(1)
    stack = started.stack
    const { calls, comments } = await merge(stack)
    expect(commentWrites(calls)).toEqual(['POST /repos/acme/access/issues/1/comments'])
    expect(started.bodies.some((body) => body.includes('⏳'))).toBe(false)
    expect(comments.at(-1)).toContain('## ✅ Access granted: pr-1')
    expect(stack.appErrors()).toEqual([])
    quickMergeCalls = calls.length
  })

  it('a slow grant shows which accounts are assigned and which still provision, then edits the comment into the outcome', async () => {
    const started = await startSlowStack(10)
    stack = started.stack
    const { calls, comments } = await merge(stack)
    const progress = started.bodies.filter((body) => body.includes('## ⏳ Granting pr-1'))
    const lines = progress.map((body) => body.split('\n').find((line) => line.startsWith('Granting in')))
    expect(lines).toEqual([
      'Granting in 2 accounts: `111111111111` still provisioning (13 s), `222222222222` not started yet…',
      'Granting in 2 accounts: `111111111111` assigned, `222222222222` still provisioning (0 s)…',
      'Granting in 2 accounts: `111111111111` assigned, `222222222222` still provisioning (33 s)…',
    ])
    // One comment throughout: posted with the first progress, edited twice (every 30 s at most, 3 writes at most), then into the outcome.
    expect(commentWrites(calls)).toEqual([
      'POST /repos/acme/access/issues/1/comments',
      ...Array.from({ length: 3 }, () => `PATCH /repos/acme/access/issues/comments/${stack!.github.comments(1).at(-1)!.id}`),
    ])
    const grantComments = comments.filter((body) => body.startsWith('<!-- jit:grant pr-1 -->'))
    expect(grantComments).toHaveLength(1)
    expect(grantComments[0]).toContain('## ✅ Access granted: pr-1')
    expect(grantComments[0]).not.toContain('⏳')
    expect(stack.aws.state.identityCenter.assignments).toHaveLength(2)
    // The bound: three progress writes more than a quick grant, whatever the wait.
    if (quickMergeCalls !== undefined) expect(calls.length).toBe(quickMergeCalls + 3)
    expect(stack.appErrors()).toEqual([])
  })

  it('a progress comment GitHub refuses is logged and ends the progress; the grant goes on and its outcome is posted', async () => {
    const started = await startSlowStack(10)
    stack = started.stack
    stack.proxy.inject({ method: 'POST', path: /\/issues\/1\/comments$/, status: 502, message: 'Bad gateway' })
    const { calls, comments } = await merge(stack)
    expect(stack.proxy.failed).toEqual([{ method: 'POST', path: '/repos/acme/access/issues/1/comments', status: 502 }])
    // No more progress after the refusal: the outcome is the one comment written.
    expect(commentWrites(calls)).toEqual(['POST /repos/acme/access/issues/1/comments'])
    expect(comments.filter((body) => body.startsWith('<!-- jit:grant pr-1 -->'))).toEqual([
      expect.stringContaining('## ✅ Access granted: pr-1'),
    ])
    expect(await stack.recordsOnMain()).toEqual(['grants/active/pr-1.yaml'])
    expect(stack.appErrors()).toEqual([expect.stringContaining('could not show the progress of the grant on pull request #1')])
  })
})
