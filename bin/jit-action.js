#!/usr/bin/env node
// The GitHub Action's step (action.yml): `jit doctor` and `jit sweep` as the GitHub App. Compiled to dist/
// by `npm run build`, which the action's install step runs (`npm ci`).
import { runAction } from '../dist/src/cli/run-action.js'
import { createJitCommands } from '../dist/src/cli/jit-commands.js'

process.exitCode = await runAction(
  { stdout: process.stdout, stderr: process.stderr, cwd: process.cwd(), env: process.env },
  createJitCommands(),
)
