import { LAST_REVOCATION_QUERY } from '../../../src/workflows/doctor/run-doctor.js'
import { readdir, readFile } from 'node:fs/promises'
import { join } from 'node:path'
import { fileURLToPath } from 'node:url'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { CODEOWNERS_LOCATIONS } from '../../../src/core/matching/codeowners.js'
import { RECORD_STATES, recordFolder, recordPath } from '../../../src/core/records/grant-record.js'
import { CHECK_NAME } from '../../../src/github/check-run-report.js'
import { buildFilesQuery } from '../../../src/github/files-at-commit.js'
import { commitToBranch } from '../../../src/github/commit-to-branch.js'
import { createGitHubApi } from '../../../src/github/github-api.js'
import { MERGED_REQUEST_QUERY, RECORDS_AT_QUERY, RULES_AT_QUERY } from '../../../src/github/merged-request-facts.js'
import { buildCommitFilesQuery } from '../../../src/github/commit-changes.js'
import { MORE_REVIEWS_QUERY, PULL_REQUEST_QUERY } from '../../../src/github/pull-request-facts.js'
import { buildTeamMembersQuery } from '../../../src/github/team-members.js'
import { findRequestComment, MORE_COMMENTS_QUERY } from '../../../src/github/upsert-request-comment.js'
import { OPEN_REQUESTS_QUERY } from '../../../src/workflows/sweep/close-stale-requests.js'
import {
  DEFAULT_BRANCH_QUERY,
  GRANT_RECORD_NAMES_QUERY,
  GRANT_RECORD_QUERY,
  GRANT_RECORDS_QUERY,
} from '../../../src/workflows/sweep/read-grant-records.js'
import { RECORD_TEXT_QUERY } from '../../../src/workflows/grant/break-glass-review.js'
import { readMergeTimes } from '../../../src/workflows/sweep/read-merge-times.js'
import { buildDefaultBranchesQuery, readDefaultBranches } from '../../../src/workflows/sweep/read-default-branches.js'
import { readRecordAuthorship } from '../../../src/workflows/sweep/read-record-authorship.js'
import { startEmulatorFixture, type EmulatorFixture } from './emulator-fixture.js'

// Every GraphQL query the app sends, as the app's source writes it, against a seeded emulator: each must
// resolve in full (no error, no field the app reads left null by the emulator). The last test fails when
// the app gains a query this file does not run.

const SRC = fileURLToPath(new URL('../../../src/', import.meta.url))
const repo = { owner: 'acme', repo: 'access' }
const RULE_VARIABLES = {
  ...Object.fromEntries(CODEOWNERS_LOCATIONS.map((path, index) => [`codeowners${index}`, path])),
  settings: '.github/jit.yml',
}
const recordVariables = (id: string) => Object.fromEntries(RECORD_STATES.map((state) => [state, recordPath(state, id)]))

describe('the GraphQL queries the app sends', () => {
  let fixture: EmulatorFixture
  let now = new Date('2026-03-01T12:00:00Z')
  const advance = (minutes: number) => void (now = new Date(now.getTime() + minutes * 60_000))
  const git = async (...args: string[]) => (await fixture.emulator.git(args)).trim()
  const covered = new Set<string>()
  const run = async <T>(query: string, variables: Record<string, unknown>): Promise<T> => {
    covered.add(/query (jit\w+)/.exec(query)?.[1] ?? '')
    return fixture.octokit.graphql<T>(query, variables)
  }
  const check = async (
    headSha: string,
    name: string,
    outcome: { conclusion: 'success' | 'action_required' | 'failure' } | { status: 'in_progress' },
  ) => fixture.octokit.rest.checks.create({ ...repo, head_sha: headSha, name, ...outcome })

  let granted: { number: number; headSha: string; baseSha: string; mergeSha: string; firstParent: string }
  let waiting: { number: number; headSha: string }
  let checked: { number: number; headSha: string }

  beforeAll(async () => {
    fixture = await startEmulatorFixture({
      clock: () => now,
      initialFiles: {
        'policies/read.yaml': 'name: read\n',
        '.github/CODEOWNERS': '* @acme/sre\n',
        '.github/jit.yml': 'pending_max_age: 7d\n',
        'grants/revoked/pr-0.yaml': 'id: pr-0\n',
      },
    })
    const { emulator } = fixture
    emulator.setTeam('@acme/sre', ['carol', 'dave'])

    // alice's request is approved (the app's check passes), then main moves before the merge.
    const opened = await emulator.openPullRequest({
      author: 'alice',
      branch: 'access/alice',
      files: { 'requests/alice.yaml': 'role: read\n' },
      title: 'Access for alice',
    })
    await emulator.submitReview(opened.number, { login: 'carol', state: 'APPROVED' })
    await check(opened.headSha, CHECK_NAME, { conclusion: 'success' })
    const baseSha = await git('rev-parse', 'main')
    advance(1)
    await emulator.commitToDefaultBranch({ files: { 'policies/read.yaml': 'name: read\nmax: 1h\n' }, message: 'Tighten read' })
    const firstParent = await git('rev-parse', 'main')
    advance(1)
    const merged = await emulator.mergePullRequest(opened.number, { by: 'carol' })
    advance(1)
    await emulator.commitToDefaultBranch({
      files: { 'grants/active/pr-1.yaml': 'id: pr-1\n' },
      message: 'Grant pr-1',
      author: 'jit-access[bot]',
    })
    granted = { number: opened.number, headSha: opened.headSha, baseSha, mergeSha: merged.mergeCommitSha, firstParent }

    // bob's request has no check yet; dave's was refused, then approved on a re-run, and a second check is running.
    advance(1)
    waiting = await emulator.openPullRequest({
      author: 'bob',
      branch: 'access/bob',
      files: { 'requests/bob.yaml': 'role: read\n' },
      title: 'Access for bob',
    })
    advance(1)
    checked = await emulator.openPullRequest({
      author: 'dave',
      branch: 'access/dave',
      files: { 'requests/dave.yaml': 'role: read\n' },
      title: 'Access for dave',
    })
    await check(checked.headSha, CHECK_NAME, { conclusion: 'action_required' })
    await check(checked.headSha, CHECK_NAME, { conclusion: 'success' })
    await check(checked.headSha, 'lint', { status: 'in_progress' })
  })
  afterAll(async () => {
    await fixture.close()
  })

  it('jitMergedRequest: the merge, the rules at its first parent, the request at the head, the records on main', async () => {
    const data = await run<any>(MERGED_REQUEST_QUERY, {
      ...repo,
      number: granted.number,
      head: granted.headSha,
      requestFile: 'requests/alice.yaml',
      policies: 'policies',
      ...RULE_VARIABLES,
      ...recordVariables('pr-1'),
      reviewDue: 'grants/review-due/pr-1.yaml',
    })
    const main = await git('rev-parse', 'main')
    const recordCommit = (await git('log', '-1', '--format=%H', 'main', '--', 'grants/active/pr-1.yaml')).trim()
    expect(data.repository.defaultBranchRef).toEqual({
      name: 'main',
      target: {
        oid: main,
        granting: null,
        active: { oid: await git('rev-parse', 'main:grants/active/pr-1.yaml') },
        revoked: null,
        refused: null,
        failed: null,
        // `history(path:)` is `git log -- <path>`: the commit that wrote the record, none for the others.
        grantingHistory: { nodes: [] },
        activeHistory: { nodes: [{ oid: recordCommit }] },
        revokedHistory: { nodes: [] },
        refusedHistory: { nodes: [] },
        failedHistory: { nodes: [] },
        reviewDue: null,
      },
    })
    const pull = data.repository.pullRequest
    expect(pull).toMatchObject({
      merged: true,
      mergedAt: '2026-03-01T12:02:00Z',
      mergedBy: { login: 'carol' },
      mergeCommit: { oid: granted.mergeSha },
    })
    // The first parent is main as it was at the merge (policy tightened), not the pull request's base.
    const [parent] = pull.mergeCommit.parents.nodes
    expect(parent.oid).toBe(granted.firstParent)
    expect(parent.oid).not.toBe(granted.baseSha)
    expect(parent.policies.object.entries).toEqual([
      {
        name: 'read.yaml',
        path: 'policies/read.yaml',
        type: 'blob',
        oid: await git('rev-parse', `${granted.firstParent}:policies/read.yaml`),
        object: { text: 'name: read\nmax: 1h\n', byteSize: 19, isTruncated: false },
      },
    ])
    expect(parent.codeowners0).toEqual({
      oid: await git('rev-parse', `${granted.firstParent}:.github/CODEOWNERS`),
      object: { text: '* @acme/sre\n', byteSize: 12, isTruncated: false },
    })
    expect([parent.codeowners1, parent.codeowners2]).toEqual([null, null])
    expect(parent.settings.object.text).toBe('pending_max_age: 7d\n')
    expect(data.repository.head.request).toEqual({
      oid: await git('rev-parse', `${granted.headSha}:requests/alice.yaml`),
      object: { text: 'role: read\n', byteSize: 11, isTruncated: false },
    })
    // What the merge changed against its first parent: one file, the request.
    const requestOid = await git('rev-parse', `${granted.headSha}:requests/alice.yaml`)
    expect(pull.mergeCommit.changedFilesIfAvailable).toBe(1)
    expect(pull.mergeCommit.request).toEqual({ oid: requestOid })
    expect(pull.mergeCommit.allParents.nodes).toEqual([
      { oid: granted.firstParent, request: null },
      { oid: granted.headSha, request: { oid: requestOid } },
    ])
  })

  it('jitRulesAt: the rules at one commit, with blob SHAs', async () => {
    const data = await run<any>(RULES_AT_QUERY, { ...repo, commit: granted.baseSha, policies: 'policies', ...RULE_VARIABLES })
    expect(data.repository.object.policies.object.entries).toEqual([
      {
        name: 'read.yaml',
        path: 'policies/read.yaml',
        type: 'blob',
        oid: await git('rev-parse', `${granted.baseSha}:policies/read.yaml`),
        object: { text: 'name: read\n', byteSize: 11, isTruncated: false },
      },
    ])
    expect(data.repository.object.settings.object.text).toBe('pending_max_age: 7d\n')
  })

  it('jitCommitFiles: the request blob at each commit and at its first parent', async () => {
    const data = await run<any>(buildCommitFilesQuery(2), {
      ...repo,
      requestFile: 'requests/alice.yaml',
      c0: granted.headSha,
      c1: granted.firstParent,
    })
    expect(data.repository.c0).toEqual({
      request: { oid: await git('rev-parse', `${granted.headSha}:requests/alice.yaml`) },
      parents: { nodes: [{ request: null }] },
    })
    expect(data.repository.c1).toEqual({ request: null, parents: { nodes: [{ request: null }] } })
  })

  it('jitRecordsAt: which records of a request exist at a commit', async () => {
    const atMerge = await run<any>(RECORDS_AT_QUERY, { ...repo, commit: granted.mergeSha, ...recordVariables('pr-1') })
    expect(atMerge.repository.object).toMatchObject({ granting: null, active: null, revoked: null, refused: null, failed: null })
    const atMain = await run<any>(RECORDS_AT_QUERY, { ...repo, commit: await git('rev-parse', 'main'), ...recordVariables('pr-0') })
    expect(atMain.repository.object).toMatchObject({
      granting: null,
      active: null,
      revoked: { oid: await git('rev-parse', 'main:grants/revoked/pr-0.yaml') },
      refused: null,
      failed: null,
      revokedHistory: { nodes: [{ oid: (await git('log', '-1', '--format=%H', 'main', '--', 'grants/revoked/pr-0.yaml')).trim() }] },
      activeHistory: { nodes: [] },
    })
  })

  it('jitOpenRequests: open pull requests oldest first, with their files and the app check on their head', async () => {
    const data = await run<any>(OPEN_REQUESTS_QUERY, repo)
    const [bob, dave, ...rest] = data.repository.pullRequests.nodes
    expect(rest).toEqual([])
    expect(bob).toEqual({
      number: waiting.number,
      createdAt: '2026-03-01T12:04:00Z',
      changedFiles: 1,
      files: { nodes: [{ path: 'requests/bob.yaml', changeType: 'ADDED' }] },
      commits: { nodes: [{ commit: { statusCheckRollup: null } }] },
    })
    expect(dave.number).toBe(checked.number)
    // The re-run replaced the refused run; the running check has no conclusion yet.
    expect(dave.commits.nodes[0].commit.statusCheckRollup.contexts.nodes).toEqual([
      { __typename: 'CheckRun', name: CHECK_NAME, conclusion: 'SUCCESS' },
      { __typename: 'CheckRun', name: 'lint', conclusion: null },
    ])
  })

  it('jitDefaultBranches: the in-app sweeper recognises many repositories in one query; one that is gone is null', async () => {
    const main = await git('rev-parse', 'main')
    const variables = { o0: 'acme', n0: 'access' }
    const data = await run<any>(buildDefaultBranchesQuery(1), variables)
    expect(data.r0.defaultBranchRef).toEqual({ name: 'main', target: { oid: main } })
    const branches = await readDefaultBranches({
      api: createGitHubApi(fixture.octokit),
      repositories: [
        { owner: 'acme', repo: 'access' },
        { owner: 'acme', repo: 'gone' },
      ],
    })
    expect(branches.get('acme/access')).toEqual({
      name: 'main',
      commitSha: main,
      settingsText: 'pending_max_age: 7d\n',
      isAccessRepository: true,
      url: `${fixture.emulator.url}/acme/access`,
    })
    expect(branches.get('acme/gone')).toBeNull()
  })

  it('jitDefaultBranch, jitGrantRecords, jitGrantRecordNames, jitGrantRecord: what the sweep reads on main', async () => {
    const main = await git('rev-parse', 'main')
    const branch = await run<any>(DEFAULT_BRANCH_QUERY, repo)
    expect(branch.repository).toEqual({
      url: `${fixture.emulator.url}/acme/access`,
      defaultBranchRef: { name: 'main', target: { oid: main } },
      settings: { text: 'pending_max_age: 7d\n' },
      policies: { __typename: 'Tree' },
    })
    const expressions = { active: `${main}:grants/active`, revoked: `${main}:grants/revoked`, granting: `${main}:grants/pending` }
    const folders = Object.fromEntries(RECORD_STATES.map((state) => [state, `${main}:${recordFolder(state)}`]))
    const records = await run<any>(GRANT_RECORDS_QUERY, {
      ...repo,
      ...folders,
      reviewDue: `${main}:grants/review-due`,
      branch: 'main',
      merges: true,
      policies: `${main}:policies`,
      fullPass: `${main}:.jit/reconcile.yaml`,
    })
    expect(records.repository.reviewDue).toBeNull()
    // No full reconcile pass is recorded yet; the policies are read at the same commit.
    expect(records.repository.fullPass).toBeNull()
    expect(records.repository.policies).not.toBeNull()
    // A break-glass review read back from the record at a commit (jitRecordText).
    const text = await run<any>(RECORD_TEXT_QUERY, { ...repo, expression: `${main}:grants/active/pr-1.yaml` })
    expect(text.repository.object).toEqual({ text: 'id: pr-1\n' })
    expect(records.repository).toMatchObject({
      granting: null,
      active: { entries: [{ name: 'pr-1.yaml', type: 'blob', object: { text: 'id: pr-1\n', isTruncated: false } }] },
      revoked: { entries: [{ name: 'pr-0.yaml' }] },
      refused: null,
      failed: null,
    })
    // The merged pull requests into main: `commits { totalCount }` needs no `first`, as on GitHub.
    expect(records.repository.merged.nodes).toEqual([
      {
        number: granted.number,
        mergedAt: '2026-03-01T12:02:00Z',
        isCrossRepository: false,
        changedFiles: 1,
        files: { nodes: [{ path: 'requests/alice.yaml', changeType: 'ADDED' }] },
        commits: { totalCount: 1 },
      },
    ])
    const names = await run<any>(GRANT_RECORD_NAMES_QUERY, { ...repo, ...expressions, fullPass: `${main}:.jit/reconcile.yaml` })
    expect(names.repository).toEqual({
      fullPass: null,
      granting: null,
      active: { entries: [{ name: 'pr-1.yaml' }] },
      revoked: { entries: [{ name: 'pr-0.yaml' }] },
    })
    const record = await run<any>(GRANT_RECORD_QUERY, {
      ...repo,
      path: `${main}:grants/active/pr-1.yaml`,
      intentPath: `${main}:grants/pending/pr-1.yaml`,
    })
    expect(record.repository).toEqual({ record: { text: 'id: pr-1\n' }, intent: null })
  })

  it('jitMergeTimes: when each request merged', async () => {
    covered.add('jitMergeTimes')
    const times = await readMergeTimes({
      api: createGitHubApi(fixture.octokit),
      ...repo,
      requestIds: [`pr-${granted.number}`, `pr-${waiting.number}`],
    })
    expect(times.get(`pr-${granted.number}`)).toEqual(new Date('2026-03-01T12:02:00Z'))
    expect(times.get(`pr-${waiting.number}`)).toBeNull()
  })

  it('jitPullRequest and jitMoreReviews: the facts of a pull request and the next page of reviews', async () => {
    const data = await run<any>(PULL_REQUEST_QUERY, { ...repo, number: granted.number, appId: 4242, checkName: CHECK_NAME })
    const pull = data.repository.pullRequest
    expect(pull).toMatchObject({
      headRefOid: granted.headSha,
      baseRefOid: granted.baseSha,
      isCrossRepository: false,
      author: { login: 'alice' },
      files: { nodes: [{ path: 'requests/alice.yaml', changeType: 'ADDED' }], pageInfo: { hasNextPage: false } },
      commits: {
        totalCount: 1,
        nodes: [
          {
            commit: {
              oid: granted.headSha,
              changedFilesIfAvailable: 1,
              parents: { nodes: [{ oid: granted.baseSha }] },
              author: { user: { login: 'alice' } },
              committer: { user: { login: 'alice' } },
            },
          },
        ],
      },
    })
    expect(pull.reviews.nodes).toEqual([
      {
        databaseId: expect.any(Number),
        state: 'APPROVED',
        submittedAt: '2026-03-01T12:00:00Z',
        author: { __typename: 'User', login: 'carol' },
        commit: { oid: granted.headSha },
      },
    ])
    expect(pull.reviews.pageInfo.hasNextPage).toBe(false)
    const more = await run<any>(MORE_REVIEWS_QUERY, { ...repo, number: granted.number, after: pull.reviews.pageInfo.endCursor })
    expect(more.repository.pullRequest.reviews).toEqual({ nodes: [], pageInfo: { hasNextPage: false, endCursor: null } })
  })

  it("jitPullRequest: the app's push records on the PR's commits and before a push, and who dismissed a review", async () => {
    const { emulator } = fixture
    const pr = await emulator.openPullRequest({ author: 'erin', branch: 'access/erin', files: { 'requests/erin.yaml': 'a\n' }, title: 'e' })
    await fixture.octokit.rest.checks.create({
      ...repo,
      head_sha: pr.headSha,
      name: CHECK_NAME,
      conclusion: 'success',
      external_id: `${pr.number};head-pusher=erin`,
    })
    const changes = await emulator.submitReview(pr.number, { login: 'carol', state: 'CHANGES_REQUESTED' })
    await emulator.dismissReview(pr.number, changes.reviewId, { by: 'erin' })
    const variables = { ...repo, number: pr.number, checkName: CHECK_NAME, before: pr.headSha, hasBefore: true }
    const data = await run<any>(PULL_REQUEST_QUERY, { ...variables, appId: 4242 })
    const records = { checkSuites: { nodes: [{ checkRuns: { nodes: [{ externalId: `${pr.number};head-pusher=erin` }] } }] } }
    expect(data.repository.jitPushedBefore).toEqual({ oid: pr.headSha, ...records })
    expect(data.repository.pullRequest.jitPushRecords.nodes).toEqual([{ commit: { oid: pr.headSha, ...records } }])
    expect(data.repository.pullRequest.jitDismissals.nodes).toEqual([
      { actor: { login: 'erin' }, previousReviewState: 'CHANGES_REQUESTED', review: { databaseId: changes.reviewId } },
    ])
    // Another app's id sees none of this app's check runs.
    const other = await run<any>(PULL_REQUEST_QUERY, { ...variables, appId: 1 })
    expect(other.repository.pullRequest.jitPushRecords.nodes).toEqual([{ commit: { oid: pr.headSha, checkSuites: { nodes: [] } } }])
  })

  it("jitPullRequest and jitMoreComments: the conversation's comments, the app's own told by viewerDidAuthor", async () => {
    const { emulator } = fixture
    const pr = await emulator.openPullRequest({ author: 'gail', branch: 'access/gail', files: { 'requests/gail.yaml': 'g\n' }, title: 'g' })
    const marker = '<!-- jit:request mentioned="acme/sre" -->'
    await emulator.comment(pr.number, { login: 'gail', body: `${marker}\nby a person` })
    await emulator.comment(pr.number, { login: 'github-actions[bot]', body: `${marker}\nby a workflow` })
    const ours = await fixture.octokit.rest.issues.createComment({ ...repo, issue_number: pr.number, body: `${marker}\nby the app` })
    const data = await run<any>(PULL_REQUEST_QUERY, { ...repo, number: pr.number, appId: 4242, checkName: CHECK_NAME })
    const comments = data.repository.pullRequest.jitComments
    expect(comments.nodes).toEqual([
      { databaseId: expect.any(Number), body: `${marker}\nby a person`, viewerDidAuthor: false, author: { __typename: 'User' } },
      { databaseId: expect.any(Number), body: `${marker}\nby a workflow`, viewerDidAuthor: false, author: { __typename: 'Bot' } },
      { databaseId: ours.data.id, body: `${marker}\nby the app`, viewerDidAuthor: true, author: { __typename: 'Bot' } },
    ])
    expect(findRequestComment(comments)).toEqual({ kind: 'found', id: ours.data.id, body: `${marker}\nby the app` })
    const after = (await run<any>(MORE_COMMENTS_QUERY, { ...repo, number: pr.number, after: null })).repository.pullRequest.comments
    expect(after.nodes.map((node: { body: string }) => node.body.split('\n')[1])).toEqual(['by a person', 'by a workflow', 'by the app'])
    const rest = await run<any>(MORE_COMMENTS_QUERY, { ...repo, number: pr.number, after: after.pageInfo.endCursor })
    expect(rest.repository.pullRequest.comments).toEqual({ nodes: [], pageInfo: { hasNextPage: false, endCursor: null } })
  })

  it('jitTeams: members of teams, and null for a team GitHub does not show', async () => {
    const { query, variables } = buildTeamMembersQuery([
      { team: '@acme/sre', org: 'acme', slug: 'sre' },
      { team: '@acme/nobody', org: 'acme', slug: 'nobody' },
    ])
    const data = await run<any>(query, variables)
    expect(data.o0.t0.members).toEqual({
      nodes: [{ login: 'carol' }, { login: 'dave' }],
      pageInfo: { hasNextPage: false, endCursor: expect.any(String) },
    })
    expect(data.o0.t1).toBeNull()
  })

  it('jitFiles: the rules at one commit and the request file at another', async () => {
    const at = granted.firstParent
    const data = await run<any>(buildFilesQuery({ rules: true, request: true }), {
      ...repo,
      policies: `${at}:policies`,
      activeGrants: `${at}:grants/active`,
      ...Object.fromEntries(Object.entries(RULE_VARIABLES).map(([alias, path]) => [alias, `${at}:${path}`])),
      requestFile: `${granted.headSha}:requests/alice.yaml`,
    })
    expect(data.repository.policies.entries).toEqual([
      {
        name: 'read.yaml',
        path: 'policies/read.yaml',
        type: 'blob',
        object: { text: 'name: read\nmax: 1h\n', byteSize: 19, isTruncated: false },
      },
    ])
    expect(data.repository.codeowners0).toEqual({ text: '* @acme/sre\n', byteSize: 12, isTruncated: false })
    expect(data.repository.settings.text).toBe('pending_max_age: 7d\n')
    expect(data.repository.request).toEqual({ text: 'role: read\n', byteSize: 11, isTruncated: false })
    expect(data.repository.activeGrants).toBeNull() // no grants/active/ at that commit
  })

  it('jitRecordAuthorship, jitAppRecords: who last wrote each record, and what the app wrote', async () => {
    covered.add('jitRecordAuthorship').add('jitAppRecords')
    const path = 'grants/active/pr-9.yaml'
    advance(1)
    // The app's commit as the app makes it (createCommitOnBranch: authored by its bot, signed by GitHub).
    const written = await commitToBranch({
      api: createGitHubApi(fixture.octokit),
      ...repo,
      branch: 'main',
      build: async () => ({ message: 'Grant pr-9\n\nJit-Request: pr-9\nJit-Action: grant', changes: [{ path, content: 'id: pr-9\n' }] }),
    })
    if (!written.committed) throw new Error('the app made no commit')
    covered.add('jitBranchHead').add('jitCommit')
    advance(1)
    const edited = await fixture.emulator.commitToDefaultBranch({ files: { [path]: 'id: pr-9\nedited: true\n' }, author: 'erin' })
    const judged = await readRecordAuthorship({
      api: createGitHubApi(fixture.octokit),
      ...repo,
      commitSha: edited.sha,
      records: [
        { id: 'pr-9', path },
        { id: 'pr-1', path: 'grants/active/pr-1.yaml' },
      ],
      appLogin: 'jit-access[bot]',
    })
    expect(judged).toEqual([
      {
        id: 'pr-9',
        path,
        authorship: expect.objectContaining({ kind: 'tampered', commitSha: edited.sha, by: 'erin', appCommitSha: written.commitSha }),
        appText: 'id: pr-9\n',
      },
      // Committed by the app's identity, but without its trailers: not a record the app wrote.
      { id: 'pr-1', path: 'grants/active/pr-1.yaml', authorship: expect.objectContaining({ kind: 'tampered', appCommitSha: null }) },
    ])
    await fixture.emulator.commitToDefaultBranch({ files: { [path]: null }, message: 'Clean up' })
  })

  it('jitLastRevocation: the newest commit that recorded a revocation', async () => {
    advance(1)
    const written = await fixture.emulator.commitToDefaultBranch({ files: { 'grants/revoked/pr-77.yaml': 'id: pr-77\n' } })
    const data = await run<{
      repository: { defaultBranchRef: { target: { history: { nodes: Array<{ oid: string; committedDate: string }> } } } }
    }>(LAST_REVOCATION_QUERY, repo)
    expect(data.repository.defaultBranchRef.target.history.nodes).toEqual([
      { oid: written.sha, committedDate: now.toISOString().replace(/\.\d{3}Z$/, 'Z') },
    ])
    await fixture.emulator.commitToDefaultBranch({ files: { 'grants/revoked/pr-77.yaml': null }, message: 'Clean up' })
  })

  it('covers every query the app sends', async () => {
    const sent = new Set<string>()
    const walk = async (dir: string): Promise<void> => {
      for (const entry of await readdir(dir, { withFileTypes: true })) {
        const path = join(dir, entry.name)
        if (entry.isDirectory()) await walk(path)
        else if (entry.name.endsWith('.ts'))
          for (const match of (await readFile(path, 'utf8')).matchAll(/(?:query|mutation) (jit\w+)/g)) sent.add(match[1] as string)
      }
    }
    await walk(SRC)
    expect(sent.size).toBeGreaterThan(0)
    expect([...sent].filter((name) => !covered.has(name)).sort()).toEqual([])
  })
})

describe('Commit and Repository fields of GitHub GraphQL', () => {
  let fixture: EmulatorFixture
  let now = new Date('2026-03-01T12:00:00Z')
  const repositoryQuery = <T>(fields: string, variables: Record<string, unknown> = {}) =>
    fixture.octokit
      .graphql<{ repository: T }>(
        `query${'sha' in variables ? '($sha: GitObjectID!)' : ''} { repository(owner: "acme", name: "access") { ${fields} } }`,
        variables,
      )
      .then((data) => data.repository)

  beforeAll(async () => {
    fixture = await startEmulatorFixture({ clock: () => now, initialFiles: { 'policies/read.yaml': 'name: read\n', 'README.md': 'hi\n' } })
    const { emulator } = fixture
    for (const [index, author] of ['alice', 'bob', 'carol'].entries()) {
      now = new Date(now.getTime() + 60_000)
      await emulator.openPullRequest({
        author,
        branch: `access/${author}`,
        files: { [`requests/${author}.yaml`]: `n: ${index}\n` },
        title: author,
      })
    }
    await emulator.mergePullRequest(1, { by: 'carol' })
    await emulator.closePullRequest(2, { by: 'bob' })
  })
  afterAll(async () => {
    await fixture.close()
  })

  it('Commit.file returns the tree entry at a path (blob or directory) and null when there is none', async () => {
    const main = (await fixture.emulator.git(['rev-parse', 'main'])).trim()
    const data = await repositoryQuery<{
      object: Record<
        string,
        { name: string; path: string; type: string; mode: number; oid: string; size: number; extension: string | null } | null
      >
    }>(
      `object(oid: $sha) { ... on Commit {
        blob: file(path: "policies/read.yaml") { name path type mode oid size extension }
        tree: file(path: "policies/") { name path type mode oid }
        missing: file(path: "policies/nope.yaml") { oid }
        missingDirectory: file(path: "nope/read.yaml") { oid }
      } }`,
      { sha: main },
    )
    expect(data.object['blob']).toEqual({
      name: 'read.yaml',
      path: 'policies/read.yaml',
      type: 'blob',
      mode: 0o100644,
      oid: (await fixture.emulator.git(['rev-parse', 'main:policies/read.yaml'])).trim(),
      size: 11,
      extension: '.yaml',
    })
    expect(data.object['tree']).toEqual({
      name: 'policies',
      path: 'policies',
      type: 'tree',
      mode: 0o40000,
      oid: (await fixture.emulator.git(['rev-parse', 'main:policies'])).trim(),
    })
    expect([data.object['missing'], data.object['missingDirectory']]).toEqual([null, null])
  })

  it('Commit.parents lists the first parent first and paginates like every connection', async () => {
    const [first, second] = (await fixture.emulator.git(['rev-list', '--parents', '-n', '1', 'main'])).trim().split(' ').slice(1)
    const data = await repositoryQuery<{
      defaultBranchRef: { target: { parents: { totalCount: number; nodes: { oid: string }[]; pageInfo: { hasNextPage: boolean } } } }
    }>(`defaultBranchRef { target { ... on Commit { parents(first: 1) { totalCount nodes { oid } pageInfo { hasNextPage } } } } }`)
    expect(data.defaultBranchRef.target.parents).toEqual({ totalCount: 2, nodes: [{ oid: first }], pageInfo: { hasNextPage: true } })
    const last = await repositoryQuery<typeof data>(
      `defaultBranchRef { target { ... on Commit { parents(last: 1) { totalCount nodes { oid } pageInfo { hasNextPage } } } } }`,
    )
    expect(last.defaultBranchRef.target.parents.nodes).toEqual([{ oid: second }])
    await expect(repositoryQuery(`defaultBranchRef { target { ... on Commit { parents { nodes { oid } } } } }`)).rejects.toThrow(
      /You must provide a `first` or `last` value to properly paginate the `parents` connection/,
    )
  })

  it('Repository.pullRequests filters by state and branch and orders as asked', async () => {
    type Page = { pullRequests: { totalCount: number; nodes: { number: number; state: string }[] } }
    const list = (args: string) =>
      repositoryQuery<Page>(`pullRequests(${args}) { totalCount nodes { number state } }`).then((data) => data.pullRequests)
    expect(await list('first: 10')).toEqual({
      totalCount: 3,
      nodes: [
        { number: 1, state: 'MERGED' },
        { number: 2, state: 'CLOSED' },
        { number: 3, state: 'OPEN' },
      ],
    })
    expect(
      (await list('first: 10, states: [OPEN, CLOSED], orderBy: { field: CREATED_AT, direction: DESC }')).nodes.map((pull) => pull.number),
    ).toEqual([3, 2])
    expect((await list('first: 10, headRefName: "access/bob"')).nodes.map((pull) => pull.number)).toEqual([2])
    expect((await list('first: 10, baseRefName: "release"')).totalCount).toBe(0)
    expect((await list('last: 1, states: MERGED')).nodes.map((pull) => pull.number)).toEqual([1])
    await expect(list('states: OPEN')).rejects.toThrow(
      /You must provide a `first` or `last` value to properly paginate the `pullRequests` connection/,
    )
    await expect(list('first: 101')).rejects.toThrow(/exceeds the `first` limit of 100 records/)
  })

  it('Commit.statusCheckRollup rolls up the latest run of each check', async () => {
    const head = (await fixture.emulator.git(['rev-parse', 'refs/pull/3/head'])).trim()
    const rollup = async () =>
      (
        await repositoryQuery<{
          object: {
            statusCheckRollup: {
              state: string
              contexts: { totalCount: number; checkRunCount: number; nodes: { name: string; status: string; conclusion: string | null }[] }
            } | null
          }
        }>(
          `object(oid: $sha) { ... on Commit { statusCheckRollup { state contexts(first: 10) { totalCount checkRunCount nodes { ... on CheckRun { name status conclusion } } } } } }`,
          { sha: head },
        )
      ).object.statusCheckRollup
    expect(await rollup()).toBeNull()

    const created = await fixture.octokit.rest.checks.create({
      owner: 'acme',
      repo: 'access',
      head_sha: head,
      name: CHECK_NAME,
      status: 'in_progress',
    })
    expect(await rollup()).toEqual({
      state: 'PENDING',
      contexts: { totalCount: 1, checkRunCount: 1, nodes: [{ name: CHECK_NAME, status: 'IN_PROGRESS', conclusion: null }] },
    })

    await fixture.octokit.rest.checks.update({ owner: 'acme', repo: 'access', check_run_id: created.data.id, conclusion: 'success' })
    await fixture.octokit.rest.checks.create({ owner: 'acme', repo: 'access', head_sha: head, name: 'lint', conclusion: 'failure' })
    expect(await rollup()).toEqual({
      state: 'FAILURE',
      contexts: {
        totalCount: 2,
        checkRunCount: 2,
        nodes: [
          { name: CHECK_NAME, status: 'COMPLETED', conclusion: 'SUCCESS' },
          { name: 'lint', status: 'COMPLETED', conclusion: 'FAILURE' },
        ],
      },
    })

    await fixture.octokit.rest.checks.create({ owner: 'acme', repo: 'access', head_sha: head, name: 'lint', conclusion: 'skipped' })
    expect((await rollup())?.state).toBe('SUCCESS')
  })
})
