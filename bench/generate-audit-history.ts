import { spawn } from 'node:child_process'
import { mkdir } from 'node:fs/promises'
import type { GrantRecord, IntentRecord, RefusalRecord, RevokedGrantRecord } from '../src/core/records/grant-record.js'
import { recordPath } from '../src/core/records/grant-record.js'
import { nameGrantPolicy } from '../src/core/records/iam-policy-document.js'
import { formatRecordCommitMessage, formatRecordDocument } from '../src/core/records/record-document.js'
import { renderRevocationMessage } from '../src/workflows/sweep/revocation-commit.js'
import { runGit } from '../src/git/run-git.js'

export { runGit }

/** The app's commit identity in a generated history (as GitHub writes it for an app's bot). */
export const APP_LOGIN = 'jit-access[bot]'
const APP = { name: APP_LOGIN, email: `41898282+${APP_LOGIN}@users.noreply.github.com` }
const PERSON = (login: string) => ({ name: login, email: `${login}@example.com` })
const ACCOUNTS = Array.from({ length: 10 }, (_, index) => String(111111111110 + index))
const HOUR = 3_600_000
/** The namespace the app would give acme/access (see nameRepositoryNamespace). */
const AUDIT_NAMESPACE = 'bb0610eed9'

interface Identity {
  readonly name: string
  readonly email: string
}
interface FileWrite {
  readonly path: string
  readonly content: string | null
}

/** What the generated history holds, for assertions. */
export interface GeneratedHistory {
  readonly commits: number
  readonly grants: number
  readonly refusals: number
  readonly early: number
  readonly policyChanges: number
}

/**
 * Writes a repository history of `grants` requests as the app writes them (the app's own record and
 * commit-message functions), with `git fast-import`: per request an intent then its grant (every 10th a
 * refusal by an admin merge instead), per grant a revocation (the sweep's message; every 25th early, by
 * an approver), and every 500th request a policy change merged by a person. Requests start 5 minutes
 * apart from 2026-01-01 and last an hour. `dir` must not exist or be empty.
 */
export async function generateAuditHistory(params: { dir: string; grants: number }): Promise<GeneratedHistory> {
  await mkdir(params.dir, { recursive: true })
  await runGit(params.dir, ['init', '-q', '-b', 'main'])
  const importer = spawn('git', ['fast-import', '--quiet', '--done'], { cwd: params.dir, stdio: ['pipe', 'ignore', 'pipe'] })
  let stderr = ''
  importer.stderr.on('data', (chunk: Buffer) => (stderr += chunk.toString('utf8')))
  const finished = new Promise<void>((resolve, reject) => {
    importer.on('error', reject)
    importer.on('close', (code) => (code === 0 ? resolve() : reject(new Error(`git fast-import failed (${code}): ${stderr}`))))
  })
  let mark = 0
  const write = async (text: string) => {
    if (!importer.stdin.write(text)) await new Promise((resolve) => importer.stdin.once('drain', resolve))
  }
  const data = (text: string) => `data ${Buffer.byteLength(text, 'utf8')}\n${text}\n`
  const commit = async (at: number, who: Identity, message: string, files: readonly FileWrite[]) => {
    mark++
    const stamp = `${Math.floor(at / 1000)} +0000`
    let text = `commit refs/heads/main\nmark :${mark}\nauthor ${who.name} <${who.email}> ${stamp}\ncommitter ${who.name} <${who.email}> ${stamp}\n${data(message)}`
    if (mark > 1) text += `from :${mark - 1}\n`
    for (const file of files) text += file.content === null ? `D ${file.path}\n` : `M 100644 inline ${file.path}\n${data(file.content)}`
    await write(text)
  }

  const base = Date.parse('2026-01-01T00:00:00Z')
  await commit(base - HOUR, PERSON('admin'), 'Set up the access repository', [
    { path: '.github/jit.yml', content: `audit:\n  app_login: "${APP_LOGIN}"\n` },
    { path: '.github/CODEOWNERS', content: 'requests/** @acme/sre-leads\n' },
    { path: 'policies/prod-ec2.yaml', content: policyText(0) },
  ])
  const counts = { grants: 0, refusals: 0, early: 0, policyChanges: 0 }
  for (let index = 1; index <= params.grants; index++) {
    const start = base + index * 5 * 60_000
    if (index % 500 === 0) {
      counts.policyChanges++
      await commit(start - 60_000, PERSON('dana'), `Merge pull request #${900_000 + index} from acme/policy-${index}`, [
        { path: 'policies/prod-ec2.yaml', content: policyText(index) },
      ])
    }
    const record = grantRecord(index, start)
    if (index % 10 === 0) {
      counts.refusals++
      const refusal = refusalRecord(record)
      await commit(start, APP, formatRecordCommitMessage(refusal), [
        { path: recordPath('refused', refusal.id), content: formatRecordDocument(refusal) },
      ])
      continue
    }
    counts.grants++
    const intent: IntentRecord = { ...withoutGrantedAt(record), state: 'granting', intended_at: iso(start) }
    await commit(start, APP, formatRecordCommitMessage(intent), [
      { path: recordPath('granting', record.id), content: formatRecordDocument(intent) },
    ])
    await commit(start + 2_000, APP, formatRecordCommitMessage(record), [
      { path: recordPath('granting', record.id), content: null },
      { path: recordPath('active', record.id), content: formatRecordDocument(record) },
    ])
    const early = index % 25 === 0
    if (early) counts.early++
    const revokedAt = early ? start + 20 * 60_000 : Date.parse(record.expires_at) + 60_000
    const revoked: RevokedGrantRecord = {
      ...record,
      state: 'revoked',
      revocation: {
        revoked_at: iso(revokedAt),
        revoked_by: early ? record.approvals[0]!.login : 'jit-sweeper',
        reason: early ? 'early' : 'expired',
        aws: record.targets.map((target) => ({
          account: target.account,
          principal: target.principal,
          aws_policy_name: target.aws_policy_name,
          outcome: 'revoked',
        })),
      },
    }
    await commit(
      revokedAt,
      APP,
      renderRevocationMessage([{ record: revoked, source: 'active', summary: `deleted ${record.targets[0]!.aws_policy_name}` }]),
      [
        { path: recordPath('active', record.id), content: null },
        { path: recordPath('revoked', record.id), content: formatRecordDocument(revoked) },
      ],
    )
  }
  await write('done\n')
  importer.stdin.end()
  await finished
  await runGit(params.dir, ['reset', '-q', '--hard', 'main'])
  return { commits: mark, ...counts }
}

function policyText(version: number): string {
  return `name: prod-ec2\ndescription: version ${version}\ngrants:\n  accounts: ["*"]\n  actions: ["ec2:*"]\nrequesters:\n  teams: ["@acme/sre"]\nmax_duration: 4h\napprovals:\n  - from: codeowners\n    count: 1\n`
}

function iso(ms: number): string {
  return new Date(ms).toISOString().replace('.000Z', 'Z')
}

function withoutGrantedAt(record: GrantRecord): Omit<GrantRecord, 'granted_at' | 'state' | 'revocation'> {
  const { granted_at: _granted, state: _state, revocation: _revocation, ...rest } = record
  return rest
}

/** Request `index`: one of 50 requesters, one of 10 accounts, an hour of ec2 actions, approved by a lead. */
export function grantRecord(index: number, start: number): GrantRecord {
  const requester = `user${index % 50}`
  const account = ACCOUNTS[index % ACCOUNTS.length]!
  const expires = start + HOUR
  const approver = `lead${index % 7}`
  return {
    id: `pr-${index}`,
    state: 'active',
    request: { path: `requests/sre/${requester}-${index}.yaml`, blob_sha: 'b'.repeat(40) },
    pull_request: {
      number: index,
      url: `https://github.com/acme/access/pull/${index}`,
      merge_commit_sha: 'c'.repeat(40),
      merged_by: approver,
    },
    requester,
    reason: `Incident INC-${index}: restart the stuck instances`,
    ticket: `INC-${index}`,
    duration: '1h',
    extends: null,
    approvals: [
      {
        login: approver,
        review_id: 5_000_000 + index,
        commit: 'd'.repeat(40),
        submitted_at: iso(start - 60_000),
        rule: 'prod-ec2 rule 1: code owners',
      },
    ],
    policies: [{ name: 'prod-ec2', file: 'policies/prod-ec2.yaml', blob_sha: 'e'.repeat(40), auto_approved: false }],
    targets: [
      {
        account,
        principal: `arn:aws:iam::${account}:role/jit-${requester}`,
        actions: index % 3 === 0 ? ['ec2:*'] : ['ec2:StopInstances', 'ec2:TerminateInstances'],
        resources: [`arn:aws:ec2:us-east-1:${account}:instance/*`],
        aws_policy_name: nameGrantPolicy({ namespace: AUDIT_NAMESPACE, requestId: `pr-${index}`, expiresAt: new Date(expires) }),
      },
    ],
    not_before: iso(start),
    expires_at: iso(expires),
    granted_at: iso(start + 2_000),
    revoke_sessions: false,
    dry_run: false,
  }
}

function refusalRecord(record: GrantRecord): RefusalRecord {
  return {
    id: record.id,
    state: 'refused',
    request: record.request,
    pull_request: { ...record.pull_request, merged_by: 'root' },
    requester: record.requester,
    reason: record.reason,
    ticket: record.ticket,
    duration: record.duration,
    refused_at: record.not_before,
    verdict: 'pending',
    summary: 'Pending: 1 more approval from the code owners',
    explanation: 'Pending: 1 more approval\n',
  }
}
