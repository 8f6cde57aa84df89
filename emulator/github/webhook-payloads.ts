import type { EmulatorContext, PendingEvent } from './emulator-context.js'
import type { IssueCommentRecord, PullRequestRecord, ReviewRecord } from './emulator-state.js'
import type { GitCommit } from './git-store.js'
import { issueCommentJson, pullRequestJson, repositoryJson, reviewJson, toIso, userJson } from './rest-shapes.js'

// Webhook payloads, shaped like GitHub's (checked against the `webhook-*` schemas of its OpenAPI description).

function envelope(context: EmulatorContext, senderLogin: string): Record<string, unknown> {
  const base = context.apiUrl()
  const orgUrl = `${base}/orgs/${context.owner}`
  const orgId = context.state.userId(context.owner)
  return {
    repository: repositoryJson(context),
    organization: {
      login: context.owner,
      id: orgId,
      node_id: Buffer.from(`Organization:${orgId}`).toString('base64'),
      url: orgUrl,
      repos_url: `${orgUrl}/repos`,
      events_url: `${orgUrl}/events`,
      hooks_url: `${orgUrl}/hooks`,
      issues_url: `${orgUrl}/issues`,
      members_url: `${orgUrl}/members{/member}`,
      public_members_url: `${orgUrl}/public_members{/member}`,
      avatar_url: `${base}/avatars/${context.owner}`,
      description: null,
    },
    sender: userJson(context, senderLogin),
    installation: { id: context.installationId, node_id: Buffer.from(`Installation:${context.installationId}`).toString('base64') },
  }
}

/** `pull_request` with an action such as opened, synchronize, closed, reopened, edited. */
export async function buildPullRequestEvent(
  context: EmulatorContext,
  params: { action: string; pull: PullRequestRecord; senderLogin: string; extra?: Record<string, unknown> },
): Promise<PendingEvent> {
  return {
    event: 'pull_request',
    payload: {
      action: params.action,
      number: params.pull.number,
      ...params.extra,
      pull_request: await pullRequestJson(context, params.pull),
      ...envelope(context, params.senderLogin),
    },
  }
}

/** `pull_request_review` submitted or dismissed; the review's state is lower case in webhooks. */
export async function buildReviewEvent(
  context: EmulatorContext,
  params: { action: 'submitted' | 'dismissed' | 'edited'; pull: PullRequestRecord; review: ReviewRecord; senderLogin: string },
): Promise<PendingEvent> {
  const review = reviewJson(context, params.review)
  return {
    event: 'pull_request_review',
    payload: {
      action: params.action,
      review: { ...review, state: params.review.state.toLowerCase() },
      pull_request: await pullRequestJson(context, params.pull),
      ...envelope(context, params.senderLogin),
    },
  }
}

/** `issue_comment` created or edited on a pull request's conversation. */
export function buildIssueCommentEvent(
  context: EmulatorContext,
  params: {
    action: 'created' | 'edited' | 'deleted'
    pull: PullRequestRecord
    comment: IssueCommentRecord
    senderLogin: string
    changes?: Record<string, unknown>
  },
): PendingEvent {
  return {
    event: 'issue_comment',
    payload: {
      action: params.action,
      ...(params.changes === undefined ? {} : { changes: params.changes }),
      issue: issueJson(context, params.pull),
      comment: issueCommentJson(context, params.comment),
      ...envelope(context, params.senderLogin),
    },
  }
}

/** `push`: a branch moved from `before` to `after`. */
export function buildPushEvent(
  context: EmulatorContext,
  params: { ref: string; before: string; after: string; pusherLogin: string; forced: boolean },
): PendingEvent {
  const base = context.apiUrl()
  return {
    event: 'push',
    payload: {
      ref: params.ref,
      before: params.before,
      after: params.after,
      created: /^0+$/.test(params.before),
      deleted: /^0+$/.test(params.after),
      forced: params.forced,
      base_ref: null,
      compare: `${base}/${context.owner}/${context.repo}/compare/${params.before.slice(0, 12)}...${params.after.slice(0, 12)}`,
      commits: [],
      head_commit: null,
      pusher: { name: params.pusherLogin, email: null },
      ...envelope(context, params.pusherLogin),
    },
  }
}

/**
 * `merge_group.checks_requested`: the merge queue built a group (GitHub's temporary merge commit on
 * `gh-readonly-queue/<base>/pr-<number>-<head sha>`) and asks for the required checks on it.
 */
export function buildMergeGroupEvent(
  context: EmulatorContext,
  params: { headRef: string; baseRef: string; baseSha: string; head: GitCommit; senderLogin: string },
): PendingEvent {
  const person = (which: 'author' | 'committer') => ({ name: params.head[which].name, email: params.head[which].email })
  return {
    event: 'merge_group',
    payload: {
      action: 'checks_requested',
      merge_group: {
        head_sha: params.head.sha,
        head_ref: params.headRef,
        base_sha: params.baseSha,
        base_ref: params.baseRef,
        head_commit: {
          id: params.head.sha,
          tree_id: params.head.tree,
          message: params.head.message.replace(/\n$/, ''),
          timestamp: toIso(params.head.committer.date),
          author: person('author'),
          committer: person('committer'),
        },
      },
      ...envelope(context, params.senderLogin),
    },
  }
}

/** The issue side of a pull request, as `issue_comment` payloads carry it. */
function issueJson(context: EmulatorContext, pull: PullRequestRecord): Record<string, unknown> {
  const base = context.apiUrl()
  const repoUrl = `${base}/repos/${context.owner}/${context.repo}`
  const url = `${repoUrl}/issues/${pull.number}`
  return {
    url,
    repository_url: repoUrl,
    labels_url: `${url}/labels{/name}`,
    comments_url: `${url}/comments`,
    events_url: `${url}/events`,
    html_url: `${base}/${context.owner}/${context.repo}/pull/${pull.number}`,
    id: pull.id,
    node_id: Buffer.from(`Issue:${pull.id}`).toString('base64'),
    number: pull.number,
    title: pull.title,
    user: userJson(context, pull.authorLogin),
    labels: [],
    state: pull.state,
    locked: false,
    assignee: null,
    assignees: [],
    milestone: null,
    comments: context.state.comments.filter((comment) => comment.issueNumber === pull.number).length,
    created_at: toIso(pull.createdAt),
    updated_at: toIso(pull.updatedAt),
    closed_at: pull.closedAt === null ? null : toIso(pull.closedAt),
    author_association: pull.headOwner === context.owner ? 'MEMBER' : 'CONTRIBUTOR',
    active_lock_reason: null,
    draft: pull.draft,
    pull_request: {
      url: `${repoUrl}/pulls/${pull.number}`,
      html_url: `${base}/${context.owner}/${context.repo}/pull/${pull.number}`,
      diff_url: `${base}/${context.owner}/${context.repo}/pull/${pull.number}.diff`,
      patch_url: `${base}/${context.owner}/${context.repo}/pull/${pull.number}.patch`,
      merged_at: pull.mergedAt === null ? null : toIso(pull.mergedAt),
    },
    body: pull.body,
    reactions: {
      url: `${url}/reactions`,
      total_count: 0,
      '+1': 0,
      '-1': 0,
      laugh: 0,
      hooray: 0,
      confused: 0,
      heart: 0,
      rocket: 0,
      eyes: 0,
    },
    timeline_url: `${url}/timeline`,
    performed_via_github_app: null,
    state_reason: null,
  }
}
