import { existsSync, readFileSync } from 'node:fs'
import path from 'node:path'
import { fileURLToPath } from 'node:url'
import fc from 'fast-check'
import { describe, expect, it } from 'vitest'
import { compileCodeowners, findOwners, parseCodeowners } from '../../../src/core/matching/codeowners.js'
import type { CompiledCodeowners } from '../../../src/core/matching/codeowners.js'
import { buildPatternRegex, compileCodeownersPattern, findPatternProblem } from '../../../src/core/matching/codeowners-pattern.js'

interface PatternCase {
  readonly name: string
  readonly pattern: string
  readonly paths: Record<string, boolean>
}

const repoRoot = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..', '..', '..')
const FILE = '.github/CODEOWNERS'

function readCases(file: string): PatternCase[] {
  return JSON.parse(readFileSync(file, 'utf8')) as PatternCase[]
}

/** Whether `pattern`, written as one owned CODEOWNERS line, owns `file`: the whole parse-and-match path. */
function ownsThroughFile(pattern: string, file: string): boolean {
  const codeowners = compileCodeowners(parseCodeowners({ file: FILE, text: `${pattern} @owner\n` }))
  expect(codeowners.errors).toEqual([])
  return findOwners(codeowners, file).rule !== undefined
}

describe('CODEOWNERS patterns: the project table', () => {
  const cases = readCases(path.join(repoRoot, 'test', 'core', 'matching', 'codeowners-cases.json'))

  it('has at least 25 cases, each with a matching and a non-matching path', () => {
    expect(cases.length).toBeGreaterThanOrEqual(25)
    for (const c of cases) {
      expect(Object.values(c.paths), c.name).toContain(true)
      if (!['*', '**'].includes(c.pattern)) expect(Object.values(c.paths), c.name).toContain(false)
    }
  })

  describe.each(cases)('$name: $pattern', ({ pattern, paths }) => {
    it.each(Object.entries(paths))('%s -> %s', (file, expected) => {
      expect(ownsThroughFile(pattern, file)).toBe(expected)
    })
  })
})

const conformanceFile = path.resolve(repoRoot, '..', 'shared', 'conformance', 'codeowners-patterns.json')
const haveConformance = existsSync(conformanceFile)

describe.skipIf(!haveConformance)('CODEOWNERS patterns: hmarr/codeowners conformance table', () => {
  const cases = haveConformance ? readCases(conformanceFile) : []

  describe.each(cases)('$name: $pattern', ({ pattern, paths }) => {
    it.each(Object.entries(paths))('%s -> %s', (file, expected) => {
      expect(compileCodeownersPattern(pattern).matches(file)).toBe(expected)
    })
  })

  it('the parser accepts every conformance pattern except "[" ranges, which GitHub reports as errors', () => {
    const rejected = cases.filter((c) => findPatternProblem(c.pattern) !== undefined).map((c) => c.pattern)
    expect(rejected.every((p) => p.includes('['))).toBe(true)
    for (const c of cases.filter((c) => !rejected.includes(c.pattern))) {
      for (const [file, expected] of Object.entries(c.paths)) {
        expect(ownsThroughFile(c.pattern, file), `${c.pattern} vs ${file}`).toBe(expected)
      }
    }
  })
})

if (!haveConformance) {
  describe('CODEOWNERS patterns: hmarr/codeowners conformance table', () => {
    it.skip(`skipped: ${conformanceFile} is absent (it exists in CI, next to the project checkout)`, () => {})
  })
}

describe('literal fast path', () => {
  it('agrees with the regular expression for every literal pattern', () => {
    const unit = fc.constantFrom('a', 'b', '/', '.')
    fc.assert(
      fc.property(fc.string({ unit, minLength: 1, maxLength: 7 }), fc.string({ unit, minLength: 1, maxLength: 9 }), (pattern, file) => {
        expect(compileCodeownersPattern(pattern).matches(file)).toBe(buildPatternRegex(pattern).test(file))
      }),
      { numRuns: 3000 },
    )
  })
})

describe('the rule index', () => {
  it('finds the same last matching rule as trying every rule from the end', () => {
    const unit = fc.constantFrom('a', 'b', '/', '*')
    const rule = fc.string({ unit, minLength: 1, maxLength: 6 })
    fc.assert(
      fc.property(fc.array(rule, { maxLength: 8 }), fc.string({ unit: fc.constantFrom('a', 'b', '/'), maxLength: 9 }), (patterns, file) => {
        const codeowners = compileCodeowners({
          file: FILE,
          rules: patterns.map((pattern, index) => ({ pattern, owners: ['@o'], line: index + 1 })),
          errors: [],
        })
        const normalised = file.replace(/^\/+/, '')
        const expected = patterns.findLastIndex((pattern) => compileCodeownersPattern(pattern).matches(normalised))
        expect(findOwners(codeowners, file).rule?.line).toBe(expected < 0 ? undefined : expected + 1)
      }),
      { numRuns: 3000 },
    )
  })
})

describe('parseCodeowners', () => {
  it('reads patterns and owners, skipping blank lines and comments, with 1-based line numbers', () => {
    const text = ['# Owners of the access repository', '', '*            @Acme/Security', '   ', '/requests/   @alice @bob'].join('\n')
    expect(parseCodeowners({ file: FILE, text })).toEqual({
      file: FILE,
      rules: [
        { pattern: '*', owners: ['@Acme/Security'], line: 3 },
        { pattern: '/requests/', owners: ['@alice', '@bob'], line: 5 },
      ],
      errors: [],
    })
  })

  it('drops an inline comment after the owners, and after a pattern without owners', () => {
    const text = '/policies/ @acme/security # security reviews policies\n/requests/tmp/ # nobody owns scratch files\n'
    expect(parseCodeowners({ file: FILE, text }).rules).toEqual([
      { pattern: '/policies/', owners: ['@acme/security'], line: 1 },
      { pattern: '/requests/tmp/', owners: [], line: 2 },
    ])
  })

  it('keeps an escaped "#" in the pattern', () => {
    const { rules, errors } = parseCodeowners({ file: FILE, text: '\\#notes.md @alice # not this' })
    expect(errors).toEqual([])
    expect(rules).toEqual([{ pattern: '\\#notes.md', owners: ['@alice'], line: 1 }])
  })

  it('accepts Windows line endings', () => {
    expect(parseCodeowners({ file: FILE, text: '*.md @alice\r\n/a @bob\r\n' }).rules).toEqual([
      { pattern: '*.md', owners: ['@alice'], line: 1 },
      { pattern: '/a', owners: ['@bob'], line: 2 },
    ])
  })

  it('reports invalid lines with their line numbers and ignores them, keeping the valid ones', () => {
    const text = [
      '*                   @acme/platform',
      '/requests/          alice',
      '!/requests/bob/     @bob',
      '/requests/[ab]*/    @carol',
      '/requests/a\\b      @dave',
      '/requests/x\\',
      '/requests/***       @erin',
      '/requests/a#b       @frank',
      '/requests/c/        @acme/dba/extra',
      '/requests/d/        @bad!name',
      '/requests/e/        bob@example',
      '/requests/f/        @grace fred',
      '/requests/ok/       @heidi',
    ].join('\n')
    const codeowners = compileCodeowners(parseCodeowners({ file: FILE, text }))
    expect(codeowners.rules).toEqual([
      { pattern: '*', owners: ['@acme/platform'], line: 1 },
      { pattern: '/requests/ok/', owners: ['@heidi'], line: 13 },
    ])
    expect(codeowners.errors).toEqual([
      { file: FILE, line: 2, message: "owner 'alice' must start with @ (e.g. @alice) or be an e-mail address" },
      {
        file: FILE,
        line: 3,
        message:
          "pattern '!/requests/bob/' uses '!' negation, which CODEOWNERS does not support; to remove owners from a path, add a later line with the pattern and no owners",
      },
      {
        file: FILE,
        line: 4,
        message:
          "pattern '/requests/[ab]*/' uses '[' for a character range, which CODEOWNERS does not support; list each path on its own line",
      },
      {
        file: FILE,
        line: 5,
        message:
          "pattern '/requests/a\\b' contains '\\b', which is not a valid escape; only '\\#', '\\*', '\\?', '\\\\' and '\\ ' (space) can be escaped",
      },
      { file: FILE, line: 6, message: "pattern '/requests/x\\' ends with '\\', which escapes nothing" },
      { file: FILE, line: 7, message: "pattern '/requests/***' contains '***'; use '*' (within one directory) or '**' (any depth)" },
      {
        file: FILE,
        line: 8,
        message: "pattern '/requests/a#b' contains '#', which GitHub reads as the start of a comment; write '\\#' for a literal '#'",
      },
      {
        file: FILE,
        line: 9,
        message: "owner '@acme/dba/extra' is not a valid team; write teams as @org/team-name (letters, digits, '-' and '_')",
      },
      {
        file: FILE,
        line: 10,
        message: "owner '@bad!name' is not a valid GitHub login; logins contain only letters, digits, '-' and '_'",
      },
      { file: FILE, line: 11, message: "owner 'bob@example' is not a valid e-mail address" },
      { file: FILE, line: 12, message: "owner 'fred' must start with @ (e.g. @fred) or be an e-mail address" },
    ])
    // The ignored lines give no ownership: the catch-all still owns what they tried to claim.
    expect(findOwners(codeowners, 'requests/bob/x.yaml').rule?.line).toBe(1)
    expect(findOwners(codeowners, 'requests/f/x.yaml').teams).toEqual(['@acme/platform'])
  })

  it('names every bad owner on a line', () => {
    const { errors } = parseCodeowners({ file: FILE, text: '/a alice @ok bob' })
    expect(errors.map((e) => e.message)).toEqual([
      "owner 'alice' must start with @ (e.g. @alice) or be an e-mail address; owner 'bob' must start with @ (e.g. @bob) or be an e-mail address",
    ])
  })
})

describe('findOwners', () => {
  const codeowners: CompiledCodeowners = compileCodeowners(
    parseCodeowners({
      file: FILE,
      text: [
        '*                      @acme/platform',
        '/requests/             @acme/security',
        '/requests/alice/       @Alice @ACME/DBA alice@example.com',
        '/requests/alice/tmp/',
        '/requests/bob/         bob@example.com',
      ].join('\n'),
    }),
  )

  it('lets the last matching rule win', () => {
    expect(findOwners(codeowners, 'requests/carol/s3.yaml')).toEqual({
      rule: { pattern: '/requests/', owners: ['@acme/security'], line: 2 },
      users: [],
      teams: ['@acme/security'],
    })
    expect(findOwners(codeowners, 'policies/s3.yaml').rule?.line).toBe(1)
  })

  it('lower-cases users (without @) and teams (with @), and leaves e-mail owners out', () => {
    expect(findOwners(codeowners, 'requests/alice/db.yaml')).toEqual({
      rule: { pattern: '/requests/alice/', owners: ['@Alice', '@ACME/DBA', 'alice@example.com'], line: 3 },
      users: ['alice'],
      teams: ['@acme/dba'],
    })
  })

  it('un-owns a path matched by a later line without owners', () => {
    expect(findOwners(codeowners, 'requests/alice/tmp/x.yaml')).toEqual({
      rule: { pattern: '/requests/alice/tmp/', owners: [], line: 4 },
      users: [],
      teams: [],
    })
  })

  it('gives no users or teams when the only owners are e-mail addresses', () => {
    const ownership = findOwners(codeowners, 'requests/bob/db.yaml')
    expect(ownership.rule?.owners).toEqual(['bob@example.com'])
    expect(ownership).toMatchObject({ users: [], teams: [] })
  })

  it('returns no rule when nothing matches', () => {
    const narrow = compileCodeowners(parseCodeowners({ file: FILE, text: '/policies/ @acme/security' }))
    expect(findOwners(narrow, 'requests/alice/db.yaml')).toEqual({ users: [], teams: [] })
    expect(findOwners(narrow, 'requests/alice/db.yaml').rule).toBeUndefined()
  })

  it('removes duplicate owners that differ only in case', () => {
    const dup = compileCodeowners(parseCodeowners({ file: FILE, text: '* @Bob @bob @Acme/Ops @acme/ops' }))
    expect(findOwners(dup, 'x')).toMatchObject({ users: ['bob'], teams: ['@acme/ops'] })
  })

  it('accepts a leading slash on the path', () => {
    expect(findOwners(codeowners, '/requests/alice/db.yaml').rule?.line).toBe(3)
  })

  it('works on rules built by hand, without parsing', () => {
    const handMade = compileCodeowners({
      file: FILE,
      rules: [
        { pattern: 'docs/*', owners: ['@writer'], line: 1 },
        { pattern: '*.yaml', owners: ['@acme/yaml'], line: 2 },
      ],
      errors: [],
    })
    expect(findOwners(handMade, 'docs/a.md')).toMatchObject({ users: ['writer'], teams: [] })
    expect(findOwners(handMade, 'docs/a.yaml')).toMatchObject({ users: [], teams: ['@acme/yaml'] })
    expect(findOwners(handMade, 'docs/x/a.md').rule).toBeUndefined()
  })
})
