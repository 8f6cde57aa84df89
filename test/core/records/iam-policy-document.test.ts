import { runSimulation, type Simulation } from '@cloud-copilot/iam-simulate'
import fc from 'fast-check'
import { describe, expect, it } from 'vitest'
import {
  buildGrantPolicyDocument,
  buildSessionCutPolicyDocument,
  checkPolicyName,
  MAX_POLICY_NAME_LENGTH,
  namespaceOfPolicyName,
  nameGrantPolicy,
  nameSessionCutPolicy,
  parseManagedPolicyName,
  serializePolicyDocument,
} from '../../../src/core/records/iam-policy-document.js'

const notBefore = new Date('2026-12-01T10:00:00Z')
const expiresAt = new Date('2026-12-01T11:00:00Z')
const INSTANCE = 'arn:aws:ec2:eu-west-1:111111111111:instance/i-0abc'
const OTHER_INSTANCE = 'arn:aws:ec2:eu-west-1:111111111111:instance/i-0def'
const ALICE = 'arn:aws:iam::111111111111:role/jit-alice'

describe('buildGrantPolicyDocument', () => {
  it('writes one Allow statement, sorted and deduplicated, valid strictly inside the window', () => {
    const document = buildGrantPolicyDocument({
      requestId: 'pr-42',
      notBefore,
      expiresAt,
      actions: ['ec2:StopInstances', 'ec2:Describe*', 'ec2:StopInstances'],
      resources: [OTHER_INSTANCE, INSTANCE],
    })
    expect(document).toEqual({
      Version: '2012-10-17',
      Statement: [
        {
          Sid: 'JitPr42Grant',
          Effect: 'Allow',
          Action: ['ec2:Describe*', 'ec2:StopInstances'],
          Resource: [INSTANCE, OTHER_INSTANCE],
          Condition: {
            DateGreaterThan: { 'aws:CurrentTime': '2026-12-01T10:00:00Z' },
            DateLessThan: { 'aws:CurrentTime': '2026-12-01T11:00:00Z' },
          },
        },
      ],
    })
  })

  it('is the same document whatever the order of actions and resources', () => {
    fc.assert(
      fc.property(
        fc.shuffledSubarray(['s3:GetObject', 's3:ListBucket', 'ec2:StopInstances', 'ec2:Describe*'], { minLength: 1 }),
        (actions) => {
          const build = (list: string[]) =>
            serializePolicyDocument(buildGrantPolicyDocument({ requestId: 'pr-1', notBefore, expiresAt, actions: list, resources: ['*'] }))
          expect(build(actions)).toBe(build([...actions].reverse()))
        },
      ),
    )
  })

  it('never writes a window wider than the approved one when times carry milliseconds', () => {
    const document = buildGrantPolicyDocument({
      requestId: 'pr-42',
      notBefore: new Date('2026-12-01T10:00:00.250Z'),
      expiresAt: new Date('2026-12-01T11:00:00.750Z'),
      actions: ['ec2:StopInstances'],
      resources: ['*'],
    })
    expect(document.Statement[0]?.Condition).toEqual({
      DateGreaterThan: { 'aws:CurrentTime': '2026-12-01T10:00:01Z' },
      DateLessThan: { 'aws:CurrentTime': '2026-12-01T11:00:00Z' },
    })
  })

  it('makes a Sid of letters and digits only, as IAM requires', () => {
    const document = buildGrantPolicyDocument({
      requestId: 'acme/infra#42',
      notBefore,
      expiresAt,
      actions: ['s3:GetObject'],
      resources: ['*'],
    })
    expect(document.Statement[0]?.Sid).toBe('JitAcmeInfra42Grant')
  })
})

describe('policy names', () => {
  it("names a grant after its repository's namespace, its request and its expiry, and reads all three back", () => {
    const name = nameGrantPolicy({ namespace: 'bb0610eed9', requestId: 'pr-42', expiresAt })
    expect(name).toBe('jit-bb0610eed9-pr-42-exp-20261201T110000Z')
    expect(parseManagedPolicyName(name)).toEqual({ kind: 'grant', namespace: 'bb0610eed9', requestId: 'pr-42', expiresAt })
  })

  it('reads a name from before namespaces as having none', () => {
    expect(nameGrantPolicy({ namespace: null, requestId: 'pr-42', expiresAt })).toBe('jit-pr-42-exp-20261201T110000Z')
    expect(parseManagedPolicyName('jit-pr-42-exp-20261201T110000Z')).toEqual({
      kind: 'grant',
      namespace: null,
      requestId: 'pr-42',
      expiresAt,
    })
    expect(namespaceOfPolicyName('jit-pr-42-exp-20261201T110000Z')).toBeNull()
    expect(namespaceOfPolicyName('jit-bb0610eed9-pr-42-exp-20261201T110000Z')).toBe('bb0610eed9')
  })

  it('refuses to name a policy in something that is not a namespace', () => {
    expect(() => nameGrantPolicy({ namespace: 'acme/access', requestId: 'pr-42', expiresAt })).toThrow(/not a repository namespace/)
  })

  it('names a session cut after its namespace, request and revocation time, and reads them back', () => {
    const revokedAt = new Date('2026-12-01T10:20:00Z')
    const name = nameSessionCutPolicy({ namespace: 'bb0610eed9', requestId: 'pr-42', revokedAt })
    expect(name).toBe('jit-bb0610eed9-pr-42-revoked-20261201T102000Z')
    expect(parseManagedPolicyName(name)).toEqual({ kind: 'session-cut', namespace: 'bb0610eed9', requestId: 'pr-42', revokedAt })
  })

  it('reads back any namespace, request id and whole-second expiry, within IAM limits for the longest pr-N', () => {
    fc.assert(
      fc.property(
        fc.option(fc.stringMatching(/^[0-9a-f]{10}$/), { nil: null }),
        // A request id is never ten hex digits and a dash (it is `pr-N`): that would read as a namespace.
        fc.stringMatching(/^[a-z0-9][a-z0-9-]{0,30}$/).filter((id) => !/^[0-9a-f]{10}-/.test(id)),
        fc.integer({ min: Date.UTC(2000, 0, 1) / 1000, max: Date.UTC(2099, 11, 31) / 1000 }),
        (namespace, requestId, seconds) => {
          const time = new Date(seconds * 1000)
          const name = nameGrantPolicy({ namespace, requestId, expiresAt: time })
          expect(checkPolicyName(name)).toBeUndefined()
          expect(parseManagedPolicyName(name)).toEqual({ kind: 'grant', namespace, requestId, expiresAt: time })
        },
      ),
    )
    // The longest request id the app makes (`pr-` and a 10-digit pull number) leaves room to spare.
    const longest = nameSessionCutPolicy({ namespace: 'ffffffffff', requestId: 'pr-9999999999', revokedAt: expiresAt })
    expect(longest.length).toBeLessThanOrEqual(MAX_POLICY_NAME_LENGTH)
    expect(checkPolicyName(longest)).toBeUndefined()
  })

  it.each([
    ['AdminAccess'],
    ['jit-pr-42'],
    ['jit-pr-42-exp-2026-12-01'],
    ['jit-pr-42-exp-20261340T990000Z'],
    ['xjit-pr-42-exp-20261201T110000Z'],
    ['jit--exp-20261201T110000Z'],
  ])('does not claim %s', (name) => {
    expect(parseManagedPolicyName(name)).toBeUndefined()
  })

  it('refuses names IAM would refuse', () => {
    expect(checkPolicyName('jit-pr-42-exp-20261201T110000Z')).toBeUndefined()
    const long = `jit-${'x'.repeat(120)}-exp-20261201T110000Z`
    expect(checkPolicyName(long)).toBe(`policy name ${long} is ${long.length} characters long; IAM allows 128: use a shorter request id`)
    expect(checkPolicyName('jit-pr 42-exp-20261201T110000Z')).toMatch(/has characters IAM does not allow/)
  })
})

/** Evaluates one request against the given identity policies as IAM would at `now`. */
async function simulate(params: { policies: object[]; action: string; resource: string; context: Record<string, string> }) {
  const simulation: Simulation = {
    identityPolicies: params.policies.map((policy, index) => ({ name: `policy-${index}`, policy })),
    serviceControlPolicies: [],
    resourceControlPolicies: [],
    request: {
      action: params.action,
      principal: ALICE,
      resource: { accountId: '111111111111', resource: params.resource },
      contextVariables: params.context,
    },
  }
  const response = await runSimulation(simulation, {})
  if (response.resultType === 'error') throw new Error(JSON.stringify(response.errors))
  return response.overallResult
}

describe('the grant document as IAM evaluates it', () => {
  const grant = JSON.parse(
    serializePolicyDocument(
      buildGrantPolicyDocument({
        requestId: 'pr-42',
        notBefore,
        expiresAt,
        actions: ['ec2:StopInstances', 'ec2:StartInstances'],
        resources: [INSTANCE],
      }),
    ),
  ) as object

  it.each([
    ['inside the window', 'ec2:StopInstances', INSTANCE, '2026-12-01T10:30:00Z', 'Allowed'],
    ['one second before the end', 'ec2:StartInstances', INSTANCE, '2026-12-01T10:59:59Z', 'Allowed'],
    ['one second after the end', 'ec2:StopInstances', INSTANCE, '2026-12-01T11:00:01Z', 'ImplicitlyDenied'],
    ['at the end', 'ec2:StopInstances', INSTANCE, '2026-12-01T11:00:00Z', 'ImplicitlyDenied'],
    ['one second before the start', 'ec2:StopInstances', INSTANCE, '2026-12-01T09:59:59Z', 'ImplicitlyDenied'],
    ['for an action not approved', 'ec2:TerminateInstances', INSTANCE, '2026-12-01T10:30:00Z', 'ImplicitlyDenied'],
    ['for a resource not approved', 'ec2:StopInstances', OTHER_INSTANCE, '2026-12-01T10:30:00Z', 'ImplicitlyDenied'],
  ])('%s: %s on %s at %s is %s', async (_label, action, resource, now, expected) => {
    expect(await simulate({ policies: [grant], action, resource, context: { 'aws:CurrentTime': now } })).toBe(expected)
  })
})

describe('the session-cut document as IAM evaluates it', () => {
  const revokedAt = new Date('2026-12-01T10:20:00Z')
  const cut = JSON.parse(serializePolicyDocument(buildSessionCutPolicyDocument({ requestId: 'pr-42', revokedAt }))) as object
  const other = { Version: '2012-10-17', Statement: [{ Effect: 'Allow', Action: 'ec2:StopInstances', Resource: '*' }] }

  it.each([
    ['a session issued before the revocation', '2026-12-01T10:19:59Z', 'ExplicitlyDenied'],
    ['a session issued after the revocation', '2026-12-01T10:20:01Z', 'Allowed'],
  ])('%s is %s, even for access from another policy', async (_label, issuedAt, expected) => {
    const result = await simulate({
      policies: [other, cut],
      action: 'ec2:StopInstances',
      resource: INSTANCE,
      context: { 'aws:CurrentTime': '2026-12-01T10:25:00Z', 'aws:TokenIssueTime': issuedAt },
    })
    expect(result).toBe(expected)
  })
})
