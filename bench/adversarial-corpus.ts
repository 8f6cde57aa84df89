import type { ActionCatalogue } from '../src/core/matching/action-catalogue.js'
import { MAX_REQUEST_ITEMS } from '../src/core/files/access-request.js'
import { MAX_FILE_BYTES } from '../src/core/files/yaml-document.js'

/** One generated request file built to cost the app as much as a file of its size can. */
export interface AdversarialFile {
  /** What the file tries, e.g. `cross-product-over-bound`. */
  readonly name: string
  readonly path: string
  readonly text: string
}

const ACCOUNT = '111111111111'

/** Repeats `unit` as often as fits in `bytes` (UTF-8), for files just under the 64 KiB limit. */
function fill(unit: string, bytes: number): string {
  const size = Buffer.byteLength(unit, 'utf8')
  return unit.repeat(Math.max(1, Math.floor(bytes / size)))
}

const header = (reason = 'adversarial'): string => `reason: ${reason}\nduration: 2h\n`

/**
 * The corpus of the adversarial benchmark: cross products (at, over and far over the item bound, across
 * accounts), deep nesting (flow and block, closed and not), many keys, long strings, invisible characters,
 * many entries, many errors. Each file is at most 64 KiB, the largest the app reads.
 */
export function generateAdversarialCorpus(catalogue: ActionCatalogue): AdversarialFile[] {
  const actions = catalogue.expand('ec2:*').slice(0, 400)
  const resources = (count: number, width = 0): string[] =>
    Array.from({ length: count }, (_, i) => `arn:aws:ec2:us-east-1:${ACCOUNT}:instance/i-${String(i).padStart(width, '0')}`)
  const list = (values: readonly string[]): string => `[${values.map((value) => JSON.stringify(value)).join(', ')}]`
  const entry = (account: string, entryActions: readonly string[], entryResources: readonly string[]): string =>
    `  - account: "${account}"\n    actions: ${list(entryActions)}\n    resources: ${list(entryResources)}\n`
  const budget = MAX_FILE_BYTES - 200
  const files: [string, string][] = [
    ['cross-product-at-bound', header() + 'access:\n' + entry(ACCOUNT, actions.slice(0, 40), resources(MAX_REQUEST_ITEMS / 40))],
    ['cross-product-over-bound', header() + 'access:\n' + entry(ACCOUNT, actions.slice(0, 400), resources(120))],
    [
      'cross-product-across-accounts',
      header() +
        'access:\n' +
        Array.from({ length: 60 }, (_, i) => entry(String(100000000000 + i), actions.slice(0, 20), resources(20))).join(''),
    ],
    ['denied-near-misses-at-bound', header() + 'access:\n' + entry('999999999999', actions.slice(0, 40), resources(25))],
    [
      'many-entries',
      header() +
        'access:\n' +
        fill(`  - {account: "${ACCOUNT}", actions: [ec2:StopInstances], resources: ["*"]}\n`, budget - 40).slice(0, budget - 40),
    ],
    ['deep-flow-sequence', header() + `access: ${'['.repeat(30_000)}${']'.repeat(30_000)}\n`],
    ['deep-flow-mapping', header() + `access: ${'{a: '.repeat(15_000)}1${'}'.repeat(15_000)}\n`],
    ['deep-unclosed', header() + `access: ${'['.repeat(60_000)}\n`],
    ['deep-block-sequence', header() + `access:\n  ${'- '.repeat(30_000)}x\n`],
    ['many-unknown-keys', header() + 'access:\n' + entry(ACCOUNT, ['ec2:StopInstances'], ['*']) + unknownKeys(budget - 200)],
    ['long-unknown-keys', header() + 'access:\n' + entry(ACCOUNT, ['ec2:StopInstances'], ['*']) + `${'k'.repeat(budget - 300)}: 1\n`],
    [
      'long-visible-reason',
      header(`"${'the web node is stuck '.repeat(2_800)}"`) + 'access:\n' + entry(ACCOUNT, ['ec2:StopInstances'], ['*']),
    ],
    ['invisible-reason', header(`"stuck${'\uFEFF'.repeat(20_000)}"`) + 'access:\n' + entry(ACCOUNT, ['ec2:StopInstances'], ['*'])],
    ['long-resource', header() + 'access:\n' + entry(ACCOUNT, ['ec2:StopInstances'], [`arn:aws:s3:::${'b'.repeat(budget - 300)}`])],
    [
      'wildcard-heavy-resources',
      header() +
        'access:\n' +
        entry(
          ACCOUNT,
          actions.slice(0, 10),
          Array.from({ length: 100 }, (_, i) => `arn:aws:ec2:*:*:${'*?'.repeat(20)}${i}`),
        ),
    ],
    [
      'many-unknown-actions',
      header() +
        'access:\n' +
        entry(
          ACCOUNT,
          Array.from({ length: 999 }, (_, i) => `ec2:NoSuchAction${i}`),
          ['*'],
        ),
    ],
    ['many-bad-accounts', header() + 'access:\n' + fill('  - {account: x, actions: [y]}\n', budget - 40)],
  ]
  return files.map(([name, text]) => ({ name, path: `requests/mallory/${name}.yaml`, text: truncateToLimit(text) }))
}

function unknownKeys(bytes: number): string {
  const lines: string[] = []
  let size = 0
  for (let i = 0; size < bytes; i++) {
    const line = `k${i}: 1\n`
    lines.push(line)
    size += line.length
  }
  return lines.join('')
}

/** Files are kept at most 64 KiB, so they test the parser's bounds, not the size check in front of it. */
function truncateToLimit(text: string): string {
  const excess = Buffer.byteLength(text, 'utf8') - MAX_FILE_BYTES
  // Every character is at least one byte: cutting `excess` characters is always enough.
  return excess > 0 ? text.slice(0, text.length - excess) : text
}
