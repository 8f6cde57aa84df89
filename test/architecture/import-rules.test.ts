import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { dirname, join } from 'node:path'
import { fileURLToPath } from 'node:url'
import { afterEach, describe, expect, it } from 'vitest'
// @ts-expect-error: a plain ES module script (run by `npm run lint`), without type declarations.
import { checkImportRules } from '../../scripts/import-rules.mjs'

const ROOT = fileURLToPath(new URL('../../', import.meta.url))

interface Report {
  files: number
  imports: number
  violations: string[]
}
const check = (root: string): Report => checkImportRules(root) as Report

describe('the import rules of the layout', () => {
  it('hold for this repository', () => {
    const report = check(ROOT)
    expect(report.violations).toEqual([])
    expect(report.files).toBeGreaterThan(100)
  })

  describe('on a planted tree', () => {
    let dir: string | undefined
    afterEach(() => {
      if (dir) rmSync(dir, { recursive: true, force: true })
    })
    const plant = (files: Record<string, string>): Report => {
      dir = mkdtempSync(join(tmpdir(), 'import-rules-'))
      mkdirSync(join(dir, 'emulator'))
      for (const [file, text] of Object.entries(files)) {
        mkdirSync(dirname(join(dir, file)), { recursive: true })
        writeFileSync(join(dir, file), text)
      }
      return check(dir)
    }

    it.each([
      [
        'the core imports an adapter',
        'src/core/decision/x.ts',
        "import { a } from '../../github/a.js'",
        'core may not import src/github/a.js (github)',
      ],
      [
        'the core does I/O',
        'src/core/files/x.ts',
        "import { readFile } from 'node:fs/promises'",
        'core may not import the package node:fs/promises',
      ],
      ['the core imports Probot', 'src/core/files/x.ts', "import type { Probot } from 'probot'", 'core may not import the package probot'],
      ['the GitHub adapter imports AWS', 'src/github/x.ts', "import { b } from '../aws/b.js'", 'github may not import src/aws/b.js (aws)'],
      [
        'the GitHub adapter uses the AWS SDK',
        'src/github/x.ts',
        "import { IAMClient } from '@aws-sdk/client-iam'",
        'github may not import the package @aws-sdk/client-iam',
      ],
      [
        'the AWS adapter imports a workflow',
        'src/aws/iam/x.ts',
        "import { c } from '../../workflows/sweep/c.js'",
        'aws may not import src/workflows/sweep/c.js (workflows)',
      ],
      [
        'a workflow imports an entry point',
        'src/workflows/sweep/x.ts',
        "import { d } from '../../app/d.js'",
        'workflows may not import src/app/d.js (app)',
      ],
      ['an entry point imports another', 'src/cli/x.ts', "import { e } from '../app/e.js'", 'cli may not import src/app/e.js (app)'],
      [
        'a Lambda handler imports more of the app than create-app.ts',
        'src/lambda/x.ts',
        "import { r } from '../app/register-sweep-handlers.js'",
        'lambda may not import src/app/register-sweep-handlers.js (app)',
      ],
      [
        'a Lambda handler imports the CLI',
        'src/lambda/x.ts',
        "import { m } from '../cli/jit.js'",
        'lambda may not import src/cli/jit.js (cli)',
      ],
      [
        'a type-only import breaks a rule too',
        'src/core/x.ts',
        "import type { F } from '../workflows/grant/f.js'",
        'core may not import src/workflows/grant/f.js (workflows)',
      ],
      [
        'product code imports the tests',
        'src/github/x.ts',
        "import { g } from '../../test/g.js'",
        'github may not import test/g.js (test)',
      ],
    ])('finds it when %s', (_name, file, text, message) => {
      expect(plant({ [file]: `${text}\n` }).violations).toEqual([`${file}: ${message}`])
    })

    it('refuses a folder no layer claims', () => {
      expect(plant({ 'src/utils/x.ts': 'export const x = 1\n' }).violations).toEqual([
        "src/utils/x.ts: no layer claims this folder; add it to scripts/import-rules.mjs and the README's layout table",
      ])
    })

    it('accepts what the layers allow', () => {
      const report = plant({
        'src/core/files/a.ts': "import { b } from '../matching/b.js'\nimport { load } from 'js-yaml'\n",
        'src/github/a.ts': "import { c } from '../core/files/a.js'\n",
        'src/lambda/a.ts': "import { createApp } from '../app/create-app.js'\nimport { w } from '../workflows/sweep/w.js'\n",
        'src/aws/iam/a.ts': "import { d } from '../aws-clients.js'\nimport { e } from '../../core/ports/e.js'\n",
        'src/workflows/grant/a.ts':
          "import { f } from '../../github/a.js'\nimport { g } from '../../aws/iam/a.js'\nimport { h } from '../sweep/h.js'\n",
        'src/app/a.ts': "import { i } from '../workflows/grant/a.js'\n",
        'src/demo/a.ts': "import { j } from '../app/a.js'\nimport { k } from '../../emulator/k.js'\n",
      })
      expect(report.violations).toEqual([])
      expect(report.imports).toBe(13)
    })
  })
})
