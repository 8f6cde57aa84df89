import type { EmulatorContext } from './emulator-context.js'
import { GitHubHttpError } from './github-http-error.js'
import { botLogin, diffEntryJson, pullRequestJson, pullRequestSimpleJson, reviewJson, teamJson, userJson } from './rest-shapes.js'
import { bodyOf, repoApiUrl, requirePull, requireRepository } from './route-helpers.js'
import { paginate, type RestRequest, type RestRoute } from './rest-route.js'
import { buildPullRequestEvent } from './webhook-payloads.js'

/** Pull requests: list, create (by the app), read, files, reviews, and PATCH (edit, close, reopen). */
export function createPullRoutes(): RestRoute[] {
  return [
    { method: 'GET', template: '/repos/{owner}/{repo}/pulls', auth: 'installation', handle: listPulls },
    { method: 'POST', template: '/repos/{owner}/{repo}/pulls', auth: 'installation', handle: createPull },
    {
      method: 'GET',
      template: '/repos/{owner}/{repo}/pulls/{pull_number}',
      auth: 'installation',
      handle: async (request, context) => ({ status: 200, body: await pullRequestJson(context, requirePull(request, context)) }),
    },
    { method: 'PATCH', template: '/repos/{owner}/{repo}/pulls/{pull_number}', auth: 'installation', handle: updatePull },
    { method: 'GET', template: '/repos/{owner}/{repo}/pulls/{pull_number}/files', auth: 'installation', handle: listFiles },
    { method: 'GET', template: '/repos/{owner}/{repo}/pulls/{pull_number}/reviews', auth: 'installation', handle: listReviews },
    {
      method: 'GET',
      template: '/repos/{owner}/{repo}/pulls/{pull_number}/requested_reviewers',
      auth: 'installation',
      handle: listRequestedReviewers,
    },
    {
      method: 'POST',
      template: '/repos/{owner}/{repo}/pulls/{pull_number}/requested_reviewers',
      auth: 'installation',
      handle: requestReviewers,
    },
  ]
}

async function listRequestedReviewers(request: RestRequest, context: EmulatorContext) {
  const pull = requirePull(request, context)
  return {
    status: 200,
    body: {
      users: pull.requestedReviewers.map((login) => userJson(context, login)),
      teams: pull.requestedTeams.map((slug) => teamJson(context, slug)),
    },
  }
}

/** As GitHub: never the author; teams must exist in the organisation; already requested ones are kept once. */
async function requestReviewers(request: RestRequest, context: EmulatorContext) {
  const pull = requirePull(request, context)
  const body = bodyOf(request)
  const users = Array.isArray(body.reviewers) ? body.reviewers.map(String) : []
  const teams = Array.isArray(body.team_reviewers) ? body.team_reviewers.map(String) : []
  const unprocessable = (message: string) => new GitHubHttpError(422, message, { errors: [] })
  if (users.some((login) => login.toLowerCase() === pull.authorLogin.toLowerCase()))
    throw unprocessable('Review cannot be requested from pull request author.')
  if (teams.some((slug) => !context.state.teams.has(`${context.owner.toLowerCase()}/${slug.toLowerCase()}`)))
    throw unprocessable(
      `Reviews may only be requested from collaborators. One or more of the teams you specified is not a collaborator of the ${context.owner}/${context.repo} repository.`,
    )
  for (const login of users)
    if (!pull.requestedReviewers.some((known) => known.toLowerCase() === login.toLowerCase())) pull.requestedReviewers.push(login)
  for (const slug of teams) if (!pull.requestedTeams.includes(slug.toLowerCase())) pull.requestedTeams.push(slug.toLowerCase())
  pull.updatedAt = context.clock()
  return { status: 201, body: pullRequestSimpleJson(context, pull) }
}

async function listPulls(request: RestRequest, context: EmulatorContext) {
  requireRepository(request, context)
  const state = request.query.get('state') ?? 'open'
  const head = request.query.get('head')
  const base = request.query.get('base')
  const direction = request.query.get('direction') ?? 'desc'
  const pulls = [...context.state.pulls.values()]
    .filter((pull) => state === 'all' || pull.state === state)
    .filter((pull) => head === null || `${pull.headOwner}:${pull.headRef}` === head)
    .filter((pull) => base === null || pull.baseRef === base)
    .sort((a, b) => (direction === 'asc' ? a.number - b.number : b.number - a.number))
  const page = paginate(pulls, request.query, `${repoApiUrl(context)}/pulls`)
  return { status: 200, body: page.items.map((pull) => pullRequestSimpleJson(context, pull)), headers: page.headers }
}

async function createPull(request: RestRequest, context: EmulatorContext) {
  requireRepository(request, context)
  const body = bodyOf(request)
  const head = String(body.head)
  const headRef = head.includes(':') ? head.slice(head.indexOf(':') + 1) : head
  const baseRef = String(body.base)
  const invalid = (field: string, message: string) =>
    new GitHubHttpError(422, 'Validation Failed', { errors: [{ resource: 'PullRequest', field, code: 'invalid', message }] })
  const headSha = await context.store.readRef(`refs/heads/${headRef}`)
  const baseSha = await context.store.readRef(`refs/heads/${baseRef}`)
  if (headSha === undefined) throw invalid('head', `head branch ${head} does not exist`)
  if (baseSha === undefined) throw invalid('base', `base branch ${baseRef} does not exist`)
  if (headSha === baseSha || (await context.store.isAncestor(headSha, baseSha)))
    throw invalid('head', `No commits between ${baseRef} and ${headRef}`)
  const number = context.state.allocateNumber()
  const pull = context.state.openPull(
    {
      number,
      title: String(body.title ?? headRef),
      body: typeof body.body === 'string' ? body.body : null,
      authorLogin: botLogin(context),
      headRef,
      headSha,
      headOwner: context.owner,
      baseRef,
      baseSha,
      draft: body.draft === true,
    },
    context.clock(),
  )
  await context.store.updateRef(`refs/pull/${number}/head`, headSha)
  context.announce(await buildPullRequestEvent(context, { action: 'opened', pull, senderLogin: pull.authorLogin }))
  return { status: 201, body: await pullRequestJson(context, pull) }
}

async function updatePull(request: RestRequest, context: EmulatorContext) {
  const pull = requirePull(request, context)
  const body = bodyOf(request)
  const now = context.clock()
  const sender = botLogin(context)
  if (typeof body.title === 'string') pull.title = body.title
  if (typeof body.body === 'string') pull.body = body.body
  if (body.state === 'closed' && pull.state === 'open') {
    pull.state = 'closed'
    pull.closedAt = now
    pull.updatedAt = now
    context.announce(await buildPullRequestEvent(context, { action: 'closed', pull, senderLogin: sender }))
  } else if (body.state === 'open' && pull.state === 'closed') {
    if (pull.merged)
      throw new GitHubHttpError(422, 'Validation Failed', {
        errors: [{ resource: 'PullRequest', code: 'custom', message: 'state cannot be changed. The pull request has been merged.' }],
      })
    pull.state = 'open'
    pull.closedAt = null
    pull.updatedAt = now
    context.announce(await buildPullRequestEvent(context, { action: 'reopened', pull, senderLogin: sender }))
  } else if (typeof body.title === 'string' || typeof body.body === 'string') {
    pull.updatedAt = now
    context.announce(await buildPullRequestEvent(context, { action: 'edited', pull, senderLogin: sender, extra: { changes: {} } }))
  }
  return { status: 200, body: await pullRequestJson(context, pull) }
}

async function listFiles(request: RestRequest, context: EmulatorContext) {
  const pull = requirePull(request, context)
  const mergeBase = (await context.store.mergeBase(pull.baseSha, pull.headSha)) ?? pull.baseSha
  const files = await context.store.diff(mergeBase, pull.headSha)
  const page = paginate(files, request.query, `${repoApiUrl(context)}/pulls/${pull.number}/files`)
  return { status: 200, body: page.items.map((file) => diffEntryJson(context, pull.headSha, file)), headers: page.headers }
}

async function listReviews(request: RestRequest, context: EmulatorContext) {
  const pull = requirePull(request, context)
  const reviews = context.state.reviews.filter((review) => review.pullNumber === pull.number)
  const page = paginate(reviews, request.query, `${repoApiUrl(context)}/pulls/${pull.number}/reviews`)
  return { status: 200, body: page.items.map((review) => reviewJson(context, review)), headers: page.headers }
}
