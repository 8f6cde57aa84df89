import yaml from 'js-yaml'
import type { InputError, Parsed } from './input-error.js'

/** Files larger than this are refused before parsing: no request, policy or settings file needs more. */
export const MAX_FILE_BYTES = 64 * 1024

/**
 * Lists and mappings may nest at most this deep (counted as js-yaml opens nodes, the document itself
 * included). Real files nest five or six deep; the parser recurses once per level, so without a bound a
 * few thousand `[` exhaust its stack.
 */
export const MAX_NESTING_DEPTH = 32

/** A path into a parsed document: mapping keys and sequence indexes, e.g. `['access', 0, 'account']`. */
export type DocumentPath = readonly (string | number)[]

/** A YAML file read safely, with the line of every key and value it contains. */
export interface YamlDocument {
  readonly file: string
  /** The plain data (CORE schema: strings, numbers, booleans, null, arrays, objects; dates stay strings). */
  readonly value: unknown
  /**
   * 1-based line of the node at `path`: of its value (default), or of its key when `which` is `'key'`
   * and the path ends in a mapping key. A path that does not exist resolves to the line of the deepest
   * node that does, so an error about a missing key points at the mapping that lacks it.
   */
  lineOf(path: DocumentPath, which?: 'key' | 'value'): number
  /** The text of the scalar at `path` exactly as written (e.g. `012345678901` before YAML made it a number). */
  sourceOf(path: DocumentPath): string | undefined
}

/**
 * Parses one YAML document that must be a mapping. Safe by construction: the CORE schema (no timestamps,
 * no custom tags), duplicate keys rejected, aliases rejected as soon as they are read (no billion laughs),
 * keys must be strings, and the size is checked before parsing. Every failure is an InputError with a line.
 *
 * @param what how messages name the file, e.g. "request file"
 * @param allowEmpty when true an empty file (or one with only comments) reads as an empty mapping
 */
export function parseYamlDocument(params: { file: string; text: string; what?: string; allowEmpty?: boolean }): Parsed<YamlDocument> {
  const { file, text } = params
  const what = params.what ?? 'file'
  const fail = (line: number, message: string): Parsed<YamlDocument> => ({ ok: false, errors: [{ file, line, message }] })

  const bytes = Buffer.byteLength(text, 'utf8')
  if (bytes > MAX_FILE_BYTES) {
    return fail(1, `the ${what} is ${bytes} bytes; the limit is ${MAX_FILE_BYTES} bytes (64 KiB)`)
  }

  const lines = new LineIndex(text)
  const builder = new TreeBuilder(text, lines)
  let documents: unknown[]
  try {
    documents = yaml.loadAll(text, null, {
      filename: file,
      schema: yaml.CORE_SCHEMA,
      json: false,
      listener: (event, state) => builder.on(event, state),
    })
  } catch (error) {
    if (error instanceof AliasError) return fail(error.line, 'YAML aliases are not allowed (write the value out in full)')
    if (error instanceof NestingError) {
      return fail(
        error.line,
        `the ${what} nests lists and mappings more than ${MAX_NESTING_DEPTH} levels deep; no request, policy or settings file needs that many`,
      )
    }
    if (error instanceof yaml.YAMLException) {
      const line = (error.mark?.line ?? 0) + 1
      return fail(line, `invalid YAML: ${error.reason}`)
    }
    throw error
  }

  if (documents.length > 1) {
    return fail(builder.roots[1]?.line ?? 1, `the ${what} must hold a single YAML document, found ${documents.length}`)
  }
  const root = builder.roots[0]
  const value = documents[0]
  if (value === undefined || value === null) {
    if (params.allowEmpty) return { ok: true, value: documentOf(file, {}, undefined, text) }
    return fail(1, `the ${what} is empty`)
  }
  if (root === undefined || root.kind !== 'mapping' || !isPlainObject(value)) {
    const found = Array.isArray(value) ? 'a list' : `a single value (${JSON.stringify(value)})`
    return fail(root?.line ?? 1, `the ${what} must be a YAML mapping of \`key: value\` lines, found ${found}`)
  }
  const keyErrors: InputError[] = []
  collectKeyErrors(root, text, (line, message) => keyErrors.push({ file, line, message }))
  if (keyErrors.length > 0) return { ok: false, errors: keyErrors }
  return { ok: true, value: documentOf(file, value, root, text) }
}

/** A node of the YAML text, rebuilt from js-yaml's open/close events. */
interface YamlNode {
  readonly kind: 'mapping' | 'sequence' | 'scalar' | 'empty'
  /** 1-based line where the node's content starts (for an empty node, the line it was expected on). */
  readonly line: number
  readonly start: number
  readonly end: number
  readonly result: unknown
  readonly children: YamlNode[]
  /** A mapping's pairs by key, built on the first lookup (see pairByKey). */
  pairIndex?: ReadonlyMap<string, { key: YamlNode; value: YamlNode }>
}

/** A mapping's children paired as key and value; undefined when some key has no value node (`{a, b}`, `? a`). */
function pairsOf(node: YamlNode): { key: YamlNode; value: YamlNode }[] | undefined {
  if (node.kind !== 'mapping' || !isPlainObject(node.result)) return undefined
  if (node.children.length !== 2 * Object.keys(node.result).length) return undefined
  const pairs: { key: YamlNode; value: YamlNode }[] = []
  for (let i = 0; i + 1 < node.children.length; i += 2) {
    pairs.push({ key: node.children[i]!, value: node.children[i + 1]! })
  }
  return pairs
}

/** A mapping's pairs by key, built once per mapping: a lookup per key must not walk every key (many unknown keys). */
function pairByKey(node: YamlNode, key: string): { key: YamlNode; value: YamlNode } | undefined {
  if (node.pairIndex === undefined) {
    const byKey = new Map<string, { key: YamlNode; value: YamlNode }>()
    for (const pair of pairsOf(node) ?? []) if (typeof pair.key.result === 'string') byKey.set(pair.key.result, pair)
    node.pairIndex = byKey
  }
  return node.pairIndex.get(key)
}

function collectKeyErrors(node: YamlNode, text: string, report: (line: number, message: string) => void): void {
  if (node.kind === 'mapping') {
    const pairs = pairsOf(node)
    const keys = pairs ? pairs.map((pair) => pair.key) : node.children
    for (const key of keys) {
      if (key.kind !== 'scalar' || typeof key.result !== 'string') {
        const written = text.slice(key.start, key.end).trim()
        const hint = key.kind === 'scalar' ? ` (quote it: "${written}")` : ''
        report(key.line, `keys must be strings; \`${written}\` is ${describeNodeValue(key)}${hint}`)
      }
    }
  }
  for (const child of node.children) collectKeyErrors(child, text, report)
}

function describeNodeValue(node: YamlNode): string {
  if (node.kind === 'mapping') return 'a mapping'
  if (node.kind === 'sequence') return 'a list'
  if (node.result === null || node.kind === 'empty') return 'null'
  return `a ${typeof node.result}`
}

function documentOf(file: string, value: unknown, root: YamlNode | undefined, text: string): YamlDocument {
  const find = (path: DocumentPath): { node: YamlNode | undefined; keyNode?: YamlNode; complete: boolean } => {
    let node = root
    let keyNode: YamlNode | undefined
    for (const segment of path) {
      if (node === undefined) return { node, complete: false }
      let next: YamlNode | undefined
      keyNode = undefined
      if (node.kind === 'mapping' && typeof segment === 'string') {
        const pair = pairByKey(node, segment)
        next = pair?.value
        keyNode = pair?.key
      } else if (node.kind === 'sequence' && typeof segment === 'number') {
        next = node.children[segment]
      }
      if (next === undefined) return { node, complete: false }
      node = next
    }
    return { node, keyNode, complete: true }
  }
  return {
    file,
    value,
    lineOf(path, which = 'value') {
      const found = find(path)
      if (which === 'key' && found.complete && found.keyNode) return found.keyNode.line
      return found.node?.line ?? 1
    },
    sourceOf(path) {
      const found = find(path)
      if (!found.complete || found.node?.kind !== 'scalar') return undefined
      return text.slice(found.node.start, found.node.end).trim()
    },
  }
}

/** Thrown from the listener as a node opens too deep, before js-yaml recurses into it. */
class NestingError extends Error {
  constructor(readonly line: number) {
    super(`YAML nested too deep at line ${line}`)
  }
}

class AliasError extends Error {
  constructor(readonly line: number) {
    super(`YAML alias at line ${line}`)
  }
}

/** The parts of js-yaml's parser state the listener reads. */
interface ListenerState {
  readonly position: number
  readonly kind: string | null
  readonly result: unknown
}

interface OpenFrame {
  readonly openedAt: number
  readonly children: YamlNode[]
}

/**
 * Rebuilds the node tree from js-yaml's events: 'open' fires before a node is read (before any
 * whitespace and comments in front of it are skipped), 'close' after, in document order, keys included.
 * js-yaml reads some nodes twice-nested (a block mapping's first key attempt that turns out to be the
 * whole node); such a wrapper has one child with the very same result and is collapsed.
 */
class TreeBuilder {
  readonly roots: YamlNode[] = []
  private readonly stack: OpenFrame[] = []

  constructor(
    private readonly text: string,
    private readonly lines: LineIndex,
  ) {}

  on(event: 'open' | 'close', state: ListenerState): void {
    if (event === 'open') {
      if (this.stack.length >= MAX_NESTING_DEPTH) throw new NestingError(this.lines.lineAt(skipSeparation(this.text, state.position)))
      this.stack.push({ openedAt: state.position, children: [] })
      return
    }
    const frame = this.stack.pop()
    if (frame === undefined) return
    const start = skipSeparation(this.text, frame.openedAt)
    const isAlias = this.text[start] === '*' && state.kind === null
    if (isAlias) throw new AliasError(this.lines.lineAt(start))
    const only = frame.children.length === 1 ? frame.children[0] : undefined
    let node: YamlNode
    if (only !== undefined && Object.is(only.result, state.result)) {
      node = only
    } else {
      const kind = state.kind === 'mapping' || state.kind === 'sequence' || state.kind === 'scalar' ? state.kind : 'empty'
      // An empty node has no content of its own: the separation skip would run into the next node.
      const line = this.lines.lineAt(kind === 'empty' ? frame.openedAt : start)
      node = { kind, line, start, end: Math.max(start, state.position), result: state.result, children: frame.children }
    }
    const parent = this.stack[this.stack.length - 1]
    if (parent) parent.children.push(node)
    else this.roots.push(node)
  }
}

/** Skips what js-yaml skips before a node: spaces, tabs, line breaks and comments. */
function skipSeparation(text: string, from: number): number {
  let i = from
  while (i < text.length) {
    const ch = text[i]
    if (ch === ' ' || ch === '\t' || ch === '\n' || ch === '\r' || ch === '\uFEFF') {
      i += 1
    } else if (ch === '#') {
      while (i < text.length && text[i] !== '\n') i += 1
    } else {
      break
    }
  }
  return i
}

/** Offsets of line starts, to turn a character position into a 1-based line. */
class LineIndex {
  private readonly starts: number[] = [0]

  constructor(text: string) {
    for (let i = 0; i < text.length; i += 1) {
      if (text[i] === '\n') this.starts.push(i + 1)
    }
  }

  lineAt(position: number): number {
    let low = 0
    let high = this.starts.length - 1
    while (low < high) {
      const mid = (low + high + 1) >> 1
      if (this.starts[mid]! <= position) low = mid
      else high = mid - 1
    }
    return low + 1
  }
}

function isPlainObject(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value)
}
