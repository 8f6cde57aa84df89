import { runUnsafeSimulation, type Simulation } from '@cloud-copilot/iam-simulate'
import fc from 'fast-check'
import { describe, expect, it } from 'vitest'
import { ACTION_PATTERN } from '../../../src/core/files/schemas/patterns.js'
import { describeResourceProblem } from '../../../src/core/matching/arn-pattern.js'
import { compileGrants, grantsCoverItem } from '../../../src/core/matching/compiled-grants.js'

// The engine's coverage against an IAM policy evaluator (@cloud-copilot/iam-simulate, a test-only
// dependency): whenever a policy covers a request, IAM must allow every concrete action on every
// concrete resource the request could name under a policy written from the grant. Random pattern
// pairs over small alphabets (so coverage is common), kept only when the engine's grammar accepts them:
// a pattern it refuses never reaches coverage. Quick in `npm test`; JIT_IAM_PROPERTY_RUNS=20000 for more.
const RUNS = Number(process.env['JIT_IAM_PROPERTY_RUNS'] ?? 400)
const ACCOUNT = '111111111111'
const PRINCIPAL = `arn:aws:iam::${ACCOUNT}:role/jit-alice`
const actionGrammar = new RegExp(ACTION_PATTERN, 'u')

const text = (chars: readonly string[], maxLength: number, minLength = 0) =>
  fc.array(fc.constantFrom(...chars), { minLength, maxLength }).map((parts) => parts.join(''))
/** Actions, including what IAM's grammar rejects (`*:Get*`, `e?2:Describe*`): the engine must refuse those. */
const anyAction = fc.oneof(
  fc.constant('*'),
  fc.tuple(text(['e', 'E', 'c', '2', '*', '?'], 3, 1), text(['G', 'e', 't', 'a', '*', '?'], 4, 1)).map(([s, n]) => `${s}:${n}`),
)
/** Resources, including ones whose wildcards would cross a colon under flat matching. */
const anyResource = fc.oneof(
  { weight: 1, arbitrary: fc.constant('*') },
  {
    weight: 9,
    arbitrary: fc
      .tuple(
        fc.constantFrom('aws', 'aws-cn', 'a*'),
        fc.constantFrom('ec2', 'logs', 'e?2'),
        text(['u', 's', '*', '?', '-'], 3),
        text(['1', '*', '?', ':'], 3),
        text(['i', '/', ':', '*', '?', 'a'], 5, 1),
      )
      .map((parts) => ['arn', ...parts].join(':')),
  },
)
const acceptedAction = anyAction.filter((action) => actionGrammar.test(action))
const acceptedResource = anyResource.filter((resource) => describeResourceProblem(resource) === undefined)
const fills = fc.array(text(['a', 'B', '1', ':', '/'], 3), { minLength: 1, maxLength: 4 })

/** A concrete value `pattern` names: `*` and `?` filled from `fill`, with no colon where IAM splits on colons. */
function concreteOf(pattern: string, fill: readonly string[], kind: 'action' | 'resource'): string {
  if (pattern === '*')
    return kind === 'action' ? `ec2:${fill[0]?.replace(/[:/]/g, '') || 'x'}` : `arn:aws:ec2:us:${ACCOUNT}:x/${fill[0] ?? ''}`
  let colons = 0
  let next = 0
  return [...pattern]
    .map((char) => {
      if (char === ':') colons++
      if (char !== '*' && char !== '?') return char
      const chosen = fill[next++ % fill.length] ?? ''
      const value = char === '?' ? (chosen[0] ?? 'c') : chosen
      // Action names and the first five ARN segments hold no colon; action names no slash either.
      if (kind === 'action') return value.replace(/[:/]/g, 'c')
      return colons < 5 ? value.replace(/:/g, 'c') : value
    })
    .join('')
}

function iamAllows(policy: { action: string; resource: string }, request: { action: string; resource: string }): boolean {
  const simulation: Simulation = {
    identityPolicies: [
      {
        name: 'grant',
        policy: { Version: '2012-10-17', Statement: [{ Effect: 'Allow', Action: policy.action, Resource: policy.resource }] },
      },
    ],
    serviceControlPolicies: [],
    resourceControlPolicies: [],
    request: {
      action: request.action,
      principal: PRINCIPAL,
      resource: { accountId: ACCOUNT, resource: request.resource },
      contextVariables: {},
    },
  }
  return runUnsafeSimulation(simulation, {}) === 'Allowed'
}

function engineCovers(policy: { action: string; resource: string }, request: { action: string; resource: string }): boolean {
  const grants = compileGrants({ accounts: [ACCOUNT], actions: [policy.action], resources: [policy.resource] })
  return grantsCoverItem(grants, { account: ACCOUNT, ...request, line: 1 })
}

describe('coverage agrees with an IAM policy evaluator', () => {
  it('refuses the patterns IAM rejects and accepts the ones it takes', () => {
    for (const action of ['*:Get*', 'e?2:Describe*', '*2:*', 'ec2*']) expect(actionGrammar.test(action), action).toBe(false)
    for (const action of ['*', 'EC2:TerminateInstances', 'ec2:Describe*', 'elastic-inference:Connect'])
      expect(actionGrammar.test(action), action).toBe(true)
  })

  it('agrees with IAM on the cases the flat matcher got wrong', () => {
    const policy = { action: 'ec2:*', resource: 'arn:aws:ec2:us-*:111111111111:instance/*' }
    const request = { action: 'ec2:TerminateInstances', resource: 'arn:aws:ec2:us-x:999999999999:111111111111:instance/i-1' }
    expect(iamAllows(policy, request)).toBe(false)
    expect(engineCovers(policy, request)).toBe(false)
    expect(iamAllows({ action: '*', resource: '*' }, { action: 'EC2:TerminateInstances', resource: '*' })).toBe(true)
    expect(engineCovers({ action: '*', resource: '*' }, { action: 'EC2:TerminateInstances', resource: '*' })).toBe(true)
  })

  it('is sound: when a policy covers a request, IAM allows every concrete action on every concrete resource it names', () => {
    let covered = 0
    fc.assert(
      fc.property(
        acceptedAction,
        acceptedResource,
        acceptedAction,
        acceptedResource,
        fills,
        (grantedAction, grantedResource, action, resource, fill) => {
          const policy = { action: grantedAction, resource: grantedResource }
          if (!engineCovers(policy, { action, resource })) return
          covered++
          const witness = { action: concreteOf(action, fill, 'action'), resource: concreteOf(resource, fill, 'resource') }
          expect(engineCovers(policy, witness), `engine: ${JSON.stringify({ policy, witness })}`).toBe(true)
          expect(iamAllows(policy, witness), `IAM: ${JSON.stringify({ policy, request: { action, resource }, witness })}`).toBe(true)
        },
      ),
      { numRuns: RUNS, seed: 20261201 },
    )
    // The generator must reach coverage often enough for the property to say something.
    expect(covered).toBeGreaterThan(RUNS / 20)
  })

  it('matches concrete requests exactly as IAM does', () => {
    fc.assert(
      fc.property(
        acceptedAction,
        acceptedResource,
        acceptedAction,
        acceptedResource,
        fills,
        (grantedAction, grantedResource, action, resource, fill) => {
          const policy = { action: grantedAction, resource: grantedResource }
          const concrete = { action: concreteOf(action, fill, 'action'), resource: concreteOf(resource, fill, 'resource') }
          // IAM compares partition, service, region and account case-insensitively; ours is exact, so only "yes" must agree.
          if (engineCovers(policy, concrete)) expect(iamAllows(policy, concrete), JSON.stringify({ policy, concrete })).toBe(true)
        },
      ),
      { numRuns: RUNS, seed: 20261202 },
    )
  })
})
