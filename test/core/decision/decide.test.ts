import { beforeAll, describe, expect, it } from 'vitest'
import { decide, teamsToResolve } from '../../../src/core/decision/decide.js'
import type { Decision } from '../../../src/core/decision/decision.js'
import { listFailureErrors } from '../../../src/core/files/access-repository.js'
import {
  decisionInput,
  HEAD,
  loadExampleWorld,
  NOW,
  OLD_HEAD,
  parseRequestFile,
  readExampleRequest,
  review,
  withFiles,
  type ExampleWorld,
} from '../../support/example-repo.js'

let world: ExampleWorld
beforeAll(async () => {
  world = await loadExampleWorld()
})

const INCIDENT = 'requests/sre/inc-4821-terminate-web.yaml'

async function decideExample(
  path: string,
  author: string,
  reviews = [] as ReturnType<typeof review>[],
  extra: Partial<Parameters<typeof decisionInput>[1]> = {},
): Promise<Decision> {
  return decide(decisionInput(world, { requestFile: await readExampleRequest(path), author, reviews, ...extra }))
}

function request(text: string, path = 'requests/sre/test.yaml'): { path: string; text: string } {
  return { path, text }
}

describe('the example repository', () => {
  it('loads without errors', () => {
    expect(listFailureErrors(world.repository.failures)).toEqual([])
    expect(world.repository.policies.map((policy) => policy.name).sort()).toEqual([
      'network-change',
      'prod-data-fix',
      'prod-ec2-incident',
      'prod-iam-break-glass',
      'staging-debug',
    ])
  })
})

describe('approved', () => {
  it('is approved when a code owner and security both approve on the head commit', async () => {
    const decision = await decideExample(INCIDENT, 'alice', [review('bob', 'APPROVED'), review('carol', 'APPROVED')])
    expect(decision.verdict).toBe('approved')
    expect(decision.summary).toBe('Approved: approved by @bob, @carol under policy prod-ec2-incident')
    expect(decision.items.map((item) => `${'action' in item.item ? item.item.action : ''} ${item.policy}`)).toEqual([
      'ec2:StopInstances prod-ec2-incident',
      'ec2:TerminateInstances prod-ec2-incident',
    ])
    const [codeowners, security] = decision.policies[0]!.rules
    expect(codeowners!.counted.map((approval) => approval.login)).toEqual(['bob'])
    expect(codeowners!.ignored).toEqual([{ login: 'carol', reason: 'not a code owner of the request file' }])
    expect(codeowners!.codeownersRule?.line).toBe(2)
    expect(security!.counted.map((approval) => approval.login)).toEqual(['carol'])
  })

  it('auto-approves a request within auto_approve limits, with no review at all', async () => {
    const decision = await decideExample('requests/staging/debug-logs.yaml', 'frank')
    expect(decision.verdict).toBe('approved')
    expect(decision.summary).toBe('Approved: auto-approved within the limits of policy staging-debug')
    expect(decision.policies[0]!.autoApproved).toBe(true)
  })

  it('counts one approver for two rules when they belong to both sets (each rule is independent)', async () => {
    const decision = await decideExample('requests/data/fix-orders.yaml', 'grace', [review('henry', 'APPROVED')])
    expect(decision.verdict).toBe('approved')
    expect(decision.policies[0]!.rules.map((rule) => rule.counted.map((approval) => approval.login))).toEqual([['henry'], ['henry']])
  })

  it('matches team membership and logins case-insensitively', async () => {
    const decision = await decideExample(INCIDENT, 'Alice', [review('BOB', 'APPROVED'), review('Carol', 'APPROVED')])
    expect(decision.verdict).toBe('approved')
  })
})

describe('pending', () => {
  it('says exactly which approval is missing', async () => {
    const decision = await decideExample(INCIDENT, 'alice', [review('bob', 'APPROVED')])
    expect(decision.verdict).toBe('pending')
    expect(decision.missing).toEqual(['1 more approval from @acme/security (policy prod-ec2-incident)'])
    expect(decision.summary).toBe('Pending: 1 more approval from @acme/security (policy prod-ec2-incident)')
  })

  it('names the code owners when no approval came yet', async () => {
    const decision = await decideExample(INCIDENT, 'alice')
    expect(decision.missing).toEqual([
      '1 more approval from code owners of requests/sre/inc-4821-terminate-web.yaml (@acme/sre-leads) (policy prod-ec2-incident)',
      '1 more approval from @acme/security (policy prod-ec2-incident)',
    ])
  })

  it('ignores an approval of an older commit as stale', async () => {
    const decision = await decideExample(INCIDENT, 'alice', [review('bob', 'APPROVED', OLD_HEAD), review('carol', 'APPROVED')])
    expect(decision.verdict).toBe('pending')
    expect(decision.policies[0]!.rules[0]!.ignored).toContainEqual({
      login: 'bob',
      reason: `stale: approved ${OLD_HEAD.slice(0, 7)}, the head is now ${HEAD.slice(0, 7)}`,
    })
  })

  it('never counts the author, even when the author is an eligible approver', async () => {
    const repository = withFiles(world, { 'policies/prod-ec2-incident.yaml': selfApprovalPolicy(false) })
    const decision = decide(
      decisionInput(world, {
        repository,
        requestFile: await readExampleRequest(INCIDENT),
        author: 'alice',
        reviews: [review('alice', 'APPROVED')],
      }),
    )
    expect(decision.verdict).toBe('pending')
    expect(decision.policies[0]!.rules[0]!.ignored).toEqual([
      { login: 'alice', reason: 'the author of the pull request (policy prod-ec2-incident does not allow self-approval)' },
    ])
  })

  it('never counts someone who pushed commits to the request (approving their own change)', async () => {
    const decision = await decideExample(INCIDENT, 'alice', [review('bob', 'APPROVED'), review('carol', 'APPROVED')], {
      contributors: ['Carol'],
    })
    expect(decision.verdict).toBe('pending')
    expect(decision.policies[0]!.rules[1]!.ignored).toContainEqual({
      login: 'carol',
      reason:
        'pushed commits to this pull request, so approving it would be approving their own change (policy prod-ec2-incident does not allow self-approval)',
    })
  })

  it('counts the author when the policy sets self_approval: true', async () => {
    const repository = withFiles(world, { 'policies/prod-ec2-incident.yaml': selfApprovalPolicy(true) })
    const decision = decide(
      decisionInput(world, {
        repository,
        requestFile: await readExampleRequest(INCIDENT),
        author: 'alice',
        reviews: [review('alice', 'APPROVED')],
      }),
    )
    expect(decision.verdict).toBe('approved')
  })

  it('a later CHANGES_REQUESTED cancels an approval and blocks, naming who blocks', async () => {
    const decision = await decideExample(INCIDENT, 'alice', [
      review('bob', 'APPROVED'),
      review('carol', 'APPROVED'),
      review('carol', 'CHANGES_REQUESTED'),
    ])
    expect(decision.verdict).toBe('pending')
    expect(decision.blockers.map((blocker) => blocker.login)).toEqual(['carol'])
    expect(decision.policies[0]!.rules[1]!.ignored).toContainEqual({
      login: 'carol',
      reason: `superseded by changes requested on ${HEAD.slice(0, 7)}`,
    })
    expect(decision.missing).toContain('changes requested by @carol must be resolved (their new approval, or a dismissal)')
  })

  it('a blocker keeps even a satisfied request pending', async () => {
    const decision = await decideExample(INCIDENT, 'alice', [
      review('bob', 'APPROVED'),
      review('carol', 'APPROVED'),
      review('dan', 'CHANGES_REQUESTED'),
    ])
    expect(decision.verdict).toBe('pending')
    expect(decision.summary).toBe('Pending: changes requested by @dan must be resolved (their new approval, or a dismissal)')
  })

  it('changes requested by someone who could not approve do not block', async () => {
    const decision = await decideExample(INCIDENT, 'alice', [
      review('bob', 'APPROVED'),
      review('carol', 'APPROVED'),
      review('frank', 'CHANGES_REQUESTED'),
    ])
    expect(decision.verdict).toBe('approved')
  })

  it('a COMMENTED review does not cancel an approval; a dismissal does', async () => {
    const commented = await decideExample(INCIDENT, 'alice', [
      review('bob', 'APPROVED'),
      review('carol', 'APPROVED'),
      review('carol', 'COMMENTED'),
    ])
    expect(commented.verdict).toBe('approved')
    const dismissed = await decideExample(INCIDENT, 'alice', [
      review('bob', 'APPROVED'),
      review('carol', 'APPROVED'),
      review('carol', 'DISMISSED'),
    ])
    expect(dismissed.verdict).toBe('pending')
    expect(dismissed.policies[0]!.rules[1]!.ignored).toContainEqual({ login: 'carol', reason: 'approval dismissed' })
  })

  it('never counts a bot', async () => {
    const teams = new Map(world.teams)
    teams.set('@acme/security', ['carol', 'dan', 'deploy-bot[bot]'])
    const decision = await decideExample(INCIDENT, 'alice', [review('bob', 'APPROVED'), review('deploy-bot[bot]', 'APPROVED')], { teams })
    expect(decision.verdict).toBe('pending')
    expect(decision.policies[0]!.rules[1]!.ignored).toEqual([
      { login: 'bob', reason: 'not one of @acme/security' },
      { login: 'deploy-bot[bot]', reason: 'a bot: bot approvals never count' },
    ])
  })

  it('needs a code owner approval again above the auto_approve limit', async () => {
    const decision = decide(
      decisionInput(world, {
        requestFile: request(
          'reason: longer look\nduration: 2h\naccess:\n  - account: "222222222222"\n    actions: [logs:GetLogEvents]\n',
          'requests/staging/longer.yaml',
        ),
        author: 'frank',
        reviews: [review('frank', 'APPROVED')],
      }),
    )
    expect(decision.verdict).toBe('pending')
    expect(decision.policies[0]!.rules[0]!.ignored[0]!.reason).toMatch(/^the author/)
  })
})

describe('denied', () => {
  it('denies someone who is not a requester, and says why the policy did not apply', async () => {
    const decision = await decideExample(INCIDENT, 'frank')
    expect(decision.verdict).toBe('denied')
    expect(decision.items[0]!.nearMisses).toEqual([
      { policy: 'prod-ec2-incident', file: 'policies/prod-ec2-incident.yaml', reasons: ['frank is not one of its requesters (@acme/sre)'] },
    ])
    expect(decision.summary).toBe(
      'Denied: no policy grants ec2:StopInstances on arn:aws:ec2:us-east-1:111111111111:instance/i-0abc123 in 111111111111 to frank (1 came close: prod-ec2-incident) (and 1 more)',
    )
  })

  it.each([
    ['a duration over max_duration', 'ticket: INC-1\nduration: 6h', 'duration 6h is longer than its max_duration 4h'],
    ['a missing ticket', 'duration: 1h', 'requires a ticket matching ^(INC|CHG)-[0-9]+$'],
    ['a ticket that does not match', 'ticket: JIRA-9\nduration: 1h', 'ticket JIRA-9 does not match ^(INC|CHG)-[0-9]+$'],
  ])('denies %s', (_name, fields, reason) => {
    const decision = decide(
      decisionInput(world, {
        requestFile: request(
          `reason: test\n${fields}\naccess:\n  - account: "111111111111"\n    actions: [ec2:StopInstances]\n    resources: ["arn:aws:ec2:us-east-1:111111111111:instance/i-1"]\n`,
        ),
        author: 'alice',
      }),
    )
    expect(decision.verdict).toBe('denied')
    expect(decision.items[0]!.nearMisses[0]!.reasons).toEqual([reason])
  })

  it('never approves a request over the auto_approve limit of a policy that has no approval rules', async () => {
    const autoOnly = (await readExampleRequest('requests/staging/debug-logs.yaml')).text.replace('duration: 30m', 'duration: 2h')
    const repository = withFiles(world, {
      'policies/staging-debug.yaml':
        'name: staging-debug\ngrants:\n  accounts: ["222222222222"]\n  actions: ["ec2:Describe*", "logs:*"]\nrequesters:\n  teams: ["@acme/engineering"]\nmax_duration: 8h\nauto_approve:\n  max_duration: 1h\n',
    })
    expect(listFailureErrors(repository.failures)).toEqual([])
    const decision = decide(
      decisionInput(world, { repository, requestFile: request(autoOnly, 'requests/staging/debug-logs.yaml'), author: 'frank' }),
    )
    expect(decision.verdict).toBe('denied')
    expect(decision.items[0]!.nearMisses).toEqual([
      {
        policy: 'staging-debug',
        file: 'policies/staging-debug.yaml',
        reasons: ['duration 2h is longer than its auto_approve.max_duration 1h, and it has no approval rules for longer requests'],
      },
    ])
    const within = decide(
      decisionInput(world, { repository, requestFile: await readExampleRequest('requests/staging/debug-logs.yaml'), author: 'frank' }),
    )
    expect(within.verdict).toBe('approved')
  })

  it('does not let a narrower grant cover a requested wildcard action', () => {
    const decision = decide(
      decisionInput(world, {
        requestFile: request(
          'reason: test\nticket: INC-1\nduration: 1h\naccess:\n  - account: "111111111111"\n    actions: ["ec2:*"]\n    resources: ["arn:aws:ec2:us-east-1:111111111111:instance/i-1"]\n',
        ),
        author: 'alice',
      }),
    )
    expect(decision.verdict).toBe('denied')
    const miss = decision.items[0]!.nearMisses.find((near) => near.policy === 'prod-ec2-incident')
    expect(miss?.reasons[0]).toMatch(
      /^grants actions ec2:StopInstances, ec2:RebootInstances, ec2:TerminateInstances, …, which do not cover ec2:\*/,
    )
  })

  it('does not let a policy resource pattern cover a requested "*"', () => {
    const decision = decide(
      decisionInput(world, {
        requestFile: request(
          'reason: test\nticket: INC-1\nduration: 1h\naccess:\n  - account: "111111111111"\n    actions: [ec2:StopInstances]\n',
        ),
        author: 'alice',
      }),
    )
    expect(decision.verdict).toBe('denied')
    expect(decision.items[0]!.nearMisses[0]!.reasons[0]).toMatch(
      /^grants resources arn:aws:ec2:\*:111111111111:instance\/\*, which do not cover \*/,
    )
  })

  it('denies an account no policy grants', () => {
    const decision = decide(
      decisionInput(world, {
        requestFile: request(
          'reason: test\nticket: INC-1\nduration: 1h\naccess:\n  - account: "999999999999"\n    actions: [ec2:StopInstances]\n    resources: ["*"]\n',
        ),
        author: 'alice',
      }),
    )
    expect(decision.verdict).toBe('denied')
    expect(decision.items[0]!.nearMisses[0]!.reasons[0]).toBe('does not grant account 999999999999 (grants 111111111111)')
  })

  it('denies when an approval rule can never be met, and says why', async () => {
    const teams = new Map(world.teams)
    teams.set('@acme/security', ['carol'])
    const decision = await decideExample('requests/sre/iam-cleanup.yaml', 'alice', [], { teams })
    expect(decision.verdict).toBe('denied')
    expect(decision.summary).toContain(
      'policy prod-iam-break-glass can never approve it: needs 2 approvals from @acme/security, but only 1 eligible approver exists',
    )
  })

  it('denies when CODEOWNERS gives the request file no owners', async () => {
    const repository = withFiles(world, { '.github/CODEOWNERS': '/requests/ @acme/sre-leads\n/requests/sre/\n' })
    const decision = decide(decisionInput(world, { repository, requestFile: await readExampleRequest(INCIDENT), author: 'alice' }))
    expect(decision.verdict).toBe('denied')
    expect(decision.summary).toContain(
      'CODEOWNERS gives requests/sre/inc-4821-terminate-web.yaml no owners (.github/CODEOWNERS:2 un-owns it)',
    )
  })

  it('denies when there is no CODEOWNERS file and a rule needs code owners', async () => {
    const repository = withFiles(world, { '.github/CODEOWNERS': null })
    const decision = decide(decisionInput(world, { repository, requestFile: await readExampleRequest(INCIDENT), author: 'alice' }))
    expect(decision.verdict).toBe('denied')
    expect(decision.summary).toContain('the repository has no CODEOWNERS file')
  })

  it('denies everything when there is no policy at all (default deny)', async () => {
    const repository = withFiles(
      world,
      Object.fromEntries(world.files.filter((file) => file.path.startsWith('policies/')).map((file) => [file.path, null])),
    )
    const decision = decide(
      decisionInput(world, {
        repository,
        requestFile: await readExampleRequest(INCIDENT),
        author: 'alice',
        reviews: [review('bob', 'APPROVED'), review('carol', 'APPROVED')],
      }),
    )
    expect(decision.verdict).toBe('denied')
    expect(decision.summary).toMatch(/^Denied: no policy grants ec2:StopInstances/)
  })

  it('denies the whole request when one of several items is not covered', () => {
    const decision = decide(
      decisionInput(world, {
        requestFile: request(
          'reason: test\nticket: INC-1\nduration: 1h\naccess:\n  - account: "111111111111"\n    actions: [ec2:StopInstances]\n    resources: ["arn:aws:ec2:us-east-1:111111111111:instance/i-1"]\n  - account: "222222222222"\n    actions: [s3:GetObject]\n    resources: ["arn:aws:s3:::other-bucket/*"]\n',
        ),
        author: 'alice',
        reviews: [review('bob', 'APPROVED'), review('carol', 'APPROVED')],
      }),
    )
    expect(decision.verdict).toBe('denied')
    expect(decision.items.map((item) => item.policy ?? null)).toEqual(['prod-ec2-incident', null])
  })
})

describe('invalid', () => {
  it('rejects an unknown action with a did-you-mean on its line', () => {
    const decision = decide(
      decisionInput(world, {
        requestFile: request(
          'reason: test\nticket: INC-1\nduration: 1h\naccess:\n  - account: "111111111111"\n    actions:\n      - ec2:StopInstances\n      - ec2:TerminateInstance\n',
        ),
        author: 'alice',
      }),
    )
    expect(decision.verdict).toBe('invalid')
    expect(decision.errors).toEqual([
      { file: 'requests/sre/test.yaml', line: 8, message: expect.stringContaining('did you mean ec2:TerminateInstances') },
    ])
  })

  it('rejects a start in the past', () => {
    const decision = decide(
      decisionInput(world, {
        requestFile: request(
          'reason: test\nticket: INC-1\nduration: 1h\nstart: 2026-11-30T09:00:00Z\naccess:\n  - account: "111111111111"\n    actions: [ec2:StopInstances]\n',
        ),
        author: 'alice',
      }),
    )
    expect(decision.verdict).toBe('invalid')
    expect(decision.errors).toEqual([
      {
        file: 'requests/sre/test.yaml',
        line: 4,
        message: `start 2026-11-30T09:00:00.000Z is in the past (evaluated at ${NOW.toISOString()}); remove it to start when granted, or choose a later time`,
      },
    ])
  })

  it('points at the start key, not at an earlier line that mentions the word', () => {
    const decision = decide(
      decisionInput(world, {
        requestFile: request(
          'reason: restart the stuck node\nticket: INC-1\nduration: 1h\nstart: 2026-11-30T09:00:00Z\naccess:\n  - account: "111111111111"\n    actions: [ec2:StopInstances]\n',
        ),
        author: 'alice',
      }),
    )
    expect(decision.errors.map((error) => error.line)).toEqual([4])
  })

  it('points at the unknown action itself, not at a comment that mentions it', () => {
    const decision = decide(
      decisionInput(world, {
        requestFile: request(
          'reason: test\nticket: INC-1\nduration: 1h\naccess:\n  - account: "111111111111" # was ec2:StopInstance\n    actions:\n      - ec2:StopInstances\n      - ec2:StopInstance\n',
        ),
        author: 'alice',
      }),
    )
    expect(decision.errors).toEqual([
      { file: 'requests/sre/test.yaml', line: 8, message: expect.stringContaining('did you mean ec2:StopInstances') },
    ])
  })

  it('reports a request that fails the schema with file and line', () => {
    const decision = decide(decisionInput(world, { requestFile: request('reason: test\nduration: 1h\naccess: []\n'), author: 'alice' }))
    expect(decision.verdict).toBe('invalid')
    expect(decision.errors[0]).toMatchObject({ file: 'requests/sre/test.yaml', line: 3 })
    expect(decision.summary).toBe('Invalid: 1 error in requests/sre/test.yaml')
  })

  it('is invalid when a policy file of the repository is broken', async () => {
    const repository = withFiles(world, { 'policies/broken.yaml': 'name: broken\ngrants: [\n' })
    const decision = decide(decisionInput(world, { repository, requestFile: await readExampleRequest(INCIDENT), author: 'alice' }))
    expect(decision.verdict).toBe('invalid')
    expect(decision.errors[0]!.file).toBe('policies/broken.yaml')
  })

  it('ignores invalid CODEOWNERS lines, as GitHub does', async () => {
    const repository = withFiles(world, { '.github/CODEOWNERS': '/requests/ @acme/sre-leads\n/policies/ security-team\n' })
    expect(listFailureErrors(repository.failures)).toHaveLength(1)
    const decision = decide(
      decisionInput(world, {
        repository,
        requestFile: await readExampleRequest(INCIDENT),
        author: 'alice',
        reviews: [review('bob', 'APPROVED'), review('carol', 'APPROVED')],
      }),
    )
    expect(decision.verdict).toBe('approved')
  })
})

describe('teamsToResolve', () => {
  it('lists only the teams the candidate policies and the code owners need', async () => {
    const requestFile = await readExampleRequest(INCIDENT)
    const teams = teamsToResolve({ requestFile, request: parseRequestFile(requestFile), repository: world.repository, author: 'alice' })
    expect(teams).toEqual(['@acme/security', '@acme/sre', '@acme/sre-leads'])
  })
})

function selfApprovalPolicy(selfApproval: boolean): string {
  return `name: prod-ec2-incident
grants:
  accounts: ["111111111111"]
  actions: ["ec2:StopInstances", "ec2:TerminateInstances"]
  resources: ["arn:aws:ec2:*:111111111111:instance/*"]
requesters:
  teams: ["@acme/sre"]
max_duration: 4h
approvals:
  - from: ["@acme/sre"]
    count: 1
self_approval: ${selfApproval}
`
}
