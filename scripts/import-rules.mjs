#!/usr/bin/env node
// The layout's import rules, checked on every `npm test` (see the README's layout table):
//   core      -> core only, and no I/O, Probot, Octokit or AWS SDK package;
//   adapters  -> core and their own folder (github: reads and writes GitHub; aws: the cloud backends;
//                git: reads a local clone with the git command; notify: delivers notifications over HTTP);
//   workflows -> core, adapters and other workflows;
//   entry points (app, cli, demo) -> anything below them, never another entry point (the demo, which
//   composes the app and the CLI on the emulators, excepted; the Lambda handlers may import the app's
//   src/app/create-app.ts, and only it, so that Lambda registers the very handlers the server does).
// A folder of src/ that no layer claims is an error: a new folder must say where it belongs.
import { readdirSync, readFileSync, statSync } from 'node:fs'
import { dirname, join, relative, resolve, sep } from 'node:path'
import { fileURLToPath, pathToFileURL } from 'node:url'
import ts from 'typescript'

/** Layers by path prefix under the repository root; the first matching prefix wins. */
export const LAYERS = [
  {
    name: 'core',
    prefix: 'src/core/',
    mayImport: ['core'],
    forbiddenPackages: [/^node:/, /^probot/, /^@octokit\//, /^@aws-sdk\//, /^@smithy\//],
  },
  { name: 'github', prefix: 'src/github/', mayImport: ['core', 'github'], forbiddenPackages: [/^@aws-sdk\//, /^@smithy\//] },
  { name: 'aws', prefix: 'src/aws/', mayImport: ['core', 'aws'], forbiddenPackages: [/^probot/, /^@octokit\//] },
  {
    name: 'git',
    prefix: 'src/git/',
    mayImport: ['core', 'git'],
    forbiddenPackages: [/^probot/, /^@octokit\//, /^@aws-sdk\//, /^@smithy\//],
  },
  {
    name: 'notify',
    prefix: 'src/notify/',
    mayImport: ['core', 'notify'],
    forbiddenPackages: [/^probot/, /^@octokit\//, /^@aws-sdk\//, /^@smithy\//],
  },
  {
    name: 'workflows',
    prefix: 'src/workflows/',
    mayImport: ['core', 'github', 'aws', 'git', 'notify', 'workflows'],
    forbiddenPackages: [],
  },
  { name: 'app', prefix: 'src/app/', mayImport: ['core', 'github', 'aws', 'notify', 'workflows', 'app'], forbiddenPackages: [] },
  { name: 'cli', prefix: 'src/cli/', mayImport: ['core', 'github', 'aws', 'git', 'notify', 'workflows', 'cli'], forbiddenPackages: [] },
  {
    name: 'lambda',
    prefix: 'src/lambda/',
    mayImport: ['core', 'github', 'aws', 'notify', 'workflows', 'lambda'],
    mayImportFiles: ['src/app/create-app.ts'],
    forbiddenPackages: [],
  },
  {
    name: 'demo',
    prefix: 'src/demo/',
    mayImport: ['core', 'github', 'aws', 'notify', 'workflows', 'app', 'cli', 'demo', 'emulator'],
    forbiddenPackages: [],
  },
  { name: 'emulator', prefix: 'emulator/', mayImport: ['emulator'], forbiddenPackages: [] },
]

const SOURCE = /\.(ts|mts|js|mjs)$/

function listFiles(root, folder) {
  const out = []
  const walk = (dir) => {
    for (const entry of readdirSync(dir)) {
      const path = join(dir, entry)
      if (statSync(path).isDirectory()) walk(path)
      else if (SOURCE.test(entry)) out.push(relative(root, path).split(sep).join('/'))
    }
  }
  walk(join(root, folder))
  return out
}

function layerOf(file) {
  return LAYERS.find((layer) => file.startsWith(layer.prefix))
}

/** Every import rule broken under `root` (src/ and emulator/), as `file: message` lines; empty when the layout holds. */
export function checkImportRules(root) {
  const files = [...listFiles(root, 'src'), ...listFiles(root, 'emulator')]
  const violations = []
  let imports = 0
  for (const file of files) {
    const layer = layerOf(file)
    if (!layer) {
      violations.push(`${file}: no layer claims this folder; add it to scripts/import-rules.mjs and the README's layout table`)
      continue
    }
    const info = ts.preProcessFile(readFileSync(join(root, file), 'utf8'), true, true)
    for (const { fileName: specifier } of info.importedFiles) {
      imports++
      if (!specifier.startsWith('.')) {
        if (layer.forbiddenPackages.some((pattern) => pattern.test(specifier)))
          violations.push(`${file}: ${layer.name} may not import the package ${specifier}`)
        continue
      }
      const target = relative(root, resolve(root, dirname(file), specifier))
        .split(sep)
        .join('/')
      const targetLayer = layerOf(target)
      const targetName = targetLayer?.name ?? target.split('/')[0]
      // A documented exception names one file (`src/app/create-app.ts`), never its whole layer.
      if (layer.mayImportFiles?.includes(target.replace(/\.js$/, '.ts'))) continue
      if (!layer.mayImport.includes(targetName)) violations.push(`${file}: ${layer.name} may not import ${target} (${targetName})`)
    }
  }
  return { files: files.length, imports, violations }
}

if (process.argv[1] && pathToFileURL(resolve(process.argv[1])).href === import.meta.url) {
  const root = resolve(dirname(fileURLToPath(import.meta.url)), '..')
  const { files, imports, violations } = checkImportRules(root)
  for (const violation of violations) process.stderr.write(`${violation}\n`)
  process.stdout.write(
    `import rules: ${files} files, ${imports} imports, ${violations.length} violation${violations.length === 1 ? '' : 's'}\n`,
  )
  process.exitCode = violations.length === 0 ? 0 : 1
}
