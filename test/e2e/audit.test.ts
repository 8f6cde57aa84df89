import { execFile } from 'node:child_process'
import { mkdtemp, rm } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { promisify } from 'node:util'
import { afterEach, beforeEach, describe, expect, it } from 'vitest'
import { runJit } from '../support/run-jit.js'
import { INCIDENT_REQUEST_PATH, PROD, startE2eStack, type E2eStack } from './support/start-e2e-stack.js'

// The lifecycle on the emulators (an approved grant ended early, an admin merge, a grant whose record
// erin edits by hand and that the sweep revokes at expiry, an orphan policy the sweep deletes), then
// `jit audit` on a clone of the emulator's repository: real git, no GitHub and no AWS.
let stack: E2eStack
let clone: string

beforeEach(async () => {
  stack = await startE2eStack()
  clone = await mkdtemp(join(tmpdir(), 'jit-audit-e2e-'))
})
afterEach(async () => {
  await stack.stop()
  await rm(clone, { recursive: true, force: true })
})

const audit = (args: string[]) =>
  runJit({ args: ['audit', ...args, '--app-login', 'jit-access[bot]'], cwd: clone, now: () => stack.clock.now() })

/**
 * A record on main once the app has written it: on a loaded machine the grant's outcome commit was
 * once seen to land after `settle()` returned (the intent was there, the record not yet), so this waits
 * for it, within a minute.
 */
async function readWhenWritten(path: string): Promise<string> {
  for (let attempt = 0; attempt < 600; attempt++) {
    const text = await stack.readOnMain(path)
    if (text !== undefined) return text
    await new Promise((resolve) => setTimeout(resolve, 100))
  }
  throw new Error(`${path} was never written`)
}

async function livesThroughTheLifecycle(): Promise<{ editSha: string }> {
  const { github, clock } = stack
  const request = stack.example.requests[INCIDENT_REQUEST_PATH] as string

  // pr-1: alice's incident request, approved by bob and carol, merged at 09:05; she ends it at 09:30.
  const first = await stack.mergeApprovedIncidentRequest()
  clock.set(new Date('2027-03-02T09:30:00Z'))
  await github.comment(first.number, { login: 'alice', body: '/jit revoke' })
  await github.settle()

  // pr-2: frank (no requester of the policy) asks; erin merges past the failing check.
  const denied = await stack.requestAccess({ author: 'frank', path: 'requests/sre/frank-terminate.yaml', text: request })
  await github.submitReview(denied.number, { login: 'bob', state: 'APPROVED' })
  await github.mergePullRequest(denied.number, { by: 'erin' })
  await github.settle()

  // pr-3: alice asks again at 10:00, approved and merged; erin then edits its record by hand.
  clock.set(new Date('2027-03-02T10:00:00Z'))
  const again = await stack.requestAccess({
    author: 'alice',
    path: 'requests/sre/inc-4822-terminate-web.yaml',
    text: request.replaceAll('4821', '4822'),
  })
  await github.submitReview(again.number, { login: 'bob', state: 'APPROVED' })
  await github.submitReview(again.number, { login: 'carol', state: 'APPROVED' })
  await github.mergePullRequest(again.number, { by: 'carol' })
  await github.settle()
  const written = await readWhenWritten('grants/active/pr-3.yaml')
  const edited = await github.commitToDefaultBranch({
    files: {
      'grants/active/pr-3.yaml': written.replace('reason: Terminate the stuck web node from INC-4822', 'reason: Routine maintenance'),
    },
    author: 'erin',
    message: 'Tidy the reason of pr-3',
  })

  // A jit- policy on alice that no record knows, expired at 11:00; the sweep at 12:05 deletes it and revokes pr-3.
  stack.aws.state.findRole(PROD, 'jit-alice')!.inlinePolicies.set('jit-bb0610eed9-pr-99-exp-20270302T110000Z', '{}')
  clock.set(new Date('2027-03-02T12:05:00Z'))
  const { exitCode } = await stack.sweep()
  expect(exitCode).toBe(0)
  expect(stack.policiesOf('alice')).toEqual({})
  const bare = join(stack.dir, 'access.git')
  await promisify(execFile)('git', ['clone', '-q', bare, clone])
  return { editSha: edited.sha }
}

describe('jit audit on a clone of the emulated access repository', () => {
  it('answers timeline, who and verify from the history the app wrote', async () => {
    const { editSha } = await livesThroughTheLifecycle()

    const timeline = await audit(['timeline', '--json'])
    expect(timeline.code).toBe(0)
    const grants = (JSON.parse(timeline.stdout) as { grants: Record<string, string>[] }).grants
    expect(
      grants.map((grant) => [grant['id'], grant['requester'], grant['approvers'], grant['outcome'], grant['ended_at'], grant['ended_by']]),
    ).toEqual([
      ['pr-1', 'alice', 'bob carol', 'early', '2027-03-02T09:30:00Z', 'alice'],
      ['pr-2', 'frank', '', 'refused', expect.stringMatching(/^2027-03-02T09:/), ''],
      ['pr-3', 'alice', 'bob carol', 'expired', '2027-03-02T12:00:00Z', 'jit-sweeper'],
      ['pr-99', expect.any(String), '', 'orphan', expect.stringMatching(/^2027-03-02T1[12]:/), 'jit-sweeper'],
    ])
    const pr1 = grants[0]!
    expect(pr1['review_ids']).toMatch(/^\d+ \d+$/)
    expect(pr1['reason']).toBe('Terminate the stuck web node from INC-4821')
    expect(pr1['accounts']).toBe(PROD)
    expect(pr1['record_commits']!.split(' ')).toHaveLength(3) // intent, grant, revocation
    // The audit believes the app's record of pr-3, not erin's edit.
    expect(grants[2]!['reason']).toBe('Terminate the stuck web node from INC-4822')

    // Who could terminate instances in production at 09:20? alice, under pr-1; at 09:45 nobody (revoked early).
    const who = await audit(['who', '--account', PROD, '--action', 'ec2:TerminateInstances', '--at', '2027-03-02T09:20:00Z', '--json'])
    expect(
      (JSON.parse(who.stdout) as { holders: Record<string, string>[] }).holders.map((h) => [h['id'], h['requester'], h['approvers']]),
    ).toEqual([['pr-1', 'alice', 'bob carol']])
    const later = await audit(['who', '--account', PROD, '--action', 'ec2:TerminateInstances', '--at', '2027-03-02T09:45:00Z'])
    expect(later.stdout).toBe('Nobody held a grant that covers it then.\n')
    const morning = await audit([
      'who',
      '--account',
      PROD,
      '--action',
      'ec2:TerminateInstances',
      '--between',
      '2027-03-02T09:00:00Z',
      '2027-03-02T13:00:00Z',
      '--csv',
    ])
    expect(
      morning.stdout
        .trimEnd()
        .split('\r\n')
        .slice(1)
        .map((row) => row.split(',')[0]),
    ).toEqual(['"pr-1"', '"pr-3"'])

    // verify: the admin merge, erin's edit and the orphan; the app's own commits agree with their trailers.
    const verify = await audit(['verify', '--json'])
    expect(verify.code).toBe(1)
    const anomalies = (JSON.parse(verify.stdout) as { anomalies: { kind: string; id: string | null; commit: string; message: string }[] })
      .anomalies
    expect(anomalies.filter((anomaly) => anomaly.kind !== 'rules-changed').map((anomaly) => [anomaly.kind, anomaly.id])).toEqual([
      ['refused-merge', 'pr-2'],
      ['record-edited', 'pr-3'],
      ['orphan', 'pr-99'],
    ])
    expect(anomalies.find((anomaly) => anomaly.kind === 'record-edited')).toMatchObject({
      commit: editSha,
      message: expect.stringMatching(
        new RegExp(`^grants/active/pr-3\\.yaml was changed by erin in ${editSha.slice(0, 7)} after the app wrote it in [0-9a-f]{7}$`),
      ),
    })
    expect(anomalies.find((anomaly) => anomaly.kind === 'refused-merge')?.message).toMatch(
      /^#2 was merged by erin while denied; nothing was granted/,
    )
    // The seeded policies, CODEOWNERS and settings are the period's only rule change.
    expect(anomalies.filter((anomaly) => anomaly.kind === 'rules-changed')).toHaveLength(1)
  }, 120_000)
})
