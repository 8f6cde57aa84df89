import { readFileSync, writeFileSync } from 'node:fs'
import { fileURLToPath } from 'node:url'
import { Ajv2020 } from 'ajv/dist/2020.js'
import { describe, expect, expectTypeOf, it } from 'vitest'
import { compileDocumentValidator, type DocumentValidator } from '../../../src/core/files/schemas/document-validator.js'
import {
  checkOutputSchema,
  type CheckDecisionOutput,
  type CheckOutput,
  type CheckTeamsFileFailure,
} from '../../../src/core/files/schemas/check-output-schema.js'
import { policySchema } from '../../../src/core/files/schemas/policy-schema.js'
import type { PolicyDocument } from '../../../src/core/files/schemas/policy-schema.js'
import { requestSchema } from '../../../src/core/files/schemas/request-schema.js'
import type { RequestDocument } from '../../../src/core/files/schemas/request-schema.js'
import { settingsSchema } from '../../../src/core/files/schemas/settings-schema.js'
import type { SettingsDocument } from '../../../src/core/files/schemas/settings-schema.js'

// The TS consts are the source of truth; schemas/*.schema.json are published copies written from them.
// To regenerate after changing a const: WRITE_SCHEMAS=1 npx vitest run test/core/files/schemas.test.ts
const published = [
  { file: 'request.schema.json', schema: requestSchema },
  { file: 'policy.schema.json', schema: policySchema },
  { file: 'settings.schema.json', schema: settingsSchema },
] as const

const schemaPath = (file: string) => fileURLToPath(new URL(`../../../schemas/${file}`, import.meta.url))
const render = (schema: object) => `${JSON.stringify(schema, null, 2)}\n`

describe('published JSON Schemas', () => {
  if (process.env.WRITE_SCHEMAS === '1') {
    for (const { file, schema } of published) writeFileSync(schemaPath(file), render(schema))
  }

  it.each(published)('schemas/$file is the same as its TypeScript const', ({ file, schema }) => {
    const onDisk = readFileSync(schemaPath(file), 'utf8')
    expect(
      onDisk,
      `schemas/${file} differs from src/core/files/schemas; regenerate it: WRITE_SCHEMAS=1 npx vitest run test/core/files/schemas.test.ts`,
    ).toBe(render(schema))
  })

  it.each(published)('schemas/$file compiles in strict mode and documents itself', ({ schema }) => {
    const ajv = new Ajv2020({ strict: true })
    expect(() => ajv.compile(schema)).not.toThrow()
    expect(schema.$schema).toBe('https://json-schema.org/draft/2020-12/schema')
    expect(schema.$id).toMatch(/^urn:jit-access:schemas:/)
    expect(schema.description.length).toBeGreaterThan(20)
    for (const [key, property] of Object.entries(schema.properties)) {
      expect((property as { description?: string }).description, `property ${key}`).toBeTruthy()
    }
  })
})

// FromSchema derives the document types; these typed examples must also be valid for the schema,
// so a type and its schema cannot disagree on the shape of a complete document.
describe('document types agree with their schemas', () => {
  const ajv = new Ajv2020({ strict: true, allErrors: true })
  const request: RequestDocument = {
    reason: 'Terminate the stuck web node',
    ticket: 'INC-4821',
    duration: 'PT1H30M',
    start: '2026-12-01T09:00:00Z',
    extends: 'pr-42',
    access: [{ account: '111111111111', actions: ['ec2:StopInstances'], resources: ['arn:aws:ec2:us-east-1:111111111111:instance/i-1'] }],
  }
  const policy: PolicyDocument = {
    name: 'prod-ec2-incident',
    description: 'Stop production EC2 instances',
    grants: { accounts: ['111111111111', '*'], actions: ['ec2:Describe*'], resources: ['*'] },
    requesters: { users: ['alice'], teams: ['@acme/sre'] },
    max_duration: '4h',
    ticket: '^INC-[0-9]+$',
    approvals: [{ from: 'codeowners', count: 1 }, { from: ['@acme/security', 'carol'] }],
    self_approval: false,
    auto_approve: { max_duration: '30m' },
    revoke_sessions: true,
  }
  const settings: SettingsDocument = {
    principal: 'arn:aws:iam::{account}:role/jit-{login}',
    principals: { bob: 'arn:aws:iam::{account}:user/bob' },
    granter_role: 'arn:aws:iam::{account}:role/jit-granter',
    sweep_interval: '5m',
    pending_max_age: '7d',
  }
  it.each([
    ['request', requestSchema, request],
    ['policy', policySchema, policy],
    ['settings', settingsSchema, settings],
  ] as const)('a complete typed %s document is valid', (_, schema, example) => {
    const validate = ajv.compile(schema)
    expect(validate(example), JSON.stringify(validate.errors)).toBe(true)
  })
})

// Checked by the compiler (`npm run typecheck`): a validator's result type is inferred from the schema
// it compiles, so no call site can pair a schema with a type of its own.
describe('validators take their result type from their schema', () => {
  it('request, policy and settings', () => {
    expectTypeOf(compileDocumentValidator(requestSchema, 'request')).toEqualTypeOf<DocumentValidator<RequestDocument>>()
    expectTypeOf(compileDocumentValidator(policySchema, 'policy')).toEqualTypeOf<DocumentValidator<PolicyDocument>>()
    expectTypeOf(compileDocumentValidator(settingsSchema, 'settings')).toEqualTypeOf<DocumentValidator<SettingsDocument>>()
    expectTypeOf(compileDocumentValidator(settingsSchema, 'settings')).not.toEqualTypeOf<DocumentValidator<RequestDocument>>()
  })
})

// `jit check --json` has its own schema with one branch per kind of output, so it has no top-level
// properties and is checked here rather than in the table above. Regenerated by the same WRITE_SCHEMAS=1.
// test/cli/check-output.test.ts validates the command's real outputs against it.
describe('schemas/check-output.schema.json', () => {
  const file = 'check-output.schema.json'
  if (process.env.WRITE_SCHEMAS === '1') writeFileSync(schemaPath(file), render(checkOutputSchema))

  it('is the same as its TypeScript const', () => {
    expect(
      readFileSync(schemaPath(file), 'utf8'),
      `schemas/${file} differs from src/core/files/schemas; regenerate it: WRITE_SCHEMAS=1 npx vitest run test/core/files/schemas.test.ts`,
    ).toBe(render(checkOutputSchema))
  })

  it('compiles in strict mode and documents every property of every branch', () => {
    expect(() => new Ajv2020({ strict: true }).compile(checkOutputSchema)).not.toThrow()
    expect(checkOutputSchema.$id).toBe('urn:jit-access:schemas:check-output')
    expect(checkOutputSchema.description.length).toBeGreaterThan(20)
    for (const branch of checkOutputSchema.oneOf) {
      for (const [key, property] of Object.entries(branch.properties))
        expect((property as { description?: string }).description, key).toBeTruthy()
    }
  })

  it('gives the command a typed output, derived from the schema (checked by the compiler)', () => {
    expectTypeOf<CheckOutput>().toEqualTypeOf<CheckDecisionOutput | CheckTeamsFileFailure>()
    expectTypeOf<CheckDecisionOutput['verdict']>().toEqualTypeOf<'approved' | 'pending' | 'denied' | 'invalid'>()
    expectTypeOf<CheckDecisionOutput['items'][number]['policy']>().toEqualTypeOf<string | null>()
    expectTypeOf<CheckDecisionOutput['policies'][number]['rules'][number]['impossible']>().toEqualTypeOf<string | undefined>()
    expectTypeOf<CheckTeamsFileFailure['summary']>().toEqualTypeOf<'Invalid teams file'>()
  })
})
