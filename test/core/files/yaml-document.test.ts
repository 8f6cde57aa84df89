import { describe, expect, it } from 'vitest'
import { MAX_FILE_BYTES, parseYamlDocument } from '../../../src/core/files/yaml-document.js'
import type { DocumentPath, YamlDocument } from '../../../src/core/files/yaml-document.js'

const FILE = 'requests/alice/web.yaml'

function parse(text: string): YamlDocument {
  const parsed = parseYamlDocument({ file: FILE, text })
  if (!parsed.ok) throw new Error(`expected ${JSON.stringify(text)} to parse: ${JSON.stringify(parsed.errors)}`)
  return parsed.value
}

function errorsOf(text: string, what?: string) {
  const parsed = parseYamlDocument({ file: FILE, text, ...(what !== undefined && { what }) })
  if (parsed.ok) throw new Error(`expected ${JSON.stringify(text)} to fail`)
  return parsed.errors
}

// Each case: a document and, for paths in it, the expected 1-based lines of key and value.
const lineCases: { name: string; text: string; lines: { path: DocumentPath; key?: number; value: number }[] }[] = [
  {
    name: 'block mapping with nested sequence of mappings',
    text: [
      '# a leading comment',
      'reason: stuck node', // 2
      'access:', // 3
      '  - account: "111111111111"', // 4
      '    actions:', // 5
      '      - ec2:StopInstances', // 6
      '      - ec2:TerminateInstances', // 7
      '  # between entries', // 8
      '  - account: "222222222222"', // 9
      '    actions: [s3:GetObject]', // 10
      'duration: 2h', // 11
    ].join('\n'),
    lines: [
      { path: ['reason'], key: 2, value: 2 },
      { path: ['access'], key: 3, value: 4 },
      { path: ['access', 0], value: 4 },
      { path: ['access', 0, 'account'], key: 4, value: 4 },
      { path: ['access', 0, 'actions'], key: 5, value: 6 },
      { path: ['access', 0, 'actions', 1], value: 7 },
      { path: ['access', 1], value: 9 },
      { path: ['access', 1, 'actions', 0], value: 10 },
      { path: ['duration'], key: 11, value: 11 },
    ],
  },
  {
    name: 'flow style over several lines',
    text: ['access: [', '  {account: "1", actions: [a:b]},', '  {account: "2",', '   actions: [c:d, e:f]}', ']', 'x: 1'].join('\n'),
    lines: [
      { path: ['access'], key: 1, value: 1 },
      { path: ['access', 0], value: 2 },
      { path: ['access', 0, 'actions', 0], value: 2 },
      { path: ['access', 1, 'account'], key: 3, value: 3 },
      { path: ['access', 1, 'actions'], key: 4, value: 4 },
      { path: ['access', 1, 'actions', 1], value: 4 },
      { path: ['x'], key: 6, value: 6 },
    ],
  },
  {
    name: 'multi-line scalars: literal, folded, and plain continued',
    text: [
      'a: |',
      '  one',
      '  two',
      'b: >-',
      '  folded',
      '  text',
      'c: plain',
      '  continued',
      'd: "quoted',
      '  on two lines"',
      'e: last',
    ].join('\n'),
    lines: [
      { path: ['a'], key: 1, value: 1 },
      { path: ['b'], key: 4, value: 4 },
      { path: ['c'], key: 7, value: 7 },
      { path: ['d'], key: 9, value: 9 },
      { path: ['e'], key: 11, value: 11 },
    ],
  },
  {
    name: 'empty values, a document start marker and a value on the next line',
    text: ['---', 'a:', 'b:', '  # comment', '  value', 'c: ~'].join('\n'),
    lines: [
      { path: ['a'], key: 2, value: 2 },
      { path: ['b'], key: 3, value: 5 },
      { path: ['c'], key: 6, value: 6 },
    ],
  },
  {
    name: 'a block sequence at the same indentation as its key',
    text: ['approvals:', '- from: codeowners', '  count: 1', '- from:', '  - "@acme/security"', '  - carol', '  count: 2'].join('\n'),
    lines: [
      { path: ['approvals', 0], value: 2 },
      { path: ['approvals', 0, 'count'], key: 3, value: 3 },
      { path: ['approvals', 1], value: 4 },
      { path: ['approvals', 1, 'from'], key: 4, value: 5 },
      { path: ['approvals', 1, 'from', 1], value: 6 },
      { path: ['approvals', 1, 'count'], key: 7, value: 7 },
    ],
  },
]

describe('parseYamlDocument line map', () => {
  for (const { name, text, lines } of lineCases) {
    it(name, () => {
      const document = parse(text)
      for (const { path, key, value } of lines) {
        expect(document.lineOf(path), `value of ${JSON.stringify(path)}`).toBe(value)
        if (key !== undefined) expect(document.lineOf(path, 'key'), `key of ${JSON.stringify(path)}`).toBe(key)
      }
    })
  }

  it('resolves a missing path to the deepest node that exists', () => {
    const document = parse('a: 1\nb:\n  c: 2\n')
    expect(document.lineOf(['b', 'missing'])).toBe(3)
    expect(document.lineOf(['nope'])).toBe(1)
  })

  it('keeps the data: CORE schema numbers and booleans, dates as strings', () => {
    const document = parse('n: 012345678901\nt: true\nd: 2026-12-01T09:00:00Z\ns: "x"\n')
    expect(document.value).toEqual({ n: 12345678901, t: true, d: '2026-12-01T09:00:00Z', s: 'x' })
    expect(document.sourceOf(['n'])).toBe('012345678901')
  })

  it('reads an empty file as an empty mapping when allowed', () => {
    const parsed = parseYamlDocument({ file: '.github/jit.yml', text: '# nothing here\n', allowEmpty: true })
    expect(parsed.ok && parsed.value.value).toEqual({})
  })
})

describe('parseYamlDocument rejects unsafe or malformed input with a line', () => {
  const cases: { name: string; text: string; line: number; message: string }[] = [
    { name: 'an empty file', text: '', line: 1, message: 'the request file is empty' },
    { name: 'a file of comments only', text: '# hello\n', line: 1, message: 'the request file is empty' },
    { name: 'a list document', text: '\n- a\n- b\n', line: 2, message: 'must be a YAML mapping of `key: value` lines, found a list' },
    { name: 'a scalar document', text: 'just text\n', line: 1, message: 'found a single value ("just text")' },
    { name: 'malformed flow', text: 'a: 1\nb: [1, 2\nc: 3\n', line: 3, message: 'invalid YAML: ' },
    { name: 'bad indentation', text: 'a:\n  b: 1\n c: 2\n', line: 3, message: 'invalid YAML: bad indentation' },
    { name: 'a duplicate key', text: 'a: 1\nb:\n  c: |\n    x\n  c: 2\n', line: 5, message: 'invalid YAML: duplicated mapping key' },
    { name: 'an alias', text: 'a: &x [1]\nb: 2\nc: *x\n', line: 3, message: 'YAML aliases are not allowed' },
    { name: 'an alias as a key', text: 'a: &k key\n*k : 2\n', line: 2, message: 'YAML aliases are not allowed' },
    { name: 'a custom tag', text: 'a: !!js/function "x"\n', line: 1, message: 'invalid YAML: unknown tag' },
    { name: 'a timestamp tag', text: 'a: !!timestamp 2020-01-01\n', line: 1, message: 'unknown tag' },
    { name: 'multiple documents', text: 'a: 1\n---\nb: 2\n', line: 3, message: 'must hold a single YAML document, found 2' },
    { name: 'a number key', text: 'a: 1\n1: x\n', line: 2, message: 'keys must be strings; `1` is a number (quote it: "1")' },
    { name: 'a boolean key', text: 'a:\n  true: y\n', line: 2, message: 'keys must be strings; `true` is a boolean' },
    { name: 'a null key', text: '~: z\n', line: 1, message: 'keys must be strings; `~` is null' },
    { name: 'a complex (list) key', text: 'a: 1\n? [x, y]\n: c\n', line: 2, message: 'keys must be strings; `[x, y]` is a list' },
    { name: 'a mapping key', text: '{p: 1}: c\n', line: 1, message: 'is a mapping' },
  ]
  for (const { name, text, line, message } of cases) {
    it(name, () => {
      const errors = errorsOf(text, 'request file')
      expect(errors).toHaveLength(1)
      expect(errors[0]).toMatchObject({ file: FILE, line })
      expect(errors[0]!.message).toContain(message)
    })
  }

  it('refuses a file over 64 KiB before parsing it', () => {
    const text = `reason: "${'x'.repeat(MAX_FILE_BYTES)}"\n`
    const errors = errorsOf(text)
    expect(errors).toEqual([{ file: FILE, line: 1, message: expect.stringContaining('limit is 65536 bytes (64 KiB)') }])
  })

  it('counts bytes, not characters, against the limit', () => {
    const text = `a: "${'é'.repeat(MAX_FILE_BYTES / 2)}"\n` // 2 bytes per character
    expect(errorsOf(text)[0]!.message).toContain('limit is 65536 bytes')
    expect(parseYamlDocument({ file: FILE, text: `a: "${'e'.repeat(MAX_FILE_BYTES / 2)}"\n` }).ok).toBe(true)
  })

  it('stops a billion-laughs document at its first alias', () => {
    const levels = ['a: &a ["lol","lol","lol","lol","lol","lol","lol","lol","lol"]']
    for (let i = 1; i < 9; i += 1) {
      const previous = String.fromCharCode(96 + i)
      const name = String.fromCharCode(97 + i)
      levels.push(`${name}: &${name} [${Array(9).fill(`*${previous}`).join(',')}]`)
    }
    const errors = errorsOf(levels.join('\n'))
    expect(errors).toEqual([{ file: FILE, line: 2, message: expect.stringContaining('YAML aliases are not allowed') }])
  })
})
