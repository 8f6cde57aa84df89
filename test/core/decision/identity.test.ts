import { beforeAll, describe, expect, it } from 'vitest'
import { codeOwnersToVerify, decide } from '../../../src/core/decision/decide.js'
import type { Decision, DecisionInput, Review } from '../../../src/core/decision/decision.js'
import { renderDecision } from '../../../src/core/decision/render-decision.js'
import {
  decisionInput,
  HEAD,
  loadExampleWorld,
  OLD_HEAD,
  readExampleRequest,
  review,
  withFiles,
  type ExampleWorld,
} from '../../support/example-repo.js'

// Who pushed, who dismissed, and which code owners GitHub honours: the identities the decision trusts
// come from what GitHub authenticates, never from commit fields anyone can write.
let world: ExampleWorld
beforeAll(async () => {
  world = await loadExampleWorld()
})

const INCIDENT = 'requests/sre/inc-4821-terminate-web.yaml'
const short = (sha: string): string => sha.slice(0, 7)

async function decideIncident(reviews: Review[], extra: Partial<DecisionInput> = {}): Promise<Decision> {
  return decide(decisionInput(world, { requestFile: await readExampleRequest(INCIDENT), author: 'alice', reviews, ...extra }))
}

function dismissed(original: Review, by: string): Review {
  return { ...original, state: 'DISMISSED', dismissal: { by, previousState: original.state } }
}

describe('pushers, as GitHub authenticated them', () => {
  const approvals = (): Review[] => [review('bob', 'APPROVED'), review('carol', 'APPROVED')]
  it.each([
    {
      name: 'a pusher other than the author cannot approve, whatever the commit says',
      pushes: {
        pushes: [
          { login: 'alice', sha: OLD_HEAD },
          { login: 'Carol', sha: HEAD },
        ],
        headPusherKnown: true,
      },
      verdict: 'pending',
      carol: `pushed ${short(HEAD)} to this pull request, so approving it would be approving their own change (policy prod-ec2-incident does not allow self-approval)`,
    },
    {
      name: 'the author pushing again changes nothing',
      pushes: {
        pushes: [
          { login: 'alice', sha: OLD_HEAD },
          { login: 'alice', sha: HEAD },
        ],
        headPusherKnown: true,
      },
      verdict: 'approved',
      carol: undefined,
    },
    {
      name: 'an unknown head pusher: no approval counts',
      pushes: { pushes: [{ login: 'alice', sha: OLD_HEAD }], headPusherKnown: false },
      verdict: 'pending',
      carol: `the app did not see who pushed ${short(HEAD)} (the head commit), so it cannot tell whether this approver pushed it`,
    },
  ])('$name', async ({ pushes, verdict, carol }) => {
    const decision = await decideIncident(approvals(), { pushes })
    expect(decision.verdict).toBe(verdict)
    expect(decision.policies[0]!.rules[1]!.ignored.find((ignored) => ignored.login === 'carol')?.reason).toBe(carol)
  })

  it('says in words that the head pusher is unknown, and names who pushed what', async () => {
    const decision = await decideIncident(approvals(), {
      pushes: {
        pushes: [
          { login: 'alice', sha: OLD_HEAD },
          { login: 'mallory', sha: OLD_HEAD },
        ],
        headPusherKnown: false,
      },
    })
    expect(decision.summary).toBe(
      `Pending: who pushed ${short(HEAD)} (the head commit) is unknown, because the app missed that push: no approval counts until someone pushes a new commit (and 2 more)`,
    )
    const text = renderDecision(decision, { format: 'text' })
    expect(text).toContain(`- Pushes: @alice pushed ${short(OLD_HEAD)}, @mallory pushed ${short(OLD_HEAD)}`)
    expect(text).toContain(`- Who pushed ${short(HEAD)} (the head commit) is unknown: the app did not see that push, so no approval counts`)
  })

  it('an unknown head pusher does not make a rule impossible (it is pending, not denied)', async () => {
    const decision = await decideIncident([], { pushes: { pushes: [], headPusherKnown: false } })
    expect(decision.verdict).toBe('pending')
    expect(decision.policies[0]!.rules.map((rule) => rule.impossible)).toEqual([undefined, undefined])
  })
})

describe('dismissals of requests for changes', () => {
  const pushes = {
    pushes: [
      { login: 'alice', sha: OLD_HEAD },
      { login: 'erin', sha: HEAD },
    ],
    headPusherKnown: true,
  }
  it.each([
    {
      name: 'dismissed by the author: still blocks',
      by: 'alice',
      verdict: 'pending',
      line: "- @dan's request for changes was dismissed by @alice, the author; it still blocks: a dismissal by the author or a pusher does not count",
      missing:
        'changes requested by @dan still block: @alice dismissed the review, but the author cannot lift a request for changes (their new approval, or a dismissal by someone else)',
    },
    {
      name: 'dismissed by a pusher: still blocks',
      by: 'Erin',
      verdict: 'pending',
      line: "- @dan's request for changes was dismissed by @erin, who pushed to this pull request; it still blocks: a dismissal by the author or a pusher does not count",
      missing: `changes requested by @dan still block: @erin dismissed the review, but a pusher (@erin pushed ${short(HEAD)}) cannot lift a request for changes (their new approval, or a dismissal by someone else)`,
    },
    {
      name: 'dismissed by a security engineer: lifted',
      by: 'carol',
      verdict: 'approved',
      line: "- @dan's request for changes was dismissed by @carol; it no longer blocks",
      missing: undefined,
    },
  ])('$name', async ({ by, verdict, line, missing }) => {
    const decision = await decideIncident(
      [review('bob', 'APPROVED'), review('carol', 'APPROVED'), dismissed(review('dan', 'CHANGES_REQUESTED'), by)],
      { pushes },
    )
    expect(decision.verdict).toBe(verdict)
    expect(decision.missing.find((text) => text.startsWith('changes requested'))).toBe(missing)
    expect(renderDecision(decision, { format: 'text' })).toContain(`Dismissed requests for changes:\n${line}\n`)
  })

  it('an approval cancelled by a dismissal says who dismissed it', async () => {
    const decision = await decideIncident(
      [review('bob', 'APPROVED'), dismissed(review('bob', 'APPROVED'), 'alice'), review('carol', 'APPROVED')],
      { pushes },
    )
    expect(decision.policies[0]!.rules[0]!.ignored).toEqual([
      { login: 'bob', reason: 'approval dismissed by @alice' },
      { login: 'carol', reason: 'not a code owner of the request file' },
    ])
    expect(decision.dismissals).toBeUndefined()
  })

  it('a new review after a refused dismissal decides again', async () => {
    const decision = await decideIncident(
      [
        review('bob', 'APPROVED'),
        review('carol', 'APPROVED'),
        dismissed(review('dan', 'CHANGES_REQUESTED'), 'alice'),
        review('dan', 'APPROVED'),
      ],
      { pushes },
    )
    expect(decision.verdict).toBe('approved')
  })
})

describe('code owners without write access', () => {
  it.each([
    {
      name: 'a code owner team without write access does not count',
      without: ['@acme/sre-leads'],
      verdict: 'denied',
      bob: '@acme/sre-leads is a code owner without write access; GitHub ignores such owners',
      impossible:
        'no code owner of requests/sre/inc-4821-terminate-web.yaml has write access to the repository (@acme/sre-leads); GitHub ignores such owners',
    },
    {
      name: 'other owners lacking write access change nothing',
      without: ['@acme/security', 'dan'],
      verdict: 'approved',
      bob: undefined,
      impossible: undefined,
    },
  ])('$name', async ({ without, verdict, bob, impossible }) => {
    const decision = await decideIncident([review('bob', 'APPROVED'), review('carol', 'APPROVED')], { ownersWithoutWriteAccess: without })
    expect(decision.verdict).toBe(verdict)
    const rule = decision.policies[0]!.rules[0]!
    expect(rule.ignored.find((ignored) => ignored.login === 'bob')?.reason).toBe(bob)
    expect(rule.impossible).toBe(impossible)
  })

  it('a code owner user without write access is named, and the other owners still count', async () => {
    const repository = withFiles(world, { '.github/CODEOWNERS': '/requests/ @acme/sre-leads @dave\n' })
    const requestFile = await readExampleRequest(INCIDENT)
    const input = decisionInput(world, { requestFile, author: 'alice', repository })
    expect(codeOwnersToVerify(input)).toEqual({ users: ['dave'], teams: ['@acme/sre-leads'] })

    const decision = decide({
      ...input,
      reviews: [review('dave', 'APPROVED'), review('carol', 'APPROVED')],
      ownersWithoutWriteAccess: ['dave'],
    })
    expect(decision.verdict).toBe('pending')
    expect(decision.policies[0]!.rules[0]!.ignored).toContainEqual({
      login: 'dave',
      reason: '@dave is a code owner without write access; GitHub ignores such owners',
    })
    expect(renderDecision(decision, { format: 'text' })).toContain(
      '  - @dave is a code owner without write access; GitHub ignores such owners\n',
    )
  })
})
