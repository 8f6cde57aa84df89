import { beforeAll, describe, expect, it } from 'vitest'
import { decide, teamsToResolve } from '../../../src/core/decision/decide.js'
import type { Decision } from '../../../src/core/decision/decision.js'
import { renderDecision } from '../../../src/core/decision/render-decision.js'
import { listFailureErrors } from '../../../src/core/files/access-repository.js'
import { planGrant } from '../../../src/core/records/plan-grant.js'
import { IDENTITY_CENTER_BLOCK } from '../../support/identity-center-settings.js'
import { decisionInput, loadExampleWorld, NOW, review, withFiles, type ExampleWorld } from '../../support/example-repo.js'

// Curated permission sets (issue 13): a policy grants existing Identity Center permission sets by exact
// name, a request asks for one instead of actions, and the decision matches it with the same rules.
let world: ExampleWorld
beforeAll(async () => {
  world = await loadExampleWorld()
})

const PROD = '111111111111'
const STAGING = '222222222222'
const SETTINGS = [
  'principal: "arn:aws:iam::{account}:role/jit-{login}"',
  'granter_role: "arn:aws:iam::{account}:role/jit-granter"',
  'accounts:',
  `  "${PROD}": { backend: identity_center }`,
  `  "${STAGING}": { backend: identity_center }`,
  ...IDENTITY_CENTER_BLOCK,
  '',
].join('\n')
const POLICY = [
  'name: prod-read-only',
  'grants:',
  `  accounts: ["${PROD}"]`,
  '  permission_sets: [ReadOnlyAccess, ViewOnlyAccess]',
  'requesters:',
  '  teams: ["@acme/sre"]',
  'request_paths: ["requests/sre/**"]',
  'max_duration: 4h',
  'approvals:',
  '  - from: codeowners',
  '',
].join('\n')

function repository(changes: Record<string, string | null> = {}) {
  return withFiles(world, { '.github/jit.yml': SETTINGS, 'policies/prod-read-only.yaml': POLICY, ...changes })
}

const requestText = (entries: string[], duration = '2h') =>
  ['reason: look at the outage', 'ticket: INC-1', `duration: ${duration}`, 'access:', ...entries, ''].join('\n')

function decideRequest(params: {
  text: string
  author?: string
  reviews?: ReturnType<typeof review>[]
  changes?: Record<string, string | null>
}): Decision {
  return decide(
    decisionInput(world, {
      repository: repository(params.changes),
      requestFile: { path: 'requests/sre/look.yaml', text: params.text },
      author: params.author ?? 'alice',
      reviews: params.reviews ?? [],
      requestId: 'pr-7',
    }),
  )
}

describe('a policy that grants curated permission sets', () => {
  it('loads, and a request for a listed set in a listed account is approved by the policy`s rules', () => {
    expect(listFailureErrors(repository().failures)).toEqual([])
    const decision = decideRequest({
      text: requestText([`  - account: "${PROD}"`, '    permission_set: ReadOnlyAccess']),
      reviews: [review('bob', 'APPROVED')],
    })
    expect(decision.summary).toBe('Approved: approved by @bob under policy prod-read-only')
    expect(decision.items).toEqual([
      {
        item: { account: PROD, permissionSet: 'ReadOnlyAccess', line: 5 },
        policy: 'prod-read-only',
        candidates: ['prod-read-only'],
        nearMisses: [],
      },
    ])
    const text = renderDecision(decision, { format: 'text' })
    expect(text).toContain(`- account ${PROD}: permission set ReadOnlyAccess (policy: prod-read-only)`)
    expect(renderDecision(decision, { format: 'markdown' })).toContain(
      `| permission set \`ReadOnlyAccess\` | those of the permission set | prod-read-only |`,
    )
  })

  it('waits for the same approvals as actions would', () => {
    const decision = decideRequest({ text: requestText([`  - account: "${PROD}"`, '    permission_set: ReadOnlyAccess']) })
    expect(decision.verdict).toBe('pending')
    expect(decision.summary).toBe(
      'Pending: 1 more approval from code owners of requests/sre/look.yaml (@acme/sre-leads) (policy prod-read-only)',
    )
  })

  it('needs the team members of the policy that lists the set', () => {
    const text = requestText([`  - account: "${PROD}"`, '    permission_set: ReadOnlyAccess'])
    const teams = teamsToResolve({
      repository: repository(),
      requestFile: { path: 'requests/sre/look.yaml', text },
      request: decisionInput(world, { requestFile: { path: 'requests/sre/look.yaml', text }, author: 'alice' }).request,
      author: 'alice',
    })
    expect(teams).toContain('@acme/sre')
  })

  it.each([
    {
      name: 'a set no policy lists',
      entries: [`  - account: "${PROD}"`, '    permission_set: AdministratorAccess'],
      summary: `Denied: no policy grants the permission set AdministratorAccess (permission set AdministratorAccess in ${PROD}) to alice: a permission set is grantable only when a policy lists it by name in grants.permission_sets`,
    },
    {
      name: 'a name that differs only in case (names are exact)',
      entries: [`  - account: "${PROD}"`, '    permission_set: readonlyaccess'],
      summary: `Denied: no policy grants the permission set readonlyaccess (permission set readonlyaccess in ${PROD}) to alice: a permission set is grantable only when a policy lists it by name in grants.permission_sets`,
    },
    {
      name: 'a listed set in an account the policy does not grant',
      entries: [`  - account: "${STAGING}"`, '    permission_set: ReadOnlyAccess'],
      summary: `Denied: no policy grants permission set ReadOnlyAccess in ${STAGING} to alice (1 came close: prod-read-only)`,
    },
  ])('denies $name, with the reason', ({ entries, summary }) => {
    const decision = decideRequest({ text: requestText(entries) })
    expect(decision.verdict).toBe('denied')
    expect(decision.summary).toBe(summary)
  })

  it('explains a near miss in a reviewer`s words', () => {
    const decision = decideRequest({ text: requestText([`  - account: "${STAGING}"`, '    permission_set: ReadOnlyAccess']) })
    expect(decision.items[0]!.nearMisses).toEqual([
      { policy: 'prod-read-only', file: 'policies/prod-read-only.yaml', reasons: [`does not grant account ${STAGING} (grants ${PROD})`] },
    ])
  })

  it('denies a requester outside the policy and a duration over its max_duration', () => {
    const outsider = decideRequest({ text: requestText([`  - account: "${PROD}"`, '    permission_set: ReadOnlyAccess']), author: 'frank' })
    expect(outsider.verdict).toBe('denied')
    expect(outsider.items[0]!.nearMisses[0]!.reasons).toEqual(['frank is not one of its requesters (@acme/sre)'])
    const long = decideRequest({ text: requestText([`  - account: "${PROD}"`, '    permission_set: ReadOnlyAccess'], '8h') })
    expect(long.items[0]!.nearMisses[0]!.reasons).toEqual(['duration 8h is longer than its max_duration 4h'])
  })

  it('plans one target naming the set, with no actions', () => {
    const decision = decideRequest({
      text: requestText([`  - account: "${PROD}"`, '    permission_set: ReadOnlyAccess']),
      reviews: [review('bob', 'APPROVED')],
    })
    const planned = planGrant({
      decision,
      settings: repository().settings,
      merge: {
        pullNumber: 7,
        pullUrl: 'https://github.com/acme/access/pull/7',
        mergeCommitSha: 'c'.repeat(40),
        mergedBy: 'bob',
        mergedAt: NOW,
        requestBlobSha: 'b'.repeat(40),
        policyBlobShas: { 'policies/prod-read-only.yaml': 'a'.repeat(40) },
      },
      now: NOW,
      namespace: '0123456789',
    })
    expect(planned.ok && planned.plan.targets).toEqual([
      { account: PROD, principalArn: 'identity-center-user:alice@acme.com', actions: [], resources: [], permissionSet: 'ReadOnlyAccess' },
    ])
  })
})

describe('what a curated permission set cannot be granted beside, refused at check time', () => {
  const both = POLICY.replace('accounts: ["111111111111"]', `accounts: ["${PROD}", "${STAGING}"]`).replace(
    '  permission_sets:',
    '  actions: ["ec2:Describe*"]\n  permission_sets:',
  )
  it.each([
    {
      name: 'actions in the same account',
      entries: [
        `  - account: "${PROD}"`,
        '    permission_set: ReadOnlyAccess',
        `  - account: "${PROD}"`,
        '    actions: [ec2:DescribeInstances]',
      ],
      line: 7,
      message: `the request asks for both actions and the permission set ReadOnlyAccess in account ${PROD}; one permission set per request holds its access there, and a copied permission set's policies cannot be narrowed to some actions. Ask for one or the other, in separate requests`,
    },
    {
      name: 'actions in another Identity Center account (one set per request is provisioned to both)',
      entries: [
        `  - account: "${PROD}"`,
        '    permission_set: ReadOnlyAccess',
        `  - account: "${STAGING}"`,
        '    actions: [ec2:DescribeInstances]',
      ],
      line: 7,
      message: `the request asks for the permission set ReadOnlyAccess in ${PROD} and also actions in ${STAGING}; one permission set per request is provisioned to every Identity Center account of the request, so a copied set's managed policies would hold in all of them: ask for one permission set (the same in every account) or for actions, in separate requests`,
    },
    {
      name: 'two different sets',
      entries: [
        `  - account: "${PROD}"`,
        '    permission_set: ReadOnlyAccess',
        `  - account: "${PROD}"`,
        '    permission_set: ViewOnlyAccess',
      ],
      line: 5,
      message: `the request asks for several permission sets (ReadOnlyAccess, ViewOnlyAccess) in account ${PROD}; one permission set per request holds its access. Open one request per permission set`,
    },
  ])('refuses $name', ({ entries, line, message }) => {
    const decision = decideRequest({ text: requestText(entries), changes: { 'policies/prod-read-only.yaml': both } })
    expect(decision.verdict).toBe('invalid')
    expect(decision.errors).toEqual([{ file: 'requests/sre/look.yaml', line, message }])
  })

  it('refuses a permission set in an account on the IAM backend', () => {
    const iam = SETTINGS.replace(`  "${PROD}": { backend: identity_center }`, `  "${PROD}": { backend: iam }`)
    const decision = decideRequest({
      text: requestText([`  - account: "${PROD}"`, '    permission_set: ReadOnlyAccess']),
      changes: { '.github/jit.yml': iam },
    })
    expect(decision.verdict).toBe('invalid')
    expect(decision.errors).toEqual([
      {
        file: 'requests/sre/look.yaml',
        line: 5,
        message: `account ${PROD} is on the IAM backend, where there are no permission sets: permission_set ReadOnlyAccess can be asked only in accounts whose backend is identity_center in .github/jit.yml; ask for actions instead`,
      },
    ])
  })

  it('grants the same set in two Identity Center accounts', () => {
    const decision = decideRequest({
      text: requestText([
        `  - account: "${PROD}"`,
        '    permission_set: ReadOnlyAccess',
        `  - account: "${STAGING}"`,
        '    permission_set: ReadOnlyAccess',
      ]),
      changes: { 'policies/prod-read-only.yaml': both },
      reviews: [review('bob', 'APPROVED')],
    })
    expect(decision.verdict).toBe('approved')
  })
})
