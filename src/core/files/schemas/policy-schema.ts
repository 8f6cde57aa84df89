import type { SchemaDocument } from './document-validator.js'
import {
  ACCOUNT_OR_ANY_PATTERN,
  ACTION_PATTERN,
  DURATION_PATTERN,
  LOGIN_OR_TEAM_PATTERN,
  LOGIN_PATTERN,
  MAX_TEXT_LENGTH,
  PERMISSION_SET_NAME_PATTERN,
  POLICY_NAME_PATTERN,
  REQUEST_PATH_PATTERN,
  RESOURCE_PATTERN,
  TEAM_PATTERN,
  TIME_OF_DAY_PATTERN,
  TIME_ZONE_PATTERN,
} from './patterns.js'

const WEEKDAYS = ['mon', 'tue', 'wed', 'thu', 'fri', 'sat', 'sun'] as const

/** `users` and `teams`, as `requesters` writes them. */
const usersAndTeams = (what: string) =>
  ({
    description: what,
    type: 'object',
    additionalProperties: false,
    minProperties: 1,
    properties: {
      users: { description: 'GitHub logins.', type: 'array', minItems: 1, items: { type: 'string', pattern: LOGIN_PATTERN } },
      teams: {
        description: 'GitHub teams written as @org/team.',
        type: 'array',
        minItems: 1,
        items: { type: 'string', pattern: TEAM_PATTERN },
      },
    },
  }) as const

/** JSON Schema of a policy file (`policies/*.yaml`); `schemas/policy.schema.json` is written from it. */
export const policySchema = {
  $schema: 'https://json-schema.org/draft/2020-12/schema',
  $id: 'urn:jit-access:schemas:policy',
  title: 'Access policy',
  description:
    'One policy per file under policies/: which AWS access may be requested, by whom, for how long, and whose approvals it needs. Policies are read from the base branch, so a pull request cannot loosen its own rules.',
  type: 'object',
  additionalProperties: false,
  required: ['name', 'grants', 'requesters', 'max_duration'],
  properties: {
    name: {
      description: 'Unique name of the policy across policies/: lower-case letters, digits and hyphens, at most 63 characters.',
      type: 'string',
      pattern: POLICY_NAME_PATTERN,
      examples: ['prod-ec2-incident'],
    },
    description: {
      description: 'What the policy is for, shown to requesters and approvers; at most 2,000 characters.',
      type: 'string',
      maxLength: MAX_TEXT_LENGTH,
    },
    grants: {
      description:
        'The access this policy can cover: every requested (account, action, resource) must fall within it, and every requested permission set must be listed. At least one of actions and permission_sets.',
      type: 'object',
      additionalProperties: false,
      required: ['accounts'],
      properties: {
        accounts: {
          description: '12-digit AWS account ids (quoted), or "*" for any account.',
          type: 'array',
          minItems: 1,
          items: { type: 'string', pattern: ACCOUNT_OR_ANY_PATTERN },
        },
        actions: {
          description: 'IAM actions as service:Action, with optional * and ? wildcards.',
          type: 'array',
          minItems: 1,
          items: { type: 'string', pattern: ACTION_PATTERN },
        },
        resources: {
          description: 'Resource ARN patterns (or "*"). Defaults to ["*"].',
          type: 'array',
          minItems: 1,
          items: { type: 'string', pattern: RESOURCE_PATTERN },
          default: ['*'],
        },
        permission_sets: {
          description:
            'Existing IAM Identity Center permission sets that may be requested by exact name (`permission_set:` in an access entry), in accounts on the identity_center backend. No wildcards: a set not listed is not grantable.',
          type: 'array',
          minItems: 1,
          items: { type: 'string', pattern: PERMISSION_SET_NAME_PATTERN },
          examples: [['ReadOnlyAccess', 'ViewOnlyAccess']],
        },
      },
    },
    requesters: {
      description: 'Who may request under this policy: GitHub users, members of GitHub teams, or both (at least one).',
      type: 'object',
      additionalProperties: false,
      minProperties: 1,
      properties: {
        users: {
          description: 'GitHub logins.',
          type: 'array',
          minItems: 1,
          items: { type: 'string', pattern: LOGIN_PATTERN },
        },
        teams: {
          description: 'GitHub teams written as @org/team.',
          type: 'array',
          minItems: 1,
          items: { type: 'string', pattern: TEAM_PATTERN },
        },
      },
    },
    request_paths: {
      description:
        "Where requests under this policy live: CODEOWNERS-style patterns (e.g. \"requests/prod/**\") matched against the request file's path. The policy is a candidate only for request files there. Set it on every policy that counts `codeowners` approvals, so that the path, and so the approvers, are the policy's choice and not the requester's.",
      type: 'array',
      minItems: 1,
      items: { type: 'string', pattern: REQUEST_PATH_PATTERN },
      examples: [['requests/prod/**']],
    },
    max_duration: {
      description:
        'The longest duration a request may ask for: Nm, Nh or Nd (30m, 4h, 1d) or an ISO 8601 duration (PT4H, P1D); between 5 minutes and 90 days.',
      type: 'string',
      pattern: DURATION_PATTERN,
      examples: ['4h'],
    },
    ticket: {
      description:
        "A regular expression (ECMAScript, compiled with the u flag) that the request's ticket must match. When set, requests must name a ticket.",
      type: 'string',
      minLength: 1,
      examples: ['^(INC|CHG)-[0-9]+$'],
    },
    approvals: {
      description: 'Approval rules; every rule must hold. At least one rule is needed unless auto_approve is set.',
      type: 'array',
      items: {
        description: 'Needs `count` distinct approvals from the given approvers.',
        type: 'object',
        additionalProperties: false,
        required: ['from'],
        properties: {
          from: {
            description:
              'Who may approve: "codeowners" (the CODEOWNERS owners of the request file) or a list of GitHub logins and @org/teams.',
            anyOf: [
              { type: 'string', const: 'codeowners' },
              { type: 'array', minItems: 1, items: { type: 'string', pattern: LOGIN_OR_TEAM_PATTERN } },
            ],
          },
          count: {
            description: 'How many distinct qualifying approvals are needed. Default 1.',
            type: 'integer',
            minimum: 1,
            default: 1,
          },
        },
      },
    },
    self_approval: {
      description: "Whether the pull request author's own approval may count. Default false.",
      type: 'boolean',
      default: false,
    },
    auto_approve: {
      description: 'Requests within these limits are granted without approvals.',
      type: 'object',
      additionalProperties: false,
      required: ['max_duration'],
      properties: {
        max_duration: {
          description: "The longest duration granted without approvals; at most the policy's max_duration.",
          type: 'string',
          pattern: DURATION_PATTERN,
          examples: ['30m'],
        },
        requesters: usersAndTeams(
          "Only these requesters are auto-approved (a subset of the policy's requesters); others need the approvals.",
        ),
        accounts: {
          description: 'Only requests whose every account is listed are auto-approved.',
          type: 'array',
          minItems: 1,
          items: { type: 'string', pattern: ACCOUNT_OR_ANY_PATTERN },
        },
        windows: {
          description:
            'Only requests evaluated inside one of these windows are auto-approved (judged when the check runs and again at the merge). A window whose `to` is not after its `from` ends the next day.',
          type: 'array',
          minItems: 1,
          items: {
            type: 'object',
            additionalProperties: false,
            required: ['days', 'from', 'to', 'time_zone'],
            properties: {
              days: {
                description: 'The days the window opens on, in its time zone.',
                type: 'array',
                minItems: 1,
                items: { enum: WEEKDAYS },
              },
              from: { description: 'Opens at this local time (HH:MM).', type: 'string', pattern: TIME_OF_DAY_PATTERN },
              to: { description: 'Closes at this local time (HH:MM), exclusive.', type: 'string', pattern: TIME_OF_DAY_PATTERN },
              time_zone: {
                description: 'An IANA time zone name, e.g. Europe/Berlin; the window follows its daylight saving time.',
                type: 'string',
                pattern: TIME_ZONE_PATTERN,
              },
            },
          },
        },
      },
    },
    break_glass: {
      description:
        "Allows emergency use: the requester comments `/jit break-glass` on the open request pull request and is granted at once, without approvals, under these limits. The grant is loud (a comment mentioning the approvers, a post-incident review issue, notifications), and the policy's ordinary approvals on the pull request later are its review.",
      type: 'object',
      additionalProperties: false,
      required: ['max_duration', 'review_within'],
      properties: {
        max_duration: {
          description: "The longest break-glass grant; at most the policy's max_duration.",
          type: 'string',
          pattern: DURATION_PATTERN,
          examples: ['1h'],
        },
        review_within: {
          description: 'The approvals must be given within this time of the break-glass, or the sweep flags the grant as unreviewed.',
          type: 'string',
          pattern: DURATION_PATTERN,
          examples: ['24h'],
        },
        ticket: {
          description:
            "A regular expression the request's ticket must match for break-glass (beside the policy's own ticket pattern). Break-glass always needs a ticket.",
          type: 'string',
          minLength: 1,
          examples: ['^INC-[0-9]+$'],
        },
        notify: {
          description: 'Further GitHub logins and @org/teams to mention on the pull request and assign to the review issue.',
          type: 'array',
          minItems: 1,
          items: { type: 'string', pattern: LOGIN_OR_TEAM_PATTERN },
        },
      },
    },
    revoke_sessions: {
      description: 'On revocation, also cut AWS sessions issued before it. Default false.',
      type: 'boolean',
      default: false,
    },
  },
} as const

/** A policy file's data exactly as the schema admits it (before defaults and typing). */
export type PolicyDocument = SchemaDocument<typeof policySchema>
