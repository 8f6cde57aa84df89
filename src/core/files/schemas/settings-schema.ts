import type { SchemaDocument } from './document-validator.js'
import {
  ACCOUNT_ID_PATTERN,
  AWS_REGION_PATTERN,
  DURATION_PATTERN,
  ENV_NAME_PATTERN,
  IDENTITY_STORE_ID_PATTERN,
  LOGIN_PATTERN,
  PRINCIPAL_TEMPLATE_PATTERN,
  ROLE_ARN_PATTERN,
  ROLE_TEMPLATE_PATTERN,
  SINK_NAME_PATTERN,
  SSO_INSTANCE_ARN_PATTERN,
  USER_NAME_TEMPLATE_PATTERN,
} from './patterns.js'
import { NOTIFICATION_EVENT_TYPES } from '../../notifications/notification-event.js'

const backend = {
  description:
    'Where grants are written: iam (an inline policy on the principal, the default) or identity_center (a permission set per request, assigned to the Identity Center user in the account).',
  enum: ['iam', 'identity_center'],
} as const

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
    backend: { ...backend, default: 'iam' },
    accounts: {
      description: 'Per-account overrides, by 12-digit account id: which backend grants in that account.',
      type: 'object',
      propertyNames: { pattern: ACCOUNT_ID_PATTERN },
      additionalProperties: {
        type: 'object',
        additionalProperties: false,
        required: ['backend'],
        properties: { backend },
      },
      examples: [{ '222222222222': { backend: 'identity_center' } }],
    },
    identity_center: {
      description: 'The IAM Identity Center instance that grants in the accounts whose backend is identity_center.',
      type: 'object',
      additionalProperties: false,
      required: ['instance_arn', 'identity_store_id', 'region', 'granter_role', 'user_name'],
      properties: {
        instance_arn: { description: 'ARN of the Identity Center instance.', type: 'string', pattern: SSO_INSTANCE_ARN_PATTERN },
        identity_store_id: { description: 'Id of its identity store (d-...).', type: 'string', pattern: IDENTITY_STORE_ID_PATTERN },
        region: { description: 'The region the instance lives in.', type: 'string', pattern: AWS_REGION_PATTERN },
        granter_role: {
          description:
            'The role the app assumes to write permission sets and assignments: in the management account, or the delegated administrator account of Identity Center.',
          type: 'string',
          pattern: ROLE_ARN_PATTERN,
        },
        user_name: {
          description: 'Template of the Identity Center user name of a GitHub login; {login} (lower-cased) is substituted.',
          type: 'string',
          pattern: USER_NAME_TEMPLATE_PATTERN,
          examples: ['{login}@acme.com'],
        },
        users: {
          description: 'Per-login overrides of user_name: GitHub login to Identity Center user name.',
          type: 'object',
          propertyNames: { pattern: LOGIN_PATTERN },
          additionalProperties: { type: 'string', pattern: USER_NAME_TEMPLATE_PATTERN },
        },
        max_accounts: {
          description:
            'How many accounts one request may assign its permission set in (1 to 100). Default 10: Identity Center allows 10 account assignments outstanding at a time, and a grant creates, confirms and (when one fails) removes them one by one.',
          type: 'integer',
          minimum: 1,
          maximum: 100,
          default: 10,
        },
      },
    },
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
    reconcile: {
      description: 'How the sweep compares AWS with the records.',
      type: 'object',
      additionalProperties: false,
      properties: {
        full_every: {
          description:
            'How often the sweep runs a full pass: it lists every role and user the principal templates can name, in every account the policies name, and deletes and records any policy of this repository that no record accounts for (1 hour to 30 days). Default 1d.',
          type: 'string',
          pattern: DURATION_PATTERN,
          default: '1d',
        },
      },
    },
    remind_after: {
      description:
        'How long a request may wait for approval before the sweep reminds the approvers in the pull request comment, and again after each such interval while it stays pending (1 hour to 30 days). Default 4h.',
      type: 'string',
      pattern: DURATION_PATTERN,
      default: '4h',
    },
    notifications: {
      description:
        'Where the app tells people about requests and grants: Slack incoming webhooks and signed CloudEvents webhooks. URLs and secrets are named by environment variable of the app, never written here.',
      type: 'array',
      maxItems: 10,
      items: {
        type: 'object',
        additionalProperties: false,
        required: ['type', 'url_env', 'events'],
        properties: {
          name: {
            description: 'A name for the log and the health endpoint (default <type>-<position>).',
            type: 'string',
            pattern: SINK_NAME_PATTERN,
          },
          type: {
            description: 'slack: a Slack incoming webhook. webhook: a CloudEvents 1.0 JSON POST signed with HMAC-SHA256.',
            enum: ['slack', 'webhook'],
          },
          url_env: {
            description: 'The environment variable holding the URL to post to (a Slack webhook URL is a secret).',
            type: 'string',
            pattern: ENV_NAME_PATTERN,
            examples: ['JIT_SLACK_WEBHOOK_URL'],
          },
          secret_env: {
            description: 'webhook only, required there: the environment variable holding the HMAC-SHA256 key that signs each delivery.',
            type: 'string',
            pattern: ENV_NAME_PATTERN,
            examples: ['JIT_WEBHOOK_SECRET'],
          },
          events: {
            description: 'The events this sink receives.',
            type: 'array',
            minItems: 1,
            uniqueItems: true,
            items: { enum: NOTIFICATION_EVENT_TYPES },
          },
        },
      },
    },
  },
} as const

/** The settings file's data exactly as the schema admits it (before defaults and typing). */
export type SettingsDocument = SchemaDocument<typeof settingsSchema>
