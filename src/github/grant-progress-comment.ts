import type { GrantProgress } from '../core/ports/cloud-provider.js'
import type { Logger } from '../core/ports/logger.js'
import type { GitHubApi } from './github-api.js'
import { describeApiError } from './github-read-error.js'
import { renderGrantProgress } from './grant-comment.js'

/** How often, and how many times, a slow grant's progress is written to its pull request. */
export interface ProgressCommentLimits {
  /** The least time between two writes of the progress (by the workflow's clock). Default 30 s. */
  readonly everyMs: number
  /** Progress writes per grant at most; the outcome is written besides. Default 3. */
  readonly maxWrites: number
}

export const DEFAULT_PROGRESS_COMMENT_LIMITS: ProgressCommentLimits = { everyMs: 30_000, maxWrites: 3 }

/** The grant comment of one merge, shown early while the grant is slow. */
export interface GrantProgressComment {
  /** For `GrantOptions.onProgress`: writes the progress when the limits allow. Never throws. */
  readonly report: (progress: GrantProgress) => Promise<void>
  /** Writes the outcome: edits the progress comment when one was shown, else posts the comment. Never throws; false when GitHub refused. */
  readonly publish: (body: string) => Promise<boolean>
}

type CommentState =
  | { readonly kind: 'not-shown' }
  | { readonly kind: 'shown'; readonly commentId: number; readonly writes: number; readonly lastAt: number }
  /** A progress write failed: no more progress, and the outcome is posted as a new comment. */
  | { readonly kind: 'given-up' }

/**
 * Keeps a merged request's grant comment: a quick grant posts its outcome once, as it always has (no
 * call more); a slow one posts the progress when the cloud first reports it, edits it at most every
 * `everyMs` and `maxWrites` times in all, then edits it into the outcome (or posts the outcome, when the
 * edit fails). A failed write is logged and ends the progress; it never stops the grant.
 */
export function createGrantProgressComment(params: {
  api: GitHubApi
  target: { readonly owner: string; readonly repo: string; readonly number: number }
  now: () => Date
  log: Logger
  details: Record<string, unknown>
  limits?: ProgressCommentLimits
}): GrantProgressComment {
  const { api, target, log } = params
  const limits = params.limits ?? DEFAULT_PROGRESS_COMMENT_LIMITS
  let state: CommentState = { kind: 'not-shown' }
  const post = async (body: string): Promise<number> => {
    const answer = await api.request<{ id: number }>('POST /repos/{owner}/{repo}/issues/{issue_number}/comments', {
      owner: target.owner,
      repo: target.repo,
      issue_number: target.number,
      body,
    })
    return answer.data.id
  }
  const edit = async (commentId: number, body: string): Promise<void> => {
    await api.request('PATCH /repos/{owner}/{repo}/issues/comments/{comment_id}', {
      owner: target.owner,
      repo: target.repo,
      comment_id: commentId,
      body,
    })
  }
  const failed = (error: unknown, what: string): void =>
    log.error({ ...params.details, err: error }, `could not ${what} on pull request #${target.number}: ${describeApiError(error)}`)

  return {
    report: async (progress) => {
      const now = params.now()
      const body = renderGrantProgress(progress, now)
      if (state.kind === 'given-up') return
      if (state.kind === 'shown' && (state.writes >= limits.maxWrites || now.getTime() - state.lastAt < limits.everyMs)) return
      try {
        if (state.kind === 'not-shown') state = { kind: 'shown', commentId: await post(body), writes: 1, lastAt: now.getTime() }
        else {
          await edit(state.commentId, body)
          state = { ...state, writes: state.writes + 1, lastAt: now.getTime() }
        }
      } catch (error) {
        failed(error, 'show the progress of the grant')
        state = { kind: 'given-up' }
      }
    },
    publish: async (body) => {
      if (state.kind === 'shown') {
        try {
          await edit(state.commentId, body)
          return true
        } catch (error) {
          // Someone may have deleted the progress comment: the outcome still gets a comment of its own.
          failed(error, 'edit the progress comment into the outcome')
        }
      }
      try {
        await post(body)
        return true
      } catch (error) {
        failed(error, 'comment the outcome of the grant')
        return false
      }
    },
  }
}
