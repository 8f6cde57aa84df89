import { Ajv2020 } from 'ajv/dist/2020.js'
import type { ErrorObject } from 'ajv/dist/2020.js'
import type { FromSchema, JSONSchema } from 'json-schema-to-ts'
import type { InputError } from '../input-error.js'
import type { DocumentPath, YamlDocument } from '../yaml-document.js'
import { PATTERN_PHRASES } from './patterns.js'
import { formatNumber } from '../../text/plural.js'

// One instance for every document schema: compiling is the expensive part, and it happens once per schema.
const ajv = new Ajv2020({ strict: true, allErrors: true, verbose: true })

/**
 * The data of a document that `S` admits, derived from the schema so the two cannot disagree. ajv is
 * not asked to fill in defaults, so a key with a `default` stays optional.
 */
export type SchemaDocument<S extends JSONSchema> = FromSchema<S, { keepDefaultedPropertiesOptional: true }>

/** Checks a parsed YAML document against one JSON Schema, reporting failures as InputErrors with lines. */
export interface DocumentValidator<T> {
  /** Returns the typed data, or the errors in human words, each at the line of the offending key or value. */
  validate(document: YamlDocument): { ok: true; value: T } | { ok: false; errors: InputError[] }
}

/**
 * Compiles a schema once (call this at module load, never per document). The validator's result type
 * is the schema's own (`SchemaDocument`), inferred from the argument, never one declared beside it.
 * (`T` is a defaulted parameter rather than written out so TypeScript derives it only for a concrete
 * schema, the way json-schema-to-ts documents type guards; leave it to its default.)
 * @param what how messages name the document, e.g. "request"
 */
export function compileDocumentValidator<const S extends JSONSchema, T = SchemaDocument<S>>(schema: S, what: string): DocumentValidator<T> {
  const check = ajv.compile<unknown>(schema)
  // What ajv admits is, by definition, what FromSchema reads the same schema as (ajv's own
  // JSONSchemaType cannot be instantiated for schemas this size).
  const admits = (data: unknown): data is T => check(data)
  return {
    validate(document) {
      if (admits(document.value)) return { ok: true, value: document.value }
      return { ok: false, errors: describeSchemaErrors({ errors: check.errors ?? [], document, what }) }
    },
  }
}

/** Turns ajv's errors into messages a person can act on, at the line of the key or value at fault. */
export function describeSchemaErrors(params: { errors: readonly ErrorObject[]; document: YamlDocument; what: string }): InputError[] {
  const { document, what } = params
  // A file of thousands of bad keys gets a readable list, at a cost that does not grow with it.
  const errors = dropAnyOfNoise(params.errors, document)
  const described: InputError[] = []
  const seen = new Set<string>()
  let more = false
  for (const error of errors) {
    if (described.length === MAX_ERRORS_SHOWN) {
      more = true
      break
    }
    const found = describeError(error, document, what)
    if (found === undefined) continue
    const key = `${found.line}\u0000${found.message}`
    if (seen.has(key)) continue
    seen.add(key)
    described.push({ file: document.file, ...found })
  }
  described.sort((a, b) => a.line - b.line)
  if (more) {
    const last = described[described.length - 1]?.line ?? 1
    described.push({
      file: document.file,
      line: last,
      message: `and more errors: only the first ${MAX_ERRORS_SHOWN} are shown; fix these and check again`,
    })
  }
  return described
}

/** At most this many schema errors are described per file (a did-you-mean each), the rest summed up in one line. */
export const MAX_ERRORS_SHOWN = 100

function describeError(error: ErrorObject, document: YamlDocument, what: string): { line: number; message: string } | undefined {
  const path = pathOf(error.instancePath, document.value)
  const name = nameOf(path)
  const at = (which: 'key' | 'value' = 'value') => document.lineOf(path, which)
  const params = error.params as Record<string, unknown>
  switch (error.keyword) {
    case 'required': {
      const missing = String(params.missingProperty)
      const where = path.length === 0 ? what : name
      return { line: path.length === 0 ? 1 : at('key'), message: `missing required key "${missing}" in ${where}` }
    }
    case 'additionalProperties': {
      const extra = String(params.additionalProperty)
      const known = Object.keys((error.parentSchema?.properties as object | undefined) ?? {})
      const suggestion = suggestKey(extra, known)
      const where = path.length === 0 ? what : name
      const hint = suggestion ? ` (did you mean "${suggestion}"?)` : known.length > 0 ? ` (known keys: ${known.join(', ')})` : ''
      return { line: document.lineOf([...path, extra], 'key'), message: `unknown key "${extra}" in ${where}${hint}` }
    }
    case 'type': {
      const expected = describeType(String(params.type))
      const actual = error.data
      let message = `${name} must be ${expected}, found ${describeValue(actual)}`
      if (params.type === 'string' && (typeof actual === 'number' || typeof actual === 'boolean')) {
        const written = document.sourceOf(path) ?? String(actual)
        message += `: YAML reads ${written} as a ${typeof actual}, so quote it ("${written}")`
      }
      return { line: at(), message }
    }
    case 'pattern': {
      if (error.propertyName !== undefined) {
        const phrase = PATTERN_PHRASES[String(params.pattern)] ?? `text matching ${String(params.pattern)}`
        return {
          line: document.lineOf([...path, error.propertyName], 'key'),
          message: `key ${JSON.stringify(error.propertyName)} in ${name} is not ${phrase}`,
        }
      }
      const phrase = PATTERN_PHRASES[String(params.pattern)] ?? `text matching ${String(params.pattern)}`
      return { line: at(), message: `${name} ${JSON.stringify(error.data)} is not ${phrase}` }
    }
    case 'propertyNames':
      // Reported by the nested pattern error, which names the key.
      return undefined
    case 'minItems':
      return {
        line: at(),
        message: `${name} must list at least ${String(params.limit)} ${Number(params.limit) === 1 ? 'entry' : 'entries'}`,
      }
    case 'minLength':
      return { line: at(), message: `${name} must not be empty` }
    case 'maxLength': {
      const length = typeof error.data === 'string' ? [...error.data].length : 0
      return {
        line: at(),
        message: `${name} is ${formatNumber(length)} characters long; the limit is ${formatNumber(Number(params.limit))}`,
      }
    }
    case 'maxItems':
      return { line: at(), message: `${name} lists more than ${formatNumber(Number(params.limit))} entries` }
    case 'minProperties': {
      const known = Object.keys((error.parentSchema?.properties as object | undefined) ?? {})
      return { line: at(), message: `${name} must not be empty: add ${known.join(' or ')}` }
    }
    case 'minimum':
      return { line: at(), message: `${name} must be at least ${String(params.limit)}, found ${describeValue(error.data)}` }
    case 'maximum':
      return { line: at(), message: `${name} must be at most ${String(params.limit)}, found ${describeValue(error.data)}` }
    case 'enum': {
      const allowed = (Array.isArray(params.allowedValues) ? params.allowedValues : []).map((value) => JSON.stringify(value))
      return { line: at(), message: `${name} must be one of ${allowed.join(', ')}, found ${describeValue(error.data)}` }
    }
    case 'uniqueItems':
      return { line: at(), message: `${name} lists the same entry twice` }
    case 'anyOf':
    case 'const':
      return { line: at(), message: `${name} must be ${describeAlternatives(error.parentSchema)}, found ${describeValue(error.data)}` }
    default:
      return { line: at(), message: `${name} is invalid: ${error.message ?? error.keyword}` }
  }
}

/**
 * ajv reports every failed branch of an `anyOf`. When the value has the type one branch expects, the
 * errors inside that branch say what is wrong; otherwise the `anyOf` error alone names the alternatives.
 */
function dropAnyOfNoise(errors: readonly ErrorObject[], document: YamlDocument): ErrorObject[] {
  const anyOfs = errors.flatMap((error, index) => (error.keyword === 'anyOf' ? [{ error, index }] : []))
  if (anyOfs.length === 0) return [...errors]
  const dropped = new Set<ErrorObject>()
  for (const { error: anyOf, index } of anyOfs) {
    const inside = listBranchErrors(errors, index)
    const branches = (anyOf.schema as readonly { type?: string }[]) ?? []
    const data = pathValue(pathOf(anyOf.instancePath, document.value), document.value)
    const matching = branches.findIndex((branch) => branch.type !== undefined && hasJsonType(data, branch.type))
    const keep =
      matching < 0
        ? []
        : inside.filter(
            (error) =>
              error.schemaPath.startsWith(`${anyOf.schemaPath}/${matching}/`) &&
              !(error.keyword === 'const' && error.instancePath === anyOf.instancePath),
          )
    const kept = new Set(keep)
    for (const error of inside) if (!kept.has(error)) dropped.add(error)
    if (keep.length > 0) dropped.add(anyOf)
  }
  return errors.filter((error) => !dropped.has(error))
}

/**
 * The errors of an `anyOf`'s branches: ajv reports them just before the `anyOf` error itself, for the
 * same value or one inside it. Found by walking back from it, so a list of a thousand failing values
 * costs a thousand steps, not a million (the same schema path recurs for every item of a list).
 */
function listBranchErrors(errors: readonly ErrorObject[], anyOfIndex: number): ErrorObject[] {
  const anyOf = errors[anyOfIndex]!
  const inside: ErrorObject[] = []
  for (let i = anyOfIndex - 1; i >= 0; i -= 1) {
    const error = errors[i]!
    const sameValue = error.instancePath === anyOf.instancePath || error.instancePath.startsWith(`${anyOf.instancePath}/`)
    if (!sameValue || !error.schemaPath.startsWith(`${anyOf.schemaPath}/`)) break
    inside.push(error)
  }
  return inside.reverse()
}

function hasJsonType(value: unknown, type: string): boolean {
  if (type === 'array') return Array.isArray(value)
  if (type === 'object') return typeof value === 'object' && value !== null && !Array.isArray(value)
  if (type === 'integer') return Number.isInteger(value)
  if (type === 'null') return value === null
  return typeof value === type
}

function describeAlternatives(schema: unknown): string {
  const node = schema as { const?: unknown; anyOf?: readonly { const?: unknown; type?: string }[] } | undefined
  if (node?.const !== undefined) return JSON.stringify(node.const)
  const options = (node?.anyOf ?? []).map((branch) =>
    branch.const !== undefined ? JSON.stringify(branch.const) : describeType(branch.type ?? 'value'),
  )
  return options.join(' or ')
}

function describeType(type: string): string {
  switch (type) {
    case 'array':
      return 'a list'
    case 'object':
      return 'a mapping of keys to values'
    case 'integer':
      return 'a whole number'
    default:
      return `a ${type}`
  }
}

function describeValue(value: unknown): string {
  if (value === null) return 'nothing (null)'
  if (Array.isArray(value)) return 'a list'
  if (typeof value === 'object') return 'a mapping'
  return `${typeof value} ${JSON.stringify(value)}`
}

/** `/access/0/account` → `['access', 0, 'account']`, numbers where the data holds a list. */
function pathOf(pointer: string, root: unknown): DocumentPath {
  if (pointer === '') return []
  const path: (string | number)[] = []
  let node = root
  for (const raw of pointer.slice(1).split('/')) {
    const segment = raw.replace(/~1/g, '/').replace(/~0/g, '~')
    if (Array.isArray(node)) {
      const index = Number(segment)
      path.push(index)
      node = node[index]
    } else {
      path.push(segment)
      node = typeof node === 'object' && node !== null ? (node as Record<string, unknown>)[segment] : undefined
    }
  }
  return path
}

function pathValue(path: DocumentPath, root: unknown): unknown {
  let node = root
  for (const segment of path) {
    if (typeof node !== 'object' || node === null) return undefined
    node = (node as Record<string | number, unknown>)[segment]
  }
  return node
}

/** How messages name a place in a document: `access[0].account`. */
export function nameOf(path: DocumentPath): string {
  if (path.length === 0) return 'the document'
  let name = ''
  for (const segment of path) {
    if (typeof segment === 'number') name += `[${segment}]`
    else name += name === '' ? segment : `.${segment}`
  }
  return `\`${name}\``
}

/** The known key closest to a misspelt one, when it is close enough to be what was meant. */
export function suggestKey(written: string, known: readonly string[]): string | undefined {
  const normal = (key: string) => key.toLowerCase().replace(/[-_\s]/g, '')
  let best: { key: string; distance: number } | undefined
  for (const key of known) {
    const distance = normal(key) === normal(written) ? 0 : editDistance(written.toLowerCase(), key.toLowerCase())
    if (best === undefined || distance < best.distance) best = { key, distance }
  }
  if (best === undefined) return undefined
  const allowed = Math.max(1, Math.min(3, Math.floor(best.key.length / 3)))
  return best.distance <= allowed ? best.key : undefined
}

function editDistance(a: string, b: string): number {
  let previous = Array.from({ length: b.length + 1 }, (_, i) => i)
  for (let i = 1; i <= a.length; i += 1) {
    const current = [i]
    for (let j = 1; j <= b.length; j += 1) {
      const substitution = previous[j - 1]! + (a[i - 1] === b[j - 1] ? 0 : 1)
      current.push(Math.min(previous[j]! + 1, current[j - 1]! + 1, substitution))
    }
    previous = current
  }
  return previous[b.length]!
}
