import { describe, expect, it } from 'vitest'
import { parseAccessRequest } from '../../../src/core/files/access-request.js'
import { parseSettings } from '../../../src/core/files/settings.js'
import { findUngrantableReasons } from '../../../src/core/records/grant-feasibility.js'
import {
  checkPermissionSetName,
  chooseSessionDuration,
  describePermissionSet,
  namePermissionSet,
  parseManagedPermissionSet,
} from '../../../src/core/records/permission-set.js'

const REPOSITORY = 'acme/access'

describe('a request permission set', () => {
  it('is named in the repository namespace, within 32 characters, for any pull request number GitHub reaches', () => {
    const name = namePermissionSet({ repository: REPOSITORY, requestId: 'pr-42' })
    expect(name).toMatch(/^jit-[0-9a-f]{8}-pr-42$/)
    expect(namePermissionSet({ repository: 'ACME/Access', requestId: 'pr-42' })).toBe(name)
    expect(namePermissionSet({ repository: 'acme/other', requestId: 'pr-42' })).not.toBe(name)
    expect(checkPermissionSetName(namePermissionSet({ repository: REPOSITORY, requestId: 'pr-9999999999' }))).toBeUndefined()
    expect(checkPermissionSetName('jit-' + 'x'.repeat(29))).toContain('Identity Center allows 32')
  })

  it('is recognised from its name and description, and only in its own repository', () => {
    const expiresAt = new Date('2026-12-01T11:00:00Z')
    const name = namePermissionSet({ repository: REPOSITORY, requestId: 'pr-42' })
    const description = describePermissionSet({ repository: REPOSITORY, requestId: 'pr-42', expiresAt })
    expect(description).toBe('jit-access pr-42 of acme/access until 2026-12-01T11:00:00Z')
    expect(parseManagedPermissionSet({ repository: REPOSITORY, name, description })).toEqual({ requestId: 'pr-42', expiresAt })
    expect(parseManagedPermissionSet({ repository: 'acme/other', name, description })).toBeUndefined()
    expect(parseManagedPermissionSet({ repository: REPOSITORY, name: 'ReadOnlyAccess', description })).toBeUndefined()
    // An edited description cannot extend it: it reads as expired.
    expect(parseManagedPermissionSet({ repository: REPOSITORY, name, description: 'forever' })?.expiresAt).toEqual(new Date(0))
  })

  it.each([
    ['2 hours left', '2026-12-01T09:00:00Z', '2026-12-01T11:00:00Z', 'PT2H'],
    ['90 minutes and some seconds left', '2026-12-01T09:29:30Z', '2026-12-01T11:00:00Z', 'PT1H30M'],
    ['10 minutes left: Identity Center takes at least an hour', '2026-12-01T10:50:00Z', '2026-12-01T11:00:00Z', 'PT1H'],
    ['3 days left: at most twelve hours', '2026-12-01T09:00:00Z', '2026-12-04T09:00:00Z', 'PT12H'],
  ])('has a session duration of what is left of the window (%s)', (_, now, expiresAt, duration) => {
    expect(chooseSessionDuration({ now: new Date(now), expiresAt: new Date(expiresAt) })).toBe(duration)
  })
})

describe('a request checked for an Identity Center account', () => {
  const section = [
    'backend: identity_center',
    'identity_center:',
    '  instance_arn: "arn:aws:sso:::instance/ssoins-1234567890abcdef"',
    '  identity_store_id: d-1234567890',
    '  region: eu-west-1',
    '  granter_role: "arn:aws:iam::999999999999:role/jit-granter"',
    '  user_name: "{login}@acme.com"',
  ]
  const settingsOf = (extra: string[] = []) => {
    const parsed = parseSettings({ file: '.github/jit.yml', text: [...section, ...extra, ''].join('\n') })
    if (!parsed.ok) throw new Error(JSON.stringify(parsed.errors))
    return parsed.value
  }
  const check = (params: { resources?: string[]; accounts?: number; extra?: string[]; requestId?: string; duration?: string } = {}) => {
    const accounts = Array.from({ length: params.accounts ?? 1 }, (_, i) => String(111111111111 + i))
    const text = [
      'reason: test',
      `duration: ${params.duration ?? '2h'}`,
      'access:',
      ...accounts.flatMap((account) => [
        `  - account: "${account}"`,
        '    actions: [s3:GetObject]',
        `    resources: ${JSON.stringify(params.resources ?? ['arn:aws:s3:::bucket/*'])}`,
      ]),
      '',
    ].join('\n')
    const request = parseAccessRequest({ file: 'requests/a.yaml', text })
    if (!request.ok) throw new Error(JSON.stringify(request.errors))
    return findUngrantableReasons({
      request: request.value,
      settings: settingsOf(params.extra),
      author: 'alice',
      now: new Date('2026-12-01T09:00:00Z'),
      ...(params.requestId ? { requestId: params.requestId } : {}),
    })
  }
  const bucket = (i: number) => `arn:aws:s3:::bucket-${i}/*`

  it('needs no IAM principal (the IAM role template does not apply) and fits the permission set quota', () => {
    // 150 resources make a 3,900-character policy.
    expect(check({ resources: Array.from({ length: 150 }, (_, i) => bucket(i)) })).toEqual([])
  })

  it("is refused when the inline policy would exceed the permission set's 10,240 characters (white space aside)", () => {
    // 400 resources make an 11,500-character policy: Identity Center would accept it, then fail to provision it.
    const errors = check({ resources: Array.from({ length: 400 }, (_, i) => bucket(i)) })
    expect(errors).toEqual([
      {
        file: 'requests/a.yaml',
        line: 4,
        message: expect.stringMatching(
          /^the grant would be a permission set whose inline policy has 11,[0-9]{3} characters .*Identity Center allows 10,240 \(white space aside\)/,
        ),
      },
    ])
  })

  it('is refused when its permission set name would pass 32 characters, naming the line', () => {
    expect(check({ requestId: 'pr-1234567890123456' })).toEqual([])
    expect(check({ requestId: 'pr-12345678901234567' })).toEqual([
      {
        file: 'requests/a.yaml',
        line: 4,
        message: expect.stringMatching(
          /^the grant's permission set name jit-[0-9a-f]{8}-pr-12345678901234567 is 33 characters; Identity Center allows 32$/,
        ),
      },
    ])
  })

  it('is refused when it assigns in more accounts than identity_center.max_accounts (10 unless set), at the first account over', () => {
    expect(check({ accounts: 10 })).toEqual([])
    const errors = check({ accounts: 11 })
    expect(errors).toEqual([
      {
        file: 'requests/a.yaml',
        line: 34,
        message: expect.stringContaining(
          'the request assigns its permission set in 11 Identity Center accounts; one request may assign it in at most 10 (identity_center.max_accounts in .github/jit.yml)',
        ),
      },
    ])
    expect(check({ accounts: 11, extra: ['  max_accounts: 12'] })).toEqual([])
    expect(check({ accounts: 3, extra: ['  max_accounts: 2'] })[0]?.line).toBe(10)
  })

  it('is refused when the requester maps to a user name Identity Center cannot hold', () => {
    const errors = check({ extra: ['  users:', '    alice: Administrator'] })
    expect(errors).toEqual([
      {
        file: 'requests/a.yaml',
        line: 4,
        message:
          'the grant in 111111111111 would go to the Identity Center user "Administrator", a name Identity Center refuses (Identity Center reserves the name Administrator: no user can have it); fix identity_center.user_name (or users) in .github/jit.yml',
      },
    ])
    expect(check({ extra: ['  users:', '    alice: awsadministrators'] })).toHaveLength(1)
  })

  it('is not refused for a window shorter than the shortest session: the session lasts an hour, the policy ends at the window', () => {
    expect(check({ duration: '20m' })).toEqual([])
    const now = new Date('2026-12-01T09:00:00Z')
    expect(chooseSessionDuration({ now, expiresAt: new Date('2026-12-01T09:20:00Z') })).toBe('PT1H')
  })
})
