import { readFileSync } from 'node:fs'
import { describe, expect, it } from 'vitest'
import { backendFor, parseSettings, principalFor } from '../../../src/core/files/settings.js'
import type { JitSettings } from '../../../src/core/files/settings.js'

const FILE = '.github/jit.yml'
const fixture = readFileSync(new URL('../../fixtures/files/jit-identity-center.yml', import.meta.url), 'utf8')

function parseOk(text: string): JitSettings {
  const parsed = parseSettings({ file: FILE, text })
  if (!parsed.ok) throw new Error(`expected valid settings: ${JSON.stringify(parsed.errors)}`)
  return parsed.value
}

const section = [
  'identity_center:',
  '  instance_arn: "arn:aws:sso:::instance/ssoins-1234567890abcdef"',
  '  identity_store_id: d-1234567890',
  '  region: eu-west-1',
  '  granter_role: "arn:aws:iam::999999999999:role/jit-granter"',
  '  user_name: "{login}@acme.com"',
]

describe('the identity_center backend in .github/jit.yml', () => {
  it('reads the instance, the user mapping and the per-account override', () => {
    const settings = parseOk(fixture)
    expect(settings.backend).toBe('identity_center')
    expect(settings.accountBackends).toEqual({ '222222222222': 'iam' })
    expect(settings.identityCenter).toEqual({
      instanceArn: 'arn:aws:sso:::instance/ssoins-1234567890abcdef',
      identityStoreId: 'd-1234567890',
      region: 'eu-west-1',
      granterRole: 'arn:aws:iam::999999999999:role/jit-identity-center-granter',
      userName: '{login}@acme.com',
      userOverrides: { grace: 'grace.hopper@acme.com' },
      maxAccounts: 10,
    })
  })

  it('chooses the backend per account and names the Identity Center user as the principal', () => {
    const settings = parseOk(fixture)
    expect(backendFor(settings, '111111111111')).toBe('identity_center')
    expect(backendFor(settings, '222222222222')).toBe('iam')
    expect(principalFor(settings, { account: '111111111111', login: 'Alice' })).toBe('identity-center-user:alice@acme.com')
    expect(principalFor(settings, { account: '111111111111', login: 'GRACE' })).toBe('identity-center-user:grace.hopper@acme.com')
    expect(principalFor(settings, { account: '222222222222', login: 'alice' })).toBe('arn:aws:iam::222222222222:role/jit-alice')
  })

  it('lets one account opt in while the rest stay on IAM', () => {
    const settings = parseOk([...section, 'accounts:', '  "333333333333": { backend: identity_center }', ''].join('\n'))
    expect(backendFor(settings, '333333333333')).toBe('identity_center')
    expect(backendFor(settings, '111111111111')).toBe('iam')
  })

  const cases: { name: string; text: string; errors: { line: number; message: string }[] }[] = [
    {
      name: 'identity_center as the backend without its section',
      text: 'backend: identity_center\n',
      errors: [{ line: 1, message: 'backend is identity_center but there is no identity_center section' }],
    },
    {
      name: 'an account on identity_center without the section',
      text: 'accounts:\n  "111111111111":\n    backend: identity_center\n',
      errors: [{ line: 3, message: 'account 111111111111 uses identity_center but there is no identity_center section' }],
    },
    { name: 'an unknown backend', text: 'backend: sso\n', errors: [{ line: 1, message: '`backend`' }] },
    {
      name: 'an account override keyed by something other than an account id',
      text: 'accounts:\n  prod:\n    backend: iam\n',
      errors: [{ line: 2, message: 'key "prod" in `accounts` is not a 12-digit AWS account id' }],
    },
    {
      name: 'a malformed instance ARN',
      text: section.join('\n').replace('ssoins-1234567890abcdef', 'ssoins-123') + '\n',
      errors: [{ line: 2, message: 'is not an IAM Identity Center instance ARN' }],
    },
    {
      name: 'a malformed identity store id',
      text: section.join('\n').replace('d-1234567890', 'store-1') + '\n',
      errors: [{ line: 3, message: 'is not an identity store id' }],
    },
    {
      name: 'a granter role template instead of the management account role',
      text: section.join('\n').replace('999999999999', '{account}') + '\n',
      errors: [{ line: 5, message: 'is not an IAM role ARN' }],
    },
    {
      name: 'a user name with a placeholder other than {login}',
      text: section.join('\n').replace('{login}@acme.com', '{account}-{login}') + '\n',
      errors: [{ line: 6, message: 'identity_center.user_name uses the unknown placeholder {account}: only {login} is substituted' }],
    },
    {
      name: 'a section missing its user name',
      text: section.slice(0, 5).join('\n') + '\n',
      errors: [{ line: 1, message: 'user_name' }],
    },
    {
      name: 'two user overrides for one login',
      text: [...section, '  users:', '    bob: bob@acme.com', '    BOB: robert@acme.com', ''].join('\n'),
      errors: [{ line: 9, message: 'identity_center.users names "BOB" twice' }],
    },
    {
      name: 'max_accounts over 100',
      text: [...section, '  max_accounts: 101', ''].join('\n'),
      errors: [{ line: 7, message: '`identity_center.max_accounts` must be at most 100, found number 101' }],
    },
    {
      name: 'max_accounts of 0',
      text: [...section, '  max_accounts: 0', ''].join('\n'),
      errors: [{ line: 7, message: '`identity_center.max_accounts` must be at least 1, found number 0' }],
    },
  ]
  for (const { name, text, errors } of cases) {
    it(`rejects ${name}`, () => {
      const parsed = parseSettings({ file: FILE, text })
      expect(parsed.ok).toBe(false)
      if (parsed.ok) return
      expect(
        parsed.errors.map(({ line }) => line),
        JSON.stringify(parsed.errors),
      ).toEqual(errors.map(({ line }) => line))
      parsed.errors.forEach((error, index) => expect(error.message).toContain(errors[index]!.message))
    })
  }
})
