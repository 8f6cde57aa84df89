import { generateKeyPairSync } from 'node:crypto'
import { readFileSync } from 'node:fs'
import {
  DeleteRolePolicyCommand,
  GetRolePolicyCommand,
  IAMClient,
  IAMServiceException,
  ListRolePoliciesCommand,
  NoSuchEntityException,
  PutRolePolicyCommand,
} from '@aws-sdk/client-iam'
import { AssumeRoleCommand, STSClient } from '@aws-sdk/client-sts'
import { mockClient } from 'aws-sdk-client-mock'
import nock from 'nock'
import { Probot } from 'probot'
import { afterEach, beforeAll, beforeEach, describe, expect, it } from 'vitest'
import type { ActionCatalogue } from '../../../src/core/matching/action-catalogue.js'
import { loadActionCatalogue } from '../../../src/aws/load-action-catalogue.js'
import type { CloudProvider } from '../../../src/core/ports/cloud-provider.js'
import type { FailureRecord, GrantRecord, IntentRecord, RefusalRecord } from '../../../src/core/records/grant-record.js'
import { parseCommitTrailers, parseRecordDocument } from '../../../src/core/records/record-document.js'
import { registerGrantHandlers } from '../../../src/app/register-grant-handlers.js'
import { createProvider } from '../../../src/aws/create-provider.js'
import {
  ACTIVITY_PATH,
  gitBlobSha,
  INCIDENT_REQUEST,
  mergeActivity,
  mergedRequestData,
  readAccessRepoFile,
  SHAS,
} from '../../fixtures/grant/merge-fixture.js'
import { pullRequestQueryData, type FakeReview } from '../../github/support/access-repo-fixture.js'
import { TestOctokit } from '../sweep/support/test-octokit.js'
import { GitHubMock } from '../../github/support/github-mock.js'

const NOW = new Date('2026-11-29T09:30:07Z')
const REPO = '/repos/acme/access'
const CALLS = {
  pr: 'graphql jitPullRequest',
  merge: 'graphql jitMergedRequest',
  activity: `GET ${ACTIVITY_PATH}`,
  teams: 'graphql jitTeams',
  recordsAt: 'graphql jitRecordsAt',
  branchHead: 'graphql jitBranchHead',
  commit: 'graphql jitCommit',
  comment: `POST ${REPO}/issues/42/comments`,
}
// One createCommitOnBranch on the head read with the merge's facts: no read of the head.
const COMMIT_CALLS = [CALLS.commit]
// A grant is written ahead: the intent, AWS, then the outcome on top of the intent commit, whose head the
// workflow knows: one call more than one record commit.
const GRANT_COMMIT_CALLS = [CALLS.commit, CALLS.commit]
const INTENT = { commit: 'a2'.repeat(20) }
const TEAM_DIRECTORY: Record<string, string[]> = {
  security: ['carol', 'dan'],
  sre: ['alice', 'erin'],
  'sre-leads': ['bob'],
  engineering: ['alice', 'erin'],
  'staging-owners': ['frank'],
}
const APPROVED: FakeReview[] = [
  { id: 501, login: 'bob', state: 'APPROVED', submittedAt: '2026-11-29T09:00:00Z' },
  { id: 502, login: 'carol', state: 'APPROVED', submittedAt: '2026-11-29T09:05:00Z' },
]
const POLICY_NAME = 'jit-bb0610eed9-pr-42-exp-20261129T113000Z'
const ALICE_111 = 'arn:aws:iam::111111111111:role/jit-alice'

const { privateKey } = generateKeyPairSync('rsa', {
  modulusLength: 2048,
  privateKeyEncoding: { type: 'pkcs8', format: 'pem' },
  publicKeyEncoding: { type: 'spki', format: 'pem' },
})

const sts = mockClient(STSClient)
const iam = mockClient(IAMClient)

let catalogue: ActionCatalogue
let github: GitHubMock
let sleeps: number[]
let delivery = 0

beforeAll(async () => {
  catalogue = await loadActionCatalogue()
})

beforeEach(() => {
  nock.disableNetConnect()
  github = new GitHubMock()
  sleeps = []
  sts.reset()
  iam.reset()
  sts.on(AssumeRoleCommand).callsFake((input: { RoleArn: string }) => ({
    Credentials: {
      AccessKeyId: `ASIA${input.RoleArn.split(':')[4]}`,
      SecretAccessKey: 'secret',
      SessionToken: 'token',
      Expiration: new Date('2026-11-29T09:45:00Z'),
    },
  }))
  iam.on(ListRolePoliciesCommand).resolves({ PolicyNames: [], IsTruncated: false })
  iam.on(PutRolePolicyCommand).resolves({})
  iam.on(DeleteRolePolicyCommand).resolves({})
  iam
    .on(GetRolePolicyCommand)
    .rejects(new NoSuchEntityException({ $metadata: { httpStatusCode: 404 }, message: 'The role policy cannot be found.' }))
})

afterEach(() => {
  const pending = nock.pendingMocks()
  nock.cleanAll()
  nock.enableNetConnect()
  expect(pending).toEqual([])
})

/** A Probot with only the grant handlers, and the cloud chosen from `env` as in production (clients mocked). */
async function startApp(env: Record<string, string> = { JIT_EXTERNAL_ID: 'ext-7d1f' }, override?: CloudProvider): Promise<Probot> {
  const probot = new Probot({ appId: 123, privateKey, logLevel: 'fatal', Octokit: TestOctokit })
  const choice = createProvider({
    env,
    sleep: async (ms) => {
      sleeps.push(ms)
    },
    clients: { createStsClient: (config) => new STSClient(config), createIamClient: (config) => new IAMClient(config) },
  })
  await probot.load((app) =>
    registerGrantHandlers(app, { now: () => NOW, catalogue, createProvider: override ? () => override : choice.create }),
  )
  return probot
}

function closedEvent(changes: { merged?: boolean; baseRef?: string; fork?: boolean } = {}): Record<string, any> {
  const event = JSON.parse(readFileSync(new URL('../../fixtures/grant/pull_request.closed.json', import.meta.url), 'utf8'))
  if (changes.merged === false) Object.assign(event.pull_request, { merged: false, merged_at: null, merged_by: null })
  if (changes.baseRef) event.pull_request.base.ref = changes.baseRef
  if (changes.fork) event.pull_request.head.repo.full_name = 'mallory/access'
  return event
}

async function receive(probot: Probot, event = closedEvent()): Promise<void> {
  delivery += 1
  await probot.receive({ id: `delivery-${delivery}`, name: 'pull_request', payload: event } as Parameters<Probot['receive']>[0])
}

/** Answers the teams query from TEAM_DIRECTORY, whatever teams the engine asks for. */
function mockTeams(): void {
  github.scope
    .post('/graphql', (body: { query?: string }) => typeof body.query === 'string' && body.query.includes('query jitTeams('))
    .reply(200, (_uri, body) => {
      const variables = (body as { variables: Record<string, string> }).variables
      github.seen.push({ name: CALLS.teams, body: body as Record<string, unknown> })
      const organization: Record<string, unknown> = {}
      for (const [key, slug] of Object.entries(variables)) {
        if (!key.startsWith('t')) continue
        organization[key] = {
          members: { nodes: (TEAM_DIRECTORY[slug] ?? []).map((login) => ({ login })), pageInfo: { hasNextPage: false, endCursor: null } },
          repositories: { edges: [{ permission: 'WRITE', node: { nameWithOwner: 'acme/access' } }] },
        }
      }
      return { data: { o0: organization } }
    })
}

function mockReads(
  params: {
    reviews?: FakeReview[]
    request?: { path: string; text: string }
    existing?: string[]
    mergedBy?: string
    author?: string
    tokenCached?: boolean
    fork?: boolean
  } = {},
): void {
  const request = params.request ?? readAccessRepoFile(INCIDENT_REQUEST)
  // Probot caches the installation token across deliveries of one app instance.
  if (!params.tokenCached) github.token()
  github.graphql(
    'jitPullRequest',
    pullRequestQueryData({
      files: [{ path: request.path }],
      reviews: params.reviews ?? APPROVED,
      headSha: SHAS.head,
      baseSha: SHAS.prBase,
      ...(params.author ? { author: params.author } : {}),
      ...(params.fork ? { isCrossRepository: true } : {}),
    }),
  )
  github.graphql(
    'jitMergedRequest',
    mergedRequestData({
      request,
      ...(params.existing ? { existing: params.existing } : {}),
      ...(params.mergedBy ? { mergedBy: params.mergedBy } : {}),
    }),
  )
  if (params.existing || params.fork) return
  github.rest('GET', ACTIVITY_PATH, mergeActivity())
  mockTeams()
}

const committed = (oid: string) => ({ createCommitOnBranch: { commit: { oid } } })

/** One record commit on top of main (`written`: the commit it makes); `conflict` loses a race (STALE_DATA) once. */
function mockCommit(params: { conflict?: 'free' | 'recorded-meanwhile'; written?: { commit: string } } = {}): {
  recorded: boolean
} {
  const written = params.written ?? { commit: SHAS.recordCommit }
  if (params.conflict) {
    github.graphqlErrors('jitCommit', { createCommitOnBranch: null }, [
      { type: 'STALE_DATA', message: `Expected branch to point to "${SHAS.main}" but it did not. Pull and try again.` },
    ])
    github.graphql('jitBranchHead', { repository: { ref: { target: { oid: SHAS.movedMain } } } })
    const recorded = params.conflict === 'recorded-meanwhile'
    github.graphql('jitRecordsAt', {
      repository: {
        object: { granting: null, active: recorded ? { oid: 'f'.repeat(40) } : null, revoked: null, refused: null, failed: null },
      },
    })
    if (recorded) return { recorded }
  }
  github.graphql('jitCommit', committed(written.commit))
  return { recorded: false }
}

/**
 * The intent commit, then (unless the intent found the request recorded meanwhile) the outcome commit on
 * top of it. `conflict` makes the intent lose a race (STALE_DATA) once.
 */
function mockGrantCommits(params: { conflict?: 'free' | 'recorded-meanwhile'; outcome?: boolean } = {}): void {
  const { recorded } = mockCommit({ ...(params.conflict ? { conflict: params.conflict } : {}), written: INTENT })
  if (recorded || params.outcome === false) return
  github.graphql('jitCommit', committed(SHAS.recordCommit))
}

interface CommitInput {
  expectedHeadOid: string
  fileChanges: { additions: { path: string; contents: string }[]; deletions: { path: string }[] }
  message: { headline: string; body?: string }
}

/** The `createCommitOnBranch` inputs sent, oldest first. */
const commitInputs = (): CommitInput[] =>
  github.seen.filter((call) => call.name === CALLS.commit).map((call) => (call.body['variables'] as { input: CommitInput }).input)

/** The record file a commit wrote (the last one by default), parsed back (which also validates it against the schema). */
function committedRecord<T>(index = -1): { path: string; record: T; text: string } {
  const additions = commitInputs().at(index)?.fileChanges.additions ?? []
  expect(additions).toHaveLength(1)
  const [file] = additions
  const text = Buffer.from(file!.contents, 'base64').toString('utf8')
  const parsed = parseRecordDocument({ file: file!.path, text })
  if (!parsed.ok) throw new Error(JSON.stringify(parsed.errors))
  return { path: file!.path, record: parsed.value as T, text }
}

function commitMessage(index = -1): string {
  const message = commitInputs().at(index)?.message
  return message?.body === undefined ? String(message?.headline) : `${message.headline}\n\n${message.body}`
}

const puts = () => iam.commandCalls(PutRolePolicyCommand).map((call) => call.args[0].input)

describe('a merged, approved request', () => {
  it('grants in AWS once, commits grants/active/pr-42.yaml with trailers, and tells the pull request', async () => {
    const probot = await startApp()
    mockReads()
    mockGrantCommits()
    github.rest('POST', `${REPO}/issues/42/comments`, { id: 77 })
    await receive(probot)

    expect(github.calls).toEqual([CALLS.pr, CALLS.merge, CALLS.activity, CALLS.teams, ...GRANT_COMMIT_CALLS, CALLS.comment])
    // The rules come from the merge commit's first parent, the request from the head, the records from main.
    expect(github.bodyOf(CALLS.merge)['variables']).toEqual({
      owner: 'acme',
      repo: 'access',
      number: 42,
      head: SHAS.head,
      requestFile: INCIDENT_REQUEST,
      policies: 'policies',
      codeowners0: '.github/CODEOWNERS',
      codeowners1: 'CODEOWNERS',
      codeowners2: 'docs/CODEOWNERS',
      settings: '.github/jit.yml',
      granting: 'grants/pending/pr-42.yaml',
      active: 'grants/active/pr-42.yaml',
      revoked: 'grants/revoked/pr-42.yaml',
      reviewDue: 'grants/review-due/pr-42.yaml',
      refused: 'grants/refused/pr-42.yaml',
      failed: 'grants/failed/pr-42.yaml',
    })

    // AWS: one granter session in the account, the principal's policies measured, one put.
    expect(sts.commandCalls(AssumeRoleCommand).map((call) => call.args[0].input)).toEqual([
      {
        RoleArn: 'arn:aws:iam::111111111111:role/jit-granter',
        RoleSessionName: 'jit-pr-42-grant',
        ExternalId: 'ext-7d1f',
        DurationSeconds: 900,
      },
    ])
    expect(iam.commandCalls(ListRolePoliciesCommand).map((call) => call.args[0].input)).toEqual([{ RoleName: 'jit-alice' }])
    expect(puts()).toEqual([{ RoleName: 'jit-alice', PolicyName: POLICY_NAME, PolicyDocument: expect.any(String) }])
    expect(JSON.parse(puts()[0]!.PolicyDocument!)).toEqual({
      Version: '2012-10-17',
      Statement: [
        {
          Sid: 'JitPr42Grant',
          Effect: 'Allow',
          Action: ['ec2:StopInstances', 'ec2:TerminateInstances'],
          Resource: ['arn:aws:ec2:us-east-1:111111111111:instance/i-0abc123'],
          Condition: {
            DateGreaterThan: { 'aws:CurrentTime': '2026-11-29T09:30:00Z' },
            DateLessThan: { 'aws:CurrentTime': '2026-11-29T11:30:00Z' },
          },
        },
      ],
    })
    expect(iam.commandCalls(DeleteRolePolicyCommand)).toHaveLength(0)

    // The record: everything an auditor needs without GitHub.
    const request = readAccessRepoFile(INCIDENT_REQUEST)
    const policy = readAccessRepoFile('policies/prod-ec2-incident.yaml')
    // Written ahead: the intent names the policy before AWS is called; the outcome replaces it.
    const intent = committedRecord<IntentRecord>(0)
    expect(intent.path).toBe('grants/pending/pr-42.yaml')
    expect(intent.record).toMatchObject({
      state: 'granting',
      intended_at: '2026-11-29T09:30:07Z',
      targets: [{ account: '111111111111', principal: ALICE_111, aws_policy_name: POLICY_NAME }],
      not_before: '2026-11-29T09:30:00Z',
      expires_at: '2026-11-29T11:30:00Z',
    })
    expect(parseCommitTrailers(commitMessage(0))).toContainEqual(['Jit-Action', 'intent'])
    expect(commitInputs().at(-1)?.fileChanges.deletions).toEqual([{ path: 'grants/pending/pr-42.yaml' }])
    expect(commitInputs().map((input) => input.expectedHeadOid)).toEqual([SHAS.main, INTENT.commit])
    const { path, record } = committedRecord<GrantRecord>()
    expect(path).toBe('grants/active/pr-42.yaml')
    expect(record).toEqual({
      id: 'pr-42',
      state: 'active',
      request: { path: INCIDENT_REQUEST, blob_sha: gitBlobSha(request.text) },
      pull_request: { number: 42, url: 'https://github.com/acme/access/pull/42', merge_commit_sha: SHAS.merge, merged_by: 'bob' },
      requester: 'alice',
      reason: 'Terminate the stuck web node from INC-4821',
      ticket: 'INC-4821',
      duration: '2h',
      extends: null,
      approvals: [
        {
          login: 'bob',
          review_id: 501,
          commit: SHAS.head,
          submitted_at: '2026-11-29T09:00:00Z',
          rule: 'prod-ec2-incident rule 1: code owners of requests/sre/inc-4821-terminate-web.yaml (@acme/sre-leads)',
        },
        {
          login: 'carol',
          review_id: 502,
          commit: SHAS.head,
          submitted_at: '2026-11-29T09:05:00Z',
          rule: 'prod-ec2-incident rule 2: @acme/security',
        },
      ],
      policies: [
        { name: 'prod-ec2-incident', file: 'policies/prod-ec2-incident.yaml', blob_sha: gitBlobSha(policy.text), auto_approved: false },
      ],
      targets: [
        {
          account: '111111111111',
          principal: ALICE_111,
          actions: ['ec2:StopInstances', 'ec2:TerminateInstances'],
          resources: ['arn:aws:ec2:us-east-1:111111111111:instance/i-0abc123'],
          aws_policy_name: POLICY_NAME,
        },
      ],
      not_before: '2026-11-29T09:30:00Z',
      expires_at: '2026-11-29T11:30:00Z',
      granted_at: '2026-11-29T09:30:07Z',
      revoke_sessions: false,
      dry_run: false,
    })

    // The intent on top of main, the outcome on top of the intent: each commit names the head it expects.
    expect(commitInputs().map((input) => input.expectedHeadOid)).toEqual([SHAS.main, INTENT.commit])
    const message = commitMessage()
    expect(message.split('\n')[0]).toBe(
      'Grant pr-42: alice gets ec2:StopInstances, ec2:TerminateInstances in 111111111111 until 2026-11-29 11:30 UTC',
    )
    expect(parseCommitTrailers(message)).toEqual([
      ['Jit-Request', 'pr-42'],
      ['Jit-Action', 'grant'],
      ['Jit-Requester', 'alice'],
      ['Jit-Approved-By', 'bob'],
      ['Jit-Approved-By', 'carol'],
      ['Jit-Expires', '2026-11-29T11:30:00Z'],
      ['Jit-Start', '2026-11-29T09:30:00Z'],
      ['Jit-Accounts', '111111111111'],
    ])

    const comment = String(github.bodyOf(CALLS.comment)['body'])
    expect(comment).toContain('## ✅ Access granted: pr-42')
    expect(comment).toContain(
      '@alice has the access below from 2026-11-29 09:30 UTC until **2026-11-29 11:30 UTC** (2h), approved by `@bob`, `@carol`',
    )
    expect(comment).toContain(`| \`111111111111\` | \`${ALICE_111}\` | \`ec2:StopInstances\`<br>\`ec2:TerminateInstances\` |`)
    expect(comment).toContain('comment `/jit revoke` on this pull request (the requester or an approver may)')
  })

  it('grants once when the same webhook is delivered twice: the second delivery finds the record and does nothing', async () => {
    const probot = await startApp()
    mockReads()
    mockGrantCommits()
    github.rest('POST', `${REPO}/issues/42/comments`, { id: 77 })
    await receive(probot)
    const first = github.calls.length

    mockReads({ existing: ['active'], tokenCached: true })
    await receive(probot)

    expect(github.calls.slice(first)).toEqual([CALLS.pr, CALLS.merge])
    expect(puts()).toHaveLength(1)
    expect(commitInputs()).toHaveLength(2)
  })

  it('retries a throttled put (with the injected sleep) and then records the grant', async () => {
    const throttled = new IAMServiceException({
      name: 'Throttling',
      $fault: 'client',
      $metadata: { httpStatusCode: 400 },
      message: 'Rate exceeded',
    })
    iam.on(PutRolePolicyCommand).rejectsOnce(throttled).resolves({})
    const probot = await startApp()
    mockReads()
    mockGrantCommits()
    github.rest('POST', `${REPO}/issues/42/comments`, { id: 77 })
    await receive(probot)

    expect(puts().map((input) => input.PolicyName)).toEqual([POLICY_NAME, POLICY_NAME])
    expect(sleeps).toHaveLength(1)
    expect(sleeps[0]).toBeGreaterThanOrEqual(100)
    expect(sleeps[0]).toBeLessThanOrEqual(200)
    expect(committedRecord<GrantRecord>().path).toBe('grants/active/pr-42.yaml')
  })

  it('retries the record commit when main moved (STALE_DATA), checks for a record at the new head, and commits once', async () => {
    const probot = await startApp()
    mockReads()
    mockGrantCommits({ conflict: 'free' })
    github.rest('POST', `${REPO}/issues/42/comments`, { id: 77 })
    await receive(probot)

    expect(github.calls).toEqual([
      CALLS.pr,
      CALLS.merge,
      CALLS.activity,
      CALLS.teams,
      CALLS.commit,
      CALLS.branchHead,
      CALLS.recordsAt,
      CALLS.commit,
      CALLS.commit,
      CALLS.comment,
    ])
    expect(github.seen.filter((call) => call.name === CALLS.recordsAt)[0]?.body['variables']).toMatchObject({
      commit: SHAS.movedMain,
      active: 'grants/active/pr-42.yaml',
    })
    expect(commitInputs().map((input) => input.expectedHeadOid)).toEqual([SHAS.main, SHAS.movedMain, INTENT.commit])
    expect(committedRecord<IntentRecord>(1).path).toBe('grants/pending/pr-42.yaml')
    expect(committedRecord<GrantRecord>().record.targets[0]?.aws_policy_name).toBe(POLICY_NAME)
    expect(puts()).toHaveLength(1)
  })

  it('commits nothing when another replica recorded the request while main moved', async () => {
    const probot = await startApp()
    mockReads()
    mockGrantCommits({ conflict: 'recorded-meanwhile' })
    await receive(probot)

    expect(github.calls.slice(-3)).toEqual([CALLS.commit, CALLS.branchHead, CALLS.recordsAt])
    expect(github.calls).not.toContain(CALLS.comment)
    // The intent lost the race: the other replica grants, this one never calls AWS.
    expect(puts()).toEqual([])
  })

  it('dry run: no AWS call, the record and the commit say dry run, the comment says what would have been done', async () => {
    const probot = await startApp({ JIT_DRY_RUN: '1' })
    mockReads()
    mockGrantCommits()
    github.rest('POST', `${REPO}/issues/42/comments`, { id: 77 })
    await receive(probot)

    expect(sts.calls()).toHaveLength(0)
    expect(iam.calls()).toHaveLength(0)
    const { record } = committedRecord<GrantRecord>()
    expect(record).toMatchObject({ state: 'active', dry_run: true, targets: [{ principal: ALICE_111, aws_policy_name: POLICY_NAME }] })
    expect(commitMessage().split('\n')[0]).toBe(
      'Dry-run grant pr-42: alice would get ec2:StopInstances, ec2:TerminateInstances in 111111111111 until 2026-11-29 11:30 UTC',
    )
    expect(parseCommitTrailers(commitMessage())).toContainEqual(['Jit-Dry-Run', 'true'])
    const comment = String(github.bodyOf(CALLS.comment)['body'])
    expect(comment).toContain('## 🧪 Dry run: pr-42 would have been granted')
    expect(comment).toContain('**nothing was written to AWS.**')
    expect(comment).not.toContain('/jit revoke')
  })
})

describe('a merge past the check', () => {
  it.each([
    [
      'pending (one approval missing)',
      'alice',
      [APPROVED[0]!],
      'pending',
      'Pending: 1 more approval from @acme/security (policy prod-ec2-incident)',
    ],
    ['denied (the author may not ask for this)', 'frank', APPROVED, 'denied', undefined],
  ] as const)(
    '%s grants nothing and records grants/refused/pr-42.yaml with who merged',
    async (_name, author, reviews, verdict, summary) => {
      const probot = await startApp()
      mockReads({ reviews: [...reviews], mergedBy: 'root-admin', author })
      mockCommit()
      github.rest('POST', `${REPO}/issues/42/comments`, { id: 77 })
      await receive(probot)

      expect(sts.calls()).toHaveLength(0)
      expect(iam.calls()).toHaveLength(0)
      const { path, record } = committedRecord<RefusalRecord>()
      expect(path).toBe('grants/refused/pr-42.yaml')
      expect(record).toMatchObject({
        state: 'refused',
        verdict,
        pull_request: { merged_by: 'root-admin', merge_commit_sha: SHAS.merge },
        refused_at: '2026-11-29T09:30:07Z',
      })
      if (summary) expect(record.summary).toBe(summary)
      expect(record.explanation).toContain('prod-ec2-incident')
      expect(commitMessage().split('\n')[0]).toBe(`Refuse pr-42: merged while ${verdict} by root-admin, nothing granted`)
      const comment = String(github.bodyOf(CALLS.comment)['body'])
      expect(comment).toContain('## ⛔ Nothing granted: pr-42 was merged without approval')
      expect(comment).toContain('merged by `@root-admin` while the access check said')
    },
  )
})

describe('reviews submitted after the merge', () => {
  it('never count: an approval given after an admin merged past the check grants nothing', async () => {
    const probot = await startApp()
    const late = { ...APPROVED[1]!, submittedAt: '2026-11-29T09:31:00Z' }
    mockReads({ reviews: [APPROVED[0]!, late], mergedBy: 'root-admin' })
    mockCommit()
    github.rest('POST', `${REPO}/issues/42/comments`, { id: 77 })
    await receive(probot)

    expect(sts.calls()).toHaveLength(0)
    expect(iam.calls()).toHaveLength(0)
    const { path, record } = committedRecord<RefusalRecord>()
    expect(path).toBe('grants/refused/pr-42.yaml')
    expect(record).toMatchObject({
      state: 'refused',
      verdict: 'pending',
      summary: 'Pending: 1 more approval from @acme/security (policy prod-ec2-incident)',
    })
  })
})

describe('a grant AWS refuses', () => {
  it('records grants/failed/pr-42.yaml with the error, and comments; nothing is left granted', async () => {
    const denied = new IAMServiceException({
      name: 'AccessDenied',
      $fault: 'client',
      $metadata: { httpStatusCode: 403 },
      message: 'not authorized to perform iam:PutRolePolicy',
    })
    iam.on(PutRolePolicyCommand).rejects(denied)
    const probot = await startApp()
    mockReads()
    mockGrantCommits()
    github.rest('POST', `${REPO}/issues/42/comments`, { id: 77 })
    await receive(probot)

    expect(puts()).toHaveLength(1)
    expect(sleeps).toEqual([])
    // The failure is read back before it is recorded: the policy is not there.
    expect(iam.commandCalls(GetRolePolicyCommand).map((call) => call.args[0].input)).toEqual([
      { RoleName: 'jit-alice', PolicyName: POLICY_NAME },
    ])
    const { path, record } = committedRecord<FailureRecord>()
    expect(path).toBe('grants/failed/pr-42.yaml')
    expect(record.error).toContain('AccessDenied: not authorized to perform iam:PutRolePolicy')
    expect(record.targets).toEqual([
      expect.objectContaining({
        account: '111111111111',
        principal: ALICE_111,
        aws_policy_name: POLICY_NAME,
        outcome: expect.stringMatching(/^failed: /),
        error: expect.stringContaining('AccessDenied'),
      }),
    ])
    expect(parseCommitTrailers(commitMessage())).toEqual([
      ['Jit-Request', 'pr-42'],
      ['Jit-Action', 'fail'],
      ['Jit-Requester', 'alice'],
    ])
    const comment = String(github.bodyOf(CALLS.comment)['body'])
    expect(comment).toContain('## ❌ Grant failed: pr-42')
    expect(comment).toContain('Nothing was left granted.')
  })

  it('multi-account: the second account fails, the first is rolled back, and the record says so for each', async () => {
    const request = {
      path: 'requests/sre/compare.yaml',
      text: [
        'reason: Compare the web node with staging (INC-4821)',
        'ticket: INC-4821',
        'duration: 2h',
        'access:',
        '  - account: "111111111111"',
        '    actions: [ec2:StopInstances]',
        '    resources: ["arn:aws:ec2:us-east-1:111111111111:instance/i-0abc123"]',
        '  - account: "222222222222"',
        '    actions: [logs:GetLogEvents]',
        '',
      ].join('\n'),
    }
    const denied = new IAMServiceException({ name: 'AccessDenied', $fault: 'client', $metadata: { httpStatusCode: 403 }, message: 'no' })
    // Which account a put is made in shows in the session credentials of the client that sends it.
    iam.on(PutRolePolicyCommand).callsFake(async (_input: unknown, getClient: () => IAMClient) => {
      const credentials = await getClient().config.credentials()
      if (credentials.accessKeyId === 'ASIA222222222222') throw denied
      return {}
    })
    const probot = await startApp()
    mockReads({ request })
    mockGrantCommits()
    github.rest('POST', `${REPO}/issues/42/comments`, { id: 77 })
    await receive(probot)

    // The grant's sessions, then the read-back's: the failure is recorded only once AWS is seen to hold nothing.
    expect(
      sts.commandCalls(AssumeRoleCommand).map((call) => `${call.args[0].input.RoleArn} as ${call.args[0].input.RoleSessionName}`),
    ).toEqual([
      'arn:aws:iam::111111111111:role/jit-granter as jit-pr-42-grant',
      'arn:aws:iam::222222222222:role/jit-granter as jit-pr-42-grant',
      'arn:aws:iam::111111111111:role/jit-granter as jit-pr-42-list',
      'arn:aws:iam::222222222222:role/jit-granter as jit-pr-42-list',
    ])
    expect(puts().map((input) => input.PolicyName)).toEqual([POLICY_NAME, POLICY_NAME])
    expect(iam.commandCalls(DeleteRolePolicyCommand).map((call) => call.args[0].input)).toEqual([
      { RoleName: 'jit-alice', PolicyName: POLICY_NAME },
    ])
    const { record } = committedRecord<FailureRecord>()
    expect(record.targets.map((target) => [target.account, target.outcome.split(':')[0], target.error === null ? null : 'error'])).toEqual([
      ['111111111111', 'rolled-back', null],
      ['222222222222', 'failed', 'error'],
    ])
    expect(String(github.bodyOf(CALLS.comment)['body'])).toContain('Nothing was left granted.')
  })
})

describe('GitHub failures', () => {
  it('a failed read: nothing granted, the pull request is told an admin can redeliver, and the delivery fails', async () => {
    const probot = await startApp()
    github.token()
    github.graphql('jitPullRequest', pullRequestQueryData({ files: [{ path: INCIDENT_REQUEST }], reviews: APPROVED, headSha: SHAS.head }))
    github.graphql('jitMergedRequest', null, 502)
    github.rest('POST', `${REPO}/issues/42/comments`, { id: 77 })
    await expect(receive(probot)).rejects.toThrow(/Could not evaluate the merge: Could not read the merge of pull request #42 from GitHub/)

    expect(github.calls).toEqual([CALLS.pr, CALLS.merge, CALLS.comment])
    expect(iam.calls()).toHaveLength(0)
    const comment = String(github.bodyOf(CALLS.comment)['body'])
    expect(comment).toContain('Nothing was granted in AWS.')
    expect(comment).toMatch(/An admin can redeliver this webhook safely .* \(delivery `delivery-\d+`\)/)
  })

  it('a failed record commit after the grant: the comment says the access is in AWS but not recorded', async () => {
    const probot = await startApp()
    mockReads()
    mockGrantCommits({ outcome: false })
    github.graphql('jitCommit', null, 500)
    github.rest('POST', `${REPO}/issues/42/comments`, { id: 77 })
    await expect(receive(probot)).rejects.toThrow(/Could not commit grants\/active\/pr-42.yaml to main/)

    expect(puts()).toHaveLength(1)
    const comment = String(github.bodyOf(CALLS.comment)['body'])
    expect(comment).toContain(`**The access was granted in AWS** (\`${POLICY_NAME}\`, until 2026-11-29 11:30 UTC)`)
    expect(comment).toContain('the sweeper finds the unrecorded policy by its name')
  })
})

describe('merges that grant nothing without a look', () => {
  it.each([
    ['closed without merging', { merged: false }],
    ['merged into another branch than the default', { baseRef: 'release' }],
  ] as const)('%s: no GitHub or AWS call', async (_name, changes) => {
    const probot = await startApp()
    await receive(probot, closedEvent(changes))
    expect(github.calls).toEqual([])
    expect(iam.calls()).toHaveLength(0)
  })

  it('from a fork: refused before any decision, recorded in grants/refused/, no AWS call', async () => {
    const probot = await startApp()
    mockReads({ fork: true, mergedBy: 'erin' })
    mockCommit()
    github.rest('POST', `${REPO}/issues/42/comments`, { id: 77 })
    await receive(probot, closedEvent({ fork: true }))
    expect(github.calls).toEqual([CALLS.pr, CALLS.merge, ...COMMIT_CALLS, CALLS.comment])
    expect(iam.calls()).toHaveLength(0)
    const { path, record } = committedRecord<RefusalRecord>()
    expect(path).toBe('grants/refused/pr-42.yaml')
    expect([record.verdict, record.summary, record.pull_request.merged_by]).toEqual([
      'invalid',
      'Pull requests from forks are never granted',
      'erin',
    ])
  })

  it('a merged pull request that is not a request (a policy change): one read, nothing else', async () => {
    const probot = await startApp()
    github.token()
    github.graphql(
      'jitPullRequest',
      pullRequestQueryData({ files: [{ path: 'policies/prod-ec2-incident.yaml', changeType: 'MODIFIED' }], headSha: SHAS.head }),
    )
    await receive(probot)
    expect(github.calls).toEqual([CALLS.pr])
  })
})

describe('GitHub failures before the pull request is known', () => {
  it('a failed first read says it could not tell whether this is a request, and nothing was granted', async () => {
    const probot = await startApp()
    github.token()
    github.graphql('jitPullRequest', null, 502)
    github.rest('POST', `${REPO}/issues/42/comments`, { id: 77 })
    await expect(receive(probot)).rejects.toThrow(/Could not tell whether this pull request carries an access request/)
    expect(github.calls).toEqual([CALLS.pr, CALLS.comment])
    expect(String(github.bodyOf(CALLS.comment)['body'])).toContain('Nothing was granted in AWS.')
  })
})
