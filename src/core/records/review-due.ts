import yaml from 'js-yaml'
import type { Parsed } from '../files/input-error.js'
import { compileDocumentValidator } from '../files/schemas/document-validator.js'
import { DATE_TIME_PATTERN, GRANT_ID_PATTERN } from '../files/schemas/patterns.js'
import { parseYamlDocument } from '../files/yaml-document.js'
import type { GrantRecord } from './grant-record.js'

/**
 * `grants/review-due/<id>.yaml`: a break-glass grant whose review is still to come. The grant record moves
 * from `active/` to `revoked/` at its expiry, usually long before its review is due; this small file is
 * what the sweep reads (beside the active records, in the same query) to flag a review that is late.
 * Written with the active record, deleted with the review, `flagged_at` set once by the sweep that flags it.
 * The grant record stays the truth (`break_glass.reviewed_at`); this is its index.
 */
export interface ReviewDue {
  readonly id: string
  readonly pull_request: number
  readonly requester: string
  readonly invoked_at: string
  readonly review_within: string
  readonly review_due: string
  readonly reviewers: readonly string[]
  readonly flagged_at: string | null
}

export const REVIEW_DUE_FOLDER = 'grants/review-due'

export function reviewDuePath(id: string): string {
  return `${REVIEW_DUE_FOLDER}/${id}.yaml`
}

const reviewDueSchema = {
  type: 'object',
  additionalProperties: false,
  required: ['id', 'pull_request', 'requester', 'invoked_at', 'review_within', 'review_due', 'reviewers', 'flagged_at'],
  properties: {
    id: { type: 'string', pattern: GRANT_ID_PATTERN },
    pull_request: { type: 'integer', minimum: 1 },
    requester: { type: 'string', minLength: 1 },
    invoked_at: { type: 'string', pattern: DATE_TIME_PATTERN },
    review_within: { type: 'string' },
    review_due: { type: 'string', pattern: DATE_TIME_PATTERN },
    reviewers: { type: 'array', items: { type: 'string', minLength: 1 } },
    flagged_at: { anyOf: [{ type: 'string', pattern: DATE_TIME_PATTERN }, { type: 'null' }] },
  },
} as const

const validator = compileDocumentValidator(reviewDueSchema, 'break-glass review marker')

/** The marker of a break-glass grant record. */
export function buildReviewDue(record: GrantRecord): ReviewDue | undefined {
  const use = record.break_glass
  if (!use) return undefined
  return {
    id: record.id,
    pull_request: record.pull_request.number,
    requester: record.requester,
    invoked_at: use.invoked_at,
    review_within: use.review_within,
    review_due: use.review_due,
    reviewers: use.reviewers,
    flagged_at: null,
  }
}

export function formatReviewDue(marker: ReviewDue): string {
  return (
    '# Written by the jit-access app: a break-glass grant whose review is still to come. Do not edit it by hand.\n' +
    yaml.dump(marker, { lineWidth: -1, noRefs: true, sortKeys: false, quotingType: '"' })
  )
}

export function parseReviewDue(params: { file: string; text: string }): Parsed<ReviewDue> {
  const parsed = parseYamlDocument({ file: params.file, text: params.text, what: 'break-glass review marker' })
  if (!parsed.ok) return parsed
  return validator.validate(parsed.value) as Parsed<ReviewDue>
}

/** The markers a sweep at `now` flags: due, and not flagged before. */
export function findOverdueReviews(markers: readonly ReviewDue[], now: Date): ReviewDue[] {
  return markers.filter((marker) => marker.flagged_at === null && Date.parse(marker.review_due) <= now.getTime())
}
