import { createRequire } from 'node:module'
import { afterEach, beforeEach, describe, expect, it } from 'vitest'
import { startEmulatorFixture, type EmulatorFixture } from './emulator-fixture.js'
import { startWebhookReceiver, type ReceivedWebhook } from './webhook-receiver.js'

interface WebhookExample {
  readonly name: string
  readonly examples: ReadonlyArray<Record<string, unknown>>
}
const examples = createRequire(import.meta.url)('@octokit/webhooks-examples/api.github.com/index.json') as WebhookExample[]

/** Keys GitHub's own example payload for `event.action` has that ours lacks (at the top and one level down). */
function missingKeysComparedToExample(event: string, payload: Record<string, unknown>): string[] {
  const example = examples.find((candidate) => candidate.name === event)?.examples.find((candidate) => candidate.action === payload.action)
  if (example === undefined) return [`no example for ${event}.${String(payload.action)}`]
  const missing: string[] = []
  for (const [key, value] of Object.entries(example)) {
    if (key === 'enterprise') continue
    if (!(key in payload)) missing.push(key)
    else if (value !== null && typeof value === 'object' && !Array.isArray(value) && key !== 'changes') {
      for (const inner of Object.keys(value)) {
        const ours = payload[key] as Record<string, unknown> | null
        if (ours !== null && !(inner in ours)) missing.push(`${key}.${inner}`)
      }
    }
  }
  return missing
}

describe('pull request lifecycle through the control API', () => {
  const secret = 'lifecycle-secret'
  let fixture: EmulatorFixture
  let receiver: Awaited<ReturnType<typeof startWebhookReceiver>>
  const repo = { owner: 'acme', repo: 'access' }

  beforeEach(async () => {
    receiver = await startWebhookReceiver(secret)
    fixture = await startEmulatorFixture({
      webhookUrl: receiver.url,
      webhookSecret: secret,
      initialFiles: { 'policies/read.yaml': 'name: read\n' },
    })
  })
  afterEach(async () => {
    await fixture.close()
    await receiver.close()
  })

  function last(): ReceivedWebhook {
    const webhook = receiver.received[receiver.received.length - 1]
    if (webhook === undefined) throw new Error('no webhook received')
    return webhook
  }

  it('opens, synchronizes, reviews, comments and merges with signed, real-shaped webhooks', async () => {
    const { emulator, octokit } = fixture
    const opened = await emulator.openPullRequest({
      author: 'alice',
      branch: 'access/alice',
      files: { 'requests/alice.yaml': 'role: read\n' },
      title: 'Access for alice',
    })
    expect(opened.delivery.status).toBe(200)
    let webhook = last()
    expect(webhook.signatureValid).toBe(true)
    expect(webhook.headers['x-github-event']).toBe('pull_request')
    expect(webhook.headers['x-github-delivery']).toBe(opened.delivery.id)
    expect(webhook.payload).toMatchObject({
      action: 'opened',
      number: opened.number,
      installation: { id: 1 },
      repository: { full_name: 'acme/access' },
      sender: { login: 'alice' },
      pull_request: { head: { sha: opened.headSha, ref: 'access/alice' }, base: { ref: 'main' }, user: { login: 'alice' }, merged: false },
    })
    expect(missingKeysComparedToExample('pull_request', webhook.payload)).toEqual([])

    const files = await octokit.rest.pulls.listFiles({ ...repo, pull_number: opened.number })
    expect(files.data.map((file) => [file.filename, file.status, file.additions])).toEqual([['requests/alice.yaml', 'added', 1]])

    const pushed = await emulator.pushToPullRequest(opened.number, { 'requests/alice.yaml': 'role: read\nduration: 1h\n' })
    webhook = last()
    expect(webhook.payload).toMatchObject({ action: 'synchronize', before: opened.headSha, after: pushed.headSha })
    expect(missingKeysComparedToExample('pull_request', webhook.payload)).toEqual([])

    const review = await emulator.submitReview(opened.number, { login: 'bob', state: 'APPROVED' })
    webhook = last()
    expect(webhook.headers['x-github-event']).toBe('pull_request_review')
    expect(webhook.payload).toMatchObject({
      action: 'submitted',
      review: { id: review.reviewId, state: 'approved', commit_id: pushed.headSha, user: { login: 'bob' } },
    })
    expect(missingKeysComparedToExample('pull_request_review', webhook.payload)).toEqual([])
    const reviews = await octokit.rest.pulls.listReviews({ ...repo, pull_number: opened.number })
    expect(reviews.data.map((r) => [r.user?.login, r.state])).toEqual([['bob', 'APPROVED']])

    await emulator.comment(opened.number, { login: 'carol', body: '/jit explain' })
    webhook = last()
    expect(webhook.payload).toMatchObject({
      action: 'created',
      comment: { body: '/jit explain', user: { login: 'carol' } },
      issue: { number: opened.number },
    })
    expect(missingKeysComparedToExample('issue_comment', webhook.payload)).toEqual([])

    const merged = await emulator.mergePullRequest(opened.number, { by: 'bob' })
    webhook = last()
    expect(webhook.payload).toMatchObject({
      action: 'closed',
      pull_request: { merged: true, merge_commit_sha: merged.mergeCommitSha, merged_by: { login: 'bob' } },
    })
    const parents = (await emulator.git(['rev-list', '--parents', '-n', '1', 'main'])).trim().split(' ')
    expect(parents).toEqual([merged.mergeCommitSha, expect.any(String), pushed.headSha])
    expect(await emulator.git(['show', 'main:requests/alice.yaml'])).toBe('role: read\nduration: 1h\n')
    expect((await octokit.rest.pulls.get({ ...repo, pull_number: opened.number })).data).toMatchObject({ state: 'closed', merged: true })
  })

  it('redelivers a delivery with the same id and body', async () => {
    const { emulator } = fixture
    const opened = await emulator.openPullRequest({ author: 'alice', branch: 'b', files: { 'requests/a.yaml': 'x: 1\n' }, title: 't' })
    const again = await emulator.redeliver(opened.delivery.id)
    expect(again.attempts).toBe(2)
    expect(receiver.received).toHaveLength(2)
    expect(receiver.received[1]?.headers['x-github-delivery']).toBe(opened.delivery.id)
    expect(receiver.received[1]?.body).toBe(receiver.received[0]?.body)
  })

  it('reports the receiver status of each delivery', async () => {
    const failing = await startWebhookReceiver(secret, 500)
    try {
      fixture.emulator.setWebhookUrl(failing.url)
      const opened = await fixture.emulator.openPullRequest({ author: 'alice', branch: 'b', files: { 'a.txt': 'a' }, title: 't' })
      expect(opened.delivery.status).toBe(500)
    } finally {
      await failing.close()
    }
  })

  it('dismisses a review and lists it as DISMISSED', async () => {
    const { emulator, octokit } = fixture
    const opened = await emulator.openPullRequest({ author: 'alice', branch: 'b', files: { 'a.txt': 'a' }, title: 't' })
    const review = await emulator.submitReview(opened.number, { login: 'bob', state: 'APPROVED' })
    await emulator.dismissReview(opened.number, review.reviewId, { by: 'admin' })
    expect(last().payload).toMatchObject({ action: 'dismissed', review: { state: 'dismissed' } })
    const reviews = await octokit.rest.pulls.listReviews({ ...repo, pull_number: opened.number })
    expect(reviews.data[0]?.state).toBe('DISMISSED')
  })

  it('marks a pull request from a fork as cross-repository', async () => {
    const { emulator, octokit } = fixture
    expect(emulator.addCollaboratorFork('mallory')).toBe('mallory/access')
    const opened = await emulator.openPullRequest({
      author: 'mallory',
      branch: 'main',
      fork: 'mallory',
      files: { 'policies/read.yaml': 'name: everything\n' },
      title: 'loosen',
    })
    const pull = (await octokit.rest.pulls.get({ ...repo, pull_number: opened.number })).data
    expect(pull.head.repo?.full_name).toBe('mallory/access')
    expect(pull.base.repo.full_name).toBe('acme/access')
    expect((await emulator.git(['rev-parse', 'main'])).trim()).not.toBe(opened.headSha)
    expect((await emulator.git(['rev-parse', `refs/pull/${opened.number}/head`])).trim()).toBe(opened.headSha)
  })

  it('delivers pull_request.closed after the app closes a pull request through the API', async () => {
    const { emulator, octokit } = fixture
    const opened = await emulator.openPullRequest({ author: 'alice', branch: 'b', files: { 'a.txt': 'a' }, title: 't' })
    const closed = await octokit.rest.pulls.update({ ...repo, pull_number: opened.number, state: 'closed' })
    expect(closed.data.state).toBe('closed')
    await emulator.settle()
    expect(last().payload).toMatchObject({ action: 'closed', sender: { login: 'jit-access[bot]' }, pull_request: { merged: false } })
    const open = await octokit.rest.pulls.list({ ...repo, state: 'open' })
    expect(open.data).toEqual([])
    const all = await octokit.rest.pulls.list({ ...repo, state: 'all' })
    expect(all.data.map((pull) => pull.number)).toEqual([opened.number])
  })

  it('squash-merges as one commit whose only parent is the base tip', async () => {
    const { emulator } = fixture
    const opened = await emulator.openPullRequest({ author: 'alice', branch: 'b', files: { 'requests/a.yaml': 'x: 1\n' }, title: 'Access' })
    await emulator.pushToPullRequest(opened.number, { 'requests/a.yaml': 'x: 2\n' })
    const baseTip = (await emulator.git(['rev-parse', 'main'])).trim()
    const merged = await emulator.mergePullRequest(opened.number, { by: 'bob', method: 'squash' })

    expect(merged.commits).toEqual([merged.mergeCommitSha])
    expect((await emulator.git(['rev-list', '--parents', '-n', '1', 'main'])).trim().split(' ')).toEqual([merged.mergeCommitSha, baseTip])
    expect(await emulator.git(['log', '-1', '--format=%s|%an|%cn', 'main'])).toBe(`Access (#${opened.number})|bob|GitHub\n`)
    expect(await emulator.git(['show', 'main:requests/a.yaml'])).toBe('x: 2\n')
    expect(last().payload).toMatchObject({ action: 'closed', pull_request: { merged: true, merge_commit_sha: merged.mergeCommitSha } })
  })

  it('rebase-merges each commit of the pull request onto the base tip, the last one being the "merge commit"', async () => {
    const { emulator } = fixture
    const opened = await emulator.openPullRequest({
      author: 'alice',
      branch: 'b',
      files: { 'policies/read.yaml': 'name: edited\n' },
      title: 't',
    })
    await emulator.commitToDefaultBranch({ files: { 'README.md': 'moved on\n' } })
    await emulator.pushToPullRequest(
      opened.number,
      { 'policies/read.yaml': 'name: read\n', 'requests/a.yaml': 'x: 1\n' },
      { author: 'mallory' },
    )
    const baseTip = (await emulator.git(['rev-parse', 'main'])).trim()
    const merged = await emulator.mergePullRequest(opened.number, { by: 'bob', method: 'rebase' })

    expect(merged.commits).toHaveLength(2)
    expect(merged.mergeCommitSha).toBe(merged.commits[1])
    // Linear history on main: base tip, then the rebased commits in order, each keeping its author.
    expect((await emulator.git(['rev-list', '--parents', `${baseTip}..main`])).trim().split('\n')).toEqual([
      `${merged.commits[1]} ${merged.commits[0]}`,
      `${merged.commits[0]} ${baseTip}`,
    ])
    expect(await emulator.git(['log', '--format=%an|%cn', `${baseTip}..main`])).toBe('mallory|GitHub\nalice|GitHub\n')
    // The intermediate commit is on main too: for a moment the edited policy was the default branch's.
    expect(await emulator.git(['show', `${merged.commits[0]}:policies/read.yaml`])).toBe('name: edited\n')
    expect(await emulator.git(['show', 'main:policies/read.yaml'])).toBe('name: read\n')
    expect(await emulator.git(['show', 'main:README.md'])).toBe('moved on\n')
    expect(last().payload).toMatchObject({ action: 'closed', pull_request: { merged: true, merge_commit_sha: merged.mergeCommitSha } })
  })

  it('refuses a rebase whose commit does not apply on the base branch', async () => {
    const { emulator } = fixture
    const opened = await emulator.openPullRequest({
      author: 'alice',
      branch: 'b',
      files: { 'policies/read.yaml': 'name: mine\n' },
      title: 't',
    })
    await emulator.commitToDefaultBranch({ files: { 'policies/read.yaml': 'name: theirs\n' } })
    await expect(emulator.mergePullRequest(opened.number, { by: 'bob', method: 'rebase' })).rejects.toThrow(
      /conflicts with main in: policies\/read.yaml/,
    )
  })

  it('refuses to merge a pull request that conflicts with the default branch', async () => {
    const { emulator } = fixture
    const opened = await emulator.openPullRequest({
      author: 'alice',
      branch: 'b',
      files: { 'policies/read.yaml': 'name: mine\n' },
      title: 't',
    })
    await emulator.commitToDefaultBranch({ files: { 'policies/read.yaml': 'name: theirs\n' } })
    await expect(emulator.mergePullRequest(opened.number, { by: 'bob' })).rejects.toThrow(/conflicts with main in: policies\/read.yaml/)
  })
})
