#!/usr/bin/env node
// Builds the Lambda deployment package the app stack deploys (deploy/lambda-package/): the compiled app
// (`npm run build` first) and its production dependencies, installed exactly as package-lock.json says.
//   npm run build && node deploy/package-lambda.mjs
import { execFileSync } from 'node:child_process'
import { cpSync, existsSync, mkdirSync, rmSync } from 'node:fs'
import { fileURLToPath } from 'node:url'

const root = fileURLToPath(new URL('../', import.meta.url))
const out = fileURLToPath(new URL('./lambda-package/', import.meta.url))
if (!existsSync(`${root}dist/src/lambda/webhook.js`)) {
  process.stderr.write('dist/src/lambda/webhook.js is missing: run `npm run build` first\n')
  process.exit(2)
}
rmSync(out, { recursive: true, force: true })
mkdirSync(out, { recursive: true })
cpSync(`${root}dist/src`, `${out}dist/src`, { recursive: true })
for (const file of ['package.json', 'package-lock.json']) cpSync(`${root}${file}`, `${out}${file}`)
if (!process.argv.includes('--no-install'))
  execFileSync('npm', ['ci', '--omit=dev', '--ignore-scripts', '--no-audit', '--no-fund'], { cwd: out, stdio: 'inherit' })
process.stdout.write(`deployment package in ${out}\n`)
