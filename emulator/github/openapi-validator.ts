import { readFileSync } from 'node:fs'
import { createRequire } from 'node:module'
import { Ajv, type ValidateFunction } from 'ajv'

/** How loudly the emulator reacts when a request or response does not match GitHub's OpenAPI description. */
export type ValidationMode = 'throw' | 'warn' | 'off'

interface OpenApiOperation {
  readonly parameters?: ReadonlyArray<Record<string, unknown>>
  readonly requestBody?: { readonly content?: Record<string, unknown> }
  readonly responses?: Record<string, Record<string, unknown>>
}

interface OpenApiDocument {
  readonly paths: Record<string, Record<string, OpenApiOperation>>
  readonly components: Record<string, Record<string, unknown>>
}

const documentId = 'https://api.github.com/openapi'

/** Where GitHub's published OpenAPI description for api.github.com lives in node_modules. */
export function locateGitHubOpenApi(): string {
  const require = createRequire(import.meta.url)
  return require.resolve('@octokit/openapi/generated/api.github.com.json')
}

/**
 * Checks requests, responses and webhook payloads against GitHub's published OpenAPI description
 * (`@octokit/openapi`). The 13 MB description is parsed once, on first use, and each schema is compiled
 * once and kept; `$ref`s stay references so shared component schemas compile only once.
 */
export class OpenApiValidator {
  private document: OpenApiDocument | undefined
  private ajv: Ajv | undefined
  private readonly compiled = new Map<string, ValidateFunction>()
  private readonly descriptionPath: string

  constructor(descriptionPath: string = locateGitHubOpenApi()) {
    this.descriptionPath = descriptionPath
  }

  /** True when GitHub documents `method template` (e.g. `PATCH /repos/{owner}/{repo}/git/refs/{ref}`). */
  hasOperation(method: string, template: string): boolean {
    return this.operation(method, template) !== undefined
  }

  /** Problems with a request's query parameters and JSON body (empty when it matches). */
  validateRequest(method: string, template: string, request: { query: URLSearchParams; body: unknown }): string[] {
    const operation = this.operation(method, template)
    if (operation === undefined) return [`${method} ${template} is not an operation of api.github.com`]
    const problems: string[] = []
    const declared = new Map<string, { schema: unknown; pointer: string[] }>()
    for (const [index, parameter] of (operation.parameters ?? []).entries()) {
      const resolved = this.resolveParameter(parameter, [...this.operationPointer(method, template), 'parameters', String(index)])
      if (resolved.in === 'query') declared.set(resolved.name, { schema: resolved.schema, pointer: [...resolved.pointer, 'schema'] })
    }
    for (const [name, raw] of request.query) {
      const parameter = declared.get(name)
      if (parameter === undefined) {
        problems.push(`query parameter "${name}" is not documented`)
        continue
      }
      const validate = this.compile(parameter.pointer)
      if (!validate(coerceQueryValue(raw, parameter.schema))) problems.push(...describe(`query parameter "${name}"`, validate))
    }
    const content = operation.requestBody?.content
    if (content !== undefined && 'application/json' in content) {
      const validate = this.compile([...this.operationPointer(method, template), 'requestBody', 'content', 'application/json', 'schema'])
      if (!validate(request.body ?? {})) problems.push(...describe('body', validate))
    }
    return problems
  }

  /** Problems with a JSON response body for `status` (empty when it matches or GitHub documents no schema for it). */
  validateResponse(method: string, template: string, status: number, body: unknown): string[] {
    const operation = this.operation(method, template)
    if (operation === undefined) return [`${method} ${template} is not an operation of api.github.com`]
    let response = operation.responses?.[String(status)]
    let pointer = [...this.operationPointer(method, template), 'responses', String(status)]
    if (response === undefined) return status >= 400 ? [] : [`status ${status} is not a documented response`]
    const ref = response.$ref
    if (typeof ref === 'string') {
      pointer = ref.slice(2).split('/')
      response = this.at(pointer) as Record<string, unknown>
    }
    const content = response.content as Record<string, unknown> | undefined
    if (content === undefined || !('application/json' in content)) return []
    const validate = this.compile([...pointer, 'content', 'application/json', 'schema'])
    if (validate(body)) return []
    const defect = knownDescriptionDefects.find((candidate) => candidate.operation === `${method.toUpperCase()} ${template}`)
    const errors = (validate.errors ?? []).filter((error) => defect === undefined || !defect.instancePath.test(error.instancePath))
    return errors.length === 0 ? [] : describe(`response ${status}`, { errors } as unknown as ValidateFunction)
  }

  /** Problems with a webhook payload, checked against `#/components/schemas/webhook-<event>-<action>`. */
  validateWebhook(event: string, action: string | undefined, payload: unknown): string[] {
    const name = `webhook-${event.replaceAll('_', '-')}${action === undefined ? '' : `-${action.replaceAll('_', '-')}`}`
    if (this.load().components.schemas?.[name] === undefined) return [`no schema ${name} in GitHub's description`]
    const validate = this.compile(['components', 'schemas', name])
    return validate(payload) ? [] : describe(`${event}.${action ?? ''} payload`, validate)
  }

  private operation(method: string, template: string): OpenApiOperation | undefined {
    return this.load().paths[template]?.[method.toLowerCase()]
  }

  private operationPointer(method: string, template: string): string[] {
    return ['paths', template, method.toLowerCase()]
  }

  private resolveParameter(
    parameter: Record<string, unknown>,
    pointer: string[],
  ): { name: string; in: string; schema: unknown; pointer: string[] } {
    const ref = parameter.$ref
    if (typeof ref === 'string') {
      const target = ref.slice(2).split('/')
      return this.resolveParameter(this.at(target) as Record<string, unknown>, target)
    }
    return { name: String(parameter.name), in: String(parameter.in), schema: parameter.schema, pointer }
  }

  private at(pointer: readonly string[]): unknown {
    let node: unknown = this.load()
    for (const segment of pointer) node = (node as Record<string, unknown> | undefined)?.[segment]
    return node
  }

  private compile(pointer: readonly string[]): ValidateFunction {
    const key = pointer.join('\0')
    const known = this.compiled.get(key)
    if (known !== undefined) return known
    this.load()
    const fragment = pointer.map((segment) => encodeURIComponent(segment.replaceAll('~', '~0').replaceAll('/', '~1'))).join('/')
    const validate = (this.ajv as Ajv).compile({ $ref: `${documentId}#/${fragment}` })
    this.compiled.set(key, validate)
    return validate
  }

  private load(): OpenApiDocument {
    if (this.document !== undefined) return this.document
    const raw = JSON.parse(readFileSync(this.descriptionPath, 'utf8')) as OpenApiDocument
    const document = { paths: raw.paths, components: raw.components }
    rewriteNullable(document)
    const ajv = new Ajv({ strict: false, allErrors: true, validateFormats: false, validateSchema: false, addUsedSchema: false })
    ajv.addSchema({ $id: documentId, ...document }, undefined, undefined, false)
    this.document = document
    this.ajv = ajv
    return document
  }
}

/**
 * Places where GitHub's description contradicts what api.github.com actually returns; errors there are ignored
 * (and only there), with the reason written down.
 */
const knownDescriptionDefects: ReadonlyArray<{ operation: string; instancePath: RegExp; reason: string }> = [
  {
    operation: 'GET /app/installations',
    instancePath: /^\/\d+\/account(\/|$)/,
    reason: 'the inlined schema says `allOf: [simple-user, enterprise]` (both at once); GitHub returns a user or an organization',
  },
]

/** OpenAPI 3.0's `nullable: true` becomes JSON Schema's `anyOf [..., null]`, which Ajv understands everywhere. */
function rewriteNullable(node: unknown): void {
  if (Array.isArray(node)) {
    for (const item of node) rewriteNullable(item)
    return
  }
  if (node === null || typeof node !== 'object') return
  const record = node as Record<string, unknown>
  for (const value of Object.values(record)) rewriteNullable(value)
  if (record.nullable === true) {
    const inner: Record<string, unknown> = {}
    for (const [key, value] of Object.entries(record)) {
      if (key !== 'nullable' && key !== 'description' && key !== 'example' && key !== 'examples') inner[key] = value
    }
    for (const key of Object.keys(record)) {
      if (key !== 'description') delete record[key]
    }
    record.anyOf = [inner, { type: 'null' }]
  }
}

function coerceQueryValue(raw: string, schema: unknown): unknown {
  const type = (schema as { type?: unknown } | undefined)?.type
  if (type === 'integer' || type === 'number') return /^-?\d+(\.\d+)?$/.test(raw) ? Number(raw) : raw
  if (type === 'boolean') return raw === 'true' ? true : raw === 'false' ? false : raw
  if (type === 'array') return raw.split(',')
  return raw
}

function describe(what: string, validate: ValidateFunction): string[] {
  return (validate.errors ?? [])
    .slice(0, 20)
    .map(
      (error) =>
        `${what}${error.instancePath || ''} ${error.message ?? 'is invalid'}${error.params ? ` ${JSON.stringify(error.params)}` : ''}`,
    )
}
