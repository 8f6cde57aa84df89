import { readFile } from 'node:fs/promises'
import yaml from 'js-yaml'

// A small stand-in for the GitHub Actions runner, enough to run action.yml and the example workflow: it
// reads the YAML, applies input defaults, evaluates the `${{ }}` expressions those files use (context
// references, string and boolean literals, `||`) and parses GITHUB_OUTPUT. Anything else is an error, so a
// file that starts using more fails the test instead of being run wrongly.

export interface ActionStep {
  readonly name?: string
  readonly id?: string
  readonly uses?: string
  readonly run?: string
  readonly shell?: string
  readonly if?: string
  readonly with?: Record<string, string | boolean>
  readonly env?: Record<string, string>
  readonly 'working-directory'?: string
}

export interface ActionFile {
  readonly name: string
  readonly description: string
  readonly inputs: Record<string, { description: string; required?: boolean; default?: string }>
  readonly outputs: Record<string, { description: string; value: string }>
  readonly runs: { using: string; steps: ActionStep[] }
}

export interface WorkflowFile {
  readonly on: Record<string, unknown>
  readonly permissions: Record<string, string>
  readonly concurrency: { group: string; 'cancel-in-progress': boolean }
  readonly jobs: Record<string, { permissions?: Record<string, string>; steps: ActionStep[]; 'timeout-minutes'?: number }>
}

export async function readYaml<T>(url: URL): Promise<T> {
  return yaml.load(await readFile(url, 'utf8')) as T
}

/** Contexts by name: `inputs`, `secrets`, `github`, `steps` (steps.<id>.outputs.<name>). */
export type Contexts = Record<string, unknown>

const EXPRESSION = /\$\{\{\s*(.*?)\s*\}\}/g

/** Evaluates one expression of the forms these files use. */
export function evaluateExpression(expression: string, contexts: Contexts): unknown {
  const operands = expression.split('||').map((operand) => operand.trim())
  let value: unknown
  for (const operand of operands) {
    value = evaluateOperand(operand, contexts)
    if (value !== '' && value !== false && value !== undefined && value !== null && value !== 0) return value
  }
  return value
}

function evaluateOperand(operand: string, contexts: Contexts): unknown {
  if (operand === 'true' || operand === 'false') return operand === 'true'
  if (/^'[^']*'$/.test(operand)) return operand.slice(1, -1)
  if (!/^[a-z_]+(\.[\w-]+)+$/i.test(operand)) throw new Error(`the test runner cannot evaluate "${operand}"`)
  const [context, ...path] = operand.split('.')
  if (!(context! in contexts)) throw new Error(`the test runner has no context "${context}"`)
  let value: unknown = contexts[context!]
  for (const key of path) value = value === undefined || value === null ? undefined : (value as Record<string, unknown>)[key]
  // As on GitHub, a missing property is an empty string.
  return value ?? ''
}

/** A string with its `${{ }}` expressions replaced by their values, as the runner renders `with:` and `env:`. */
export function render(text: string | boolean, contexts: Contexts): string {
  if (typeof text === 'boolean') return String(text)
  return text.replace(EXPRESSION, (_, expression: string) => String(evaluateExpression(expression, contexts)))
}

/** The action's inputs as the runner gives them: `with:` rendered, defaults for the rest; a missing required input fails. */
export function resolveInputs(action: ActionFile, given: Record<string, string>, contexts: Contexts): Record<string, string> {
  const inputs: Record<string, string> = {}
  for (const name of Object.keys(given))
    if (!(name in action.inputs)) throw new Error(`the workflow passes "${name}", which action.yml does not declare`)
  for (const [name, input] of Object.entries(action.inputs)) {
    if (name in given) inputs[name] = given[name]!
    else if (input.required) throw new Error(`input ${name} is required`)
    else inputs[name] = render(input.default ?? '', contexts)
  }
  return inputs
}

/** GITHUB_OUTPUT's lines, `name=value` and `name<<DELIMITER` … `DELIMITER`, as the runner reads them. */
export function parseOutputFile(text: string): Record<string, string> {
  const outputs: Record<string, string> = {}
  const lines = text.split('\n')
  for (let at = 0; at < lines.length; at++) {
    const line = lines[at]!
    if (line === '') continue
    const heredoc = /^([\w-]+)<<(.+)$/.exec(line)
    if (heredoc) {
      const end = lines.indexOf(heredoc[2]!, at + 1)
      if (end < 0) throw new Error(`GITHUB_OUTPUT: no closing ${heredoc[2]} for ${heredoc[1]}`)
      outputs[heredoc[1]!] = lines.slice(at + 1, end).join('\n')
      at = end
      continue
    }
    const pair = /^([\w-]+)=(.*)$/.exec(line)
    if (!pair) throw new Error(`GITHUB_OUTPUT: cannot read "${line}"`)
    outputs[pair[1]!] = pair[2]!
  }
  return outputs
}
