import type { EmulatorContext } from './emulator-context.js'
import type { CheckRunRecord } from './emulator-state.js'
import { GitHubHttpError } from './github-http-error.js'
import { checkRunJson } from './rest-shapes.js'
import { bodyOf, requireRepository } from './route-helpers.js'
import { paginate, type RestRequest, type RestRoute } from './rest-route.js'

/** Check runs the app creates and updates on commits. */
export function createCheckRoutes(): RestRoute[] {
  return [
    { method: 'POST', template: '/repos/{owner}/{repo}/check-runs', auth: 'installation', handle: createCheckRun },
    { method: 'PATCH', template: '/repos/{owner}/{repo}/check-runs/{check_run_id}', auth: 'installation', handle: updateCheckRun },
    { method: 'GET', template: '/repos/{owner}/{repo}/check-runs/{check_run_id}', auth: 'installation', handle: getCheckRun },
    { method: 'GET', template: '/repos/{owner}/{repo}/commits/{ref}/check-runs', auth: 'installation', handle: listCheckRuns },
  ]
}

function applyFields(run: CheckRunRecord, body: Record<string, unknown>, now: Date): void {
  if (typeof body.name === 'string') run.name = body.name
  if (typeof body.details_url === 'string') run.detailsUrl = body.details_url
  if (typeof body.external_id === 'string') run.externalId = body.external_id
  if (typeof body.started_at === 'string') run.startedAt = new Date(body.started_at)
  if (typeof body.status === 'string') run.status = body.status as CheckRunRecord['status']
  if (typeof body.conclusion === 'string') {
    // GitHub marks a run completed as soon as it has a conclusion.
    run.conclusion = body.conclusion
    run.status = 'completed'
  }
  if (typeof body.completed_at === 'string') run.completedAt = new Date(body.completed_at)
  if (run.status === 'completed' && run.completedAt === null) run.completedAt = now
  const output = body.output as Record<string, unknown> | undefined
  if (output !== undefined) {
    run.output = {
      title: typeof output.title === 'string' ? output.title : run.output.title,
      summary: typeof output.summary === 'string' ? output.summary : run.output.summary,
      text: typeof output.text === 'string' ? output.text : run.output.text,
    }
  }
}

async function createCheckRun(request: RestRequest, context: EmulatorContext) {
  requireRepository(request, context)
  const body = bodyOf(request)
  const headSha = String(body.head_sha)
  if ((await context.store.objectType(headSha)) !== 'commit') {
    throw new GitHubHttpError(422, 'Validation Failed', { errors: [{ resource: 'CheckRun', code: 'invalid', field: 'head_sha' }] })
  }
  if (body.status === 'completed' && typeof body.conclusion !== 'string') {
    throw new GitHubHttpError(422, 'Validation Failed', { errors: [{ resource: 'CheckRun', code: 'missing_field', field: 'conclusion' }] })
  }
  const now = context.clock()
  const run: CheckRunRecord = {
    id: context.state.allocateId(),
    headSha,
    name: String(body.name),
    status: 'queued',
    conclusion: null,
    startedAt: now,
    completedAt: null,
    output: { title: null, summary: null, text: null },
    detailsUrl: null,
    externalId: null,
    appSlug: context.appSlug,
  }
  applyFields(run, body, now)
  context.state.checkRuns.push(run)
  return { status: 201, body: checkRunJson(context, run) }
}

function findRun(request: RestRequest, context: EmulatorContext): CheckRunRecord {
  requireRepository(request, context)
  const run = context.state.checkRuns.find((candidate) => candidate.id === Number(request.params.check_run_id))
  if (run === undefined) throw new GitHubHttpError(404, 'Not Found')
  return run
}

async function updateCheckRun(request: RestRequest, context: EmulatorContext) {
  const run = findRun(request, context)
  applyFields(run, bodyOf(request), context.clock())
  return { status: 200, body: checkRunJson(context, run) }
}

async function getCheckRun(request: RestRequest, context: EmulatorContext) {
  return { status: 200, body: checkRunJson(context, findRun(request, context)) }
}

async function listCheckRuns(request: RestRequest, context: EmulatorContext) {
  requireRepository(request, context)
  const sha = await context.store.resolveCommit(request.params.ref ?? '')
  if (sha === undefined) throw new GitHubHttpError(422, `No commit found for SHA: ${request.params.ref ?? ''}`)
  const name = request.query.get('check_name')
  const status = request.query.get('status')
  let runs = context.state.checkRuns.filter(
    (run) => run.headSha === sha && (name === null || run.name === name) && (status === null || run.status === status),
  )
  if ((request.query.get('filter') ?? 'latest') === 'latest') {
    // The most recent run for each name, newest first, as GitHub lists them.
    const latest = new Map<string, CheckRunRecord>()
    for (const run of runs) latest.set(run.name, run)
    runs = [...latest.values()]
  }
  runs = [...runs].sort((a, b) => b.id - a.id)
  const page = paginate(runs, request.query, `${context.apiUrl()}/repos/${context.owner}/${context.repo}/commits/${sha}/check-runs`)
  return {
    status: 200,
    body: { total_count: runs.length, check_runs: page.items.map((run) => checkRunJson(context, run)) },
    headers: page.headers,
  }
}
