import type { SchemaDocument } from './document-validator.js'
import { DURATION_PATTERN, LOGIN_PATTERN, PRINCIPAL_TEMPLATE_PATTERN, ROLE_TEMPLATE_PATTERN } from './patterns.js'

/** JSON Schema of `.github/jit.yml`; `schemas/settings.schema.json` is written from it. */
export const settingsSchema = {
  $schema: 'https://json-schema.org/draft/2020-12/schema',
  $id: 'urn:jit-access:schemas:settings',
  title: 'JIT access settings',
  description:
    'Settings of the access repository (.github/jit.yml): how GitHub logins map to AWS principals, and how often the app sweeps. Every key is optional.',
  type: 'object',
  additionalProperties: false,
  properties: {
    principal: {
      description:
        'ARN template of the IAM role or user that receives a grant. {account} (required, as the account) and {login} (the GitHub login, lower-cased) are substituted.',
      type: 'string',
      pattern: PRINCIPAL_TEMPLATE_PATTERN,
      default: 'arn:aws:iam::{account}:role/jit-{login}',
    },
    principals: {
      description: 'Per-login overrides of principal: GitHub login to ARN template, with the same placeholders.',
      type: 'object',
      propertyNames: { pattern: LOGIN_PATTERN },
      additionalProperties: { type: 'string', pattern: PRINCIPAL_TEMPLATE_PATTERN },
      examples: [{ bob: 'arn:aws:iam::{account}:user/bob' }],
    },
    granter_role: {
      description: 'ARN template of the role the app assumes in the target account to write IAM policies; {account} is substituted.',
      type: 'string',
      pattern: ROLE_TEMPLATE_PATTERN,
      default: 'arn:aws:iam::{account}:role/jit-granter',
    },
    sweep_interval: {
      description: 'How often the in-app sweeper revokes expired grants: Nm, Nh or Nd, or ISO 8601 (1 minute to 1 day). Default 5m.',
      type: 'string',
      pattern: DURATION_PATTERN,
      default: '5m',
    },
    max_start_ahead: {
      description:
        'How far ahead a request may set its start (1 hour to 365 days). Default 30d: approvers judge the need of the coming weeks, not of next year.',
      type: 'string',
      pattern: DURATION_PATTERN,
      default: '30d',
    },
    pending_max_age: {
      description: 'Request pull requests left unapproved longer than this are closed (1 hour to 90 days). Default 7d.',
      type: 'string',
      pattern: DURATION_PATTERN,
      default: '7d',
    },
    audit: {
      description: 'What `jit audit` needs to know that git does not say.',
      type: 'object',
      additionalProperties: false,
      properties: {
        app_login: {
          description:
            "The app's bot login (e.g. jit-access[bot]): `jit audit verify` flags every record committed by anyone else. `--app-login` overrides it.",
          type: 'string',
          pattern: '^[A-Za-z0-9](?:[A-Za-z0-9-]{0,37}[A-Za-z0-9])?\\[bot\\]$',
          examples: ['jit-access[bot]'],
        },
      },
    },
  },
} as const

/** The settings file's data exactly as the schema admits it (before defaults and typing). */
export type SettingsDocument = SchemaDocument<typeof settingsSchema>
