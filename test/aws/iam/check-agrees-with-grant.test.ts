import { IAMClient } from '@aws-sdk/client-iam'
import { STSClient } from '@aws-sdk/client-sts'
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest'
import { startIamStsEmulator, type IamStsEmulator } from '../../../emulator/aws/iam-sts-emulator.js'
import { createIamProvider } from '../../../src/aws/iam/iam-provider.js'
import { loadActionCatalogue } from '../../../src/aws/load-action-catalogue.js'
import { buildGrantPolicyDocument, serializePolicyDocument } from '../../../src/core/records/iam-policy-document.js'
import { decide } from '../../../src/core/decision/decide.js'
import { loadAccessRepository, type AccessRepository } from '../../../src/core/files/access-repository.js'
import { parseAccessRequest, type AccessRequest } from '../../../src/core/files/access-request.js'
import type { ActionCatalogue } from '../../../src/core/matching/action-catalogue.js'
import type { CloudProvider } from '../../../src/core/ports/cloud-provider.js'
import { planGrant } from '../../../src/core/records/plan-grant.js'
import { TEST_NAMESPACE } from '../../fixtures/namespace.js'

// "A green check means AWS accepts the grant", shown on one set of requests fed to both sides: the
// check (`decide`) and the grant step (`planGrant`, then the IAM provider over the real SDK against
// the IAM emulator, which refuses what AWS refuses). Every request the check approves is granted;
// every one it refuses fails at the grant when pushed past the check.
const ACCOUNT = '111111111111'
const NOW = new Date('2026-12-01T08:00:00Z')
const START = '2026-12-01T09:00:00Z'
const INSTANCE = `arn:aws:ec2:us-east-1:${ACCOUNT}:instance/i-0abc123`
const LONG_PREFIX = 'jit-access-for-the-platform-engineering-team-'

const policy = (name: string, actions: string[]) =>
  [
    `name: ${name}`,
    'grants:',
    `  accounts: ["${ACCOUNT}"]`,
    `  actions: ${JSON.stringify(actions)}`,
    'requesters:',
    '  users: [alice, grace, dave-the-platform-engineer]',
    'max_duration: 90d',
    'auto_approve:',
    '  max_duration: 90d',
  ].join('\n')
const SETTINGS = [
  'principal: "arn:aws:iam::{account}:role/jit-{login}"',
  'principals:',
  '  grace: "arn:aws:iam::{account}:user/grace"',
  `  dave-the-platform-engineer: "arn:aws:iam::{account}:role/${LONG_PREFIX}{login}"`,
].join('\n')

interface Case {
  readonly name: string
  readonly author?: string
  readonly actions: readonly string[]
  readonly resources?: readonly string[]
  readonly start?: string
  readonly duration?: string
  /** What the check says when it refuses, on the `access` entry's line (4) unless `line` says otherwise. */
  readonly refused?: string
  /** A second refusal the check also reports, before `refused`, on the same line. */
  readonly alsoRefused?: string
  readonly line?: number
}

/** The request file, and the same request as the grant step takes it (not through the check's parser). */
function requestOf(testCase: Case): { text: string; request: AccessRequest } {
  const start = testCase.start ?? START
  const duration = testCase.duration ?? '1h'
  const resources = testCase.resources ?? [INSTANCE]
  const text = [
    'reason: agreement test',
    `duration: ${duration}`,
    `start: "${start}"`,
    'access:',
    `  - account: "${ACCOUNT}"`,
    `    actions: ${JSON.stringify(testCase.actions)}`,
    `    resources: ${JSON.stringify(resources)}`,
  ].join('\n')
  const durationMs = { '1h': 3_600_000, '90d': 90 * 86_400_000 }[duration] ?? Number.NaN
  const request: AccessRequest = {
    file: 'requests/test.yaml',
    reason: 'agreement test',
    durationText: duration,
    durationMs,
    start: new Date(start),
    access: [{ account: ACCOUNT, actions: testCase.actions, resources, line: 5, actionLines: testCase.actions.map(() => 6) }],
    lines: { duration: 2, start: 3 },
  }
  return { text, request }
}

let emulator: IamStsEmulator
let provider: CloudProvider
let catalogue: ActionCatalogue
let repository: AccessRepository
let ec2Actions: readonly string[]

beforeAll(async () => {
  catalogue = await loadActionCatalogue()
  ec2Actions = catalogue.expand('ec2:*')
  repository = loadAccessRepository({
    files: [
      { path: 'policies/ec2-all.yaml', text: policy('ec2-all', ['ec2:*']) },
      { path: 'policies/everything.yaml', text: policy('everything', ['*']) },
      { path: '.github/jit.yml', text: SETTINGS },
    ],
    catalogue,
  })
  expect(repository.failures).toEqual([])
  const credentials = { accessKeyId: 'AKIAEMULATORTEST0001', secretAccessKey: 'base-secret-key' }
  emulator = await startIamStsEmulator({ credentials: [credentials], granterRoleNames: ['jit-granter'] })
  emulator.state.seedRole({ account: ACCOUNT, roleName: 'jit-granter', externalId: 'ext' })
  emulator.state.seedRole({ account: ACCOUNT, roleName: 'jit-alice' })
  emulator.state.seedUser({ account: ACCOUNT, userName: 'grace' })
  provider = createIamProvider({
    granterRole: 'arn:aws:iam::{account}:role/jit-granter',
    externalId: 'ext',
    createStsClient: (config) => new STSClient({ ...config, endpoint: emulator.url, credentials }),
    createIamClient: (config) => new IAMClient({ ...config, endpoint: emulator.url }),
    sleep: async () => {},
    random: () => 0,
  })
})

afterAll(async () => {
  await emulator?.stop()
})

beforeEach(() => {
  emulator.state.findRole(ACCOUNT, 'jit-alice')?.inlinePolicies.clear()
  emulator.state.findUser(ACCOUNT, 'grace')?.inlinePolicies.clear()
})

/** The most actions of ec2 whose grant to a principal of `kind` fits IAM's inline quota (found with the grant's own document). */
function mostActionsThatFit(limit: number): number {
  const size = (count: number) =>
    serializePolicyDocument(
      buildGrantPolicyDocument({
        requestId: 'pr-42',
        notBefore: new Date(START),
        expiresAt: new Date(new Date(START).getTime() + 3_600_000),
        actions: ec2Actions.slice(0, count),
        resources: [INSTANCE],
      }),
    ).length
  let count = 1
  while (size(count + 1) <= limit) count++
  return count
}

async function checkAndGrant(testCase: Case): Promise<{ check: ReturnType<typeof decide>; granted: boolean; grantError: string }> {
  const { text, request } = requestOf(testCase)
  const requestFile = { path: 'requests/test.yaml', text }
  const author = testCase.author ?? 'alice'
  const check = decide({
    requestFile,
    request: parseAccessRequest({ file: requestFile.path, text }),
    repository,
    author,
    headSha: 'a'.repeat(40),
    reviews: [],
    teams: new Map(),
    now: NOW,
    catalogue,
    requestId: 'pr-42',
  })
  // The grant step, as if the request had got past the check (an admin merge): the plan, then AWS.
  const planning = planGrant({
    namespace: TEST_NAMESPACE,
    decision: { ...check, verdict: 'approved', request, author },
    settings: repository.settings,
    merge: {
      pullNumber: 42,
      pullUrl: 'https://github.com/acme/access/pull/42',
      mergeCommitSha: 'b'.repeat(40),
      mergedBy: 'bob',
      mergedAt: NOW,
      requestBlobSha: 'c'.repeat(40),
      policyBlobShas: { 'policies/ec2-all.yaml': 'd'.repeat(40), 'policies/everything.yaml': 'e'.repeat(40) },
    },
    now: NOW,
  })
  if (!planning.ok) return { check, granted: false, grantError: planning.error }
  const outcome = await provider.grant(planning.plan)
  return { check, granted: outcome.ok, grantError: outcome.error?.message ?? '' }
}

describe('the check and the grant agree', () => {
  const cases: Case[] = [
    { name: 'a plain request', actions: ['ec2:StopInstances'] },
    { name: 'every action, and an upper-case service prefix', actions: ['*', 'EC2:TerminateInstances'], resources: ['*'] },
    { name: 'a Latin-1 resource', actions: ['ec2:StopInstances'], resources: [`arn:aws:ec2:us-east-1:${ACCOUNT}:instance/caf\u00e9`] },
    {
      name: 'an ARN that is not an ARN',
      actions: ['ec2:StopInstances'],
      resources: ['arn:x'],
      refused: 'resource "arn:x" is not an ARN',
      line: 7,
    },
    {
      name: 'an unknown partition',
      actions: ['ec2:StopInstances'],
      resources: [`arn:awz:ec2:us-east-1:${ACCOUNT}:instance/i-1`],
      refused: 'names the partition "awz", which AWS does not have',
      line: 7,
    },
    {
      name: 'a character IAM does not accept in a policy',
      actions: ['ec2:StopInstances'],
      resources: [`arn:aws:ec2:us-east-1:${ACCOUNT}:instance/\u20ac`],
      refused: '(U+20AC), which IAM does not accept in a policy',
      line: 7,
    },
    {
      name: 'a role name over 64 characters from the principal template',
      author: 'dave-the-platform-engineer',
      actions: ['ec2:StopInstances'],
      refused: `the role name ${LONG_PREFIX}dave-the-platform-engineer is 71 characters long; IAM allows 64`,
      line: 5,
    },
    {
      name: 'a window ending after the year 9999',
      actions: ['ec2:StopInstances'],
      start: '9999-12-31T00:00:00Z',
      duration: '90d',
      refused: 'the access would end after 9999-12-31T23:59:59Z, which an IAM policy cannot say',
      line: 3,
      // So far ahead is also past max_start_ahead: the check says both.
      alsoRefused: 'is more than 30d ahead',
    },
    {
      name: '826 actions under an ec2:* policy',
      actions: [],
      refused: 'would be an inline policy of',
      line: 5,
    },
  ]

  it.each(cases)('$name', async (testCase) => {
    const actions = testCase.name.startsWith('826') ? ec2Actions.slice(0, 826) : testCase.actions
    const { check, granted, grantError } = await checkAndGrant({ ...testCase, actions })
    if (testCase.refused === undefined) {
      expect(check.errors).toEqual([])
      expect(check.verdict).toBe('approved')
      expect(grantError).toBe('')
      expect(granted).toBe(true)
    } else {
      expect(check.verdict).toBe('invalid')
      expect(check.errors).toEqual([
        ...(testCase.alsoRefused
          ? [{ file: 'requests/test.yaml', line: testCase.line, message: expect.stringContaining(testCase.alsoRefused) }]
          : []),
        { file: 'requests/test.yaml', line: testCase.line, message: expect.stringContaining(testCase.refused) },
      ])
      expect(granted).toBe(false)
    }
  })

  it.each([
    { kind: 'role', author: 'alice', limit: 10_240 },
    { kind: 'user', author: 'grace', limit: 2_048 },
  ])(
    'at the $kind quota ($limit characters): the most that fits is approved and granted, one more is refused by both',
    async ({ author, limit }) => {
      const fits = mostActionsThatFit(limit)
      const atLimit = await checkAndGrant({ name: 'at the limit', author, actions: ec2Actions.slice(0, fits) })
      expect(atLimit.check.verdict).toBe('approved')
      expect(atLimit.granted).toBe(true)

      const over = await checkAndGrant({ name: 'one over', author, actions: ec2Actions.slice(0, fits + 1) })
      expect(over.check.verdict).toBe('invalid')
      expect(over.check.errors[0]?.message).toContain(`IAM allows ${limit.toLocaleString('en-US')} per`)
      expect(over.granted).toBe(false)
    },
  )
})
