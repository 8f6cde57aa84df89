import { createServer, type IncomingMessage, type ServerResponse } from 'node:http'
import type { AddressInfo } from 'node:net'
import { performance } from 'node:perf_hooks'
import { pathToFileURL } from 'node:url'
import { IAMClient } from '@aws-sdk/client-iam'
import { STSClient } from '@aws-sdk/client-sts'
import { ProbotOctokit } from 'probot'
import { startIamStsEmulator, type CallRecord } from '../emulator/aws/iam-sts-emulator.js'
import type { CloudProvider } from '../src/core/ports/cloud-provider.js'
import { createIamProvider } from '../src/aws/iam/iam-provider.js'
import { nameGrantPolicy } from '../src/core/records/iam-policy-document.js'
import { nameRepositoryNamespace } from '../src/aws/repository-namespace.js'
import type { GrantRecord } from '../src/core/records/grant-record.js'
import { formatRecordDocument } from '../src/core/records/record-document.js'
import { formatFullPassRecord } from '../src/core/records/full-pass.js'
import { createGitHubApi } from '../src/github/github-api.js'
import { cacheAssumeRole } from '../src/aws/assume-role-cache.js'
import { SWEEP_SESSION_NAME } from '../src/aws/create-provider.js'
import { runSweep } from '../src/workflows/sweep/run-sweep.js'
import type { BenchCase, BenchIo } from './bench-case.js'
import { IdentitystoreClient } from '@aws-sdk/client-identitystore'
import { SSOAdminClient } from '@aws-sdk/client-sso-admin'
import { createIdentityCenterProvider } from '../src/aws/identity-center/identity-center-provider.js'
import { describePermissionSet, namePermissionSet } from '../src/core/records/permission-set.js'

const BENCH_NAMESPACE = nameRepositoryNamespace({ owner: 'acme', repo: 'access' })

const ACTIVE = 10_000
const DUE = 1_000
const ACCOUNTS = 10
const PRINCIPALS_PER_ACCOUNT = 10
const CONCURRENCY = 16
const SHA = 'b'.repeat(40)

/**
 * `sweep`: one sweep of 10,000 active grants of which 1,000 are due, against two local servers on
 * 127.0.0.1: the IAM + STS emulator (real AWS SDK clients, SigV4, Query protocol) and a minimal
 * GitHub stand-in answering the GraphQL read and the Git Data commit. Reconcile is on (it lists the
 * 100 principals) and merges with no record are looked for (none here), as in production. Prints
 * GitHub calls, AWS calls (by action), wall time and peak RSS.
 */
export const sweepBench: BenchCase = {
  name: 'sweep',
  description: `one sweep of ${ACTIVE} active grants, ${DUE} due, against local GitHub and IAM/STS servers`,
  run: async (io) => {
    const result = await measureSweep(io)
    io.log(JSON.stringify(result))
    return { ok: result.revoked === DUE && result.githubCalls <= 8 }
  },
}

async function measureSweep(io: BenchIo) {
  const now = new Date()
  const aws = await startIamStsEmulator({
    credentials: [{ accessKeyId: 'AKIABENCH', secretAccessKey: 'bench-secret', account: '999999999999' }],
  })
  const accounts = Array.from({ length: ACCOUNTS }, (_, index) => String(111111111110 + index))
  for (const account of accounts) {
    aws.state.seedRole({ account, roleName: 'jit-granter', externalId: 'bench' })
    for (let p = 0; p < PRINCIPALS_PER_ACCOUNT; p++) aws.state.seedRole({ account, roleName: `jit-user${p}` })
  }
  const records: GrantRecord[] = []
  for (let index = 0; index < ACTIVE; index++) {
    const account = accounts[index % ACCOUNTS] as string
    const roleName = `jit-user${Math.floor(index / ACCOUNTS) % PRINCIPALS_PER_ACCOUNT}`
    // Every tenth grant is due; the others run for another hour.
    const expiresAt = new Date(Math.floor(now.getTime() / 1000) * 1000 + (index % (ACTIVE / DUE) === 0 ? -60_000 : 3_600_000))
    const record = benchRecord({ number: index + 1, account, roleName, expiresAt })
    records.push(record)
    aws.state.findRole(account, roleName)!.inlinePolicies.set(record.targets[0]!.aws_policy_name, '{}')
  }
  const github = await startGitHubStandIn(records, now)
  const before = aws.state.calls.length

  const api = createGitHubApi(new BenchOctokit({ auth: { token: 'ghs_bench' }, baseUrl: github.url }))
  const provider = createIamProvider({
    granterRole: 'arn:aws:iam::{account}:role/jit-granter',
    externalId: 'bench',
    createStsClient: createBenchStsClient(aws.url),
    createIamClient: (config) => new IAMClient({ ...config, endpoint: aws.url }),
    sleep: (ms) => new Promise((resolve) => setTimeout(resolve, ms)),
  })

  const { report, wallMs, peakRssMb, awsCalls, awsCallsByAction } = await sweepMeasured({
    io,
    api,
    provider,
    now,
    calls: aws.state.calls,
    before,
  })
  await github.stop()
  await aws.stop()
  return {
    bench: 'sweep',
    active: ACTIVE,
    due: DUE,
    githubCalls: api.calls.graphql + api.calls.rest,
    awsCalls: awsCalls.length,
    wallMs,
    peakRssMb,
    revoked: report.grants.filter((grant) => grant.status === 'revoked').length,
    githubCallsByKind: { ...api.calls },
    awsCallsByAction,
    concurrency: CONCURRENCY,
    reconcile: { principals: ACCOUNTS * PRINCIPALS_PER_ACCOUNT, orphans: report.orphans.length, drift: report.drift.length },
    commitFiles: github.lastCommitFiles(),
  }
}

/** The sweep's shared granter sessions, from the bench's own key, against the emulator. */
function createBenchStsClient(endpoint: string) {
  const credentials = { accessKeyId: 'AKIABENCH', secretAccessKey: 'bench-secret' }
  return cacheAssumeRole({
    createStsClient: (config) => new STSClient({ ...config, endpoint, credentials }),
    sessionName: SWEEP_SESSION_NAME,
    now: () => new Date(),
  })
}

/** Runs one sweep as the app does (looking for merges to heal too; the catalogue is loaded only if there is one), timed, with the AWS calls it made. */
async function sweepMeasured(params: {
  io: BenchIo
  api: ReturnType<typeof createGitHubApi>
  provider: CloudProvider
  now: Date
  calls: readonly CallRecord[]
  before: number
}) {
  const { io, api, provider, now } = params
  const started = io.now()
  const heal = { createProvider: () => provider, catalogue: () => Promise.reject(new Error('the bench has no merge to heal')) }
  const report = await runSweep({ api, owner: 'acme', repo: 'access', provider, now, concurrency: CONCURRENCY, heal })
  const wallMs = Math.round(io.now() - started)
  const peakRssMb = Math.round(process.resourceUsage().maxRSS / 1024)
  const awsCalls = params.calls.slice(params.before)
  const awsCallsByAction: Record<string, number> = {}
  for (const call of awsCalls) awsCallsByAction[call.action] = (awsCallsByAction[call.action] ?? 0) + 1
  return { report, wallMs, peakRssMb, awsCalls, awsCallsByAction }
}

const BenchOctokit = ProbotOctokit.defaults((options: Record<string, unknown>) => ({
  ...options,
  retry: { enabled: false },
  throttle: { ...(options['throttle'] as object), enabled: false },
}))

function benchRecord(params: { number: number; account: string; roleName: string; expiresAt: Date }): GrantRecord {
  const id = `pr-${params.number}`
  return {
    id,
    state: 'active',
    request: { path: `requests/${id}.yaml`, blob_sha: SHA },
    pull_request: {
      number: params.number,
      url: `https://github.com/acme/access/pull/${params.number}`,
      merge_commit_sha: SHA,
      merged_by: 'bob',
    },
    requester: 'alice',
    reason: 'benchmark',
    ticket: null,
    duration: '1h',
    extends: null,
    approvals: [{ login: 'bob', review_id: 1, commit: SHA, submitted_at: '2026-01-01T00:00:00Z', rule: 'ops rule 1: @acme/sre' }],
    policies: [{ name: 'ops', file: 'policies/ops.yaml', blob_sha: SHA }],
    targets: [
      {
        account: params.account,
        principal: `arn:aws:iam::${params.account}:role/${params.roleName}`,
        actions: ['ec2:StopInstances'],
        resources: ['*'],
        aws_policy_name: nameGrantPolicy({ namespace: BENCH_NAMESPACE, requestId: id, expiresAt: params.expiresAt }),
      },
    ],
    not_before: '2026-01-01T00:00:00Z',
    expires_at: params.expiresAt.toISOString().replace(/\.\d{3}Z$/, 'Z'),
    granted_at: '2026-01-01T00:00:00Z',
    revoke_sessions: false,
  }
}

/** Just enough of api.github.com for one sweep: the GraphQL reads and the Git Data commit, JSON over HTTP. */
/**
 * The GitHub stand-in. The last full reconcile pass is recorded an hour before `now`, so the sweep measured
 * is the everyday one; a full pass, once per `reconcile.full_every`, is measured on its own.
 */
async function startGitHubStandIn(records: readonly GrantRecord[], now: Date) {
  const head = 'c'.repeat(40)
  const fullPass = { text: formatFullPassRecord({ lastFullPass: new Date(now.getTime() - 3_600_000), principalsListed: 0, problems: [] }) }
  const entries = records.map((record) => ({
    name: `${record.id}.yaml`,
    type: 'blob',
    object: { text: formatRecordDocument(record), isTruncated: false },
  }))
  let committedFiles = 0
  let authorshipQueries = 0
  const answer = (request: IncomingMessage, body: string): [number, unknown] => {
    const url = request.url ?? ''
    if (request.method === 'POST' && url === '/graphql') {
      const operation = /query (\w+)/.exec((JSON.parse(body) as { query: string }).query)?.[1]
      if (operation === 'jitDefaultBranch')
        return [
          200,
          {
            data: {
              repository: {
                url: 'https://github.com/acme/access',
                defaultBranchRef: { name: 'main', target: { oid: head } },
                settings: null,
                policies: { __typename: 'Tree' },
              },
            },
          },
        ]
      // No merge left without a record: the merged pull requests come in the same query, at no extra call.
      if (operation === 'jitGrantRecords')
        return [
          200,
          { data: { repository: { active: { entries }, revoked: null, refused: null, failed: null, merged: { nodes: [] }, fullPass } } },
        ]
      if (operation === 'jitOpenRequests') return [200, { data: { repository: { pullRequests: { nodes: [] } } } }]
      // Who wrote each record: the app, in one commit per record with its trailers (no record was edited).
      if (operation === 'jitRecordAuthorship') {
        authorshipQueries += 1
        const variables = (JSON.parse(body) as { variables: Record<string, unknown> }).variables
        const fields: Record<string, unknown> = {}
        for (const [key, path] of Object.entries(variables)) {
          if (!/^p\d+$/.test(key) || typeof path !== 'string') continue
          const index = key.slice(1)
          const id = path.replace(/^.*\/|\.yaml$/g, '')
          const blob = { oid: 'a'.repeat(40) }
          const identity = { name: 'jit-access[bot]', email: 'jit-access[bot]@users.noreply.github.com' }
          fields[`c${index}`] = blob
          fields[`h${index}`] = {
            nodes: [
              {
                oid: head,
                message: `Grant ${id}\n\nJit-Request: ${id}\nJit-Action: grant`,
                author: identity,
                committer: identity,
                file: blob,
              },
            ],
          }
        }
        return [200, { data: { repository: { object: fields } } }]
      }
      // The revocations' commit, in one call (createCommitOnBranch): its files are what the commit changed.
      const commit = JSON.parse(body) as {
        query: string
        variables?: { input?: { fileChanges?: { additions?: unknown[]; deletions?: unknown[] } } }
      }
      if (/^mutation jitCommit\b/.test(commit.query)) {
        const changes = commit.variables?.input?.fileChanges
        committedFiles = (changes?.additions?.length ?? 0) + (changes?.deletions?.length ?? 0)
        return [200, { data: { createCommitOnBranch: { commit: { oid: 'f'.repeat(40) } } } }]
      }
      return [400, { message: `unexpected query ${operation}` }]
    }
    if (request.method === 'GET' && /\/git\/ref\/heads(%2F|\/)main$/.test(url)) return [200, { object: { sha: head } }]
    if (request.method === 'GET' && url.includes('/git/commits/')) return [200, { sha: head, tree: { sha: 'd'.repeat(40) } }]
    if (request.method === 'POST' && url.endsWith('/git/trees')) {
      committedFiles = (JSON.parse(body) as { tree: unknown[] }).tree.length
      return [201, { sha: 'e'.repeat(40) }]
    }
    if (request.method === 'POST' && url.endsWith('/git/commits')) return [201, { sha: 'f'.repeat(40) }]
    if (request.method === 'PATCH' && /\/git\/refs\/heads(%2F|\/)main$/.test(url)) return [200, { object: { sha: 'f'.repeat(40) } }]
    return [404, { message: `Not Found: ${request.method} ${url}` }]
  }
  const server = createServer((request: IncomingMessage, response: ServerResponse) => {
    const chunks: Buffer[] = []
    request.on('data', (chunk: Buffer) => chunks.push(chunk))
    request.on('end', () => {
      const [status, payload] = answer(request, Buffer.concat(chunks).toString('utf8'))
      response.writeHead(status, { 'content-type': 'application/json; charset=utf-8' })
      response.end(JSON.stringify(payload))
    })
  })
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve))
  const { port } = server.address() as AddressInfo
  return {
    url: `http://127.0.0.1:${port}`,
    lastCommitFiles: () => committedFiles,
    /** Queries of who wrote the records: one per 50 active records, whatever is due. */
    authorshipQueries: () => authorshipQueries,
    stop: () =>
      new Promise<void>((resolve) => {
        server.close(() => resolve())
        server.closeAllConnections()
      }),
  }
}

const IC_ACTIVE = 2_000
const IC_DUE = 200
/** AWS calls one Identity Center revocation at expiry makes: DescribePermissionSet, GetUserId, DeleteAccountAssignment, two status reads, DeletePermissionSet. */
const IC_CALLS_PER_REVOKE = 6
/** The calls a revocation makes (reconcile's listing, and the cached AssumeRole, are counted apart). */
const IC_REVOKE_ACTIONS = new Set([
  'GetUserId',
  'DeleteAccountAssignment',
  'DescribeAccountAssignmentDeletionStatus',
  'DeletePermissionSet',
  'PutInlinePolicyToPermissionSet',
  'ProvisionPermissionSet',
  'DescribePermissionSetProvisioningStatus',
])

/**
 * `sweep-identity-center`: the same sweep on the Identity Center backend: 2,000 active grants (permission
 * sets assigned to 10 users in 10 accounts, each record naming its set's ARN), 200 due, against the SSO
 * Admin and Identity Store emulation (real SDK clients, SigV4, JSON 1.1) and the GitHub stand-in. Reconcile
 * is on. `awsCallsPerRevokedGrant` counts the revocation's own calls (plus one DescribePermissionSet each,
 * which reconcile's listing also makes) and must stay constant; GitHub calls stay constant in the number due.
 */
export const sweepIdentityCenterBench: BenchCase = {
  name: 'sweep-identity-center',
  description: `one sweep of ${IC_ACTIVE} active Identity Center grants, ${IC_DUE} due, against local GitHub and SSO Admin servers`,
  run: async (io) => {
    const result = await measureIdentityCenterSweep(io)
    io.log(JSON.stringify(result))
    return {
      ok:
        result.revoked === IC_DUE &&
        result.githubCalls - result.authorshipQueries <= 8 &&
        result.awsCallsPerRevokedGrant <= IC_CALLS_PER_REVOKE,
    }
  },
}

async function measureIdentityCenterSweep(io: BenchIo) {
  const now = new Date()
  const management = '999999999999'
  const aws = await startIamStsEmulator({
    credentials: [{ accessKeyId: 'AKIABENCH', secretAccessKey: 'bench-secret', account: management }],
  })
  aws.state.seedRole({ account: management, roleName: 'jit-granter', externalId: 'bench' })
  const instance = aws.state.identityCenter.seedInstance({ managementAccount: management })
  const users = Array.from({ length: PRINCIPALS_PER_ACCOUNT }, (_, index) => aws.state.identityCenter.seedUser(`user${index}@acme.com`))
  const accounts = Array.from({ length: ACCOUNTS }, (_, index) => String(111111111110 + index))
  const records: GrantRecord[] = []
  for (let index = 0; index < IC_ACTIVE; index++) {
    const account = accounts[index % ACCOUNTS] as string
    const user = users[Math.floor(index / ACCOUNTS) % PRINCIPALS_PER_ACCOUNT]!
    const expiresAt = new Date(Math.floor(now.getTime() / 1000) * 1000 + (index % (IC_ACTIVE / IC_DUE) === 0 ? -60_000 : 3_600_000))
    const id = `pr-${index + 1}`
    const set = aws.state.identityCenter.seedPermissionSet({ name: namePermissionSet({ repository: 'acme/access', requestId: id }) })
    set.description = describePermissionSet({ repository: 'acme/access', requestId: id, expiresAt })
    aws.state.identityCenter.assignments.push({
      accountId: account,
      permissionSetArn: set.arn,
      principalType: 'USER',
      principalId: user.userId,
    })
    const record = benchRecord({ number: index + 1, account, roleName: 'unused', expiresAt })
    records.push({
      ...record,
      targets: [
        {
          ...record.targets[0]!,
          principal: `identity-center-user:${user.userName}`,
          aws_policy_name: set.name,
          permission_set: { arn: set.arn, user_id: user.userId, assignment_request_id: '00000000-0000-4000-8000-000000000000' },
        },
      ],
    })
  }
  const github = await startGitHubStandIn(records, now)
  const before = aws.state.calls.length

  const api = createGitHubApi(new BenchOctokit({ auth: { token: 'ghs_bench' }, baseUrl: github.url }))
  const provider = createIdentityCenterProvider({
    settings: {
      instanceArn: instance.instanceArn,
      identityStoreId: instance.identityStoreId,
      region: 'eu-west-1',
      granterRole: `arn:aws:iam::${management}:role/jit-granter`,
      userName: '{login}@acme.com',
      userOverrides: {},
    },
    repository: 'acme/access',
    externalId: 'bench',
    createStsClient: createBenchStsClient(aws.url),
    createSsoAdminClient: (config) => new SSOAdminClient({ ...config, endpoint: aws.url }),
    createIdentityStoreClient: (config) => new IdentitystoreClient({ ...config, endpoint: aws.url }),
    sleep: (ms) => new Promise((resolve) => setTimeout(resolve, ms)),
    // The emulator completes a request on its second status read; a short first wait keeps the bench about calls.
    polling: { maxPolls: 20, firstDelayMs: 10, maxDelayMs: 200 },
  })

  const { report, wallMs, peakRssMb, awsCalls, awsCallsByAction } = await sweepMeasured({
    io,
    api,
    provider,
    now,
    calls: aws.state.calls,
    before,
  })
  const revoked = report.grants.filter((grant) => grant.status === 'revoked').length
  // Reconcile describes every assigned set once; each revocation describes its own set once more.
  const revokeCalls = awsCalls.filter((call) => IC_REVOKE_ACTIONS.has(call.action)).length - ACCOUNTS * PRINCIPALS_PER_ACCOUNT
  const describesForRevokes = (awsCallsByAction['DescribePermissionSet'] ?? 0) - IC_ACTIVE
  const fullPass = await measureIdentityCenterFullPass({ io, provider, calls: aws.state.calls, accounts })
  await github.stop()
  await aws.stop()
  return {
    bench: 'sweep-identity-center',
    active: IC_ACTIVE,
    due: IC_DUE,
    githubCalls: api.calls.graphql + api.calls.rest,
    awsCalls: awsCalls.length,
    wallMs,
    peakRssMb,
    revoked,
    githubCallsByKind: { ...api.calls },
    awsCallsByAction,
    concurrency: CONCURRENCY,
    reconcile: { principals: ACCOUNTS * PRINCIPALS_PER_ACCOUNT, orphans: report.orphans.length, drift: report.drift.length },
    commitFiles: github.lastCommitFiles(),
    authorshipQueries: github.authorshipQueries(),
    awsCallsPerRevokedGrant: revoked === 0 ? 0 : (revokeCalls + describesForRevokes) / revoked,
    fullPass,
  }
}

/**
 * The full reconcile pass over the instance after the sweep (the sets left, all of this repository):
 * its AWS calls per permission set must stay constant (a listing per 100 sets, a describe, the accounts,
 * the assignments per account, and a DescribeUser per distinct user per pass).
 */
async function measureIdentityCenterFullPass(params: {
  io: BenchIo
  provider: CloudProvider
  calls: readonly CallRecord[]
  accounts: readonly string[]
}) {
  const from = params.calls.length
  const started = params.io.now()
  const inventory = await params.provider.listAllManagedPolicies({
    namespace: nameRepositoryNamespace({ owner: 'acme', repo: 'access' }),
    accounts: Object.fromEntries(params.accounts.map((account) => [account, []])),
  })
  const wallMs = Math.round(params.io.now() - started)
  const calls = params.calls.slice(from).filter((call) => call.service !== 'sts')
  const sets = inventory.principals.reduce((sum, principal) => sum + principal.policies.length, 0)
  const awsCallsByAction: Record<string, number> = {}
  for (const call of calls) awsCallsByAction[call.action] = (awsCallsByAction[call.action] ?? 0) + 1
  return {
    sets,
    principals: inventory.principalsListed,
    problems: inventory.problems.length,
    awsCalls: calls.length,
    awsCallsPerSet: sets === 0 ? 0 : Math.round((calls.length / sets) * 1000) / 1000,
    awsCallsByAction,
    wallMs,
  }
}

// `node dist/bench/sweep-bench.js` runs this case alone.
if (process.argv[1] && import.meta.url === pathToFileURL(process.argv[1]).href) {
  const outcome = await sweepBench.run({ log: (line) => console.log(line), now: () => performance.now() })
  process.exitCode = outcome.ok ? 0 : 1
}
