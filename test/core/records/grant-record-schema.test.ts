import { readFileSync, writeFileSync } from 'node:fs'
import { fileURLToPath } from 'node:url'
import { Ajv2020 } from 'ajv/dist/2020.js'
import type { FromSchema } from 'json-schema-to-ts'
import { describe, expect, it } from 'vitest'
import type { AccessRecord } from '../../../src/core/records/grant-record.js'
import { formatRecordDocument } from '../../../src/core/records/record-document.js'
import { grantRecordSchema } from '../../../src/core/files/schemas/grant-record-schema.js'
import { FAILURE, GRANT, REFUSAL } from '../../fixtures/grant/records.js'

// Same mechanism as test/core/files/schemas.test.ts (kept apart so that file stays its owner's): the TS const is
// the source of truth and schemas/grant-record.schema.json its published copy. To regenerate:
//   WRITE_SCHEMAS=1 npx vitest run test/core/records/grant-record-schema.test.ts
const FILE = fileURLToPath(new URL('../../../schemas/grant-record.schema.json', import.meta.url))
const render = (schema: object) => `${JSON.stringify(schema, null, 2)}\n`

// The TypeScript contract and the schema agree both ways, checked by the compiler (`npm run typecheck`):
// every record the code can build is a document the schema describes, and every such document is a record.
type Documented = FromSchema<typeof grantRecordSchema>
type DeepReadonly<T> = T extends (infer U)[]
  ? readonly DeepReadonly<U>[]
  : T extends object
    ? { readonly [K in keyof T]: DeepReadonly<T[K]> }
    : T
export const recordIsDocument = (record: AccessRecord): DeepReadonly<Documented> => record
export const documentIsRecord = (document: DeepReadonly<Documented>): AccessRecord => document

describe('schemas/grant-record.schema.json', () => {
  if (process.env.WRITE_SCHEMAS === '1') writeFileSync(FILE, render(grantRecordSchema))

  it('is the same as its TypeScript const', () => {
    expect(readFileSync(FILE, 'utf8'), 'regenerate it: WRITE_SCHEMAS=1 npx vitest run test/core/records/grant-record-schema.test.ts').toBe(
      render(grantRecordSchema),
    )
  })

  it('compiles in strict mode and documents every property of every branch', () => {
    expect(() => new Ajv2020({ strict: true }).compile(grantRecordSchema)).not.toThrow()
    expect(grantRecordSchema.$id).toBe('urn:jit-access:schemas:grant-record')
    for (const branch of grantRecordSchema.oneOf) {
      for (const [key, property] of Object.entries(branch.properties))
        expect((property as { description?: string }).description, key).toBeTruthy()
    }
  })

  it('admits a written record as exactly one kind, and refuses one claiming two states at once', () => {
    const validate = new Ajv2020({ strict: true, allErrors: true }).compile(grantRecordSchema)
    for (const record of [GRANT, REFUSAL, FAILURE]) expect(validate(record), JSON.stringify(validate.errors)).toBe(true)
    expect(validate({ ...GRANT, state: 'refused' })).toBe(false)
    expect(formatRecordDocument(GRANT)).toContain('state: active')
  })
})
