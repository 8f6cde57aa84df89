import type { EmulatorContext } from './emulator-context.js'
import type { IssueCommentRecord } from './emulator-state.js'
import { GitHubHttpError } from './github-http-error.js'
import { botLogin, issueCommentJson } from './rest-shapes.js'
import { bodyOf, repoApiUrl, requirePull, requireRepository } from './route-helpers.js'
import { paginate, type RestRequest, type RestRoute } from './rest-route.js'
import { buildIssueCommentEvent } from './webhook-payloads.js'

/** Comments on a pull request's conversation (GitHub treats them as issue comments). */
export function createIssueCommentRoutes(): RestRoute[] {
  return [
    { method: 'GET', template: '/repos/{owner}/{repo}/issues/{issue_number}/comments', auth: 'installation', handle: listComments },
    { method: 'POST', template: '/repos/{owner}/{repo}/issues/{issue_number}/comments', auth: 'installation', handle: createComment },
    { method: 'PATCH', template: '/repos/{owner}/{repo}/issues/comments/{comment_id}', auth: 'installation', handle: updateComment },
  ]
}

async function listComments(request: RestRequest, context: EmulatorContext) {
  const pull = requirePull(request, context, 'issue_number')
  const comments = context.state.comments.filter((comment) => comment.issueNumber === pull.number)
  const page = paginate(comments, request.query, `${repoApiUrl(context)}/issues/${pull.number}/comments`)
  return { status: 200, body: page.items.map((comment) => issueCommentJson(context, comment)), headers: page.headers }
}

async function createComment(request: RestRequest, context: EmulatorContext) {
  const pull = requirePull(request, context, 'issue_number')
  const now = context.clock()
  const comment: IssueCommentRecord = {
    id: context.state.allocateId(),
    issueNumber: pull.number,
    login: botLogin(context),
    body: String(bodyOf(request).body),
    createdAt: now,
    updatedAt: now,
  }
  context.state.comments.push(comment)
  context.announce(buildIssueCommentEvent(context, { action: 'created', pull, comment, senderLogin: comment.login }))
  return { status: 201, body: issueCommentJson(context, comment) }
}

async function updateComment(request: RestRequest, context: EmulatorContext) {
  requireRepository(request, context)
  const comment = context.state.comments.find((candidate) => candidate.id === Number(request.params.comment_id))
  if (comment === undefined) throw new GitHubHttpError(404, 'Not Found')
  const pull = context.state.pulls.get(comment.issueNumber)
  const before = comment.body
  comment.body = String(bodyOf(request).body)
  comment.updatedAt = context.clock()
  if (pull !== undefined) {
    context.announce(
      buildIssueCommentEvent(context, {
        action: 'edited',
        pull,
        comment,
        senderLogin: botLogin(context),
        changes: { body: { from: before } },
      }),
    )
  }
  return { status: 200, body: issueCommentJson(context, comment) }
}
