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
export const TIME_OF_DAY_PATTERN = '^(?:[01][0-9]|2[0-3]):[0-5][0-9]$'
export const TIME_ZONE_PATTERN = '^[A-Za-z][A-Za-z0-9_+-]*(?:/[A-Za-z0-9_+-]+)*$'
export const PRINCIPAL_TEMPLATE_PATTERN = '^arn:aws(?:-[a-z]+)*:iam::\\{account\\}:(?:role|user)/\\S+$'
export const ROLE_TEMPLATE_PATTERN = '^arn:aws(?:-[a-z]+)*:iam::\\{account\\}:role/\\S+$'
export const SSO_INSTANCE_ARN_PATTERN = '^arn:aws(?:-[a-z]+)*:sso:::instance/(?:sso)?ins-[a-zA-Z0-9.-]{16}$'
export const IDENTITY_STORE_ID_PATTERN = '^(?:d-[0-9a-f]{10}|[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12})$'
export const AWS_REGION_PATTERN = '^[a-z]{2}(?:-[a-z]+)+-[0-9]$'
/** An Identity Center permission set name, exactly (no wildcards): 1 to 32 characters of letters, digits and +=,.@_- . */
export const PERMISSION_SET_NAME_PATTERN = '^[A-Za-z0-9_+=,.@-]{1,32}$'
export const ROLE_ARN_PATTERN = '^arn:aws(?:-[a-z]+)*:iam::[0-9]{12}:role/\\S+$'
/** An Identity Store user name (1 to 128 characters, no spaces or controls), or a template of one with `{login}`. */
export const USER_NAME_TEMPLATE_PATTERN = '^[^\\s]{1,128}$'
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
  [TIME_OF_DAY_PATTERN]: 'a time of day as HH:MM, 24-hour (e.g. 09:00, 17:30)',
  [TIME_ZONE_PATTERN]: 'an IANA time zone name (e.g. Europe/Berlin, America/New_York, UTC)',
  [PRINCIPAL_TEMPLATE_PATTERN]:
    'an IAM role or user ARN template with {account} as its account (e.g. arn:aws:iam::{account}:role/jit-{login})',
  [ROLE_TEMPLATE_PATTERN]: 'an IAM role ARN template with {account} as its account (e.g. arn:aws:iam::{account}:role/jit-granter)',
  [SSO_INSTANCE_ARN_PATTERN]: 'an IAM Identity Center instance ARN (e.g. arn:aws:sso:::instance/ssoins-1234567890abcdef)',
  [IDENTITY_STORE_ID_PATTERN]: 'an identity store id (e.g. d-1234567890)',
  [AWS_REGION_PATTERN]: 'an AWS region (e.g. eu-west-1)',
  [PERMISSION_SET_NAME_PATTERN]:
    'a permission set name as Identity Center writes it: 1 to 32 letters, digits and +=,.@_- characters, exactly (no wildcards; e.g. ReadOnlyAccess)',
  [ROLE_ARN_PATTERN]: 'an IAM role ARN (e.g. arn:aws:iam::999999999999:role/jit-granter)',
  [USER_NAME_TEMPLATE_PATTERN]: 'an Identity Center user name of 1 to 128 characters without spaces (e.g. {login}@acme.com)',
  [DURATION_PATTERN]: `a duration: use ${DURATION_FORMS}`,
  [ENV_NAME_PATTERN]:
    'the name of an environment variable of the app (upper-case letters, digits and underscores, e.g. JIT_SLACK_WEBHOOK_URL); URLs and secrets never belong in the repository',
  [SINK_NAME_PATTERN]: 'a sink name: lower-case letters, digits and hyphens, at most 40 characters',
}
