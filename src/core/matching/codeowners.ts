import { compileCodeownersPattern, findPatternProblem } from './codeowners-pattern.js'
import type { CodeownersPattern } from './codeowners-pattern.js'
import type { InputError } from '../files/input-error.js'

/** One valid CODEOWNERS line. */
export interface CodeownersRule {
  readonly pattern: string
  /** Owners as written: `@user`, `@org/team` or an e-mail; may be empty (the line un-owns the path). */
  readonly owners: readonly string[]
  /** 1-based line number in the CODEOWNERS file. */
  readonly line: number
}

export interface Codeowners {
  /** Path of the CODEOWNERS file used (`.github/CODEOWNERS`, `CODEOWNERS` or `docs/CODEOWNERS`). */
  readonly file: string
  readonly rules: readonly CodeownersRule[]
  /** Invalid lines, ignored as GitHub ignores them. */
  readonly errors: readonly InputError[]
}

/** The owners of a path: the last matching rule wins. `rule` is undefined when no line matches. */
export interface Ownership {
  readonly rule?: CodeownersRule
  /** Logins (lower-cased, without `@`) of user owners. */
  readonly users: readonly string[]
  /** Teams as `@org/team`, lower-cased. */
  readonly teams: readonly string[]
}

/**
 * A CODEOWNERS file ready for matching: each rule beside its compiled pattern, as hmarr/codeowners keeps
 * the compiled pattern in its rule. Built once, when the repository loads (`compileCodeowners`); the rules
 * themselves stay plain data that compares and serialises as written.
 */
export interface CompiledCodeowners extends Codeowners {
  /** Every rule in file order, with its pattern compiled. */
  readonly compiledRules: readonly { readonly rule: CodeownersRule; readonly pattern: CodeownersPattern }[]
  /**
   * Positions in `compiledRules` of the literal patterns by the leading path or the segment every path
   * they match contains, and of all other patterns: a path tries only the few rules that can match it.
   */
  readonly ruleIndex: {
    readonly byLeadingPath: ReadonlyMap<string, readonly number[]>
    readonly bySegment: ReadonlyMap<string, readonly number[]>
    readonly others: readonly number[]
  }
}

/**
 * Parses a CODEOWNERS file with GitHub's rules: `pattern owner...` per line, `#` comments (whole-line or
 * after the owners), `\#` for a literal `#` in a pattern, and a pattern without owners un-owning its paths.
 * Invalid lines (an owner that is not `@user`, `@org/team` or an e-mail; `!` negation; `[` ranges;
 * bad escapes) are reported in `errors` with their line number and otherwise ignored, as GitHub ignores them.
 */
export function parseCodeowners(params: { file: string; text: string }): Codeowners {
  const { file, text } = params
  const rules: CodeownersRule[] = []
  const errors: InputError[] = []
  text.split('\n').forEach((raw, index) => {
    const line = index + 1
    const parsed = parseLine(raw)
    if (parsed === undefined) return
    if ('problem' in parsed) {
      errors.push({ file, line, message: parsed.problem })
      return
    }
    rules.push({ pattern: parsed.pattern, owners: parsed.owners, line })
  })
  return { file, rules, errors }
}

/** Compiles each rule's pattern once, for the many paths it is matched against. */
export function compileCodeowners(codeowners: Codeowners): CompiledCodeowners {
  const compiledRules = codeowners.rules.map((rule) => ({ rule, pattern: compileCodeownersPattern(rule.pattern) }))
  const byLeadingPath = new Map<string, number[]>()
  const bySegment = new Map<string, number[]>()
  const others: number[] = []
  compiledRules.forEach(({ pattern }, at) => {
    const requires = pattern.requires
    if (!requires) others.push(at)
    else {
      const index = requires.kind === 'leading-path' ? byLeadingPath : bySegment
      index.set(requires.name, [...(index.get(requires.name) ?? []), at])
    }
  })
  return { ...codeowners, compiledRules, ruleIndex: { byLeadingPath, bySegment, others } }
}

/**
 * The owners of `path` (relative to the repository root): the last rule whose pattern matches wins,
 * even when it has no owners. E-mail owners are left out of `users` and `teams`: an e-mail cannot be
 * turned into a GitHub login without an API call, so they never count as approvers here (the rule,
 * returned alongside, still shows them).
 */
export function findOwners(codeowners: CompiledCodeowners, path: string): Ownership {
  const rule = codeowners.compiledRules[findLastMatchingRule(codeowners, path.replace(/^\/+/, ''))]?.rule
  return rule ? { rule, ...splitOwners(rule.owners) } : { users: [], teams: [] }
}

/** The position of the last rule whose pattern matches `path`, or -1; only rules that can match it are tried. */
function findLastMatchingRule(codeowners: CompiledCodeowners, path: string): number {
  const { compiledRules, ruleIndex } = codeowners
  let last = -1
  const tryRules = (positions: readonly number[] | undefined): void => {
    for (const at of positions ?? []) if (at > last && compiledRules[at]?.pattern.matches(path)) last = at
  }
  let leadingPath: string | undefined
  for (const segment of path.split('/')) {
    leadingPath = leadingPath === undefined ? segment : `${leadingPath}/${segment}`
    tryRules(ruleIndex.byLeadingPath.get(leadingPath))
    tryRules(ruleIndex.bySegment.get(segment))
  }
  for (let i = ruleIndex.others.length - 1; i >= 0; i--) {
    const at = ruleIndex.others[i] ?? -1
    if (at <= last) break
    if (compiledRules[at]?.pattern.matches(path)) return at
  }
  return last
}

function splitOwners(owners: readonly string[]): { users: string[]; teams: string[] } {
  const users = new Set<string>()
  const teams = new Set<string>()
  for (const owner of owners) {
    if (!owner.startsWith('@')) continue // e-mail: see findOwners
    const lower = owner.toLowerCase()
    if (lower.includes('/')) teams.add(lower)
    else users.add(lower.slice(1))
  }
  return { users: [...users], teams: [...teams] }
}

type ParsedLine = { readonly pattern: string; readonly owners: string[] } | { readonly problem: string }

/** Splits one line into pattern and owners; undefined for blank and comment lines. */
function parseLine(raw: string): ParsedLine | undefined {
  const tokens = tokenize(raw.replace(/\r$/, ''))
  const [pattern, ...owners] = tokens
  if (pattern === undefined) return undefined
  const problems = [findPatternProblem(pattern), ...owners.map(findOwnerProblem)].filter(
    (problem): problem is string => problem !== undefined,
  )
  if (problems.length > 0) return { problem: problems.join('; ') }
  return { pattern, owners }
}

/**
 * Whitespace-separated tokens up to the first token that starts with `#` (a comment). A backslash keeps
 * the next character in the token, so `\#` and `\ ` stay part of a pattern; escapes are kept as written
 * and interpreted by the pattern compiler.
 */
function tokenize(line: string): string[] {
  const tokens: string[] = []
  let token = ''
  for (let i = 0; i < line.length; i++) {
    const ch = line[i] ?? ''
    if (ch === '\\') {
      token += ch + (line[i + 1] ?? '')
      i++
    } else if (ch === ' ' || ch === '\t') {
      if (token !== '') tokens.push(token)
      token = ''
    } else if (ch === '#' && token === '') {
      return tokens
    } else {
      token += ch
    }
  }
  if (token !== '') tokens.push(token)
  return tokens
}

const EMAIL = /^[A-Za-z0-9._%+-]+@[A-Za-z0-9.-]+\.[A-Za-z]{2,}$/
const TEAM = /^@[A-Za-z0-9-]+\/[A-Za-z0-9_-]+$/
const USER = /^@[A-Za-z0-9_-]+$/

/** Why `owner` is not a `@user`, `@org/team` or e-mail owner, or undefined when it is one. */
function findOwnerProblem(owner: string): string | undefined {
  if (owner.startsWith('@')) {
    if (owner.includes('/')) {
      return TEAM.test(owner)
        ? undefined
        : `owner '${owner}' is not a valid team; write teams as @org/team-name (letters, digits, '-' and '_')`
    }
    return USER.test(owner) ? undefined : `owner '${owner}' is not a valid GitHub login; logins contain only letters, digits, '-' and '_'`
  }
  if (owner.includes('@')) {
    return EMAIL.test(owner) ? undefined : `owner '${owner}' is not a valid e-mail address`
  }
  return `owner '${owner}' must start with @ (e.g. @${owner}) or be an e-mail address`
}

/** Where GitHub looks, in order. */
export const CODEOWNERS_LOCATIONS = ['.github/CODEOWNERS', 'CODEOWNERS', 'docs/CODEOWNERS'] as const
