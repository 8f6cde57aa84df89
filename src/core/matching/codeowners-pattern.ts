/**
 * CODEOWNERS path patterns, matched the way GitHub matches them (which is not quite .gitignore).
 *
 * The matching rules are a port of hmarr/codeowners (`match.go`, MIT), the reference implementation
 * whose language-neutral case table we run as a conformance test. Summary of the semantics:
 * - a pattern with a single segment and no leading slash (`foo`, `*.js`, `docs/`) matches at any depth;
 * - any other pattern (`/foo`, `docs/*`, `a/b`) is anchored at the repository root;
 * - a pattern matches the path itself and everything under it (`foo` owns `foo/bar`), except that a
 *   last segment of `*` matches direct children only (`docs/*` does not own `docs/a/b`);
 * - a trailing slash means "everything under this directory" (`docs/` does not match a file `docs`);
 * - `*` and `?` never cross a `/`; `**` spans any number of segments; `\` escapes the next character.
 */

/** A compiled pattern: built once per CODEOWNERS line, then matched against many paths. */
export interface CodeownersPattern {
  /** The pattern as written in the file. */
  readonly source: string
  /** Whether `path` (relative to the repository root, no leading slash) is covered by the pattern. */
  matches(path: string): boolean
  /**
   * For a literal pattern, what every path it matches contains: `name` as its leading whole segments
   * (`leading-path`) or as one whole segment anywhere (`segment`). Lets a file index its rules by it.
   */
  readonly requires?: { readonly kind: 'leading-path' | 'segment'; readonly name: string }
}

/** Characters that may follow a backslash in a pattern; anything else is almost certainly a typo. */
const ESCAPABLE = new Set(['#', '*', '?', '\\', ' ', '\t'])

/**
 * Returns why GitHub would reject `pattern` (and so skip its line), or undefined when it is valid.
 * These are the .gitignore features GitHub documents as not working in CODEOWNERS, plus the malformed
 * wildcards and escapes that the reference implementation refuses.
 */
export function findPatternProblem(pattern: string): string | undefined {
  if (pattern.startsWith('!')) {
    return `pattern '${pattern}' uses '!' negation, which CODEOWNERS does not support; to remove owners from a path, add a later line with the pattern and no owners`
  }
  for (let i = 0; i < pattern.length; i++) {
    const ch = pattern[i]
    if (ch === '\\') {
      const next = pattern[i + 1]
      if (next === undefined) {
        return `pattern '${pattern}' ends with '\\', which escapes nothing`
      }
      if (!ESCAPABLE.has(next)) {
        return `pattern '${pattern}' contains '\\${next}', which is not a valid escape; only '\\#', '\\*', '\\?', '\\\\' and '\\ ' (space) can be escaped`
      }
      i++
      continue
    }
    if (ch === '[') {
      return `pattern '${pattern}' uses '[' for a character range, which CODEOWNERS does not support; list each path on its own line`
    }
    if (ch === '#') {
      return `pattern '${pattern}' contains '#', which GitHub reads as the start of a comment; write '\\#' for a literal '#'`
    }
  }
  if (pattern.includes('***')) {
    return `pattern '${pattern}' contains '***'; use '*' (within one directory) or '**' (any depth)`
  }
  return undefined
}

/**
 * Compiles a pattern. Literal patterns (no `*` or `?`, the common case) are matched by string
 * comparison; only wildcard patterns pay for a regular expression, and it is built here, once.
 * Assumes `findPatternProblem(pattern)` is undefined; other input still compiles, to something literal.
 */
export function compileCodeownersPattern(pattern: string): CodeownersPattern {
  const literal = readLiteral(pattern)
  if (literal !== undefined) {
    const requires = { kind: literal.anchored ? ('leading-path' as const) : ('segment' as const), name: literal.name }
    return { source: pattern, matches: matchLiteral(literal), requires }
  }
  const regex = buildPatternRegex(pattern)
  return { source: pattern, matches: (path) => regex.test(path) }
}

/**
 * The regular expression for a pattern, following the reference implementation segment by segment.
 * Exported so a test can check that the literal fast path agrees with it.
 */
export function buildPatternRegex(pattern: string): RegExp {
  if (pattern === '' || pattern === '/') {
    return /(?!)/ // matches nothing, as on GitHub
  }
  let segments = pattern.split('/')
  if (segments[0] === '') {
    segments = segments.slice(1) // leading slash: anchored at the root
  } else if (segments.length === 1 || (segments.length === 2 && segments[1] === '')) {
    // A single segment without a leading slash matches at any depth, as if it began with `**/`.
    if (segments[0] !== '**') segments = ['**', ...segments]
  }
  if (segments.length > 1 && segments[segments.length - 1] === '') {
    segments[segments.length - 1] = '**' // a trailing slash owns everything below
  }

  const last = segments.length - 1
  let needSlash = false
  let source = '^'
  segments.forEach((segment, i) => {
    if (segment === '**') {
      if (i === 0 && i === last) {
        source += '.+'
      } else if (i === 0) {
        source += '(?:.+/)?'
        needSlash = false
      } else if (i === last) {
        source += '/.*'
      } else {
        source += '(?:/.+)?'
        needSlash = true
      }
      return
    }
    if (needSlash) source += '/'
    if (segment === '*') {
      source += '[^/]+'
    } else {
      source += translateSegment(segment)
      // The last segment also owns whatever lies below it, as a directory.
      if (i === last) source += '(?:/.*)?'
    }
    needSlash = true
  })
  return new RegExp(source + '$', 'u')
}

function translateSegment(segment: string): string {
  let out = ''
  let escaped = false
  for (const ch of segment) {
    if (escaped) {
      out += escapeRegex(ch)
      escaped = false
    } else if (ch === '\\') {
      escaped = true
    } else if (ch === '*') {
      out += '[^/]*'
    } else if (ch === '?') {
      out += '[^/]'
    } else {
      out += escapeRegex(ch)
    }
  }
  return out
}

function escapeRegex(ch: string): string {
  return /[\\^$.*+?()[\]{}|/]/u.test(ch) ? `\\${ch}` : ch
}

interface LiteralPattern {
  /** The path or name, unescaped, without leading or trailing slash. */
  readonly name: string
  /** True when the pattern is anchored at the root (a leading slash, or a slash inside it). */
  readonly anchored: boolean
  /** True when the pattern ends with a slash: only paths below it match, not the name itself. */
  readonly directoryOnly: boolean
}

/** Reads a pattern without wildcards as a literal; undefined when it has a wildcard. */
function readLiteral(pattern: string): LiteralPattern | undefined {
  let text = ''
  for (let i = 0; i < pattern.length; i++) {
    const ch = pattern[i] ?? ''
    if (ch === '*' || ch === '?') return undefined
    if (ch === '\\') {
      const next = pattern[i + 1]
      // An escaped slash or a dangling backslash has odd segment semantics: leave it to the regex.
      if (next === undefined || next === '/') return undefined
      text += next
      i++
    } else {
      text += ch
    }
  }
  const leadingSlash = text.startsWith('/')
  const directoryOnly = text.length > 1 && text.endsWith('/')
  const name = text.slice(leadingSlash ? 1 : 0, directoryOnly ? -1 : undefined)
  if (name === '' || name.startsWith('/') || name.endsWith('/') || name.includes('//')) {
    return undefined // degenerate; the regex handles these exactly as the reference does
  }
  return { name, anchored: leadingSlash || name.includes('/'), directoryOnly }
}

function matchLiteral({ name, anchored, directoryOnly }: LiteralPattern): (path: string) => boolean {
  const isBoundaryAfter = (path: string, end: number): boolean =>
    directoryOnly ? path[end] === '/' : end === path.length || path[end] === '/'
  if (anchored) {
    return (path) => path.startsWith(name) && isBoundaryAfter(path, name.length)
  }
  // Unanchored: the name is a whole segment somewhere in the path. The reference's `(?:.+/)?` prefix
  // needs at least one character before the slash, so a match never starts at index 1.
  return (path) => {
    for (let at = path.indexOf(name); at !== -1; at = path.indexOf(name, at + 1)) {
      const startsSegment = at === 0 || (at >= 2 && path[at - 1] === '/')
      if (startsSegment && isBoundaryAfter(path, at + name.length)) return true
    }
    return false
  }
}
