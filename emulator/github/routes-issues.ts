import type { EmulatorContext } from './emulator-context.js'
import type { IssueRecord } from './emulator-state.js'
import { GitHubHttpError } from './github-http-error.js'
import { botLogin, toIso, userJson } from './rest-shapes.js'
import { bodyOf, repoApiUrl, requireRepository } from './route-helpers.js'
import type { RestRequest, RestRoute } from './rest-route.js'

/** Issues that are not pull requests: the app opens one per break-glass, for its post-incident review. */
export function createIssueRoutes(): RestRoute[] {
  return [{ method: 'POST', template: '/repos/{owner}/{repo}/issues', auth: 'installation', handle: createIssue }]
}

async function createIssue(request: RestRequest, context: EmulatorContext) {
  requireRepository(request, context)
  const body = bodyOf(request)
  const title = body.title
  if ((typeof title !== 'string' && typeof title !== 'number') || String(title).trim() === '')
    throw new GitHubHttpError(422, 'Validation Failed')
  const assignees = Array.isArray(body.assignees) ? body.assignees.filter((login): login is string => typeof login === 'string') : []
  const issue: IssueRecord = {
    id: context.state.allocateId(),
    number: context.state.allocateNumber(),
    title: String(title),
    body: typeof body.body === 'string' ? body.body : '',
    authorLogin: botLogin(context),
    assignees,
    createdAt: context.clock(),
  }
  context.state.issues.push(issue)
  return { status: 201, body: issueJson(context, issue) }
}

/** `issue`, as GitHub returns it. */
function issueJson(context: EmulatorContext, issue: IssueRecord): Record<string, unknown> {
  const url = `${repoApiUrl(context)}/issues/${issue.number}`
  const at = toIso(issue.createdAt)
  const assignees = issue.assignees.map((login) => userJson(context, login))
  return {
    id: issue.id,
    node_id: Buffer.from(`Issue:${issue.id}`).toString('base64'),
    url,
    repository_url: repoApiUrl(context),
    labels_url: `${url}/labels{/name}`,
    comments_url: `${url}/comments`,
    events_url: `${url}/events`,
    html_url: `${context.apiUrl()}/${context.owner}/${context.repo}/issues/${issue.number}`,
    number: issue.number,
    state: 'open',
    title: issue.title,
    body: issue.body,
    user: userJson(context, issue.authorLogin),
    labels: [],
    assignee: assignees[0] ?? null,
    assignees,
    milestone: null,
    locked: false,
    comments: 0,
    closed_at: null,
    created_at: at,
    updated_at: at,
    author_association: 'NONE',
  }
}
