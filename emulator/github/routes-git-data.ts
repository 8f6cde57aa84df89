import type { EmulatorContext } from './emulator-context.js'
import { GitHubHttpError } from './github-http-error.js'
import type { GitIdentity, GitTreeEntry, GitTreeWrite } from './git-store.js'
import { gitCommitJson, gitRefJson } from './rest-shapes.js'
import { appIdentity, bodyOf, repoApiUrl, requireRepository } from './route-helpers.js'
import type { RestRequest, RestRoute } from './rest-route.js'
import { announceBranchMoved, moveBranch, updateBranchThroughApi } from './branch-moves.js'

/** Git Data API: blobs, trees, commits and refs, each backed by the real object or ref in the git store. */
export function createGitDataRoutes(): RestRoute[] {
  return [
    { method: 'POST', template: '/repos/{owner}/{repo}/git/blobs', auth: 'installation', handle: createBlob },
    { method: 'GET', template: '/repos/{owner}/{repo}/git/blobs/{file_sha}', auth: 'installation', handle: getBlob },
    { method: 'POST', template: '/repos/{owner}/{repo}/git/trees', auth: 'installation', handle: createTree },
    { method: 'GET', template: '/repos/{owner}/{repo}/git/trees/{tree_sha}', auth: 'installation', handle: getTree },
    { method: 'POST', template: '/repos/{owner}/{repo}/git/commits', auth: 'installation', handle: createCommit },
    { method: 'GET', template: '/repos/{owner}/{repo}/git/commits/{commit_sha}', auth: 'installation', handle: getCommit },
    { method: 'GET', template: '/repos/{owner}/{repo}/git/ref/{ref}', auth: 'installation', handle: getRef },
    { method: 'POST', template: '/repos/{owner}/{repo}/git/refs', auth: 'installation', handle: createRef },
    { method: 'PATCH', template: '/repos/{owner}/{repo}/git/refs/{ref}', auth: 'installation', handle: updateRef },
    { method: 'DELETE', template: '/repos/{owner}/{repo}/git/refs/{ref}', auth: 'installation', handle: deleteRef },
  ]
}

async function createBlob(request: RestRequest, context: EmulatorContext) {
  requireRepository(request, context)
  const body = bodyOf(request)
  const encoding = String(body.encoding ?? 'utf-8')
  if (encoding !== 'utf-8' && encoding !== 'utf8' && encoding !== 'base64') {
    throw new GitHubHttpError(422, `encoding must be "utf-8" or "base64", got "${encoding}"`)
  }
  const content = Buffer.from(String(body.content), encoding === 'base64' ? 'base64' : 'utf8')
  const sha = await context.store.writeBlob(content)
  return { status: 201, body: { sha, url: `${repoApiUrl(context)}/git/blobs/${sha}` } }
}

async function getBlob(request: RestRequest, context: EmulatorContext) {
  requireRepository(request, context)
  const sha = request.params.file_sha ?? ''
  const content = await context.store.readBlob(sha)
  if (content === undefined) throw new GitHubHttpError(404, 'Not Found')
  return {
    status: 200,
    body: {
      sha,
      node_id: Buffer.from(`Blob:${sha}`).toString('base64'),
      size: content.length,
      url: `${repoApiUrl(context)}/git/blobs/${sha}`,
      content: wrapBase64(content),
      encoding: 'base64',
    },
  }
}

/** GitHub wraps base64 content at 60 characters per line; clients must cope, so the emulator does it too. */
export function wrapBase64(content: Buffer): string {
  const encoded = content.toString('base64')
  return encoded.length === 0 ? '' : `${encoded.match(/.{1,60}/g)?.join('\n') ?? ''}\n`
}

async function createTree(request: RestRequest, context: EmulatorContext) {
  requireRepository(request, context)
  const body = bodyOf(request)
  const baseTree = body.base_tree === undefined ? undefined : String(body.base_tree)
  if (baseTree !== undefined && (await context.store.objectType(baseTree)) !== 'tree') {
    throw new GitHubHttpError(422, 'Invalid tree info', { errors: [`base_tree ${baseTree} is not a tree`] })
  }
  const writes: GitTreeWrite[] = []
  for (const raw of body.tree as Array<Record<string, unknown>>) {
    const path = String(raw.path)
    const type = String(raw.type ?? 'blob') as GitTreeWrite['type']
    const mode = String(raw.mode ?? (type === 'tree' ? '040000' : '100644'))
    if (typeof raw.content === 'string') {
      writes.push({ path, mode, type: 'blob', sha: await context.store.writeBlob(Buffer.from(raw.content, 'utf8')) })
    } else if (raw.sha === null) {
      writes.push({ path, mode, type, sha: null })
    } else if (typeof raw.sha === 'string') {
      const actual = await context.store.objectType(raw.sha)
      if (type !== 'commit' && actual !== type) {
        throw new GitHubHttpError(422, 'GitRPC::BadObjectState', { errors: [`tree.sha ${raw.sha} is not a valid ${type}`] })
      }
      writes.push({ path, mode, type, sha: raw.sha })
    } else {
      throw new GitHubHttpError(422, 'Must supply either tree.sha or tree.content', {
        errors: [`tree entry ${path} has neither sha nor content`],
      })
    }
  }
  const sha = await context.store.writeTree({ ...(baseTree === undefined ? {} : { base: baseTree }), writes })
  const entries = (await context.store.readTree(sha)) ?? []
  return { status: 201, body: treeJson(context, sha, entries) }
}

async function getTree(request: RestRequest, context: EmulatorContext) {
  requireRepository(request, context)
  // GitHub accepts a tree sha, a commit sha or a branch name here.
  const sha = await context.store.resolve(`${request.params.tree_sha ?? ''}^{tree}`)
  if (sha === undefined) throw new GitHubHttpError(404, 'Not Found')
  const recursive = request.query.has('recursive') && !['0', 'false'].includes(request.query.get('recursive') ?? '')
  const entries = (await context.store.readTree(sha, { recursive, includeTrees: true })) ?? []
  return { status: 200, body: treeJson(context, sha, entries) }
}

function treeJson(context: EmulatorContext, sha: string, entries: readonly GitTreeEntry[]): Record<string, unknown> {
  const repoUrl = repoApiUrl(context)
  return {
    sha,
    url: `${repoUrl}/git/trees/${sha}`,
    tree: entries.map((entry) => ({
      path: entry.path,
      mode: entry.mode,
      type: entry.type,
      sha: entry.sha,
      ...(entry.size === undefined ? {} : { size: entry.size }),
      url: `${repoUrl}/git/${entry.type === 'tree' ? 'trees' : 'blobs'}/${entry.sha}`,
    })),
    truncated: false,
  }
}

function readIdentity(raw: unknown, fallback: GitIdentity): GitIdentity {
  if (raw === null || typeof raw !== 'object') return fallback
  const record = raw as Record<string, unknown>
  return {
    name: typeof record.name === 'string' ? record.name : fallback.name,
    email: typeof record.email === 'string' ? record.email : fallback.email,
    date: typeof record.date === 'string' ? new Date(record.date) : fallback.date,
  }
}

async function createCommit(request: RestRequest, context: EmulatorContext) {
  requireRepository(request, context)
  const body = bodyOf(request)
  const tree = String(body.tree)
  if ((await context.store.objectType(tree)) !== 'tree')
    throw new GitHubHttpError(422, 'Tree SHA does not exist', { errors: [`tree ${tree} not found`] })
  const parents = (body.parents as string[] | undefined) ?? []
  for (const parent of parents) {
    if ((await context.store.objectType(parent)) !== 'commit')
      throw new GitHubHttpError(422, 'Parent SHA does not exist or is not a commit object')
  }
  const author = readIdentity(body.author, { ...appIdentity(context), date: context.clock() })
  const committer = readIdentity(body.committer, { ...author, date: author.date })
  const sha = await context.store.createCommit({ tree, parents, message: String(body.message), author, committer })
  // GitHub signs a bot's API commit when it names no author or committer of its own.
  if (body.author === undefined && body.committer === undefined) context.state.signedCommits.add(sha)
  const commit = await context.store.readCommit(sha)
  if (commit === undefined) throw new GitHubHttpError(500, `commit ${sha} was written but cannot be read back`)
  return { status: 201, body: gitCommitJson(context, commit) }
}

async function getCommit(request: RestRequest, context: EmulatorContext) {
  requireRepository(request, context)
  const commit = await context.store.readCommit(request.params.commit_sha ?? '')
  if (commit === undefined) throw new GitHubHttpError(404, 'Not Found')
  return { status: 200, body: gitCommitJson(context, commit) }
}

function fullRefOf(ref: string): string {
  return ref.startsWith('refs/') ? ref : `refs/${ref}`
}

async function getRef(request: RestRequest, context: EmulatorContext) {
  requireRepository(request, context)
  const fullRef = fullRefOf(request.params.ref ?? '')
  const sha = await context.store.readRef(fullRef)
  if (sha === undefined) throw new GitHubHttpError(404, 'Not Found')
  return { status: 200, body: gitRefJson(context, fullRef, sha) }
}

async function createRef(request: RestRequest, context: EmulatorContext) {
  requireRepository(request, context)
  const body = bodyOf(request)
  const ref = String(body.ref)
  const sha = String(body.sha)
  if (!ref.startsWith('refs/') || ref.split('/').length < 3 || !(await context.store.isValidRefName(ref))) {
    throw new GitHubHttpError(422, "Reference update failed: ref must start with 'refs' and have at least two slashes.")
  }
  if ((await context.store.objectType(sha)) === undefined) throw new GitHubHttpError(422, 'Object does not exist')
  if ((await context.store.readRef(ref)) !== undefined) throw new GitHubHttpError(422, 'Reference already exists')
  if (!(await moveBranch(context, { fullRef: ref, before: null, after: sha, actor: { kind: 'app' }, via: 'rest' })))
    throw new GitHubHttpError(422, 'Reference already exists')
  await announceBranchMoved(context, { fullRef: ref, before: '0'.repeat(40), after: sha, forced: false })
  return { status: 201, body: gitRefJson(context, ref, sha) }
}

async function updateRef(request: RestRequest, context: EmulatorContext) {
  requireRepository(request, context)
  const fullRef = fullRefOf(request.params.ref ?? '')
  const body = bodyOf(request)
  const sha = String(body.sha)
  const moved = await updateBranchThroughApi(context, { fullRef, sha, force: body.force === true, via: 'rest' })
  if (moved.kind === 'moved') return { status: 200, body: gitRefJson(context, fullRef, sha) }
  throw new GitHubHttpError(moved.kind === 'kept-changing' ? 409 : 422, moved.message)
}

async function deleteRef(request: RestRequest, context: EmulatorContext) {
  requireRepository(request, context)
  const fullRef = fullRefOf(request.params.ref ?? '')
  const before = await context.store.readRef(fullRef)
  if (before === undefined) throw new GitHubHttpError(422, 'Reference does not exist')
  if (!(await moveBranch(context, { fullRef, before, after: null, actor: { kind: 'app' }, via: 'rest' })))
    throw new GitHubHttpError(409, 'Reference cannot be deleted: it changed')
  return { status: 204 }
}
