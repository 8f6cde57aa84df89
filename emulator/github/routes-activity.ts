import type { EmulatorContext } from './emulator-context.js'
import type { ActivityRecord } from './emulator-state.js'
import { GitHubHttpError } from './github-http-error.js'
import type { GitCommit } from './git-store.js'
import { diffEntryJson, toIso, userJson } from './rest-shapes.js'
import { repoApiUrl, requireRepository } from './route-helpers.js'
import type { RestRequest, RestRoute } from './rest-route.js'
import { readPage } from './rest-route.js'

/** What happened to the branches (`GET /activity`) and how two commits differ (`GET /compare/{basehead}`). */
export function createActivityRoutes(): RestRoute[] {
  return [
    { method: 'GET', template: '/repos/{owner}/{repo}/activity', auth: 'installation', handle: listActivity },
    { method: 'GET', template: '/repos/{owner}/{repo}/compare/{basehead}', auth: 'installation', handle: compareCommits },
  ]
}

/**
 * The repository's branch moves, newest first by default, filtered by `ref` (a full ref or a branch name),
 * `actor` and `activity_type`, paginated by cursor (`after`/`before` name an entry's id) as GitHub does.
 */
async function listActivity(request: RestRequest, context: EmulatorContext) {
  requireRepository(request, context)
  const { query } = request
  const ref = query.get('ref')
  const fullRef = ref === null ? undefined : ref.startsWith('refs/') ? ref : `refs/heads/${ref}`
  const actor = query.get('actor')?.toLowerCase()
  const type = query.get('activity_type')
  const ascending = query.get('direction') === 'asc'
  let entries = context.state.activity.filter(
    (entry) =>
      (fullRef === undefined || entry.ref === fullRef) &&
      (actor === undefined || entry.actorLogin.toLowerCase() === actor) &&
      (type === null || entry.activityType === type),
  )
  if (!ascending) entries = [...entries].reverse()
  const after = query.get('after')
  const before = query.get('before')
  if (after !== null) entries = entries.slice(entries.findIndex((entry) => String(entry.id) === after) + 1)
  if (before !== null) {
    const index = entries.findIndex((entry) => String(entry.id) === before)
    entries = index < 0 ? entries : entries.slice(0, index)
  }
  const { perPage } = readPage(query)
  const page = entries.slice(0, perPage)
  const headers: Record<string, string> = {}
  const last = page.at(-1)
  if (entries.length > perPage && last !== undefined) {
    const next = new URLSearchParams(query)
    next.delete('before')
    next.set('after', String(last.id))
    headers['link'] = `<${repoApiUrl(context)}/activity?${next.toString()}>; rel="next"`
  }
  return { status: 200, body: page.map((entry) => activityJson(context, entry)), headers }
}

function activityJson(context: EmulatorContext, entry: ActivityRecord): Record<string, unknown> {
  return {
    id: entry.id,
    node_id: Buffer.from(`RepositoryActivity:${entry.id}`).toString('base64'),
    before: entry.before,
    after: entry.after,
    ref: entry.ref,
    timestamp: toIso(entry.timestamp),
    activity_type: entry.activityType,
    actor: userJson(context, entry.actorLogin),
  }
}

// GitHub lists at most 250 commits and 300 files in a comparison.
const maxCommits = 250
const maxFiles = 300

/** `BASE...HEAD`: the commits and the files changed from their merge base to the head. */
async function compareCommits(request: RestRequest, context: EmulatorContext) {
  requireRepository(request, context)
  const basehead = request.params.basehead ?? ''
  const split = basehead.indexOf('...')
  if (split < 0) throw new GitHubHttpError(404, 'Not Found')
  const { store } = context
  const base = await store.resolveCommit(basehead.slice(0, split))
  const head = await store.resolveCommit(basehead.slice(split + 3))
  if (base === undefined || head === undefined) throw new GitHubHttpError(404, 'Not Found')
  const mergeBase = await store.mergeBase(base, head)
  if (mergeBase === undefined) throw new GitHubHttpError(404, `No common ancestor between ${base} and ${head}.`)
  const count = async (range: string) => Number((await store.run(['rev-list', '--count', range])).stdout.toString('utf8').trim())
  const aheadBy = await count(`${base}..${head}`)
  const behindBy = await count(`${head}..${base}`)
  const status = aheadBy === 0 && behindBy === 0 ? 'identical' : behindBy === 0 ? 'ahead' : aheadBy === 0 ? 'behind' : 'diverged'
  const listed = (await store.run(['rev-list', '--reverse', `${mergeBase}..${head}`])).stdout.toString('utf8')
  const shas = listed.split('\n').filter((line) => line.length > 0)
  const commits: Record<string, unknown>[] = []
  for (const sha of shas.slice(0, maxCommits)) {
    const commit = await store.readCommit(sha)
    if (commit !== undefined) commits.push(commitJson(context, commit))
  }
  const files = (await store.diff(mergeBase, head)).slice(0, maxFiles).map((change) => diffEntryJson(context, head, change))
  const web = `${context.apiUrl()}/${context.owner}/${context.repo}`
  const [baseCommit, mergeBaseCommit] = await Promise.all([store.readCommit(base), store.readCommit(mergeBase)])
  if (baseCommit === undefined || mergeBaseCommit === undefined) throw new GitHubHttpError(404, 'Not Found')
  return {
    status: 200,
    body: {
      url: `${repoApiUrl(context)}/compare/${basehead}`,
      html_url: `${web}/compare/${basehead}`,
      permalink_url: `${web}/compare/${context.owner}:${base}...${context.owner}:${head}`,
      diff_url: `${web}/compare/${basehead}.diff`,
      patch_url: `${web}/compare/${basehead}.patch`,
      base_commit: commitJson(context, baseCommit),
      merge_base_commit: commitJson(context, mergeBaseCommit),
      status,
      ahead_by: aheadBy,
      behind_by: behindBy,
      total_commits: shas.length,
      commits,
      files,
    },
  }
}

/** `commit`: a commit as the commits and compare APIs list it (not linked to accounts here). */
function commitJson(context: EmulatorContext, commit: GitCommit): Record<string, unknown> {
  const repoUrl = repoApiUrl(context)
  const web = `${context.apiUrl()}/${context.owner}/${context.repo}`
  const identity = (which: 'author' | 'committer') => ({
    name: commit[which].name,
    email: commit[which].email,
    date: toIso(commit[which].date),
  })
  return {
    url: `${repoUrl}/commits/${commit.sha}`,
    sha: commit.sha,
    node_id: Buffer.from(`Commit:${commit.sha}`).toString('base64'),
    html_url: `${web}/commit/${commit.sha}`,
    comments_url: `${repoUrl}/commits/${commit.sha}/comments`,
    commit: {
      url: `${repoUrl}/git/commits/${commit.sha}`,
      author: identity('author'),
      committer: identity('committer'),
      message: commit.message.replace(/\n$/, ''),
      comment_count: 0,
      tree: { sha: commit.tree, url: `${repoUrl}/git/trees/${commit.tree}` },
      verification: { verified: false, reason: 'unsigned', signature: null, payload: null, verified_at: null },
    },
    author: null,
    committer: null,
    parents: commit.parents.map((sha) => ({ sha, url: `${repoUrl}/commits/${sha}`, html_url: `${web}/commit/${sha}` })),
  }
}
