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
  const settingsText = [
    'backend: identity_center',
    'identity_center:',
    '  instance_arn: "arn:aws:sso:::instance/ssoins-1234567890abcdef"',
    '  identity_store_id: d-1234567890',
    '  region: eu-west-1',
    '  granter_role: "arn:aws:iam::999999999999:role/jit-granter"',
    '  user_name: "{login}@acme.com"',
    '',
  ].join('\n')
  const parsedSettings = parseSettings({ file: '.github/jit.yml', text: settingsText })
  if (!parsedSettings.ok) throw new Error(JSON.stringify(parsedSettings.errors))
  const settings = parsedSettings.value
  const check = (resources: string[]) => {
    const text = [
      'reason: test',
      'duration: 2h',
      'access:',
      '  - account: "111111111111"',
      '    actions: [s3:GetObject]',
      `    resources: ${JSON.stringify(resources)}`,
      '',
    ].join('\n')
    const request = parseAccessRequest({ file: 'requests/a.yaml', text })
    if (!request.ok) throw new Error(JSON.stringify(request.errors))
    return findUngrantableReasons({ request: request.value, settings, author: 'alice', now: new Date('2026-12-01T09:00:00Z') })
  }

  it('needs no IAM principal (the IAM role template does not apply) and fits the permission set quota', () => {
    // 400 resources make a 22,000-character policy: over a role's 10,240, within a permission set's 32,768.
    expect(check(Array.from({ length: 400 }, (_, i) => `arn:aws:s3:::bucket-${i}/*`))).toEqual([])
  })

  it('is refused when the inline policy would exceed the permission set quota', () => {
    const errors = check(Array.from({ length: 900 }, (_, i) => `arn:aws:s3:::bucket-with-a-long-name-${i}/*`))
    expect(errors).toHaveLength(1)
    expect(errors[0]!.line).toBe(4)
    expect(errors[0]!.message).toContain('a permission set whose inline policy has')
    expect(errors[0]!.message).toContain('Identity Center allows 32,768')
  })
})
