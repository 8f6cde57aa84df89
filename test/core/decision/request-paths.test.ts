import { beforeAll, describe, expect, it } from 'vitest'
import { decide } from '../../../src/core/decision/decide.js'
import { findRequestPathWarnings } from '../../../src/core/files/request-path-warnings.js'
import { listFailureErrors } from '../../../src/core/files/access-repository.js'
import { decisionInput, loadExampleWorld, review, withFiles, type ExampleWorld } from '../../support/example-repo.js'

let world: ExampleWorld
beforeAll(async () => {
  world = await loadExampleWorld()
})

const PROD_INCIDENT =
  'reason: Terminate the stuck web node\nticket: INC-4821\nduration: 2h\naccess:\n  - account: "111111111111"\n' +
  '    actions: [ec2:TerminateInstances]\n    resources: ["arn:aws:ec2:us-east-1:111111111111:instance/i-0abc123"]\n'

describe('request_paths: the policy, not the requester, decides where its requests live', () => {
  it('a production request saved under requests/staging/ is not approved by a staging code owner', () => {
    // CODEOWNERS gives /requests/staging/ to @acme/staging-owners (frank): the author would have chosen the approver.
    const decision = decide(
      decisionInput(world, {
        requestFile: { path: 'requests/staging/inc-4821.yaml', text: PROD_INCIDENT },
        author: 'alice',
        reviews: [review('frank', 'APPROVED'), review('carol', 'APPROVED')],
      }),
    )
    expect(decision.verdict).toBe('denied')
    expect(decision.items[0]!.nearMisses).toEqual([
      {
        policy: 'prod-ec2-incident',
        file: 'policies/prod-ec2-incident.yaml',
        reasons: ['requests for it live under requests/sre/**, not at requests/staging/inc-4821.yaml'],
      },
    ])
  })

  it('the same request where the policy says is approved by its code owner', () => {
    const decision = decide(
      decisionInput(world, {
        requestFile: { path: 'requests/sre/inc-4821.yaml', text: PROD_INCIDENT },
        author: 'alice',
        reviews: [review('bob', 'APPROVED'), review('carol', 'APPROVED')],
      }),
    )
    expect(decision.verdict).toBe('approved')
  })

  it('rejects a request_paths pattern GitHub would not read, with its line', () => {
    const policy = `name: p\ngrants:\n  accounts: ["*"]\n  actions: ["s3:GetObject"]\nrequesters:\n  users: [alice]\nrequest_paths: ["requests/a/**", "requests/[ab]/**"]\nmax_duration: 1h\napprovals:\n  - from: codeowners\n`
    const repository = withFiles(world, { 'policies/p.yaml': policy })
    expect(listFailureErrors(repository.failures)).toEqual([
      {
        file: 'policies/p.yaml',
        line: 7,
        message: expect.stringMatching(/^request_paths: pattern 'requests\/\[ab\]\/\*\*' uses '\[' for a character range/u),
      },
    ])
  })
})

describe('findRequestPathWarnings', () => {
  it('says nothing for the example repository, whose code-owner policies all set request_paths', () => {
    expect(findRequestPathWarnings(world.repository)).toEqual([])
  })

  it('warns about a code-owner policy without request_paths when CODEOWNERS splits requests/ between owners', () => {
    const text = world.files.find((file) => file.path === 'policies/prod-ec2-incident.yaml')!.text.replace(/^request_paths:.*\n/mu, '')
    const repository = withFiles(world, { 'policies/prod-ec2-incident.yaml': text })
    expect(findRequestPathWarnings(repository)).toEqual([
      'policy prod-ec2-incident (policies/prod-ec2-incident.yaml) counts approvals from code owners but sets no request_paths, while ' +
        '.github/CODEOWNERS gives request files different owners by path (lines 2, 3, 4, 5): whoever saves a request chooses who approves it; ' +
        'set request_paths to where its requests live',
    ])
  })

  it('does not warn when every request path has the same owners', () => {
    const text = world.files.find((file) => file.path === 'policies/prod-ec2-incident.yaml')!.text.replace(/^request_paths:.*\n/mu, '')
    const repository = withFiles(world, {
      'policies/prod-ec2-incident.yaml': text,
      '.github/CODEOWNERS': '/requests/ @acme/sre-leads\n/policies/ @acme/security\n',
    })
    expect(findRequestPathWarnings(repository)).toEqual([])
  })
})

describe('start: not further ahead than max_start_ahead', () => {
  const startingAt = (start: string) =>
    `reason: planned maintenance\nticket: CHG-1\nduration: 1h\nstart: ${start}\naccess:\n  - account: "111111111111"\n    actions: [ec2:StopInstances]\n    resources: ["arn:aws:ec2:us-east-1:111111111111:instance/i-1"]\n`

  it('is invalid, on the start line, years ahead (default 30 days)', () => {
    const decision = decide(
      decisionInput(world, { requestFile: { path: 'requests/sre/later.yaml', text: startingAt('2029-12-01T09:00:00Z') }, author: 'alice' }),
    )
    expect(decision.verdict).toBe('invalid')
    expect(decision.errors).toEqual([
      {
        file: 'requests/sre/later.yaml',
        line: 4,
        message:
          'start 2029-12-01T09:00:00.000Z is more than 30d ahead (evaluated at 2026-12-01T08:00:00.000Z; max_start_ahead in .github/jit.yml); ask closer to the time',
      },
    ])
  })

  it('accepts a start within the limit, and follows .github/jit.yml', () => {
    const within = decide(
      decisionInput(world, { requestFile: { path: 'requests/sre/soon.yaml', text: startingAt('2026-12-29T09:00:00Z') }, author: 'alice' }),
    )
    expect(within.verdict).toBe('pending')
    const repository = withFiles(world, { '.github/jit.yml': 'max_start_ahead: 7d\n' })
    const tighter = decide(
      decisionInput(world, {
        repository,
        requestFile: { path: 'requests/sre/soon.yaml', text: startingAt('2026-12-29T09:00:00Z') },
        author: 'alice',
      }),
    )
    expect(tighter.errors.map((error) => error.message)).toEqual([expect.stringContaining('is more than 7d ahead')])
  })
})

describe('extends: an active grant of the same requester', () => {
  const record = (id: string, requester: string, expiresAt: string) =>
    `id: ${id}\nstate: active\nrequester: ${requester}\nexpires_at: "${expiresAt}"\n`
  const extending = (id: string) =>
    `reason: the incident goes on\nticket: INC-4821\nduration: 1h\nextends: ${id}\naccess:\n  - account: "111111111111"\n    actions: [ec2:StopInstances]\n    resources: ["arn:aws:ec2:us-east-1:111111111111:instance/i-1"]\n`
  const decideExtending = (id: string) =>
    decide(
      decisionInput(world, {
        repository: withFiles(world, {
          'grants/active/pr-7.yaml': record('pr-7', 'alice', '2026-12-01T09:00:00Z'),
          'grants/active/pr-8.yaml': record('pr-8', 'erin', '2026-12-01T09:00:00Z'),
          'grants/active/pr-9.yaml': record('pr-9', 'alice', '2026-12-01T07:00:00Z'),
        }),
        requestFile: { path: 'requests/sre/more.yaml', text: extending(id) },
        author: 'alice',
      }),
    )

  it.each([
    [
      'a grant that does not exist',
      'pr-404',
      'extends: there is no active grant pr-404 (no grants/active/pr-404.yaml on the base branch); remove extends, or name one of your active grants',
    ],
    ["someone else's grant", 'pr-8', "extends: grant pr-8 belongs to erin, not to alice: a request can extend only its author's own grant"],
    ['an expired grant', 'pr-9', 'extends: grant pr-9 expired at 2026-12-01T07:00:00Z; remove extends and ask anew'],
  ])('is invalid for %s, on the extends line', (_name, id, message) => {
    const decision = decideExtending(id)
    expect(decision.verdict).toBe('invalid')
    expect(decision.errors).toEqual([{ file: 'requests/sre/more.yaml', line: 4, message }])
  })

  it("accepts the author's own active grant", () => {
    expect(decideExtending('pr-7').verdict).toBe('pending')
  })
})
