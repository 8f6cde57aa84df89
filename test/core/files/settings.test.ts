import { readFileSync } from 'node:fs'
import { describe, expect, it } from 'vitest'
import { DEFAULT_SETTINGS, parseSettings, principalFor, readSettingsOrDefaults } from '../../../src/core/files/settings.js'
import type { JitSettings } from '../../../src/core/files/settings.js'

const FILE = '.github/jit.yml'
const fixture = readFileSync(new URL('../../fixtures/files/jit.yml', import.meta.url), 'utf8')

function parseOk(text: string): JitSettings {
  const parsed = parseSettings({ file: FILE, text })
  if (!parsed.ok) throw new Error(`expected valid settings: ${JSON.stringify(parsed.errors)}`)
  return parsed.value
}

describe('parseSettings', () => {
  it('reads the documented example, lower-casing override logins', () => {
    expect(parseOk(fixture)).toEqual({
      backend: 'iam',
      accountBackends: {},
      identityCenter: null,
      principal: 'arn:aws:iam::{account}:role/jit-{login}',
      principalOverrides: { bob: 'arn:aws:iam::{account}:user/bob' },
      granterRole: 'arn:aws:iam::{account}:role/jit-granter',
      sweepIntervalMs: 5 * 60_000,
      pendingMaxAgeMs: 7 * 86_400_000,
      maxStartAheadMs: 30 * 86_400_000,
      maxStartAheadText: '30d',
      remindAfterMs: 4 * 3_600_000,
      notifications: [],
      fullReconcileEveryMs: 86_400_000,
    })
  })

  it.each([
    ['an empty file', ''],
    ['a file of comments', '# defaults are fine\n'],
    ['an empty mapping', '{}\n'],
  ])('takes every default for %s', (_, text) => {
    expect(parseOk(text)).toEqual(DEFAULT_SETTINGS)
  })

  it('keeps defaults for the keys not written', () => {
    expect(parseOk('sweep_interval: PT1M\n')).toEqual({ ...DEFAULT_SETTINGS, sweepIntervalMs: 60_000 })
  })

  const cases: { name: string; text: string; errors: { line: number; message: string }[] }[] = [
    {
      name: 'a misspelt key',
      text: 'sweep_intervall: 5m\n',
      errors: [{ line: 1, message: 'unknown key "sweep_intervall" in settings (did you mean "sweep_interval"?)' }],
    },
    {
      name: 'a principal without {account}',
      text: 'principal: "arn:aws:iam::111111111111:role/jit-{login}"\n',
      errors: [
        {
          line: 1,
          message:
            '`principal` "arn:aws:iam::111111111111:role/jit-{login}" is not an IAM role or user ARN template with {account} as its account',
        },
      ],
    },
    {
      name: 'a principal that is not a role or user',
      text: 'principal: "arn:aws:iam::{account}:group/jit"\n',
      errors: [{ line: 1, message: 'is not an IAM role or user ARN template' }],
    },
    {
      name: 'an unknown placeholder',
      text: 'principal: "arn:aws:iam::{account}:role/jit-{user}"\n',
      errors: [{ line: 1, message: 'principal uses the unknown placeholder {user}: only {account} and {login} are substituted' }],
    },
    {
      name: 'an override for a bad login',
      text: 'principals:\n  "bob smith": "arn:aws:iam::{account}:user/bob"\n',
      errors: [{ line: 2, message: 'key "bob smith" in `principals` is not a GitHub login' }],
    },
    {
      name: 'an override that is not an ARN',
      text: 'principals:\n  bob: bob\n',
      errors: [{ line: 2, message: '`principals.bob` "bob" is not an IAM role or user ARN template' }],
    },
    {
      name: 'two overrides for one login',
      text: 'principals:\n  bob: "arn:aws:iam::{account}:user/bob"\n  Bob: "arn:aws:iam::{account}:user/bob2"\n',
      errors: [{ line: 3, message: 'principals has "bob" and "Bob", the same GitHub login' }],
    },
    {
      name: 'a granter that is a user',
      text: 'granter_role: "arn:aws:iam::{account}:user/granter"\n',
      errors: [{ line: 1, message: 'is not an IAM role ARN template' }],
    },
    {
      name: 'a sweep interval in seconds',
      text: 'sweep_interval: 30s\n',
      errors: [{ line: 1, message: '`sweep_interval` "30s" is not a duration' }],
    },
    {
      name: 'a sweep interval under a minute',
      text: 'sweep_interval: PT30S\n',
      errors: [{ line: 1, message: 'sweep_interval "PT30S" is too short: the minimum is 1m' }],
    },
    {
      name: 'a sweep interval over a day',
      text: '\nsweep_interval: 2d\n',
      errors: [{ line: 2, message: 'sweep_interval "2d" is too long: the maximum is 1d' }],
    },
    {
      name: 'a pending age under an hour',
      text: 'pending_max_age: 30m\n',
      errors: [{ line: 1, message: 'pending_max_age "30m" is too short: the minimum is 1h' }],
    },
    { name: 'a list document', text: '- principal: x\n', errors: [{ line: 1, message: 'the settings file must be a YAML mapping' }] },
  ]
  for (const { name, text, errors } of cases) {
    it(`rejects ${name}`, () => {
      const parsed = parseSettings({ file: FILE, text })
      expect(parsed.ok).toBe(false)
      if (parsed.ok) return
      expect(
        parsed.errors.map(({ file, line }) => ({ file, line })),
        JSON.stringify(parsed.errors),
      ).toEqual(errors.map(({ line }) => ({ file: FILE, line })))
      parsed.errors.forEach((error, index) => expect(error.message).toContain(errors[index]!.message))
    })
  }
})

describe('principalFor', () => {
  const settings = parseOk(fixture)

  it('fills the template with the account and the lower-cased login', () => {
    expect(principalFor(settings, { account: '111111111111', login: 'Alice' })).toBe('arn:aws:iam::111111111111:role/jit-alice')
  })

  it('prefers the login override, whatever the case of the login', () => {
    expect(principalFor(settings, { account: '222222222222', login: 'BOB' })).toBe('arn:aws:iam::222222222222:user/bob')
  })

  it('substitutes every occurrence of a placeholder', () => {
    const custom = { ...DEFAULT_SETTINGS, principal: 'arn:aws:iam::{account}:role/{login}/jit-{login}' }
    expect(principalFor(custom, { account: '333333333333', login: 'carol' })).toBe('arn:aws:iam::333333333333:role/carol/jit-carol')
  })

  it('does not treat inherited object keys as overrides', () => {
    expect(principalFor(settings, { account: '111111111111', login: 'constructor' })).toBe('arn:aws:iam::111111111111:role/jit-constructor')
  })
})

describe('readSettingsOrDefaults', () => {
  it('reads the file, falls back to the defaults without one, and says why when it does not parse', () => {
    expect(readSettingsOrDefaults(null)).toEqual({ settings: DEFAULT_SETTINGS })
    expect(readSettingsOrDefaults('sweep_interval: 10m\n').settings.sweepIntervalMs).toBe(600_000)
    const broken = readSettingsOrDefaults('sweep_interval: soon\n')
    expect(broken.settings).toBe(DEFAULT_SETTINGS)
    expect(broken.problem).toMatch(/^\.github\/jit\.yml does not parse \(line 1: /)
  })
})

describe('notifications and reminders', () => {
  const SINKS = [
    'remind_after: 2h',
    'notifications:',
    '  - type: slack',
    '    url_env: JIT_SLACK_WEBHOOK_URL',
    '    events: [requested, granted, break-glass]',
    '  - name: siem',
    '    type: webhook',
    '    url_env: JIT_WEBHOOK_URL',
    '    secret_env: JIT_WEBHOOK_SECRET',
    '    events: [granted, revoked, expired, drift, tampering]',
    '',
  ].join('\n')

  it('reads the sinks, each with the environment variables that hold its URL and secret', () => {
    const settings = parseOk(SINKS)
    expect(settings.remindAfterMs).toBe(2 * 3_600_000)
    expect(settings.notifications).toEqual([
      { kind: 'slack', name: 'slack-1', urlEnv: 'JIT_SLACK_WEBHOOK_URL', events: new Set(['requested', 'granted', 'break-glass']) },
      {
        kind: 'webhook',
        name: 'siem',
        urlEnv: 'JIT_WEBHOOK_URL',
        secretEnv: 'JIT_WEBHOOK_SECRET',
        events: new Set(['granted', 'revoked', 'expired', 'drift', 'tampering']),
      },
    ])
  })

  it.each([
    [
      'a Slack webhook URL written in the file',
      'notifications:\n  - type: slack\n    url_env: https://hooks.slack.com/services/T000/B000/XXXX\n    events: [granted]\n',
      3,
      /^notifications: url_env holds a URL or token, which must never be written in the repository; put it in an environment variable/,
    ],
    [
      'a url key instead of url_env',
      'notifications:\n  - type: slack\n    events: [granted]\n    url: https://hooks.slack.com/services/T000/B000/XXXX\n',
      4,
      /^notifications: url would put a URL or secret in the repository/,
    ],
    [
      'an HMAC key written in the file',
      'notifications:\n  - type: webhook\n    url_env: HOOK_URL\n    secret: s3cr3t\n    events: [granted]\n',
      4,
      /^notifications: secret would put a URL or secret in the repository/,
    ],
    [
      'a webhook without secret_env',
      'notifications:\n  - type: webhook\n    url_env: HOOK_URL\n    events: [granted]\n',
      2,
      /^a webhook sink needs secret_env/,
    ],
    ['an unknown event', 'notifications:\n  - type: slack\n    url_env: SLACK_URL\n    events: [granted, grnted]\n', 4, /grnted/],
    ['a reminder under an hour', 'remind_after: 10m\n', 1, /^remind_after /],
  ])('refuses %s, at its line', (_, text, line, message) => {
    const parsed = parseSettings({ file: FILE, text })
    expect(parsed.ok).toBe(false)
    if (parsed.ok) return
    expect(parsed.errors[0]).toMatchObject({ file: FILE, line })
    expect(parsed.errors[0]?.message).toMatch(message)
  })
})

describe('reconcile.full_every', () => {
  it('defaults to a day and reads a period of 1 hour to 30 days', () => {
    expect(parseOk('').fullReconcileEveryMs).toBe(24 * 3_600_000)
    expect(parseOk('reconcile:\n  full_every: 6h\n').fullReconcileEveryMs).toBe(6 * 3_600_000)
    expect(parseOk('reconcile: {}\n').fullReconcileEveryMs).toBe(24 * 3_600_000)
  })

  it.each([
    ['under an hour', 'sweep_interval: 5m\nreconcile:\n  full_every: 10m\n', 3, /^reconcile\.full_every /],
    ['over 30 days', 'reconcile:\n  full_every: 60d\n', 2, /^reconcile\.full_every /],
    ['not a duration', 'reconcile:\n  full_every: daily\n', 2, /full_every/],
    ['an unknown key', 'reconcile:\n  every: 1d\n', 2, /every/],
  ])('refuses a period %s, at its line', (_, text, line, message) => {
    const parsed = parseSettings({ file: FILE, text })
    expect(parsed.ok).toBe(false)
    if (parsed.ok) return
    expect(parsed.errors[0]).toMatchObject({ file: FILE, line })
    expect(parsed.errors[0]?.message).toMatch(message)
  })
})
