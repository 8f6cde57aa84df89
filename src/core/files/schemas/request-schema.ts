import type { SchemaDocument } from './document-validator.js'
import {
  ACCOUNT_ID_PATTERN,
  ACTION_PATTERN,
  DATE_TIME_PATTERN,
  DURATION_PATTERN,
  GRANT_ID_PATTERN,
  MAX_TEXT_LENGTH,
  MAX_TICKET_LENGTH,
  NOT_BLANK_PATTERN,
  PERMISSION_SET_NAME_PATTERN,
  RESOURCE_PATTERN,
} from './patterns.js'

/** JSON Schema of a request file (`requests/**.yaml`); `schemas/request.schema.json` is written from it. */
export const requestSchema = {
  $schema: 'https://json-schema.org/draft/2020-12/schema',
  $id: 'urn:jit-access:schemas:request',
  title: 'Access request',
  description:
    'A request for time-bound AWS access, added under requests/ in a pull request. Approvers review the pull request; merging it grants the access for the requested duration.',
  type: 'object',
  additionalProperties: false,
  required: ['reason', 'duration', 'access'],
  properties: {
    reason: {
      description: 'Why the access is needed, for approvers and the audit trail. Must not be blank; at most 2,000 characters.',
      type: 'string',
      pattern: NOT_BLANK_PATTERN,
      maxLength: MAX_TEXT_LENGTH,
      examples: ['Terminate the stuck web node from INC-4821'],
    },
    ticket: {
      description: 'The incident or change ticket this access is for, at most 200 characters. A policy may require it to match a pattern.',
      type: 'string',
      minLength: 1,
      maxLength: MAX_TICKET_LENGTH,
      examples: ['INC-4821'],
    },
    duration: {
      description:
        "How long the access lasts: Nm, Nh or Nd (30m, 2h, 1d) or an ISO 8601 duration (PT2H, PT1H30M, P1D). At least 5 minutes, at most 90 days, and within the covering policy's max_duration.",
      type: 'string',
      pattern: DURATION_PATTERN,
      examples: ['2h', 'PT1H30M'],
    },
    start: {
      description: 'When the access should begin: an RFC 3339 date-time with a timezone. Omit it to start when the request is granted.',
      type: 'string',
      pattern: DATE_TIME_PATTERN,
      examples: ['2026-12-01T09:00:00Z'],
    },
    extends: {
      description: 'The id of an active grant (pr-<number>) this request extends.',
      type: 'string',
      pattern: GRANT_ID_PATTERN,
      examples: ['pr-42'],
    },
    access: {
      description:
        'What is requested: one or more entries, each naming an account and either actions (with resources) or one curated permission set.',
      type: 'array',
      minItems: 1,
      items: {
        description:
          'Actions on resources in one AWS account, or (in an account on IAM Identity Center) one curated permission set: `actions` or `permission_set`, never both.',
        type: 'object',
        additionalProperties: false,
        required: ['account'],
        properties: {
          account: {
            description: 'The 12-digit AWS account id, quoted so YAML keeps it a string.',
            type: 'string',
            pattern: ACCOUNT_ID_PATTERN,
            examples: ['111111111111'],
          },
          actions: {
            description: 'IAM actions as service:Action, with optional * and ? wildcards.',
            type: 'array',
            minItems: 1,
            items: { type: 'string', pattern: ACTION_PATTERN },
            examples: [['ec2:StopInstances', 'ec2:TerminateInstances']],
          },
          resources: {
            description: 'Resource ARNs or ARN patterns (or "*"). Defaults to ["*"] when omitted.',
            type: 'array',
            minItems: 1,
            items: { type: 'string', pattern: RESOURCE_PATTERN },
            default: ['*'],
            examples: [['arn:aws:ec2:us-east-1:111111111111:instance/i-0abc123']],
          },
          permission_set: {
            description:
              "Instead of actions: an existing Identity Center permission set, by its exact name, that a policy's grants.permission_sets lists. Only in accounts whose backend is identity_center; the grant copies it into the request's own permission set, which AWS denies outside the window.",
            type: 'string',
            pattern: PERMISSION_SET_NAME_PATTERN,
            examples: ['ReadOnlyAccess'],
          },
        },
      },
    },
  },
} as const

/** A request file's data exactly as the schema admits it (before defaults and typing). */
export type RequestDocument = SchemaDocument<typeof requestSchema>
