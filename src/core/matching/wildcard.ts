/** IAM-style wildcard patterns: `*` matches any run of characters (including none), `?` any one character. */

/** How to compare characters. IAM compares action names case-insensitively and resources (the default) exactly. */
export interface WildcardOptions {
  readonly ignoreCase?: boolean
}

/** Does `pattern` match the concrete `value`? */
export function matchesWildcard(pattern: string, value: string, options?: WildcardOptions): boolean {
  return compileWildcard(pattern, options)(value)
}

/**
 * Compiles `pattern` once into a match for many concrete values. The common case (a concrete action or
 * ARN) is a plain string comparison, with no matcher at all.
 */
export function compileWildcard(pattern: string, options?: WildcardOptions): (value: string) => boolean {
  const ignoreCase = options?.ignoreCase === true
  if (!hasWildcard(pattern)) {
    if (!ignoreCase) return (value) => value === pattern
    const folded = pattern.toLowerCase()
    return (value) => value === pattern || value.toLowerCase() === folded
  }
  if (!ignoreCase) return buildMatcher(pattern)
  const matcher = buildMatcher(pattern.toLowerCase())
  return (value) => matcher(value.toLowerCase())
}

/**
 * Does `granted` cover `requested`, i.e. is every string that `requested` could match also matched by
 * `granted`? Exact for `*`/`?` patterns (not an approximation): `ec2:*` covers `ec2:Describe*`,
 * `ec2:DescribeInstances` does not. Throws PatternTooComplexError for pathological patterns rather than guess.
 */
export function coversPattern(granted: string, requested: string, options?: WildcardOptions): boolean {
  return findUncoveredExample(granted, requested, options) === undefined
}

/**
 * Compiles `granted` once into a coverage check for many requested values: a concrete value is a
 * plain match with a prepared matcher (the hot path), a requested pattern falls back to `coversPattern`.
 * For callers that check one pattern many times (the decision engine, per policy).
 */
export function compileCoverage(granted: string, options?: WildcardOptions): (requested: string) => boolean {
  if (/^\*+$/.test(granted)) return () => true
  const matches = compileWildcard(granted, options)
  return (requested) => (hasWildcard(requested) ? coversPattern(granted, requested, options) : matches(requested))
}

/** True when `pattern` contains `*` or `?`. */
export function hasWildcard(pattern: string): boolean {
  return pattern.includes('*') || pattern.includes('?')
}

/**
 * A concrete string matched by `requested` but not by `granted`, or undefined when `granted` covers
 * `requested`. The example is among the shortest, so an explanation can show a reviewer why a grant
 * falls short: `ec2:DescribeInstances` does not cover `ec2:Describe*`, witness `ec2:Describe`.
 * Throws PatternTooComplexError for pathological patterns rather than guess.
 */
export function findUncoveredExample(granted: string, requested: string, options?: WildcardOptions): string | undefined {
  const ignoreCase = options?.ignoreCase === true
  if (!hasWildcard(requested)) return matchesWildcard(granted, requested, options) ? undefined : requested
  if (/^\*+$/.test(granted)) return undefined
  // The shortest string `requested` matches (every `*` empty, every `?` a character neither pattern
  // mentions) is the witness most often: when `granted` refuses it, no search is needed.
  const shortest = spellShortest(granted, requested, ignoreCase)
  if (!matchesWildcard(granted, shortest, options)) return shortest
  return searchUncoveredExample(granted, requested, ignoreCase)
}

function spellShortest(granted: string, requested: string, ignoreCase: boolean): string {
  const requestedTokens = tokenize(requested, ignoreCase)
  const mentioned = new Set<string>()
  for (const token of [...tokenize(granted, ignoreCase), ...requestedTokens]) if (token.kind === 'literal') mentioned.add(token.char)
  const filler = pickFiller(mentioned)
  return requestedTokens.map((token) => (token.kind === 'literal' ? token.original : token.kind === 'one' ? filler : '')).join('')
}

// ---------------------------------------------------------------------------------------------------
// Matching: a pattern `p0*p1*...*pk` matches when p0 is a prefix, pk a suffix, and the middle segments
// occur in order between them. Taking the leftmost occurrence of each middle segment is always safe
// (it leaves the most room for the rest), so matching is linear in the value for `?`-free segments.

type Matcher = (value: string) => boolean

function buildMatcher(pattern: string): Matcher {
  const segments = pattern.split('*')
  if (segments.length === 1) {
    return (value) => value.length === pattern.length && segmentMatchesAt(pattern, value, 0)
  }
  const prefix = segments[0] ?? ''
  const suffix = segments[segments.length - 1] ?? ''
  const middles = segments.slice(1, -1).filter((segment) => segment !== '')
  const minLength = segments.reduce((sum, segment) => sum + segment.length, 0)
  return (value) => {
    if (value.length < minLength) return false
    if (!segmentMatchesAt(prefix, value, 0)) return false
    const end = value.length - suffix.length
    if (!segmentMatchesAt(suffix, value, end)) return false
    let position = prefix.length
    for (const segment of middles) {
      const found = findSegment(segment, value, position, end)
      if (found < 0) return false
      position = found + segment.length
    }
    return true
  }
}

/** Does the `*`-free `segment` (which may contain `?`) match `value` starting at `start`? */
function segmentMatchesAt(segment: string, value: string, start: number): boolean {
  for (let i = 0; i < segment.length; i++) {
    const expected = segment.charCodeAt(i)
    if (expected !== QUESTION && expected !== value.charCodeAt(start + i)) return false
  }
  return true
}

/** Leftmost position >= `from` where `segment` matches and ends by `end`; -1 when there is none. */
function findSegment(segment: string, value: string, from: number, end: number): number {
  if (!segment.includes('?')) {
    const found = value.indexOf(segment, from)
    return found >= 0 && found + segment.length <= end ? found : -1
  }
  for (let start = from; start + segment.length <= end; start++) {
    if (segmentMatchesAt(segment, value, start)) return start
  }
  return -1
}

const QUESTION = '?'.charCodeAt(0)

/**
 * Thrown when comparing two patterns would take unreasonable time. Only a granted pattern with many
 * `?` after a `*` (such as `*a??????????????`) can get there; real IAM patterns are far below it.
 */
export class PatternTooComplexError extends Error {
  override readonly name = 'PatternTooComplexError'
  constructor(
    readonly granted: string,
    readonly requested: string,
  ) {
    super(`cannot tell whether "${granted}" covers "${requested}": the patterns are too complex to compare; use fewer "?" after a "*"`)
  }
}

/** Bounds the coverage search (about a second of work); see PatternTooComplexError. */
const MAX_SEARCH_STATES = 50_000

// ---------------------------------------------------------------------------------------------------
// Coverage: L(requested) ⊆ L(granted), decided exactly on automata. A pattern is an NFA whose states
// are positions in it (a `*` position loops on any character and may be skipped). We search the
// product of the requested pattern's NFA with the subset construction of the granted pattern's NFA
// for a string that `requested` accepts and `granted` rejects. Only the literal characters of
// `granted`, plus one character it does not mention, need exploring: `granted` treats all other
// characters alike. (Matching symbols pattern-to-pattern is not enough: `*?` covers `a*`, because
// the requested `*` may be empty or not, and each case is covered differently.)

type Token =
  { readonly kind: 'literal'; readonly char: string; readonly original: string } | { readonly kind: 'one' } | { readonly kind: 'any' }

interface SearchNode {
  readonly position: number
  readonly states: readonly number[]
  readonly parent?: SearchNode
  /** The character appended to the example on the edge from `parent` ('' for skipping a `*`). */
  readonly emitted: string
  /** `emitted` as the search saw it, after case folding. */
  readonly folded: string
}

function searchUncoveredExample(granted: string, requested: string, ignoreCase: boolean): string | undefined {
  const grantedTokens = tokenize(granted, ignoreCase)
  const requestedTokens = tokenize(requested, ignoreCase)
  const accepting = grantedTokens.length
  const alphabet = exploredAlphabet(grantedTokens, requestedTokens)

  const advance = (states: readonly number[], char: string): number[] => {
    const next = new Set<number>()
    for (const state of states) {
      const token = grantedTokens[state]
      if (token === undefined) continue
      if (token.kind === 'any') next.add(state)
      else if (token.kind === 'one' || token.char === char) next.add(state + 1)
    }
    return closeOverStars(grantedTokens, next)
  }

  // 0-1 breadth-first search (skipping a `*` costs no character), so the first example found is shortest.
  const start: SearchNode = { position: 0, states: closeOverStars(grantedTokens, new Set([0])), emitted: '', folded: '' }
  const seen = new Set<string>()
  const queued = new Set<string>()
  const queue: SearchNode[] = [start]
  let head = 0
  const front: SearchNode[] = []
  while (front.length > 0 || head < queue.length) {
    const node = front.pop() ?? (queue[head++] as SearchNode)
    const key = `${node.position}|${node.states.join(',')}`
    if (seen.has(key)) continue
    seen.add(key)
    if (seen.size > MAX_SEARCH_STATES) throw new PatternTooComplexError(granted, requested)
    const token = requestedTokens[node.position]
    if (token === undefined) {
      if (!node.states.includes(accepting))
        return spellExample(
          node,
          (example) => matchesWildcard(requested, example, { ignoreCase }) && !matchesWildcard(granted, example, { ignoreCase }),
        )
      continue
    }
    const follow = (position: number, char: string, emitted: string): void => {
      const states = advance(node.states, char)
      // A node queued once at this distance cannot be reached sooner by another character.
      const nextKey = `${position}|${states.join(',')}`
      if (seen.has(nextKey) || queued.has(nextKey)) return
      queued.add(nextKey)
      queue.push({ position, states, parent: node, emitted, folded: char })
    }
    if (token.kind === 'literal') {
      follow(node.position + 1, token.char, token.original)
    } else if (token.kind === 'one') {
      for (const char of alphabet) follow(node.position + 1, char, char)
    } else {
      front.push({ position: node.position + 1, states: node.states, parent: node, emitted: '', folded: '' })
      for (const char of alphabet) follow(node.position, char, char)
    }
  }
  return undefined
}

function tokenize(pattern: string, ignoreCase: boolean): Token[] {
  const folded = ignoreCase ? pattern.toLowerCase() : pattern
  // Case folding can change a string's length (rarely, outside ASCII); then the original spelling
  // cannot be lined up with the folded one and the example is spelled in folded case.
  const keepOriginal = folded.length === pattern.length
  const tokens: Token[] = []
  let i = 0
  while (i < folded.length) {
    const char = folded[i] as string
    if (char !== '*' && char !== '?') {
      tokens.push({ kind: 'literal', char, original: keepOriginal ? (pattern[i] as string) : char })
      i++
      continue
    }
    // A run of wildcards means "at least n characters" (n = its `?` count) when it holds a `*`:
    // writing it as n `?` then one `*` gives the automaton fewer states to track.
    let ones = 0
    let any = false
    for (; i < folded.length && (folded[i] === '*' || folded[i] === '?'); i++) {
      if (folded[i] === '?') ones++
      else any = true
    }
    for (let n = 0; n < ones; n++) tokens.push({ kind: 'one' })
    if (any) tokens.push({ kind: 'any' })
  }
  return tokens
}

/** Adds every state reachable by skipping `*` tokens; returns the states sorted (they form a search key). */
function closeOverStars(tokens: readonly Token[], states: Set<number>): number[] {
  for (const state of states) {
    // A Set iterates over members added during iteration, so chains of skips are followed.
    if (tokens[state]?.kind === 'any') states.add(state + 1)
  }
  return [...states].sort((a, b) => a - b)
}

/** The literal characters of `granted`, plus a filler character that neither pattern mentions. */
function exploredAlphabet(grantedTokens: readonly Token[], requestedTokens: readonly Token[]): string[] {
  const mentioned = new Set<string>()
  for (const token of [...grantedTokens, ...requestedTokens]) {
    if (token.kind === 'literal') mentioned.add(token.char)
  }
  const alphabet = [...new Set(grantedTokens.flatMap((token) => (token.kind === 'literal' ? [token.char] : [])))]
  alphabet.push(pickFiller(mentioned))
  return alphabet
}

function pickFiller(mentioned: ReadonlySet<string>): string {
  // Lower-case letters and digits read naturally in an example and are unchanged by case folding.
  for (const candidate of 'xyzqjkvw0123456789_-') {
    if (!mentioned.has(candidate)) return candidate
  }
  for (let code = 0x100; ; code++) {
    const candidate = String.fromCharCode(code)
    if (!mentioned.has(candidate) && candidate.toLowerCase() === candidate && candidate.toUpperCase() === candidate) return candidate
  }
}

/**
 * Spells the example with the requested pattern's own letters where it supplies them, so it reads like
 * the request (`ec2:Describe`, not `ec2:describe`); falls back to folded case if that spelling would not
 * hold up (case folding is not always character by character outside ASCII).
 */
function spellExample(node: SearchNode, isUncovered: (example: string) => boolean): string {
  const original: string[] = []
  const folded: string[] = []
  for (let current: SearchNode | undefined = node; current !== undefined; current = current.parent) {
    original.push(current.emitted)
    folded.push(current.folded)
  }
  const example = original.reverse().join('')
  return isUncovered(example) ? example : folded.reverse().join('')
}
