import { beforeAll, describe, expect, it } from 'vitest'
import { createCedarAuthorizer } from '../../bench/cedar-authorizer.js'
import { translatePoliciesToCedar, UntranslatablePolicyError } from '../../bench/cedar-policies.js'
import { countVerdicts, findDisagreements, prepareDecideWorkload, readGrantability } from '../../bench/decide-workload.js'
import { generateAccessRepo, type AuthorizationQuestion } from '../../bench/generate-access-repo.js'
import { measureChunks, median } from '../../bench/measure-rounds.js'
import { runBenchmarks } from '../../bench/run-benchmarks.js'
import type { ActionCatalogue } from '../../src/core/matching/action-catalogue.js'
import { loadActionCatalogue } from '../../src/aws/load-action-catalogue.js'
import { decide } from '../../src/core/decision/decide.js'
import { createAccessRepository } from '../../src/core/files/access-repository.js'
import { parseAccessRequest } from '../../src/core/files/access-request.js'
import { parsePolicy, type Policy } from '../../src/core/files/policy.js'
import { DEFAULT_SETTINGS } from '../../src/core/files/settings.js'
import { listFailureErrors } from '../../src/core/files/access-repository.js'

let catalogue: ActionCatalogue
beforeAll(async () => {
  catalogue = await loadActionCatalogue()
})

const clock = { now: () => performance.now() }

function policyFrom(text: string, file = 'policies/test.yaml'): Policy {
  const parsed = parsePolicy({ file, text })
  if (!parsed.ok) throw new Error(parsed.errors.map((error) => error.message).join('; '))
  return parsed.value
}

describe('generateAccessRepo', () => {
  it('generates the same repository and requests from the same seed, and others from another', () => {
    const first = generateAccessRepo({ policies: 50, requests: 40, seed: 7, catalogue })
    const again = generateAccessRepo({ policies: 50, requests: 40, seed: 7, catalogue })
    const other = generateAccessRepo({ policies: 50, requests: 40, seed: 8, catalogue })
    expect(again.files).toEqual(first.files)
    expect(again.requests).toEqual(first.requests)
    expect(other.files).not.toEqual(first.files)
  })

  it('writes policies that load without errors, over real actions, some of them wildcards', () => {
    const generated = generateAccessRepo({ policies: 300, requests: 0, seed: 11, catalogue })
    const workload = prepareDecideWorkload({ policies: 300, requests: 0, seed: 11, catalogue, ...clock })
    expect(listFailureErrors(workload.repository.failures)).toEqual([])
    expect(workload.repository.policies).toHaveLength(300)
    expect(generated.files.filter((file) => file.path.startsWith('policies/'))).toHaveLength(300)
    const actions = workload.repository.policies.flatMap((policy) => policy.grants.actions)
    expect(actions.some((action) => action.endsWith('*'))).toBe(true)
    expect(actions.every((action) => catalogue.expand(action).length > 0)).toBe(true)
  })
})

describe('our engine and Cedar on the same questions', () => {
  it('agree on every one of a few hundred generated requests, which mix approved, pending and denied', () => {
    const workload = prepareDecideWorkload({ policies: 200, requests: 400, seed: 3, catalogue, ...clock })
    const cedar = createCedarAuthorizer({
      policies: workload.repository.policies,
      catalogue,
      teams: workload.generated.teams,
      policySetId: 'test-agreement',
      ...clock,
    })
    const decisions = workload.inputs.map((input) => decide(input))
    const answers = workload.generated.requests.map((request) => cedar.authorize(cedar.createCall(request.question)))

    expect(findDisagreements({ requests: workload.generated.requests, decisions, cedar: answers })).toEqual([])
    const mix = countVerdicts(decisions.map((decision) => decision.verdict))
    expect(mix.invalid).toBe(0)
    expect(mix.approved).toBeGreaterThan(100)
    expect(mix.pending).toBeGreaterThan(20)
    expect(mix.denied).toBeGreaterThan(20)
  })

  it('reports a question the engines answer differently, and a covered request with its approvals that is not approved', () => {
    const workload = prepareDecideWorkload({ policies: 20, requests: 30, seed: 5, catalogue, ...clock })
    const requests = workload.generated.requests
    const decisions = workload.inputs.map((input) => decide(input))
    const flipped = decisions.map((decision) => ({ allows: readGrantability(decision.verdict) !== true, policies: [] }))
    expect(findDisagreements({ requests, decisions, cedar: flipped })).toHaveLength(requests.length)

    const covered = requests.findIndex((request) => request.intent === 'covered-with-approvals')
    const pendingInstead = decisions.map((decision, index) =>
      index === covered ? { verdict: 'pending' as const, summary: 'Pending: test' } : decision,
    )
    const agreeing = decisions.map((decision) => ({ allows: readGrantability(decision.verdict) === true, policies: [] }))
    const found = findDisagreements({ requests, decisions: pendingInstead, cedar: agreeing })
    expect(found.map((disagreement) => disagreement.request.file.path)).toEqual([requests[covered]?.file.path])
    expect(found[0]?.why).toMatch(/with its approvals on the head commit, yet pending/)
  })
})

describe('translatePoliciesToCedar', () => {
  const policy = policyFrom(
    [
      'name: ec2-ops',
      'grants:',
      '  accounts: ["111111111111"]',
      '  actions: ["ec2:StopInstances", "ec2:Describe*"]',
      '  resources: ["arn:aws:ec2:*:111111111111:instance/*"]',
      'requesters:',
      '  teams: ["@acme/sre"]',
      '  users: [bob]',
      'max_duration: 2h',
      'ticket: "^(INC|CHG)-"',
      'approvals:',
      '  - from: [carol]',
    ].join('\n'),
  )
  const teams = new Map([['@acme/sre', ['alice']]])
  const allowed: AuthorizationQuestion = {
    author: 'alice',
    account: '111111111111',
    action: 'ec2:StopInstances',
    resource: 'arn:aws:ec2:us-east-1:111111111111:instance/i-1',
    durationMs: 3_600_000,
    ticket: 'CHG-12',
  }
  let ask: (question: AuthorizationQuestion) => boolean
  beforeAll(() => {
    const cedar = createCedarAuthorizer({ policies: [policy], catalogue, teams, policySetId: 'test-translation', ...clock })
    ask = (question) => cedar.authorize(cedar.createCall(question)).allows
  })

  it.each<[string, Partial<AuthorizationQuestion>, boolean]>([
    ['a team member within every limit', {}, true],
    ['a listed user', { author: 'bob' }, true],
    ['someone else', { author: 'mallory' }, false],
    ['the action in another case (IAM names are case-insensitive)', { action: 'ec2:stopinstances' }, true],
    ['an action the wildcard covers', { action: 'ec2:DescribeVolumes' }, true],
    ['an action not granted', { action: 'ec2:TerminateInstances' }, false],
    ['another account', { account: '222222222222' }, false],
    ['a resource outside the pattern', { resource: 'arn:aws:ec2:us-east-1:222222222222:instance/i-1' }, false],
    ['exactly the maximum duration', { durationMs: 7_200_000 }, true],
    ['longer than the maximum', { durationMs: 7_260_000 }, false],
    ['a ticket with the other prefix', { ticket: 'INC-1' }, true],
    ['a ticket with neither prefix', { ticket: 'JIRA-1' }, false],
  ])('%s: Cedar allows = %s, as our engine does', (_label, change, expected) => {
    const question = { ...allowed, ...change }
    expect(ask(question)).toBe(expected)
    const requestFile = {
      path: 'requests/sre/x.yaml',
      text: [
        'reason: test',
        `ticket: ${question.ticket}`,
        `duration: ${question.durationMs / 60_000}m`,
        'access:',
        `  - account: "${question.account}"`,
        `    actions: ["${question.action}"]`,
        `    resources: ["${question.resource}"]`,
      ].join('\n'),
    }
    const decision = decide({
      requestFile,
      request: parseAccessRequest({ file: requestFile.path, text: requestFile.text }),
      repository: createAccessRepository({ policies: [policy], settings: DEFAULT_SETTINGS, failures: [] }),
      author: question.author,
      headSha: 'a'.repeat(40),
      reviews: [],
      teams,
      now: new Date('2027-01-01T00:00:00Z'),
      catalogue,
    })
    expect(readGrantability(decision.verdict)).toBe(expected)
  })

  it('refuses what Cedar cannot say exactly: a ? in a resource, a ticket rule that is not a literal prefix', () => {
    const withQuestionMark = policyFrom(
      [
        'name: q',
        'grants:',
        '  accounts: ["*"]',
        '  actions: ["s3:GetObject"]',
        '  resources: ["arn:aws:s3:::logs-202?/*"]',
        'requesters:',
        '  users: [bob]',
        'max_duration: 1h',
        'approvals:',
        '  - from: codeowners',
      ].join('\n'),
      'policies/q.yaml',
    )
    expect(() => translatePoliciesToCedar({ policies: [withQuestionMark], catalogue })).toThrow(UntranslatablePolicyError)
    const digitsTicket = policyFrom(
      [
        'name: t',
        'grants:',
        '  accounts: ["*"]',
        '  actions: ["s3:GetObject"]',
        'requesters:',
        '  users: [bob]',
        'max_duration: 1h',
        'ticket: "^INC-[0-9]+$"',
        'approvals:',
        '  - from: codeowners',
      ].join('\n'),
      'policies/t.yaml',
    )
    expect(() => translatePoliciesToCedar({ policies: [digitsTicket], catalogue })).toThrow(
      /policies\/t\.yaml: the ticket rule \/\^INC-\[0-9\]\+\$\/ is not a literal prefix/,
    )
  })
})

describe('measuring', () => {
  it('takes the median of the rounds', () => {
    expect(median([5, 1, 3])).toBe(3)
    expect(median([4, 1, 3, 2])).toBe(2.5)
  })

  it('answers every item once, in order, timed in slices', () => {
    let tick = 0
    const { results, timings } = measureChunks({
      items: [1, 2, 3, 4, 5],
      chunks: 2,
      warmUpItems: 1,
      run: (item) => item * 10,
      now: () => (tick += 1),
    })
    expect(results).toEqual([10, 20, 30, 40, 50])
    expect(timings.roundsMs).toHaveLength(2)
  })
})

describe('runBenchmarks', () => {
  const lines: string[] = []
  const io = { log: (line: string) => lines.push(line), now: () => 0 }
  const ran: string[] = []
  const cases = ['a', 'b'].map((name) => ({ name, description: `case ${name}`, run: async () => (ran.push(name), { ok: name === 'a' }) }))

  it('runs only the named cases, and fails when one fails', async () => {
    expect(await runBenchmarks({ names: ['a'], io, cases })).toBe(true)
    expect(await runBenchmarks({ names: [], io, cases })).toBe(false)
    expect(ran).toEqual(['a', 'a', 'b'])
  })

  it('refuses an unknown case and lists the known ones', async () => {
    lines.length = 0
    expect(await runBenchmarks({ names: ['nope'], io, cases })).toBe(false)
    expect(lines).toEqual(['unknown bench case nope; the cases are:', '  a: case a', '  b: case b'])
  })
})
