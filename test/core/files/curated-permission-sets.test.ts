import { describe, expect, it } from 'vitest'
import { listPermissionSetItems, listRequestItems, parseAccessRequest } from '../../../src/core/files/access-request.js'
import { parsePolicy } from '../../../src/core/files/policy.js'
import { validateRepository } from '../../../src/core/files/validate-repository.js'
import { loadExampleWorld } from '../../support/example-repo.js'
import { IDENTITY_CENTER_BLOCK } from '../../support/identity-center-settings.js'

// `grants.permission_sets` in a policy and `permission_set` in a request (issue 13): exact names, checked
// with Identity Center's name rules, errors with file and line.
const POLICY_FILE = 'policies/read-only.yaml'
const policyText = (grants: string[]) =>
  [
    'name: read-only', // 1
    'grants:', // 2
    '  accounts: ["111111111111"]', // 3
    ...grants, // 4...
    'requesters:',
    '  users: [alice]',
    'max_duration: 4h',
    'approvals:',
    '  - from: codeowners',
  ].join('\n')

describe('grants.permission_sets', () => {
  it('reads the listed sets, without actions', () => {
    const parsed = parsePolicy({
      file: POLICY_FILE,
      text: policyText(['  permission_sets: [ReadOnlyAccess, ViewOnlyAccess, ReadOnlyAccess]']),
    })
    expect(parsed.ok && parsed.value.grants).toEqual({
      accounts: ['111111111111'],
      actions: [],
      actionLines: [],
      resources: ['*'],
      permissionSets: ['ReadOnlyAccess', 'ViewOnlyAccess'],
    })
  })

  it.each([
    {
      name: 'a wildcard (names are exact)',
      grants: ['  permission_sets: ["ReadOnly*"]'],
      line: 4,
      message: '`grants.permission_sets[0]` "ReadOnly*" is not a permission set name as Identity Center writes it',
    },
    {
      name: 'a name over 32 characters',
      grants: [`  permission_sets: [${'A'.repeat(33)}]`],
      line: 4,
      message: `\`grants.permission_sets[0]\` "${'A'.repeat(33)}" is not a permission set name as Identity Center writes it`,
    },
    {
      name: 'neither actions nor permission sets',
      grants: [],
      line: 2,
      message: 'grants has neither actions nor permission_sets: list the IAM actions or the permission sets this policy grants',
    },
    {
      name: 'resources without actions',
      grants: ['  permission_sets: [ReadOnlyAccess]', '  resources: ["*"]'],
      line: 5,
      message: 'grants.resources applies to grants.actions, and this policy grants no actions: remove resources',
    },
  ])('refuses $name, naming the line', ({ grants, line, message }) => {
    const parsed = parsePolicy({ file: POLICY_FILE, text: policyText(grants) })
    expect(parsed.ok).toBe(false)
    if (parsed.ok) return
    expect(parsed.errors).toHaveLength(1)
    expect(parsed.errors[0]).toMatchObject({ file: POLICY_FILE, line })
    expect(parsed.errors[0]!.message.startsWith(message)).toBe(true)
  })
})

const REQUEST_FILE = 'requests/alice/read.yaml'
const requestText = (entry: string[]) => ['reason: look', 'duration: 2h', 'access:', '  - account: "111111111111"', ...entry].join('\n')

describe('permission_set in a request', () => {
  it('reads an entry asking for a set, as one item that is not an action', () => {
    const parsed = parseAccessRequest({ file: REQUEST_FILE, text: requestText(['    permission_set: ReadOnlyAccess']) })
    if (!parsed.ok) throw new Error(JSON.stringify(parsed.errors))
    expect(parsed.value.access).toEqual([
      { account: '111111111111', actions: [], resources: [], permissionSet: 'ReadOnlyAccess', line: 4, actionLines: [] },
    ])
    expect(listRequestItems(parsed.value)).toEqual([])
    expect(listPermissionSetItems(parsed.value)).toEqual([{ account: '111111111111', permissionSet: 'ReadOnlyAccess', line: 4 }])
  })

  it.each([
    {
      name: 'both actions and a permission set',
      entry: ['    permission_set: ReadOnlyAccess', '    actions: [ec2:DescribeInstances]'],
      line: 4,
      message: 'the access entry asks for both actions and a permission_set: ask for one or the other (one entry each)',
    },
    {
      name: 'a permission set with resources',
      entry: ['    permission_set: ReadOnlyAccess', '    resources: ["*"]'],
      line: 4,
      message:
        'the access entry asks for a permission_set and lists resources: a permission set brings its own resources; remove resources',
    },
    {
      name: 'a wildcard name',
      entry: ['    permission_set: "ReadOnly*"'],
      line: 5,
      message: '`access[0].permission_set` "ReadOnly*" is not a permission set name as Identity Center writes it',
    },
  ])('refuses $name, naming the line', ({ entry, line, message }) => {
    const parsed = parseAccessRequest({ file: REQUEST_FILE, text: requestText(entry) })
    expect(parsed.ok).toBe(false)
    if (parsed.ok) return
    expect(parsed.errors).toHaveLength(1)
    expect(parsed.errors[0]).toMatchObject({ file: REQUEST_FILE, line })
    expect(parsed.errors[0]!.message.startsWith(message)).toBe(true)
  })

  it('counts a permission set as one item against the bound', () => {
    const entries = Array.from({ length: 1001 }, () => ['  - account: "111111111111"', '    permission_set: ReadOnlyAccess'].join('\n'))
    const parsed = parseAccessRequest({ file: REQUEST_FILE, text: ['reason: look', 'duration: 2h', 'access:', ...entries].join('\n') })
    expect(parsed.ok).toBe(false)
    if (parsed.ok) return
    expect(parsed.errors.map((error) => error.message)).toEqual([
      'the request asks for 1,001 (account, action, resource) items; the limit is 1,000: split it into several requests, or ask for fewer actions or resources (a wildcard such as ec2:Describe* counts as one)',
    ])
  })
})

describe('jit validate and grants.permission_sets', () => {
  const policy = (accounts: string) =>
    [
      'name: read-only',
      'grants:',
      `  accounts: [${accounts}]`,
      '  permission_sets: [ReadOnlyAccess]',
      'requesters:',
      '  users: [alice]',
      'max_duration: 4h',
      'approvals:',
      '  - from: codeowners',
      '',
    ].join('\n')
  const validate = async (accounts: string, settings: string) => {
    const world = await loadExampleWorld()
    const files = [
      ...world.files.filter((file) => file.path !== '.github/jit.yml'),
      { path: 'policies/read-only.yaml', text: policy(accounts) },
      { path: '.github/jit.yml', text: settings },
    ]
    return validateRepository({ files, catalogue: world.catalogue }).warnings.filter((warning) => warning.includes('permission_sets'))
  }
  const IAM = 'principal: "arn:aws:iam::{account}:role/jit-{login}"\ngranter_role: "arn:aws:iam::{account}:role/jit-granter"\n'
  const IDENTITY_CENTER = [IAM.trimEnd(), 'accounts:', '  "111111111111": { backend: identity_center }', ...IDENTITY_CENTER_BLOCK, ''].join(
    '\n',
  )

  it('warns about permission sets no account of the policy can be granted them in', async () => {
    expect(await validate('"111111111111"', IAM)).toEqual([
      'policies/read-only.yaml: grants.permission_sets (ReadOnlyAccess) can never be granted: none of its accounts (111111111111) is on backend identity_center in .github/jit.yml',
    ])
    expect(await validate('"*"', IAM)).toHaveLength(1)
  })

  it('is quiet when an account of the policy is on Identity Center', async () => {
    expect(await validate('"111111111111"', IDENTITY_CENTER)).toEqual([])
    expect(await validate('"*"', IDENTITY_CENTER)).toEqual([])
  })
})
