import fc from 'fast-check'
import type { ActionCatalogue } from '../src/core/matching/action-catalogue.js'
import { MAX_FILE_BYTES } from '../src/core/files/yaml-document.js'
import { evaluateRequestText, type EvaluationWorld } from './evaluate-request-text.js'

/** Pieces of YAML a request file is made of, and the pieces attackers add. */
const SCALARS = [
  'x',
  '"111111111111"',
  '111111111111',
  "'*'",
  '2h',
  'PT2H',
  '0m',
  '-1',
  'null',
  '~',
  'true',
  '[]',
  '{}',
  '""',
  '!!binary aGk=',
  '*a',
  '&a x',
  '|',
  '>-',
  '? a',
]
const INVISIBLE = ['\uFEFF', '\u200B', '\u202E', '\u0000', '\u00A0', '\t', '\r']

/**
 * Request files, most of them almost valid: a real skeleton whose values are drawn from real actions and
 * resources, wildcards, junk scalars, invisible characters, deep nesting, repetition and random keys, so
 * the fuzzing reaches the decision and its rendering, not only the parser's errors.
 */
export function requestFileArbitrary(catalogue: ActionCatalogue): fc.Arbitrary<string> {
  const realActions = catalogue.expand('ec2:*').slice(0, 50)
  const action = fc.oneof(
    fc.constantFrom(...realActions),
    fc.constantFrom('ec2:*', 'ec2:Describe*', 's3:Get?bject', '*:*', 'iam:*', 'ec2:StopInstance', 'EC2:StopInstances'),
    fc.stringMatching(/^[a-z0-9*?-]{1,8}:[A-Za-z0-9*?]{1,20}$/u),
  )
  const resource = fc.oneof(
    fc.constant('*'),
    fc.constantFrom(
      'arn:aws:ec2:us-east-1:111111111111:instance/i-0abc123',
      'arn:aws:ec2:*:111111111111:instance/*',
      'arn:aws:s3:::bucket/*',
    ),
    fc.stringMatching(/^arn:[a-z0-9:*?/._-]{0,60}$/u),
  )
  const junk = fc.oneof(
    fc.constantFrom(...SCALARS),
    fc.constantFrom(...INVISIBLE).map((ch) => ch.repeat(3)),
    fc.string({ maxLength: 40 }),
    fc.integer({ min: 1, max: 3000 }).map((depth) => '['.repeat(depth) + ']'.repeat(depth)),
    fc.integer({ min: 1, max: 3000 }).map((depth) => '{a: '.repeat(depth)),
  )
  const flowList = (item: fc.Arbitrary<string>) =>
    fc.array(item, { minLength: 0, maxLength: 60 }).map((items) => `[${items.map((i) => JSON.stringify(i)).join(', ')}]`)
  const entry = fc.record({
    account: fc.oneof(fc.constant('"111111111111"'), fc.constant('"222222222222"'), fc.constant('"999999999999"'), junk),
    actions: fc.oneof({ weight: 4, arbitrary: flowList(action) }, { weight: 1, arbitrary: junk }),
    resources: fc.option(fc.oneof({ weight: 4, arbitrary: flowList(resource) }, { weight: 1, arbitrary: junk }), { nil: undefined }),
    extraKey: fc.option(fc.stringMatching(/^[a-z_]{1,12}$/u), { nil: undefined }),
  })
  const file = fc.record({
    reason: fc.oneof(
      fc.constant('stuck node'),
      fc.string({ maxLength: 80 }).map((text) => JSON.stringify(text)),
      junk,
      fc.integer({ min: 1, max: 5000 }).map((n) => `"${'\uFEFF'.repeat(n)}"`),
    ),
    ticket: fc.option(fc.oneof(fc.constant('INC-4821'), junk), { nil: undefined }),
    duration: fc.oneof(fc.constantFrom('2h', '30m', '1d', 'PT1.5H', '91d', '4m'), junk),
    start: fc.option(fc.constantFrom('2026-12-01T09:00:00Z', '2026-13-01T09:00:00Z', '2020-01-01T00:00:00Z'), { nil: undefined }),
    entries: fc.array(entry, { minLength: 0, maxLength: 12 }),
    repeat: fc.integer({ min: 1, max: 80 }),
    unknownKeys: fc.integer({ min: 0, max: 2000 }),
  })
  return file.map((parts) => {
    const lines = [`reason: ${parts.reason}`, `duration: ${parts.duration}`]
    if (parts.ticket !== undefined) lines.push(`ticket: ${parts.ticket}`)
    if (parts.start !== undefined) lines.push(`start: ${parts.start}`)
    lines.push('access:')
    for (let copy = 0; copy < parts.repeat; copy++) {
      for (const entry of parts.entries) {
        lines.push(`  - account: ${entry.account}`, `    actions: ${entry.actions}`)
        if (entry.resources !== undefined) lines.push(`    resources: ${entry.resources}`)
        if (entry.extraKey !== undefined) lines.push(`    ${entry.extraKey}: 1`)
      }
    }
    for (let key = 0; key < parts.unknownKeys; key++) lines.push(`k${key}: 1`)
    const text = `${lines.join('\n')}\n`
    const excess = Buffer.byteLength(text, 'utf8') - MAX_FILE_BYTES
    return excess > 0 ? text.slice(0, text.length - excess) : text
  })
}

/** What one fuzz run found. */
export interface FuzzOutcome {
  readonly runs: number
  readonly crashes: readonly { readonly text: string; readonly error: string }[]
  /** Files whose evaluation took longer than `slowMs`. */
  readonly slow: readonly { readonly text: string; readonly ms: number }[]
  readonly worstMs: number
}

/**
 * Evaluates `runs` generated request files (fixed `seed`: the same files every time) through the pure path
 * of a check, and reports every crash (an exception anywhere) and every file slower than `slowMs`.
 */
export function fuzzRequestFiles(params: {
  world: EvaluationWorld
  runs: number
  seed: number
  slowMs: number
  now: () => number
}): FuzzOutcome {
  const { world, now } = params
  const crashes: { text: string; error: string }[] = []
  const slow: { text: string; ms: number }[] = []
  let worstMs = 0
  const samples = fc.sample(requestFileArbitrary(world.catalogue), { numRuns: params.runs, seed: params.seed })
  for (const text of samples) {
    const started = now()
    try {
      evaluateRequestText(world, { path: 'requests/fuzz/request.yaml', text })
    } catch (error) {
      crashes.push({ text, error: error instanceof Error ? (error.stack ?? error.message) : String(error) })
    }
    const ms = now() - started
    worstMs = Math.max(worstMs, ms)
    if (ms > params.slowMs) slow.push({ text, ms })
  }
  return { runs: samples.length, crashes, slow, worstMs }
}
