import type { Review } from './decision.js'

/** Where one reviewer stands: their latest deciding review, and their latest approval if any. */
export interface ReviewerStanding {
  readonly login: string
  readonly isBot: boolean
  /** The latest APPROVED, CHANGES_REQUESTED or DISMISSED review (COMMENTED and PENDING do not change a stance). */
  readonly latest: Review
  /** The reviewer's most recent APPROVED review, even if a later review superseded it. */
  readonly lastApproval?: Review
  /**
   * Who dismissed the reviewer's latest request for changes when that dismissal does not count (the author
   * or a pusher): `latest` is then that request for changes, standing as if never dismissed.
   */
  readonly refusedDismissalBy?: string
}

const DECIDING_STATES = new Set<Review['state']>(['APPROVED', 'CHANGES_REQUESTED', 'DISMISSED'])

export function isBotLogin(login: string): boolean {
  return login.toLowerCase().endsWith('[bot]')
}

/**
 * Reduces a PR's reviews to one standing per reviewer (logins compared case-insensitively), in the
 * order GitHub reports them: a later CHANGES_REQUESTED or dismissal cancels an earlier approval; a
 * COMMENTED review does not. A request for changes dismissed by someone `mayNotDismiss` names (the
 * author, a pusher: GitHub lets anyone with write access dismiss) still stands.
 */
export function summarizeReviewers(
  reviews: readonly Review[],
  mayNotDismiss: (login: string) => boolean = () => false,
): ReviewerStanding[] {
  const ordered = reviews
    .map((review, index) => ({ review, index }))
    .sort((a, b) => a.review.submittedAt.localeCompare(b.review.submittedAt) || a.index - b.index)
  const byLogin = new Map<
    string,
    { login: string; isBot: boolean; latest?: Review; lastApproval?: Review; refusedDismissalBy?: string | undefined }
  >()
  for (const { review } of ordered) {
    const login = review.login.toLowerCase()
    const entry = byLogin.get(login) ?? { login, isBot: false }
    entry.isBot ||= review.isBot === true || isBotLogin(login)
    const refused =
      review.state === 'DISMISSED' &&
      review.dismissal?.previousState === 'CHANGES_REQUESTED' &&
      mayNotDismiss(review.dismissal.by.toLowerCase())
    if (refused) {
      entry.latest = { ...review, state: 'CHANGES_REQUESTED' }
      entry.refusedDismissalBy = review.dismissal?.by.toLowerCase()
    } else if (DECIDING_STATES.has(review.state)) {
      entry.latest = review
      entry.refusedDismissalBy = undefined
    }
    if (review.state === 'APPROVED') entry.lastApproval = review
    byLogin.set(login, entry)
  }
  const standings: ReviewerStanding[] = []
  for (const entry of byLogin.values()) {
    if (entry.latest)
      standings.push({
        login: entry.login,
        isBot: entry.isBot,
        latest: entry.latest,
        lastApproval: entry.lastApproval,
        ...(entry.refusedDismissalBy === undefined ? {} : { refusedDismissalBy: entry.refusedDismissalBy }),
      })
  }
  return standings
}
