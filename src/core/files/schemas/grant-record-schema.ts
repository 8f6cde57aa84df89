import {
  ACCOUNT_ID_PATTERN,
  ACTION_PATTERN,
  DATE_TIME_PATTERN,
  GRANT_ID_PATTERN,
  PERMISSION_SET_NAME_PATTERN,
  RESOURCE_PATTERN,
} from './patterns.js'

/**
 * JSON Schema of the audit records in `grants/<state>/<id>.yaml` (see `src/core/grant-record.ts` for
 * the TypeScript contract); `schemas/grant-record.schema.json` is written from it. One branch per kind
 * of record, chosen by `state`; every branch is closed (`additionalProperties: false`) so a record
 * with a misspelt key is refused rather than half-read.
 */

const SHA_PATTERN = '^[0-9a-f]{40}$'

const text = { type: 'string' } as const
const login = { type: 'string', minLength: 1 } as const
const dateTime = { type: 'string', pattern: DATE_TIME_PATTERN } as const
const sha = { type: 'string', pattern: SHA_PATTERN } as const
const nullable = <const T extends object>(schema: T) => ({ anyOf: [schema, { type: 'null' }] }) as const

const target = {
  account: { description: '12-digit AWS account id.', type: 'string', pattern: ACCOUNT_ID_PATTERN },
  principal: { description: 'ARN of the IAM role or user that receives the access.', type: 'string', minLength: 1 },
  actions: {
    description: 'IAM actions exactly as approved (empty only in a record rebuilt from an orphan policy).',
    type: 'array',
    items: { type: 'string', pattern: ACTION_PATTERN },
  },
  resources: {
    description: 'Resource ARNs exactly as approved ("*" allowed; empty only in a record rebuilt from an orphan policy).',
    type: 'array',
    items: { type: 'string', pattern: RESOURCE_PATTERN },
  },
  aws_policy_name: {
    description:
      'Name of the inline policy in AWS (it carries the request id and the expiry), or of the permission set on Identity Center.',
    type: 'string',
    minLength: 1,
  },
  permission_set: {
    description: 'Identity Center only: the permission set granted, the user it is assigned to, and the assignment request.',
    type: 'object',
    additionalProperties: false,
    required: ['arn', 'user_id', 'assignment_request_id'],
    properties: {
      arn: { type: 'string', pattern: '^arn:aws(?:-[a-z]+)*:sso:::permissionSet/\\S+$' },
      user_id: { type: 'string', minLength: 1 },
      assignment_request_id: { type: 'string', minLength: 1 },
    },
  },
  curated_permission_set: {
    description:
      'Identity Center only: the curated permission set approved instead of actions, and (once granted) what was copied from it into the per-request set: its ARN, the AWS-managed policy ARNs, the customer-managed policy references and its inline policy.',
    type: 'object',
    additionalProperties: false,
    required: ['name'],
    properties: {
      name: { type: 'string', pattern: PERMISSION_SET_NAME_PATTERN },
      arn: { type: 'string', pattern: '^arn:aws(?:-[a-z]+)*:sso:::permissionSet/\\S+$' },
      managed_policies: { type: 'array', items: { type: 'string', pattern: '^arn:aws(?:-[a-z]+)*:iam::(?:aws|[0-9]{12}):policy/\\S+$' } },
      customer_managed_policies: {
        type: 'array',
        items: {
          type: 'object',
          additionalProperties: false,
          required: ['name', 'path'],
          properties: { name: { type: 'string', minLength: 1 }, path: { type: 'string', minLength: 1 } },
        },
      },
      inline_policy: { type: 'string' },
      permissions_boundary: {
        description: "The curated set's permissions boundary as copied: an AWS-managed policy ARN or a customer-managed reference.",
        type: 'object',
        additionalProperties: false,
        minProperties: 1,
        maxProperties: 1,
        properties: {
          managed_policy_arn: { type: 'string', pattern: '^arn:aws(?:-[a-z]+)*:iam::aws:policy/\\S+$' },
          customer_managed_policy: {
            type: 'object',
            additionalProperties: false,
            required: ['name', 'path'],
            properties: { name: { type: 'string', minLength: 1 }, path: { type: 'string', minLength: 1 } },
          },
        },
      },
    },
  },
} as const

const base = {
  id: { description: 'Request id, derived from the pull request: pr-<number>.', type: 'string', pattern: GRANT_ID_PATTERN },
  request: {
    description: 'The request file as merged.',
    type: 'object',
    additionalProperties: false,
    required: ['path', 'blob_sha'],
    properties: { path: { type: 'string', minLength: 1 }, blob_sha: sha },
  },
  pull_request: {
    description: 'The pull request that carried the request.',
    type: 'object',
    additionalProperties: false,
    required: ['number', 'url', 'merge_commit_sha', 'merged_by'],
    properties: {
      number: { type: 'integer', minimum: 1 },
      url: { type: 'string', minLength: 1 },
      merge_commit_sha: nullable(sha),
      merged_by: nullable(login),
    },
  },
  requester: { description: 'GitHub login of the requester (the pull request author).', ...login },
  reason: { description: 'The reason written in the request.', ...text },
  ticket: { description: 'The ticket written in the request, if any.', ...nullable(text) },
  duration: { description: 'The duration as written in the request (e.g. 2h).', ...text },
} as const
const baseRequired = ['id', 'state', 'request', 'pull_request', 'requester', 'reason', 'ticket', 'duration'] as const

const approval = {
  type: 'object',
  additionalProperties: false,
  required: ['login', 'review_id', 'commit', 'submitted_at', 'rule'],
  properties: {
    login,
    review_id: nullable({ type: 'integer' }),
    commit: text,
    submitted_at: text,
    rule: { type: 'string', minLength: 1 },
  },
} as const

const recordedPolicy = {
  type: 'object',
  additionalProperties: false,
  required: ['name', 'file', 'blob_sha'],
  properties: {
    name: { type: 'string', minLength: 1 },
    file: { type: 'string', minLength: 1 },
    blob_sha: sha,
    auto_approved: { type: 'boolean' },
  },
} as const

const removedDocument = {
  description:
    'The policy document AWS held when the app deleted it (an orphan, or a grant whose record was unreadable): what the removed policy allowed. Kept up to REMOVED_DOCUMENT_MAX_CHARS characters; sha256 and length are those of the whole document.',
  type: 'object',
  additionalProperties: false,
  required: ['text', 'sha256', 'length', 'truncated'],
  properties: {
    text: { type: 'string', maxLength: 10_240 },
    sha256: { type: 'string', pattern: '^[0-9a-f]{64}$' },
    length: { type: 'integer', minimum: 0 },
    truncated: { type: 'boolean' },
  },
} as const

const revocation = {
  description: 'How the grant ended; present once the record is in grants/revoked/.',
  type: 'object',
  additionalProperties: false,
  required: ['revoked_at', 'revoked_by', 'reason', 'aws'],
  properties: {
    revoked_at: dateTime,
    revoked_by: login,
    reason: { enum: ['expired', 'early', 'orphan', 'superseded'] },
    while_granting: {
      description:
        'True when the grant was still being written (grants/pending/) when it was revoked; aws says whether its policy was in place.',
      type: 'boolean',
    },
    aws: {
      type: 'array',
      items: {
        type: 'object',
        additionalProperties: false,
        required: ['account', 'principal', 'aws_policy_name', 'outcome'],
        properties: {
          account: target.account,
          principal: target.principal,
          aws_policy_name: target.aws_policy_name,
          outcome: text,
          document: removedDocument,
        },
      },
    },
    unreadable_record: {
      description:
        'Set when the active record could not be read: the revocation was judged from what AWS held (the policies of this request id and the expiry in their documents).',
      type: 'object',
      additionalProperties: false,
      required: ['path', 'blob_sha', 'error'],
      properties: {
        path: { type: 'string', minLength: 1, maxLength: 200 },
        blob_sha: { description: 'The unreadable file as it was on the branch; git keeps it.', ...sha },
        error: { description: 'What the record parser said.', type: 'string', maxLength: 2000 },
      },
    },
  },
} as const

const breakGlass = {
  description:
    'Set when the grant was made by break-glass (/jit break-glass on the open pull request), without waiting for approvals; the approvals at the merge are its review.',
  type: 'object',
  additionalProperties: false,
  required: [
    'invoked_by',
    'invoked_at',
    'comment_url',
    'head_sha',
    'review_within',
    'review_due',
    'reviewers',
    'reviewed_at',
    'reviewed_by',
  ],
  properties: {
    invoked_by: { description: 'The requester, who commented /jit break-glass.', ...login },
    invoked_at: dateTime,
    comment_url: { description: 'The comment that broke the glass.', type: 'string', minLength: 1 },
    head_sha: { description: 'The head commit the request was read at.', ...sha },
    review_within: { description: "The policy's break_glass.review_within.", ...text },
    review_due: { description: 'When the review is due; unreviewed after it, the sweep flags the grant.', ...dateTime },
    reviewers: { description: 'Who was asked to review (logins and @org/teams).', type: 'array', items: login },
    reviewed_at: { description: 'When the approved pull request was merged: the review.', ...nullable(dateTime) },
    reviewed_by: { description: 'Whose approvals counted at that merge.', type: 'array', items: login },
  },
} as const

/** What a grant is, whether it is about to be written (granting) or was (active, revoked). */
const grantProperties = {
  ...base,
  extends: { description: 'The grant this one extends, if any.', ...nullable({ type: 'string', pattern: GRANT_ID_PATTERN }) },
  approvals: { description: 'Each approval that counted, with the rule it counted for.', type: 'array', items: approval },
  policies: {
    description:
      'The policies that covered the request, as read at the base of the merge (empty only in a record rebuilt from an orphan policy).',
    type: 'array',
    items: recordedPolicy,
  },
  targets: {
    description: 'One principal in one account, and the policy written there.',
    type: 'array',
    minItems: 1,
    items: {
      type: 'object',
      additionalProperties: false,
      required: ['account', 'principal', 'actions', 'resources', 'aws_policy_name'],
      properties: target,
    },
  },
  not_before: { description: 'Access starts strictly after this instant.', ...dateTime },
  expires_at: { description: 'Access ends strictly before this instant.', ...dateTime },
  revoke_sessions: { description: 'Whether revocation also cuts sessions issued before it.', type: 'boolean' },
  dry_run: { description: 'True when nothing was written to AWS (JIT_DRY_RUN=1).', type: 'boolean' },
  break_glass: breakGlass,
} as const
const grantRequired = [
  ...baseRequired,
  'extends',
  'approvals',
  'policies',
  'targets',
  'not_before',
  'expires_at',
  'revoke_sessions',
] as const

/** `grants/active/` and `grants/revoked/`: a grant written to AWS (or, with dry_run, that would have been). */
export const grantRecordBranch = {
  description: 'A grant in force (active) or ended (revoked).',
  type: 'object',
  additionalProperties: false,
  required: [...grantRequired, 'granted_at'],
  properties: {
    ...grantProperties,
    state: { description: 'active, or revoked once it ended.', enum: ['active', 'revoked'] },
    granted_at: { description: 'When the app wrote the grant.', ...dateTime },
    revocation,
  },
} as const

/** `grants/pending/`: a grant about to be written to AWS, committed before the first AWS call. */
export const intentRecordBranch = {
  description:
    'A grant being written (granting): committed before any AWS call, replaced by the outcome (active or failed). One left behind says what may be live in AWS; the sweep finishes it.',
  type: 'object',
  additionalProperties: false,
  required: [...grantRequired, 'intended_at'],
  properties: {
    ...grantProperties,
    state: { description: 'Always granting.', const: 'granting' },
    intended_at: { description: 'When the app committed the intent, just before calling AWS.', ...dateTime },
  },
} as const

/** `grants/refused/`: a request merged without an approved verdict; nothing was granted. */
export const refusalRecordBranch = {
  description: 'A request pull request merged without an approved verdict: nothing was granted.',
  type: 'object',
  additionalProperties: false,
  required: [...baseRequired, 'refused_at', 'verdict', 'summary', 'explanation'],
  properties: {
    ...base,
    state: { description: 'Always refused.', const: 'refused' },
    refused_at: { description: 'When the app evaluated the merge and refused it.', ...dateTime },
    verdict: { description: 'The verdict at merge.', enum: ['pending', 'denied', 'invalid'] },
    summary: { description: 'The verdict in one line.', ...text },
    explanation: { description: 'The full explanation, as the check run showed it.', ...text },
  },
} as const

/** `grants/failed/`: an approved request AWS did not accept; nothing was left granted. */
export const failureRecordBranch = {
  description: 'An approved request the grant failed for: nothing was left granted (see each target).',
  type: 'object',
  additionalProperties: false,
  required: [...baseRequired, 'failed_at', 'error', 'targets'],
  properties: {
    ...base,
    state: { description: 'Always failed.', const: 'failed' },
    failed_at: { description: 'When the grant failed.', ...dateTime },
    error: { description: 'What stopped the grant, in words.', type: 'string', minLength: 1 },
    dry_run: { description: 'True when nothing was written to AWS (JIT_DRY_RUN=1).', type: 'boolean' },
    targets: {
      description: 'Each target and what happened there.',
      type: 'array',
      items: {
        type: 'object',
        additionalProperties: false,
        required: ['account', 'principal', 'actions', 'resources', 'aws_policy_name', 'outcome', 'error'],
        properties: {
          ...target,
          outcome: { description: 'granted, failed, rolled-back, rollback-failed, not-attempted...', ...text },
          error: { description: 'What failed on this target, if anything.', ...nullable(text) },
        },
      },
    },
  },
} as const

/** JSON Schema of a grant record file; `schemas/grant-record.schema.json` is written from it. */
export const grantRecordSchema = {
  $schema: 'https://json-schema.org/draft/2020-12/schema',
  $id: 'urn:jit-access:schemas:grant-record',
  title: 'JIT access grant record',
  description:
    'An audit record the app commits to grants/<state>/<id>.yaml: who asked for what and why, who approved, what was written in AWS and when it ends. Written by the app only.',
  oneOf: [intentRecordBranch, grantRecordBranch, refusalRecordBranch, failureRecordBranch],
} as const

/** The branch of the schema for each state, so a record is checked against the one shape it claims. */
export const RECORD_BRANCHES = {
  granting: intentRecordBranch,
  active: grantRecordBranch,
  revoked: grantRecordBranch,
  refused: refusalRecordBranch,
  failed: failureRecordBranch,
} as const
