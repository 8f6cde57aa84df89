import { generateKeyPairSync } from 'node:crypto'
import { readFileSync } from 'node:fs'
import nock from 'nock'
import { Probot } from 'probot'
import { afterEach, beforeAll, beforeEach, describe, expect, it } from 'vitest'
import { createApp } from '../../src/app/create-app.js'
import type { ActionCatalogue } from '../../src/core/matching/action-catalogue.js'
import { loadActionCatalogue } from '../../src/aws/load-action-catalogue.js'
import {
  appComment,
  BASE_SHA,
  filesQueryData,
  HEAD_SHA,
  INCIDENT_REQUEST,
  OLD_HEAD_SHA,
  pullRequestQueryData,
  readFixture,
  type FakeComment,
  type FakeReview,
} from '../github/support/access-repo-fixture.js'
import { TestOctokit } from '../workflows/sweep/support/test-octokit.js'
import { GitHubMock } from '../github/support/github-mock.js'

const NOW = new Date('2026-11-29T09:30:00Z')
const PR_PATH = '/repos/acme/access'
const CHECK_RUNS = `POST ${PR_PATH}/check-runs`
const CREATE_COMMENT = `POST ${PR_PATH}/issues/42/comments`
const UPDATE_COMMENT = `PATCH ${PR_PATH}/issues/comments/901`
const REQUEST_REVIEWS = `POST ${PR_PATH}/pulls/42/requested_reviewers`
/** A new request PR: the three reads, then together the review requests of the approvers needed, the check run and the comment. */
const OPENED_CALLS = ['graphql jitPullRequest', 'graphql jitFiles', 'graphql jitTeams', REQUEST_REVIEWS, CHECK_RUNS, CREATE_COMMENT]

const TEAM_DIRECTORY: Record<string, string[]> = { security: ['carol', 'dan'], sre: ['alice', 'erin'], 'sre-leads': ['bob'] }

const { privateKey } = generateKeyPairSync('rsa', {
  modulusLength: 2048,
  privateKeyEncoding: { type: 'pkcs8', format: 'pem' },
  publicKeyEncoding: { type: 'spki', format: 'pem' },
})

function payload(
  name:
    | 'pull_request.opened'
    | 'pull_request_review.submitted'
    | 'check_run.rerequested'
    | 'check_suite.rerequested'
    | 'merge_group.checks_requested',
): Record<string, any> {
  return JSON.parse(readFileSync(new URL(`../fixtures/webhooks/${name}.json`, import.meta.url), 'utf8'))
}

function pullRequestEvent(action: string): Record<string, any> {
  const event = payload('pull_request.opened')
  event['action'] = action
  if (action === 'synchronize') Object.assign(event, { before: OLD_HEAD_SHA, after: HEAD_SHA })
  if (action === 'edited') event['changes'] = { title: { from: 'Request' } }
  return event
}

/** The event as GitHub sends it once the app asked these teams to review (GitHub keeps them on the pull request). */
function withRequestedTeams(event: Record<string, any>, slugs: string[]): Record<string, any> {
  event['pull_request'].requested_teams = slugs.map((slug, index) => ({ id: 70 + index, slug, name: slug }))
  return event
}

function reviewEvent(action: string, login = 'bob', state = 'approved'): Record<string, any> {
  const event = payload('pull_request_review.submitted')
  event['action'] = action
  event['review'].user.login = login
  event['review'].state = state
  return event
}

let catalogue: ActionCatalogue
let probot: Probot
let github: GitHubMock
let delivery = 0

beforeAll(async () => {
  catalogue = await loadActionCatalogue()
})

beforeEach(async () => {
  nock.disableNetConnect()
  github = new GitHubMock()
  probot = new Probot({ appId: 123, privateKey, logLevel: 'fatal', Octokit: TestOctokit })
  await probot.load(createApp({ now: () => NOW, catalogue, env: { JIT_DRY_RUN: '1' }, sweepSchedule: false }))
})

afterEach(() => {
  const pending = nock.pendingMocks()
  nock.cleanAll()
  nock.enableNetConnect()
  expect(pending).toEqual([])
})

async function receive(name: string, event: Record<string, any>): Promise<void> {
  delivery += 1
  await probot.receive({ id: `delivery-${delivery}`, name, payload: event } as Parameters<Probot['receive']>[0])
}

/** Mocks the three reads of a request PR's evaluation: the PR, the files, the teams the engine asks for. */
function mockRequestReads(params: {
  reviews?: FakeReview[]
  pushRecords?: Parameters<typeof pullRequestQueryData>[0]['pushRecords']
  dismissals?: Parameters<typeof pullRequestQueryData>[0]['dismissals']
  sreLeadsPermission?: string
  request?: { path: string; text: string }
  teams?: Record<string, string[]>
  rulesCached?: boolean
  author?: string
  committers?: string[]
  /** The conversation's first comments, as the pull-request query reads them (none by default). */
  comments?: FakeComment[]
}): void {
  const request = params.request ?? readFixture(INCIDENT_REQUEST)
  github.graphql(
    'jitPullRequest',
    pullRequestQueryData({
      files: [{ path: request.path }],
      reviews: params.reviews ?? [],
      author: params.author,
      committers: params.committers,
      ...(params.pushRecords ? { pushRecords: params.pushRecords } : {}),
      ...(params.dismissals ? { dismissals: params.dismissals } : {}),
      ...(params.comments ? { comments: params.comments } : {}),
    }),
  )
  github.graphql('jitFiles', filesQueryData({ rules: !params.rulesCached, request }))
  // Two commits: the first (the author's, one file) is asked whether that file is the request.
  if (params.committers?.length) {
    github.graphql('jitCommitFiles', { repository: { c0: { request: { oid: 'a'.repeat(40) }, parents: { nodes: [{ request: null }] } } } })
  }
  const teams = { ...TEAM_DIRECTORY, ...params.teams }
  const members = (slug: string) => ({
    members: { nodes: (teams[slug] ?? []).map((login) => ({ login })), pageInfo: { hasNextPage: false, endCursor: null } },
    repositories: { edges: [{ permission: 'WRITE', node: { nameWithOwner: 'acme/access' } }] },
  })
  const sreLeads = members('sre-leads')
  if (params.sreLeadsPermission) sreLeads.repositories.edges[0]!.permission = params.sreLeadsPermission
  github.graphql('jitTeams', { o0: { t0: members('security'), t1: members('sre'), t2: sreLeads } })
}

function checkRun(): {
  head_sha: string
  conclusion: string
  output: { title: string; summary: string; annotations: any[] }
  name: string
  status: string
} {
  return github.bodyOf(CHECK_RUNS) as any
}

/** Mentions that notify: an @handle not inside backticks. */
const liveMentions = (body: string): string[] =>
  [...body.matchAll(/(?<=^|[^\w`])@[\w-]+(?:\/[\w.-]+)?/gu)].filter((m) => body[(m.index ?? 0) + m[0].length] !== '`').map((m) => m[0])

describe('a request pull request', () => {
  it('opened with no review: the check asks for action, the comment names the approvers once', async () => {
    github.token()
    mockRequestReads({ comments: [{ id: 5, body: 'LGTM' }] })
    github.rest('POST', `${PR_PATH}/check-runs`, { id: 1 })
    github.rest('POST', `${PR_PATH}/issues/42/comments`, { id: 901 })
    github.rest('POST', `${PR_PATH}/pulls/42/requested_reviewers`, { number: 42 })
    await receive('pull_request', pullRequestEvent('opened'))

    expect(github.calls).toEqual(OPENED_CALLS)
    // The teams whose approval is missing are asked to review (the author never is).
    expect(github.bodyOf(REQUEST_REVIEWS)).toEqual({ team_reviewers: ['security', 'sre-leads'] })
    // Rules at the base SHA, the request at the head SHA.
    expect(github.bodyOf('graphql jitFiles')['variables']).toMatchObject({
      policies: `${BASE_SHA}:policies`,
      codeowners0: `${BASE_SHA}:.github/CODEOWNERS`,
      settings: `${BASE_SHA}:.github/jit.yml`,
      requestFile: `${HEAD_SHA}:${INCIDENT_REQUEST}`,
    })
    expect(github.bodyOf('graphql jitTeams')['variables']).toEqual({
      o0: 'acme',
      t0: 'security',
      t1: 'sre',
      t2: 'sre-leads',
      repository: 'access',
    })
    const check = checkRun()
    expect(check).toMatchObject({ name: 'jit / access request', head_sha: HEAD_SHA, status: 'completed', conclusion: 'action_required' })
    expect(check.output.title).toBe(
      'Pending: 1 more approval from code owners of requests/sre/inc-4821-terminate-web.yaml (@acme/sre-leads) (policy prod-ec2-incident) (and 1 more)',
    )
    expect(check.output.summary).toContain('- 1 more approval from `@acme/security` \\(policy prod-ec2-incident\\)')
    expect(check.output.summary).toContain('| `111111111111` | `ec2:StopInstances`<br>`ec2:TerminateInstances` |')
    expect(check.output.summary).toContain('### Still missing')
    const comment = String(github.bodyOf(CREATE_COMMENT)['body'])
    expect(comment.startsWith('<!-- jit:request mentioned="acme/security acme/sre-leads" -->')).toBe(true)
    expect(comment).toContain('`@alice` asks for **2 hours** of access, starting when this pull request is merged.')
    expect(liveMentions(comment)).toEqual(['@acme/sre-leads', '@acme/security'])
  })

  it('approved on the head commit by a code owner and security: success, and the comment is updated without pinging again', async () => {
    github.token()
    mockRequestReads({
      reviews: [
        { id: 1, login: 'bob', state: 'APPROVED' },
        { id: 2, login: 'carol', state: 'APPROVED' },
      ],
      comments: appComment('<!-- jit:request mentioned="acme/security acme/sre-leads" -->\nold'),
    })
    github.rest('POST', `${PR_PATH}/check-runs`, { id: 2 })
    github.rest('PATCH', `${PR_PATH}/issues/comments/901`, { id: 901 })
    await receive('pull_request_review', reviewEvent('submitted', 'carol'))

    expect(github.calls).toEqual(['graphql jitPullRequest', 'graphql jitFiles', 'graphql jitTeams', CHECK_RUNS, UPDATE_COMMENT])
    expect(checkRun()).toMatchObject({
      conclusion: 'success',
      output: { title: 'Approved: approved by @bob, @carol under policy prod-ec2-incident' },
    })
    expect(checkRun().output.summary).toContain('counted: @bob')
    const comment = String(github.bodyOf(UPDATE_COMMENT)['body'])
    expect(comment).toContain('**Approved.** Merging this pull request grants the access below.')
    expect(liveMentions(comment)).toEqual([])
  })

  it('after a push (synchronize), approvals of the old commit are stale', async () => {
    github.token()
    mockRequestReads({
      reviews: [
        { id: 1, login: 'bob', state: 'APPROVED', commit: OLD_HEAD_SHA },
        { id: 2, login: 'carol', state: 'APPROVED', commit: OLD_HEAD_SHA },
      ],
      comments: appComment('<!-- jit:request mentioned="acme/security acme/sre-leads" -->\nApproved'),
    })
    github.rest('POST', `${PR_PATH}/check-runs`, { id: 3 })
    github.rest('PATCH', `${PR_PATH}/issues/comments/901`, { id: 901 })
    await receive('pull_request', pullRequestEvent('synchronize'))

    expect(checkRun().conclusion).toBe('action_required')
    expect(checkRun().output.summary).toContain(
      `not counted: @bob: stale: approved ${OLD_HEAD_SHA.slice(0, 7)}, the head is now ${HEAD_SHA.slice(0, 7)}`,
    )
    // The owners were mentioned when the comment was created: the update quotes them.
    expect(liveMentions(String(github.bodyOf(UPDATE_COMMENT)['body']))).toEqual([])
  })

  it('the author approving their own request does not count', async () => {
    github.token()
    mockRequestReads({
      reviews: [
        { id: 1, login: 'bob', state: 'APPROVED' },
        { id: 2, login: 'alice', state: 'APPROVED' },
      ],
      teams: { security: ['carol', 'alice'] },
    })
    github.rest('POST', `${PR_PATH}/check-runs`, { id: 4 })
    github.rest('POST', `${PR_PATH}/issues/42/comments`, { id: 901 })
    await receive('pull_request_review', reviewEvent('submitted', 'alice'))

    expect(checkRun().conclusion).toBe('action_required')
    expect(checkRun().output.title).toBe('Pending: 1 more approval from @acme/security (policy prod-ec2-incident)')
    expect(checkRun().output.summary).toMatch(/not counted: @alice: .*author/)
  })

  it('someone who pushed to the request cannot approve it (self-approval by proxy)', async () => {
    github.token()
    mockRequestReads({
      reviews: [
        { id: 1, login: 'bob', state: 'APPROVED' },
        { id: 2, login: 'carol', state: 'APPROVED' },
      ],
      committers: ['carol'],
    })
    github.rest('POST', `${PR_PATH}/check-runs`, { id: 4 })
    github.rest('POST', `${PR_PATH}/issues/42/comments`, { id: 901 })
    await receive('pull_request_review', reviewEvent('submitted', 'carol'))

    expect(checkRun().conclusion).toBe('action_required')
    expect(checkRun().output.summary).toMatch(/not counted: @carol: pushed commits to this pull request/)
  })

  it('a change request from an approver blocks the request', async () => {
    github.token()
    mockRequestReads({
      reviews: [
        { id: 1, login: 'bob', state: 'APPROVED' },
        { id: 2, login: 'carol', state: 'APPROVED' },
        { id: 3, login: 'dan', state: 'CHANGES_REQUESTED' },
      ],
    })
    github.rest('POST', `${PR_PATH}/check-runs`, { id: 5 })
    github.rest('POST', `${PR_PATH}/issues/42/comments`, { id: 901 })
    await receive('pull_request_review', reviewEvent('submitted', 'dan', 'changes_requested'))

    expect(checkRun().conclusion).not.toBe('success')
    expect(`${checkRun().output.title}\n${checkRun().output.summary}`).toContain('dan')
  })

  it('an invalid request file fails with annotations on its lines', async () => {
    const request = {
      path: INCIDENT_REQUEST,
      text: 'reason: Terminate the stuck web node\nticket: INC-4821\nduration: 2 hours\naccess:\n  - account: "111111111111"\n    actions: [ec2:StopInstances]\n',
    }
    github.token()
    github.graphql('jitPullRequest', pullRequestQueryData({ files: [{ path: INCIDENT_REQUEST }] }))
    github.graphql('jitFiles', filesQueryData({ request }))
    github.rest('POST', `${PR_PATH}/check-runs`, { id: 6 })
    github.rest('POST', `${PR_PATH}/issues/42/comments`, { id: 901 })
    await receive('pull_request', pullRequestEvent('opened'))

    // An invalid request names no policy, so no team is read.
    expect(github.calls).toEqual(['graphql jitPullRequest', 'graphql jitFiles', CHECK_RUNS, CREATE_COMMENT])
    expect(checkRun().conclusion).toBe('failure')
    expect(checkRun().output.annotations).toEqual([
      expect.objectContaining({ path: INCIDENT_REQUEST, start_line: 3, end_line: 3, annotation_level: 'failure' }),
    ])
    expect(String(github.bodyOf(CREATE_COMMENT)['body'])).toContain('**Invalid.**')
  })

  it('a request no policy covers is denied, with an annotation on the entry', async () => {
    const request = {
      path: INCIDENT_REQUEST,
      text: 'reason: Clean up IAM users\nticket: INC-4821\nduration: 2h\naccess:\n  - account: "111111111111"\n    actions: [iam:DeleteUser]\n',
    }
    github.token()
    github.graphql('jitPullRequest', pullRequestQueryData({ files: [{ path: INCIDENT_REQUEST }] }))
    github.graphql('jitFiles', filesQueryData({ request }))
    github.rest('POST', `${PR_PATH}/check-runs`, { id: 7 })
    github.rest('POST', `${PR_PATH}/issues/42/comments`, { id: 901 })
    await receive('pull_request', pullRequestEvent('opened'))

    // No team could matter (no policy covers the request), so none is read.
    expect(github.calls).toEqual(['graphql jitPullRequest', 'graphql jitFiles', CHECK_RUNS, CREATE_COMMENT])
    expect(checkRun().conclusion).toBe('failure')
    expect(checkRun().output.title).toMatch(/^Denied/)
    expect(checkRun().output.annotations).toEqual([
      expect.objectContaining({ path: INCIDENT_REQUEST, start_line: 5, title: 'Not covered by any policy' }),
    ])
  })
})

describe('identities GitHub authenticates', () => {
  const approvals: FakeReview[] = [
    { id: 1, login: 'bob', state: 'APPROVED' },
    { id: 2, login: 'carol', state: 'APPROVED' },
  ]
  const publish = (): void => {
    github.rest('POST', `${PR_PATH}/check-runs`, { id: 40 })
    github.rest('POST', `${PR_PATH}/issues/42/comments`, { id: 901 })
  }

  it("synchronize records its sender as the head's pusher on the check run, and reads the records before the push", async () => {
    github.token()
    mockRequestReads({ pushRecords: [{ sha: OLD_HEAD_SHA, externalIds: ['42;head-pusher=alice'] }] })
    publish()
    const event = pullRequestEvent('synchronize')
    event['sender'].login = 'carol'
    await receive('pull_request', event)
    expect(github.bodyOf('graphql jitPullRequest')['variables']).toMatchObject({ before: OLD_HEAD_SHA, hasBefore: true, appId: 123 })
    expect(checkRun()).toMatchObject({
      external_id: `42;head-pusher=carol;pushes=alice:${OLD_HEAD_SHA.slice(0, 12)},carol:${HEAD_SHA.slice(0, 12)}`,
    })
  })

  it('a pusher recorded on the head cannot approve, though every commit names the author', async () => {
    github.token()
    mockRequestReads({
      reviews: approvals,
      pushRecords: [{ sha: HEAD_SHA, externalIds: ['42;head-pusher=carol;pushes=alice:333333333333'] }],
    })
    publish()
    await receive('pull_request_review', reviewEvent('submitted', 'carol'))
    expect(checkRun().conclusion).toBe('action_required')
    expect(checkRun().output.summary).toContain(
      `not counted: @carol: pushed ${HEAD_SHA.slice(0, 7)} to this pull request, so approving it would be approving their own change`,
    )
  })

  it('a review of a head whose pusher the app never saw fails safe', async () => {
    github.token()
    mockRequestReads({ reviews: approvals, pushRecords: [] })
    publish()
    await receive('pull_request_review', reviewEvent('submitted', 'carol'))
    expect(checkRun().conclusion).toBe('action_required')
    expect(checkRun().output.title).toBe(
      `Pending: who pushed ${HEAD_SHA.slice(0, 7)} (the head commit) is unknown, because the app missed that push: no approval counts until someone pushes a new commit (and 2 more)`,
    )
    expect(checkRun()).toMatchObject({ external_id: '42' })
  })

  it("the author's dismissal of a request for changes keeps it blocking", async () => {
    github.token()
    mockRequestReads({
      reviews: [...approvals, { id: 3, login: 'dan', state: 'DISMISSED' }],
      dismissals: [{ by: 'alice', reviewId: 3, previousState: 'CHANGES_REQUESTED' }],
    })
    publish()
    const event = reviewEvent('dismissed', 'dan', 'dismissed')
    event['sender'].login = 'alice'
    await receive('pull_request_review', event)
    expect(checkRun().conclusion).toBe('action_required')
    expect(checkRun().output.summary).toContain(
      "- @dan's request for changes was dismissed by @alice, the author; it still blocks: a dismissal by the author or a pusher does not count",
    )
  })

  it('a code owner team without write access does not count, with no extra call', async () => {
    github.token()
    mockRequestReads({ reviews: approvals, sreLeadsPermission: 'TRIAGE' })
    publish()
    await receive('pull_request_review', reviewEvent('submitted', 'carol'))
    expect(github.calls).toEqual(['graphql jitPullRequest', 'graphql jitFiles', 'graphql jitTeams', CHECK_RUNS, CREATE_COMMENT])
    expect(checkRun().conclusion).toBe('failure')
    expect(checkRun().output.summary).toContain(
      'not counted: @bob: `@acme/sre-leads` is a code owner without write access; GitHub ignores such owners',
    )
  })
})

describe('pull requests that are not plain requests', () => {
  it('a request with a policy change in the same PR fails without reading any file', async () => {
    github.token()
    github.graphql(
      'jitPullRequest',
      pullRequestQueryData({ files: [{ path: INCIDENT_REQUEST }, { path: 'policies/prod-ec2-incident.yaml', changeType: 'MODIFIED' }] }),
    )
    github.rest('POST', `${PR_PATH}/check-runs`, { id: 8 })
    await receive('pull_request', pullRequestEvent('opened'))

    expect(github.calls).toEqual(['graphql jitPullRequest', CHECK_RUNS])
    expect(checkRun()).toMatchObject({ conclusion: 'failure', output: { title: 'A request cannot change the rules it is judged by' } })
    expect(checkRun().output.summary).toContain('this pull request changes `policies/prod-ec2-incident.yaml`')
  })

  it('a policy-only PR with a broken policy fails with an annotation on the line, validating the head', async () => {
    const broken =
      'name: broken\ngrants:\n  accounts: ["111111111111"]\n  actions: ["ec2:StopInstancez"]\nrequesters:\n  teams: ["@acme/sre"]\nmax_duration: 4h\napprovals:\n  - from: codeowners\n    count: 1\n'
    github.token()
    github.graphql('jitPullRequest', pullRequestQueryData({ files: [{ path: 'policies/broken.yaml' }] }))
    github.graphql('jitFiles', filesQueryData({ overrides: { 'policies/broken.yaml': broken } }))
    github.rest('POST', `${PR_PATH}/check-runs`, { id: 9 })
    await receive('pull_request', pullRequestEvent('opened'))

    expect(github.calls).toEqual(['graphql jitPullRequest', 'graphql jitFiles', CHECK_RUNS])
    expect(github.bodyOf('graphql jitFiles')['variables']).toMatchObject({
      policies: `${HEAD_SHA}:policies`,
      settings: `${HEAD_SHA}:.github/jit.yml`,
    })
    expect(checkRun()).toMatchObject({ conclusion: 'failure', output: { title: 'Policy change is invalid: 1 error' } })
    expect(checkRun().output.annotations).toEqual([
      {
        path: 'policies/broken.yaml',
        start_line: 4,
        end_line: 4,
        annotation_level: 'failure',
        title: 'Invalid rule',
        message: 'grants.actions: unknown action "ec2:StopInstancez" (did you mean ec2:StopInstances?)',
      },
    ])
  })

  it('a policy-only PR with valid policies succeeds', async () => {
    github.token()
    github.graphql('jitPullRequest', pullRequestQueryData({ files: [{ path: 'policies/staging-debug.yaml', changeType: 'MODIFIED' }] }))
    github.graphql('jitFiles', filesQueryData({}))
    github.rest('POST', `${PR_PATH}/check-runs`, { id: 10 })
    await receive('pull_request', pullRequestEvent('opened'))
    expect(checkRun()).toMatchObject({ conclusion: 'success', output: { title: 'Policy change is valid' } })
  })

  it('a fork PR is never granted', async () => {
    github.token()
    github.graphql('jitPullRequest', pullRequestQueryData({ files: [{ path: INCIDENT_REQUEST }], isCrossRepository: true }))
    github.rest('POST', `${PR_PATH}/check-runs`, { id: 11 })
    const event = pullRequestEvent('opened')
    event['pull_request'].head.repo.full_name = 'mallory/access'
    await receive('pull_request', event)
    expect(checkRun()).toMatchObject({ conclusion: 'failure', output: { title: 'Pull requests from forks are never granted' } })
  })

  it('a deleted request gets a neutral explanation', async () => {
    github.token()
    github.graphql(
      'jitPullRequest',
      pullRequestQueryData({
        files: [{ path: INCIDENT_REQUEST, changeType: 'DELETED' }],
        comments: appComment('<!-- jit:request mentioned="acme/security" -->\nPending'),
      }),
    )
    github.rest('POST', `${PR_PATH}/check-runs`, { id: 12 })
    github.rest('PATCH', `${PR_PATH}/issues/comments/901`, { id: 901 })
    await receive('pull_request', pullRequestEvent('synchronize'))
    expect(checkRun()).toMatchObject({ conclusion: 'neutral', output: { title: 'Deleting a request grants nothing' } })
    // The earlier comment no longer says what approving would allow.
    expect(String(github.bodyOf(UPDATE_COMMENT)['body'])).toContain('Not an access request any more')
  })
})

describe('failures', () => {
  it('a 500 on the GraphQL read leaves a failing check that says re-running is safe', async () => {
    github.token()
    github.graphql('jitPullRequest', null, 500)
    github.rest('POST', `${PR_PATH}/check-runs`, { id: 13 })
    await receive('pull_request', pullRequestEvent('opened'))
    expect(github.calls).toEqual(['graphql jitPullRequest', CHECK_RUNS])
    const check = checkRun()
    expect(check).toMatchObject({
      head_sha: HEAD_SHA,
      status: 'completed',
      conclusion: 'failure',
      output: { title: 'Could not read from GitHub' },
    })
    expect(check.output.summary).toContain('Could not read pull request `#42` from GitHub: HTTP 500')
    expect(check.output.summary).toContain('Re-running is safe')
  })
})

describe('events', () => {
  const readme = () => {
    github.token()
    github.graphql('jitPullRequest', pullRequestQueryData({ files: [{ path: 'README.md', changeType: 'MODIFIED' }] }))
    github.rest('POST', `${PR_PATH}/check-runs`, { id: 20 })
  }
  it.each([
    ['pull_request', 'opened'],
    ['pull_request', 'reopened'],
    ['pull_request', 'synchronize'],
    ['pull_request', 'edited'],
    ['pull_request', 'ready_for_review'],
    ['pull_request_review', 'submitted'],
    ['pull_request_review', 'edited'],
    ['pull_request_review', 'dismissed'],
  ])('%s.%s re-evaluates the pull request', async (name, action) => {
    readme()
    await receive(name, name === 'pull_request' ? pullRequestEvent(action) : reviewEvent(action))
    expect(github.calls).toEqual(['graphql jitPullRequest', CHECK_RUNS])
    // The PR number leads the check run's external_id (a re-run of a fork PR's check finds it there).
    expect(checkRun()).toMatchObject({
      conclusion: 'neutral',
      external_id: expect.stringMatching(/^42(;|$)/),
      output: { title: 'No request or rule file changed' },
    })
  })

  it('check_run.rerequested re-evaluates the pull request of the check', async () => {
    readme()
    await receive('check_run', payload('check_run.rerequested'))
    expect(github.calls).toEqual(['graphql jitPullRequest', CHECK_RUNS])
  })

  it('check_suite.rerequested ("Re-run all checks") re-evaluates the pull request of the suite', async () => {
    readme()
    await receive('check_suite', payload('check_suite.rerequested'))
    expect(github.calls).toEqual(['graphql jitPullRequest', CHECK_RUNS])
    expect(github.bodyOf('graphql jitPullRequest')['variables']).toEqual({
      owner: 'acme',
      repo: 'access',
      number: 42,
      appId: 123,
      checkName: 'jit / access request',
    })
  })

  it('check_run.rerequested of a fork PR finds the pull request through external_id', async () => {
    readme()
    const event = payload('check_run.rerequested')
    event['check_run'].pull_requests = []
    event['check_run'].external_id = '42'
    await receive('check_run', event)
    expect(github.bodyOf('graphql jitPullRequest')['variables']).toEqual({
      owner: 'acme',
      repo: 'access',
      number: 42,
      appId: 123,
      checkName: 'jit / access request',
    })
  })

  it("ignores a re-run of another app's check and events of closed pull requests", async () => {
    const other = payload('check_run.rerequested')
    other['check_run'].name = 'ci / build'
    await receive('check_run', other)
    const closed = reviewEvent('submitted')
    closed['pull_request'].state = 'closed'
    await receive('pull_request_review', closed)
    expect(github.calls).toEqual([])
  })
})

describe('API calls per event', () => {
  /** Mocks the reads of a later event on the same PR: the rules (base) and the request (same head) are cached. */
  function mockCachedReads(reviews: FakeReview[], comments: FakeComment[]): void {
    github.graphql('jitPullRequest', pullRequestQueryData({ files: [{ path: INCIDENT_REQUEST }], reviews, comments }))
    const members = (slug: string) => ({
      members: { nodes: (TEAM_DIRECTORY[slug] ?? []).map((login) => ({ login })), pageInfo: { hasNextPage: false, endCursor: null } },
      repositories: { edges: [{ permission: 'WRITE', node: { nameWithOwner: 'acme/access' } }] },
    })
    github.graphql('jitTeams', { o0: { t0: members('security'), t1: members('sre'), t2: members('sre-leads') } })
  }

  it('opened, then reviews and a push: the comment is created once, the base is read once', async () => {
    const take = (): string[] => github.seen.splice(0).map((call) => call.name)
    github.token()
    mockRequestReads({})
    github.rest('POST', `${PR_PATH}/check-runs`, { id: 30 })
    github.rest('POST', `${PR_PATH}/issues/42/comments`, { id: 901 })
    github.rest('POST', `${PR_PATH}/pulls/42/requested_reviewers`, { number: 42 })
    await receive('pull_request', pullRequestEvent('opened'))
    let comment = String(github.bodyOf(CREATE_COMMENT)['body'])
    const opened = take()

    // Probot keeps the installation token, so later deliveries do not ask for one.
    mockCachedReads([{ id: 1, login: 'bob', state: 'APPROVED' }], appComment(comment))
    github.rest('POST', `${PR_PATH}/check-runs`, { id: 31 })
    github.rest('PATCH', `${PR_PATH}/issues/comments/901`, { id: 901 })
    // Later events carry the teams the app asked: the set is unchanged, so nobody is asked again.
    await receive('pull_request_review', withRequestedTeams(reviewEvent('submitted', 'bob'), ['security', 'sre-leads']))
    comment = String(github.bodyOf(UPDATE_COMMENT)['body'])
    const reviewed = take()

    mockCachedReads(
      [
        { id: 1, login: 'bob', state: 'APPROVED' },
        { id: 2, login: 'erin', state: 'COMMENTED' },
      ],
      appComment(comment),
    )
    github.rest('POST', `${PR_PATH}/check-runs`, { id: 32 })
    await receive('pull_request_review', withRequestedTeams(reviewEvent('submitted', 'erin', 'commented'), ['security', 'sre-leads']))
    const commented = take()

    // A push: new head, same base. Only the request at the new head is read.
    const newHead = 'c'.repeat(40)
    github.graphql(
      'jitPullRequest',
      pullRequestQueryData({
        files: [{ path: INCIDENT_REQUEST }],
        headSha: newHead,
        reviews: [{ id: 1, login: 'bob', state: 'APPROVED' }],
        comments: appComment(comment),
      }),
    )
    github.graphql('jitFiles', filesQueryData({ rules: false, request: readFixture(INCIDENT_REQUEST) }))
    const members = (slug: string) => ({
      members: { nodes: (TEAM_DIRECTORY[slug] ?? []).map((login) => ({ login })), pageInfo: { hasNextPage: false, endCursor: null } },
      repositories: { edges: [{ permission: 'WRITE', node: { nameWithOwner: 'acme/access' } }] },
    })
    github.graphql('jitTeams', { o0: { t0: members('security'), t1: members('sre'), t2: members('sre-leads') } })
    github.rest('POST', `${PR_PATH}/check-runs`, { id: 33 })
    github.rest('PATCH', `${PR_PATH}/issues/comments/901`, { id: 901 })
    await receive('pull_request', withRequestedTeams(pullRequestEvent('synchronize'), ['security', 'sre-leads']))
    expect(Object.keys(github.bodyOf('graphql jitFiles')['variables'] as object)).toEqual(['owner', 'repo', 'requestFile'])
    expect(liveMentions(String(github.bodyOf(UPDATE_COMMENT)['body']))).toEqual([])
    const pushed = take()

    // The figures of the report: if one grows, this test says where.
    expect({ opened, reviewed, commented, pushed }).toEqual({
      opened: OPENED_CALLS,
      reviewed: ['graphql jitPullRequest', 'graphql jitTeams', CHECK_RUNS, UPDATE_COMMENT],
      commented: ['graphql jitPullRequest', 'graphql jitTeams', CHECK_RUNS],
      pushed: ['graphql jitPullRequest', 'graphql jitFiles', 'graphql jitTeams', CHECK_RUNS, UPDATE_COMMENT],
    })
  })
})

describe('merge queues (merge_group.checks_requested)', () => {
  const GROUP_SHA = '3'.repeat(40)
  const GROUP_COMPARE = `GET ${PR_PATH}/compare/${BASE_SHA}...${GROUP_SHA}`
  const REVIEWED_COMPARE = `GET ${PR_PATH}/compare/${BASE_SHA}...${HEAD_SHA}`
  const REQUEST_BLOB = 'b'.repeat(40)
  const approvedReads = () =>
    mockRequestReads({
      reviews: [
        { id: 1, login: 'bob', state: 'APPROVED' },
        { id: 2, login: 'carol', state: 'APPROVED' },
      ],
    })
  const compare = (files: { filename: string; status: string; sha: string }[]) => ({ status: 'ahead', files })
  const reviewedRequest = { filename: INCIDENT_REQUEST, status: 'added', sha: REQUEST_BLOB }
  /** An approved #42 queued in a group whose commit changes `groupFiles` from its base; then the delivery. */
  async function receiveApprovedGroup(groupFiles: { filename: string; status: string; sha: string }[]): Promise<void> {
    github.token()
    approvedReads()
    github.rest('GET', `${PR_PATH}/compare/${BASE_SHA}...${GROUP_SHA}`, compare(groupFiles))
    github.rest('GET', `${PR_PATH}/compare/${BASE_SHA}...${HEAD_SHA}`, compare([reviewedRequest]))
    github.rest('POST', `${PR_PATH}/check-runs`, { id: 40 })
    await receive('merge_group', payload('merge_group.checks_requested'))
  }

  it('an approved request alone in its group: the same success on the group commit, the PR left as it is', async () => {
    await receiveApprovedGroup([reviewedRequest])

    expect(github.calls).toEqual([
      'graphql jitPullRequest',
      'graphql jitFiles',
      'graphql jitTeams',
      GROUP_COMPARE,
      REVIEWED_COMPARE,
      CHECK_RUNS,
    ])
    expect(github.bodyOf('graphql jitPullRequest')['variables']).toMatchObject({ number: 42 })
    expect(checkRun()).toMatchObject({
      name: 'jit / access request',
      head_sha: GROUP_SHA,
      status: 'completed',
      conclusion: 'success',
      output: { title: 'Approved: approved by @bob, @carol under policy prod-ec2-incident' },
    })
    expect(checkRun().output.summary).toContain('This merge group holds #42 and changes exactly what its reviewed head changes.')
  })

  it('a group whose request blob is not the reviewed one fails, and says which file', async () => {
    await receiveApprovedGroup([{ filename: INCIDENT_REQUEST, status: 'added', sha: 'c'.repeat(40) }])

    expect(checkRun()).toMatchObject({
      head_sha: GROUP_SHA,
      conclusion: 'failure',
      output: { title: 'The merge group changes more than #42' },
    })
    expect(checkRun().output.summary).toContain(`The merge group's \`${INCIDENT_REQUEST}\` is not the one reviewed in #42 at 1111111.`)
  })

  it('a group that also changes a policy fails, naming it', async () => {
    await receiveApprovedGroup([
      { filename: 'policies/prod-ec2-incident.yaml', status: 'modified', sha: 'd'.repeat(40) },
      { filename: INCIDENT_REQUEST, status: 'added', sha: REQUEST_BLOB },
    ])

    expect(checkRun()).toMatchObject({ head_sha: GROUP_SHA, conclusion: 'failure' })
    expect(checkRun().output.summary).toContain(
      'The merge group also changes `policies/prod-ec2-incident.yaml`, which #42 at 1111111 does not change.',
    )
  })

  it('a pending request is pending on the group too, without reading the group', async () => {
    github.token()
    mockRequestReads({})
    github.rest('POST', `${PR_PATH}/check-runs`, { id: 43 })
    await receive('merge_group', payload('merge_group.checks_requested'))
    expect(github.calls).toEqual(['graphql jitPullRequest', 'graphql jitFiles', 'graphql jitTeams', CHECK_RUNS])
    expect(checkRun()).toMatchObject({ head_sha: GROUP_SHA, conclusion: 'action_required' })
  })

  it('a pull request pushed to since it was queued fails on the group', async () => {
    github.token()
    approvedReads()
    github.rest('POST', `${PR_PATH}/check-runs`, { id: 44 })
    const event = payload('merge_group.checks_requested')
    event['merge_group'].head_ref = `refs/heads/gh-readonly-queue/main/pr-42-${'e'.repeat(40)}`
    await receive('merge_group', event)
    expect(checkRun()).toMatchObject({ head_sha: GROUP_SHA, conclusion: 'failure', output: { title: '#42 changed since it was queued' } })
  })

  it.each([
    ['refs/heads/feature/pr-42', 'not of the form'],
    [`refs/heads/gh-readonly-queue/main/pr-42-${'1'.repeat(39)}`, 'not of the form'],
    [`refs/heads/gh-readonly-queue/release/pr-42-${HEAD_SHA}`, 'names the base `release`, but the group merges into `refs/heads/main`'],
  ])('an unknown head_ref %s fails safe without reading the pull request', async (headRef, reason) => {
    github.token()
    github.rest('POST', `${PR_PATH}/check-runs`, { id: 45 })
    const event = payload('merge_group.checks_requested')
    event['merge_group'].head_ref = headRef
    await receive('merge_group', event)
    expect(github.calls).toEqual([CHECK_RUNS])
    expect(checkRun()).toMatchObject({ head_sha: GROUP_SHA, conclusion: 'failure', output: { title: 'Merge group not recognised' } })
    expect(checkRun().output.summary).toContain(reason)
  })
})
