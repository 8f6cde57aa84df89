import { afterEach, describe, expect, it } from 'vitest'
import { listRequestItems, MAX_REQUEST_ITEMS, parseAccessRequest } from '../../../src/core/files/access-request.js'
import { parsePolicy } from '../../../src/core/files/policy.js'
import { MAX_ERRORS_SHOWN } from '../../../src/core/files/schemas/document-validator.js'
import { MAX_NESTING_DEPTH, parseYamlDocument } from '../../../src/core/files/yaml-document.js'

// The attacks of "no request file can exhaust the app": each input has a cost bound, and going over it
// is an error with the file and the line, never a crash, a frozen event loop or a heap out of memory.

const FILE = 'requests/mallory/big.yaml'

const requestWith = (access: string[], extra: string[] = []): string =>
  ['reason: stuck node', 'duration: 2h', ...extra, 'access:', ...access].join('\n') + '\n'

const actions = (count: number): string => `[${Array.from({ length: count }, (_, i) => `ec2:Describe${i}*`).join(', ')}]`
const resources = (count: number): string =>
  `[${Array.from({ length: count }, (_, i) => `"arn:aws:ec2:us-east-1:111111111111:instance/i-${i}"`).join(', ')}]`

function errorsOf(text: string) {
  const parsed = parseAccessRequest({ file: FILE, text })
  if (parsed.ok) throw new Error('expected the request to be invalid')
  return parsed.errors
}

describe('a request expands to a bounded number of items', () => {
  it('refuses a cross product of actions and resources over the bound, at the line of `access`, naming the count', () => {
    // 40 × 40 = 1,600 items from a 5 KB file.
    const text = requestWith(['  - account: "111111111111"', `    actions: ${actions(40)}`, `    resources: ${resources(40)}`])
    expect(errorsOf(text)).toEqual([
      {
        file: FILE,
        line: 3,
        message: `the request asks for 1,600 (account, action, resource) items; the limit is ${MAX_REQUEST_ITEMS.toLocaleString('en-US')}: split it into several requests, or ask for fewer actions or resources (a wildcard such as ec2:Describe* counts as one)`,
      },
    ])
  })

  it('counts every entry: accounts multiply too', () => {
    const entry = (account: string) => [`  - account: "${account}"`, `    actions: ${actions(20)}`, `    resources: ${resources(20)}`]
    const text = requestWith([...entry('111111111111'), ...entry('222222222222'), ...entry('333333333333')])
    expect(errorsOf(text).map((error) => error.message)).toEqual([
      expect.stringContaining('asks for 1,200 (account, action, resource) items'),
    ])
  })

  it('accepts exactly the bound', () => {
    const text = requestWith(['  - account: "111111111111"', `    actions: ${actions(40)}`, `    resources: ${resources(25)}`])
    const parsed = parseAccessRequest({ file: FILE, text })
    expect(parsed.ok && listRequestItems(parsed.value).length).toBe(MAX_REQUEST_ITEMS)
  })
})

describe('free text is bounded at parse time, so every record the app writes is one it can read back', () => {
  it('refuses a reason of 15,000 invisible U+FEFF characters, at its line', () => {
    const text = requestWith(['  - account: "111111111111"', '    actions: [ec2:StopInstances]'], [`ticket: INC-1`]).replace(
      'reason: stuck node',
      `reason: "stuck node${'\uFEFF'.repeat(15_000)}"`,
    )
    const errors = errorsOf(text)
    // Refused at its line before anything is recorded: as an invisible character (checked first), and the
    // same reason in visible characters is refused for its length (next test).
    expect(errors).toContainEqual({ file: FILE, line: 1, message: expect.stringMatching(/U\+FEFF/) })
  })

  it('refuses a long visible reason and a long ticket, each at its line', () => {
    const text = requestWith(
      ['  - account: "111111111111"', '    actions: [ec2:StopInstances]'],
      [`ticket: INC-${'9'.repeat(300)}`],
    ).replace('reason: stuck node', `reason: ${'the web node is stuck '.repeat(200)}`)
    expect(errorsOf(text)).toEqual([
      { file: FILE, line: 1, message: '`reason` is 4,399 characters long; the limit is 2,000' },
      { file: FILE, line: 3, message: '`ticket` is 304 characters long; the limit is 200' },
    ])
  })

  it('refuses a long policy description at its line', () => {
    const policy = [
      'name: p',
      `description: ${'x'.repeat(3_000)}`,
      'grants: {accounts: ["111111111111"], actions: [ec2:StopInstances]}',
      'requesters: {users: [alice]}',
      'max_duration: 1h',
      'approvals: [{from: codeowners}]',
    ].join('\n')
    const parsed = parsePolicy({ file: 'policies/p.yaml', text: policy })
    expect(parsed.ok ? [] : parsed.errors).toEqual([
      { file: 'policies/p.yaml', line: 2, message: '`description` is 3,000 characters long; the limit is 2,000' },
    ])
  })
})

describe('nesting is bounded before the parser recurses', () => {
  it.each([
    ['flow sequences', `reason: ${'['.repeat(2_000)}${']'.repeat(2_000)}\n`],
    ['flow mappings', `reason: ${'{a: '.repeat(2_000)}1${'}'.repeat(2_000)}\n`],
    ['compact block sequences', `reason:\n  ${'- '.repeat(2_000)}x\n`],
    ['an unclosed flow sequence 30,000 deep', `reason: ${'['.repeat(30_000)}\n`],
  ])('%s 2,000 deep give a clear error with the line, not a crash', (_name, text) => {
    const parsed = parseYamlDocument({ file: FILE, text, what: 'request file' })
    expect(parsed.ok).toBe(false)
    expect(parsed.ok ? [] : parsed.errors).toEqual([
      {
        file: FILE,
        line: expect.any(Number) as number,
        message: `the request file nests lists and mappings more than ${MAX_NESTING_DEPTH} levels deep; no request, policy or settings file needs that many`,
      },
    ])
  })

  it('accepts what real files nest', () => {
    const text = `reason: x\nduration: 1h\naccess:\n  - account: "111111111111"\n    actions: [ec2:StopInstances]\n    resources: ['*']\n`
    expect(parseAccessRequest({ file: FILE, text }).ok).toBe(true)
    const nested = `a: ${'['.repeat(MAX_NESTING_DEPTH - 2)}1${']'.repeat(MAX_NESTING_DEPTH - 2)}\n`
    expect(parseYamlDocument({ file: FILE, text: nested }).ok).toBe(true)
  })
})

/**
 * Counts the work the parse does in the array operations every part of it goes through (js-yaml's event
 * lists, the node tree, ajv's error list, the line lookups), so a test can tell linear from quadratic
 * without timing anything.
 */
const METHODS = ['push', 'find', 'filter', 'map', 'some', 'every', 'forEach', 'findIndex', 'includes', 'indexOf'] as const
const originals = new Map(METHODS.map((method) => [method, Array.prototype[method]]))

function countArrayWork(run: () => void): number {
  let steps = 0
  for (const method of METHODS) {
    const original = originals.get(method) as (...args: unknown[]) => unknown
    Object.defineProperty(Array.prototype, method, {
      configurable: true,
      writable: true,
      value: function (this: unknown[], ...args: unknown[]) {
        steps += method === 'push' ? args.length : this.length
        return original.apply(this, args)
      },
    })
  }
  try {
    run()
  } finally {
    restoreArrayMethods()
  }
  return steps
}

function restoreArrayMethods(): void {
  for (const method of METHODS)
    Object.defineProperty(Array.prototype, method, { configurable: true, writable: true, value: originals.get(method) })
}

afterEach(restoreArrayMethods)

describe('parsing is linear in the size of the file', () => {
  const withUnknownKeys = (count: number) =>
    requestWith(
      ['  - account: "111111111111"', '    actions: [ec2:StopInstances]'],
      Array.from({ length: count }, (_, i) => `k${i}: 1`),
    )

  it('many unknown keys: four times the keys cost about four times the work, and each is reported', () => {
    const small = countArrayWork(() => parseAccessRequest({ file: FILE, text: withUnknownKeys(500) }))
    const large = countArrayWork(() => parseAccessRequest({ file: FILE, text: withUnknownKeys(2_000) }))
    // Linear work grows 4×; the quadratic line lookup grew 16×.
    expect(large / small).toBeLessThan(6)
    const errors = errorsOf(withUnknownKeys(2_000))
    expect(errors[0]).toEqual({
      file: FILE,
      line: 3,
      message: 'unknown key "k0" in request (known keys: reason, ticket, duration, start, extends, access)',
    })
    expect(errors).toHaveLength(MAX_ERRORS_SHOWN + 1)
    expect(errors[MAX_ERRORS_SHOWN]).toEqual({
      file: FILE,
      line: 102,
      message: 'and more errors: only the first 100 are shown; fix these and check again',
    })
  })

  it('many approval rules that fail every alternative: linear too', () => {
    const policyWithRules = (count: number) =>
      [
        'name: p',
        'grants: {accounts: ["*"], actions: [ec2:StopInstances]}',
        'requesters: {users: [alice]}',
        'max_duration: 1h',
        'approvals:',
        ...Array.from({ length: count }, () => '  - {from: 1}'),
      ].join('\n')
    const small = countArrayWork(() => parsePolicy({ file: 'policies/p.yaml', text: policyWithRules(500) }))
    const large = countArrayWork(() => parsePolicy({ file: 'policies/p.yaml', text: policyWithRules(2_000) }))
    expect(large / small).toBeLessThan(6)
  })
})
