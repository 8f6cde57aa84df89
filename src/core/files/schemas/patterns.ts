import { DURATION_FORMS, DURATION_PATTERN } from '../duration.js'

/** Regular expressions shared by the JSON Schemas (ECMAScript syntax, as ajv compiles them with the `u` flag). */
export const ACCOUNT_ID_PATTERN = '^[0-9]{12}$'
export const ACCOUNT_OR_ANY_PATTERN = '^(?:[0-9]{12}|\\*)$'
export const ACTION_PATTERN = '^(?:\\*|[A-Za-z0-9-]+:[A-Za-z0-9*?]+)$'
export const RESOURCE_PATTERN = '^(?:\\*|arn:\\S+)$'
export const GRANT_ID_PATTERN = '^pr-[0-9]+$'
export const POLICY_NAME_PATTERN = '^[a-z0-9][a-z0-9-]{0,62}$'
export const REQUEST_PATH_PATTERN = '^/?requests/\\S*$'
export const LOGIN_PATTERN = '^[A-Za-z0-9](?:[A-Za-z0-9-]{0,37}[A-Za-z0-9])?$'
export const TEAM_PATTERN = '^@[A-Za-z0-9](?:[A-Za-z0-9-]*[A-Za-z0-9])?/[A-Za-z0-9._-]+$'
export const LOGIN_OR_TEAM_PATTERN =
  '^(?:[A-Za-z0-9](?:[A-Za-z0-9-]{0,37}[A-Za-z0-9])?|@[A-Za-z0-9](?:[A-Za-z0-9-]*[A-Za-z0-9])?/[A-Za-z0-9._-]+)$'
export const NOT_BLANK_PATTERN = '\\S'
export const DATE_TIME_PATTERN = '^[0-9]{4}-[0-9]{2}-[0-9]{2}[Tt][0-9]{2}:[0-9]{2}:[0-9]{2}(?:\\.[0-9]+)?(?:[Zz]|[+-][0-9]{2}:[0-9]{2})$'
export const PRINCIPAL_TEMPLATE_PATTERN = '^arn:aws(?:-[a-z]+)*:iam::\\{account\\}:(?:role|user)/\\S+$'
export const ROLE_TEMPLATE_PATTERN = '^arn:aws(?:-[a-z]+)*:iam::\\{account\\}:role/\\S+$'
export { DURATION_PATTERN }
/** An environment variable's name: where a URL or secret lives instead of the repository. */
export const ENV_NAME_PATTERN = '^[A-Z_][A-Z0-9_]{0,127}$'
/** A notification sink's name, for the log and the health endpoint. */
export const SINK_NAME_PATTERN = '^[a-z0-9][a-z0-9-]{0,39}$'

/**
 * The longest free text a user may write (reason, description), and the longest ticket, in characters:
 * what a reviewer reads, and what the grant record copies, must stay far below the 64 KiB the app reads back.
 */
export const MAX_TEXT_LENGTH = 2_000
export const MAX_TICKET_LENGTH = 200

/** What each pattern means, in words for error messages ("... is not <phrase>"). */
export const PATTERN_PHRASES: Readonly<Record<string, string>> = {
  [ACCOUNT_ID_PATTERN]: 'a 12-digit AWS account id',
  [ACCOUNT_OR_ANY_PATTERN]: 'a 12-digit AWS account id or "*"',
  [ACTION_PATTERN]:
    'an IAM action: "*", or service:Action with the service prefix in letters, digits and hyphens and no wildcard (e.g. ec2:StopInstances, ec2:Describe*; * and ? allowed in the action name)',
  [RESOURCE_PATTERN]: 'a resource: "*" or an ARN pattern starting with "arn:"',
  [GRANT_ID_PATTERN]: 'a grant id such as pr-42',
  [POLICY_NAME_PATTERN]: 'a policy name: lower-case letters, digits and hyphens, starting with a letter or digit, at most 63 characters',
  [REQUEST_PATH_PATTERN]: 'a pattern of request file paths under requests/ (e.g. requests/prod/**)',
  [LOGIN_PATTERN]: 'a GitHub login',
  [TEAM_PATTERN]: 'a team written as @org/team',
  [LOGIN_OR_TEAM_PATTERN]: 'a GitHub login or a team written as @org/team',
  [NOT_BLANK_PATTERN]: 'non-blank text',
  [DATE_TIME_PATTERN]: 'an RFC 3339 date-time with a timezone (e.g. 2026-12-01T09:00:00Z)',
  [PRINCIPAL_TEMPLATE_PATTERN]:
    'an IAM role or user ARN template with {account} as its account (e.g. arn:aws:iam::{account}:role/jit-{login})',
  [ROLE_TEMPLATE_PATTERN]: 'an IAM role ARN template with {account} as its account (e.g. arn:aws:iam::{account}:role/jit-granter)',
  [DURATION_PATTERN]: `a duration: use ${DURATION_FORMS}`,
  [ENV_NAME_PATTERN]:
    'the name of an environment variable of the app (upper-case letters, digits and underscores, e.g. JIT_SLACK_WEBHOOK_URL); URLs and secrets never belong in the repository',
  [SINK_NAME_PATTERN]: 'a sink name: lower-case letters, digits and hyphens, at most 40 characters',
}
