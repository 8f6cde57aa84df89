import { afterEach, beforeEach, describe, expect, it } from 'vitest'
import type { MergeMethod } from '../../emulator/github/control-api.js'
import { ALICE_ROLE, INCIDENT_REQUEST_PATH, PROD, startE2eStack, type E2eStack } from './support/start-e2e-stack.js'

// Every merge method GitHub offers, and the tricks each one allows: the rules a merge is judged by are the
// default branch's just before the merge, and a request PR's own commits may touch nothing but its request.
let stack: E2eStack

beforeEach(async () => {
  stack = await startE2eStack()
})
afterEach(async () => {
  await stack.stop()
})

const METHODS: readonly MergeMethod[] = ['merge', 'squash', 'rebase']
const SETTINGS = '.github/jit.yml'

/** Settings that map alice to erin's role: granted under these, alice's access would land on erin's principal. */
async function settingsMappingAliceToErin(): Promise<string> {
  const settings = (await stack.readOnMain(SETTINGS)) as string
  const edited = settings.replace('principals:\n', 'principals:\n  alice: "arn:aws:iam::{account}:role/jit-erin"\n')
  expect(edited).not.toBe(settings)
  return edited
}

const incidentRequest = () => stack.example.requests[INCIDENT_REQUEST_PATH] as string

/** alice's PR: commit 1 edits the settings, commit 2 reverts them and adds the request. Net diff: the request alone. */
async function openEditThenRevert(): Promise<{ number: number; editSha: string; headSha: string }> {
  const { github } = stack
  const original = (await stack.readOnMain(SETTINGS)) as string
  const opened = await github.openPullRequest({
    author: 'alice',
    branch: 'access/alice-inc-4821',
    files: { [SETTINGS]: await settingsMappingAliceToErin() },
    title: 'INC-4821: terminate the stuck web node',
    message: 'Tidy settings',
  })
  const pushed = await github.pushToPullRequest(opened.number, { [SETTINGS]: original, [INCIDENT_REQUEST_PATH]: incidentRequest() })
  return { number: opened.number, editSha: opened.headSha, headSha: pushed.headSha }
}

async function approveAndMerge(number: number, method: MergeMethod, by = 'carol'): Promise<void> {
  await stack.github.submitReview(number, { login: 'bob', state: 'APPROVED' })
  await stack.github.submitReview(number, { login: 'carol', state: 'APPROVED' })
  stack.clock.advance(5 * 60_000)
  const merge = await stack.github.mergePullRequest(number, { by, method })
  expect(merge.delivery.status).toBe(200)
  await stack.github.settle()
}

function putPolicies(): number {
  return stack.aws.state.calls.filter((call) => call.action === 'PutRolePolicy' || call.action === 'PutUserPolicy').length
}

describe.each(METHODS)('an honest one-commit request merged with "%s"', (method) => {
  it('is granted to the requester', async () => {
    const pr = await stack.requestAccess({ author: 'alice', path: INCIDENT_REQUEST_PATH, text: incidentRequest() })
    await approveAndMerge(pr.number, method)
    expect(Object.keys(stack.policiesOf('alice'))).toEqual(['jit-bb0610eed9-pr-1-exp-20270302T110500Z'])
    expect(await stack.recordsOnMain()).toEqual(['grants/active/pr-1.yaml'])
    expect(await stack.readOnMain('grants/active/pr-1.yaml')).toContain(`principal: ${ALICE_ROLE}`)
    expect(stack.appErrors()).toEqual([])
  })
})

describe.each(METHODS)('settings edited, then reverted, in one request PR merged with "%s"', (method) => {
  it('fails the check naming the commit, and the merge is refused with a record and nothing in AWS', async () => {
    const pr = await openEditThenRevert()
    const check = stack.latestCheck(pr.headSha)
    expect(check.conclusion).toBe('failure')
    expect(check.output.title).toBe("A request pull request's commits must change only its request file")
    expect(check.output.summary).toContain(pr.editSha.slice(0, 7))
    expect(check.output.summary).toContain('`.github/jit.yml`')

    await approveAndMerge(pr.number, method)
    expect(putPolicies()).toBe(0)
    expect(stack.policiesOf('erin')).toEqual({})
    expect(stack.policiesOf('alice')).toEqual({})
    expect(await stack.recordsOnMain()).toEqual(['grants/refused/pr-1.yaml'])
    const record = (await stack.readOnMain('grants/refused/pr-1.yaml')) as string
    expect(record).toContain('merged_by: carol')
    expect(record).toContain(pr.editSha.slice(0, 7))
    expect(stack.github.comments(pr.number).at(-1)?.body).toContain('## ⛔ Nothing granted: pr-1')
  })
})

describe('a policy added, then removed, before an admin rebase merge of a denied request', () => {
  it('is refused: the rules are those of the default branch before the merge', async () => {
    const { github } = stack
    // frank is not a requester of prod-ec2-incident; his first commit adds a policy that would let him in alone.
    const backdoor = [
      'name: frank-backdoor',
      'description: temporary',
      'grants:',
      '  accounts: ["111111111111"]',
      '  actions: ["ec2:StopInstances", "ec2:TerminateInstances"]',
      '  resources: ["arn:aws:ec2:*:111111111111:instance/*"]',
      'requesters:',
      '  users: [frank]',
      'max_duration: 4h',
      'auto_approve:',
      '  max_duration: 4h',
      '',
    ].join('\n')
    const opened = await github.openPullRequest({
      author: 'frank',
      branch: 'access/frank',
      files: { 'policies/frank-backdoor.yaml': backdoor },
      title: 'Access for frank',
    })
    const pushed = await github.pushToPullRequest(opened.number, {
      'policies/frank-backdoor.yaml': null,
      [INCIDENT_REQUEST_PATH]: incidentRequest(),
    })
    expect(stack.latestCheck(pushed.headSha).conclusion).toBe('failure')

    const merge = await github.mergePullRequest(opened.number, { by: 'erin', method: 'rebase' })
    expect(merge.commits).toHaveLength(2)
    await github.settle()
    expect(putPolicies()).toBe(0)
    expect(stack.policiesOf('frank', PROD)).toEqual({})
    expect(await stack.recordsOnMain()).toEqual(['grants/refused/pr-1.yaml'])
    expect(await stack.readOnMain('grants/refused/pr-1.yaml')).toContain('merged_by: erin')
  })
})

describe('a request PR brought up to date with "Update branch"', () => {
  it('is not failed by the merge commit, and is granted on a rebase merge', async () => {
    const { github } = stack
    const pr = await stack.requestAccess({ author: 'alice', path: INCIDENT_REQUEST_PATH, text: incidentRequest() })
    await github.commitToDefaultBranch({ files: { 'docs/runbook.md': '# Runbook\n' }, message: 'Add the runbook' })
    const updated = await github.updatePullRequestBranch(pr.number, { by: 'alice' })
    await github.submitReview(pr.number, { login: 'bob', state: 'APPROVED' })
    await github.submitReview(pr.number, { login: 'carol', state: 'APPROVED' })
    const check = stack.latestCheck(updated.headSha)
    expect([check.conclusion, check.output.title]).toEqual(['success', 'Approved: approved by @bob, @carol under policy prod-ec2-incident'])

    stack.clock.advance(5 * 60_000)
    await github.mergePullRequest(pr.number, { by: 'carol', method: 'rebase' })
    await github.settle()
    expect(Object.keys(stack.policiesOf('alice'))).toEqual(['jit-bb0610eed9-pr-1-exp-20270302T110500Z'])
    expect(await stack.recordsOnMain()).toEqual(['grants/active/pr-1.yaml'])
    expect(stack.appErrors()).toEqual([])
  })
})

describe('a pull request from a fork merged by an admin', () => {
  it('is refused and recorded under grants/refused/', async () => {
    const { github } = stack
    const opened = await github.openPullRequest({
      author: 'alice',
      fork: 'alice',
      branch: 'access',
      files: { [INCIDENT_REQUEST_PATH]: incidentRequest() },
      title: 'INC-4821 from my fork',
    })
    expect(stack.latestCheck(opened.headSha).output.title).toBe('Pull requests from forks are never granted')
    await approveAndMerge(opened.number, 'merge', 'erin')
    expect(putPolicies()).toBe(0)
    expect(await stack.recordsOnMain()).toEqual(['grants/refused/pr-1.yaml'])
    const record = (await stack.readOnMain('grants/refused/pr-1.yaml')) as string
    expect(record).toContain('merged_by: erin')
    expect(record).toContain('fork')
  })
})
