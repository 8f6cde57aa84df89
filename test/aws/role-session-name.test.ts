import { describe, expect, it } from 'vitest'
import { nameRoleSession } from '../../src/aws/role-session-name.js'

describe('nameRoleSession', () => {
  it('carries the request id and the purpose', () => {
    expect(nameRoleSession({ requestId: 'pr-42', purpose: 'grant' })).toBe('jit-pr-42-grant')
  })

  it('replaces characters STS refuses and stays within 64 characters, keeping the purpose', () => {
    const name = nameRoleSession({ requestId: `acme/infra#${'9'.repeat(80)}`, purpose: 'revoke' })
    expect(name).toMatch(/^[\w+=,.@-]{2,64}$/)
    expect(name.startsWith('jit-acme-infra-999')).toBe(true)
    expect(name.endsWith('-revoke')).toBe(true)
    expect(name).toHaveLength(64)
  })
})
