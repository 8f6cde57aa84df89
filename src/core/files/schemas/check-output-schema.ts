import type { FromSchema } from 'json-schema-to-ts'
import { DATE_TIME_PATTERN } from './patterns.js'

/**
 * JSON Schema of what `jit check --json` prints; `schemas/check-output.schema.json` is written from it
 * and `CheckOutput` is derived from it, so the command, the schema and the type cannot disagree. One
 * branch for a decision, one for a `--teams` file that did not parse (no decision was made). Every
 * object is closed (`additionalProperties: false`): a key added to the output is a change to this contract.
 */

const strings = { type: 'array', items: { type: 'string' } } as const

const inputError = {
  description: 'A problem in a file a user wrote, at the line to fix.',
  type: 'object',
  additionalProperties: false,
  required: ['file', 'line', 'message'],
  properties: {
    file: { description: 'Path of the file, relative to the access repository (as given, for a --teams file).', type: 'string' },
    line: { description: '1-based line of the offending key or value; 1 for the whole file.', type: 'integer', minimum: 1 },
    message: { description: 'What is wrong and what to write instead.', type: 'string' },
  },
} as const

const item = {
  description:
    'One (account, action, resource) of the request, or one (account, permission set), and the policy that covers it: action and resource, or permissionSet.',
  type: 'object',
  additionalProperties: false,
  required: ['account', 'policy', 'candidates', 'nearMisses'],
  properties: {
    account: { description: '12-digit AWS account id.', type: 'string' },
    action: { description: 'The IAM action as requested (absent for a permission set).', type: 'string' },
    resource: { description: 'The resource as requested (absent for a permission set).', type: 'string' },
    permissionSet: { description: 'The curated Identity Center permission set as requested (absent for actions).', type: 'string' },
    policy: {
      description: 'The policy that covers the item (the satisfied one if any, else the closest candidate); null when none does.',
      anyOf: [{ type: 'string' }, { type: 'null' }],
    },
    candidates: { description: 'Every policy whose grants cover the item.', ...strings },
    nearMisses: {
      description: 'For an item no policy covers: each policy that came close, and why it did not apply.',
      type: 'array',
      items: {
        type: 'object',
        additionalProperties: false,
        required: ['policy', 'file', 'reasons'],
        properties: {
          policy: { description: 'Policy name.', type: 'string' },
          file: { description: 'Policy file.', type: 'string' },
          reasons: { description: 'Why it does not apply, one line each.', ...strings },
        },
      },
    },
  },
} as const

const rule = {
  description: 'One approval rule of the policy and how it fares.',
  type: 'object',
  additionalProperties: false,
  required: ['from', 'count', 'counted', 'ignored', 'missing'],
  properties: {
    from: { description: 'Who may approve, in words, e.g. "codeowners of requests/sre/x.yaml (@acme/sre)".', type: 'string' },
    count: { description: 'How many distinct approvals the rule needs.', type: 'integer', minimum: 1 },
    counted: { description: 'Logins whose approvals counted.', ...strings },
    ignored: {
      description: 'Reviews that did not count, each with the reason.',
      type: 'array',
      items: {
        type: 'object',
        additionalProperties: false,
        required: ['login', 'reason'],
        properties: {
          login: { description: 'The reviewer.', type: 'string' },
          reason: { description: 'Why the review did not count.', type: 'string' },
        },
      },
    },
    missing: { description: 'How many more approvals are needed (0 when satisfied).', type: 'integer', minimum: 0 },
    impossible: { description: 'Present when the rule can never be met: why.', type: 'string' },
  },
} as const

const policyResult = {
  description: 'One policy chosen for the items, and its approval rules.',
  type: 'object',
  additionalProperties: false,
  required: ['name', 'file', 'satisfied', 'autoApproved', 'impossible', 'rules'],
  properties: {
    name: { description: 'Policy name.', type: 'string' },
    file: { description: 'Policy file.', type: 'string' },
    satisfied: { description: 'Whether every rule holds (or the request is auto-approved).', type: 'boolean' },
    autoApproved: { description: "Whether the request is within the policy's auto_approve limits.", type: 'boolean' },
    impossible: { description: 'Whether some rule can never be met.', type: 'boolean' },
    rules: { description: 'The approval rules, in the order the policy lists them.', type: 'array', items: rule },
  },
} as const

/** The decision the app would make for the request, offline. */
export const checkDecisionOutputSchema = {
  description: 'The decision for the request file.',
  type: 'object',
  additionalProperties: false,
  required: ['verdict', 'summary', 'errors', 'request', 'author', 'evaluatedAt', 'items', 'policies', 'blockers', 'missing', 'warnings'],
  properties: {
    verdict: {
      description: 'approved (exit 0), pending (exit 1), denied (exit 3) or invalid (exit 2).',
      enum: ['approved', 'pending', 'denied', 'invalid'],
    },
    summary: { description: 'The verdict in one line, as the check run title shows it.', type: 'string' },
    errors: { description: 'Invalid input in the request or repository files; empty unless invalid.', type: 'array', items: inputError },
    request: { description: 'The request file, relative to the access repository.', type: 'string' },
    author: { description: 'The GitHub login the request was evaluated for.', type: 'string' },
    evaluatedAt: { description: 'The evaluation time (--at, else now), in UTC.', type: 'string', pattern: DATE_TIME_PATTERN },
    items: { description: 'Every (account, action, resource) of the request; empty when invalid.', type: 'array', items: item },
    policies: { description: 'The policies chosen for the items, one per distinct policy.', type: 'array', items: policyResult },
    blockers: { description: 'Logins whose latest review requests changes.', ...strings },
    missing: { description: 'What is still missing, one line each.', ...strings },
    warnings: { description: 'What the offline check could not know, e.g. a team missing from --teams (counted as empty).', ...strings },
  },
} as const

/** A `--teams` file that does not parse: no decision is made. */
export const checkTeamsFileFailureSchema = {
  description: 'The --teams file did not parse, so nothing was decided (exit 2).',
  type: 'object',
  additionalProperties: false,
  required: ['verdict', 'summary', 'errors'],
  properties: {
    verdict: { description: 'Always invalid.', const: 'invalid' },
    summary: { description: 'Always "Invalid teams file".', const: 'Invalid teams file' },
    errors: { description: 'The problems in the teams file.', type: 'array', items: inputError },
  },
} as const

/** JSON Schema of `jit check --json`; `schemas/check-output.schema.json` is written from it. */
export const checkOutputSchema = {
  $schema: 'https://json-schema.org/draft/2020-12/schema',
  $id: 'urn:jit-access:schemas:check-output',
  title: 'jit check --json output',
  description:
    'The one JSON object `jit check --json` prints: the decision the app would make for a request file, offline, or why no decision could be made.',
  oneOf: [checkDecisionOutputSchema, checkTeamsFileFailureSchema],
} as const

/** Deeply read-only, so a decision's read-only lists can be used as they are. */
type ReadonlyDeep<T> = T extends readonly (infer U)[]
  ? readonly ReadonlyDeep<U>[]
  : T extends object
    ? { readonly [K in keyof T]: ReadonlyDeep<T[K]> }
    : T

/** What `jit check --json` prints, either branch. */
export type CheckOutput = ReadonlyDeep<FromSchema<typeof checkOutputSchema>>
/** What `jit check --json` prints for a decision. */
export type CheckDecisionOutput = ReadonlyDeep<FromSchema<typeof checkDecisionOutputSchema>>
/** What `jit check --json` prints when the `--teams` file does not parse. */
export type CheckTeamsFileFailure = ReadonlyDeep<FromSchema<typeof checkTeamsFileFailureSchema>>
