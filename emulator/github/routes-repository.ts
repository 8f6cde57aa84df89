import type { EmulatorContext } from './emulator-context.js'
import { GitHubHttpError } from './github-http-error.js'
import type { GitTreeEntry } from './git-store.js'
import { repositoryJson, userJson } from './rest-shapes.js'
import { repoApiUrl, requireRepository } from './route-helpers.js'
import { wrapBase64 } from './routes-git-data.js'
import type { RestRequest, RestRoute } from './rest-route.js'

/** The repository itself and its contents API (files as base64, directories as listings). */
export function createRepositoryRoutes(): RestRoute[] {
  return [
    {
      method: 'GET',
      template: '/repos/{owner}/{repo}',
      auth: 'installation',
      handle: async (request, context) => {
        requireRepository(request, context)
        return {
          status: 200,
          body: {
            ...repositoryJson(context),
            network_count: 0,
            subscribers_count: 0,
            permissions: { admin: false, maintain: false, push: true, triage: true, pull: true },
          },
        }
      },
    },
    { method: 'GET', template: '/repos/{owner}/{repo}/contents/{path}', auth: 'installation', handle: getContents },
    {
      method: 'GET',
      template: '/repos/{owner}/{repo}/collaborators/{username}/permission',
      auth: 'installation',
      handle: async (request, context) => {
        requireRepository(request, context)
        const username = request.params.username ?? ''
        const role = context.state.permissionOf(username)
        // REST reports the base permission: maintain reads as write, triage as read.
        const permission = role === 'maintain' ? 'write' : role === 'triage' ? 'read' : role
        return {
          status: 200,
          body: { permission, role_name: role, user: role === 'none' ? null : { ...userJson(context, username), role_name: role } },
        }
      },
    },
  ]
}

async function getContents(request: RestRequest, context: EmulatorContext) {
  requireRepository(request, context)
  const ref = request.query.get('ref') ?? context.store.defaultBranch
  const commit = await context.store.resolveCommit(ref)
  if (commit === undefined) throw new GitHubHttpError(404, `No commit found for the ref ${ref}`)
  const path = (request.params.path ?? '').replace(/^\/+|\/+$/g, '')
  const sha = await context.store.resolve(`${commit}:${path}`)
  const type = sha === undefined ? undefined : await context.store.objectType(sha)
  if (sha === undefined || type === undefined) throw new GitHubHttpError(404, 'Not Found')
  if (type === 'tree') {
    const entries = (await context.store.readTree(sha)) ?? []
    return {
      status: 200,
      body: entries.map((entry) => contentEntryJson(context, { ...entry, path: path === '' ? entry.path : `${path}/${entry.path}` }, ref)),
    }
  }
  const content = (await context.store.readBlob(sha)) ?? Buffer.alloc(0)
  const entry = contentEntryJson(context, { path, mode: '100644', type: 'blob', sha, size: content.length }, ref)
  return { status: 200, body: { ...entry, content: wrapBase64(content), encoding: 'base64' } }
}

function contentEntryJson(context: EmulatorContext, entry: GitTreeEntry, ref: string): Record<string, unknown> {
  const encodedPath = entry.path.split('/').map(encodeURIComponent).join('/')
  const self = `${repoApiUrl(context)}/contents/${encodedPath}?ref=${encodeURIComponent(ref)}`
  const kind = entry.type === 'tree' ? 'dir' : entry.type === 'commit' ? 'submodule' : 'file'
  const git = `${repoApiUrl(context)}/git/${entry.type === 'tree' ? 'trees' : 'blobs'}/${entry.sha}`
  const html = `${context.apiUrl()}/${context.owner}/${context.repo}/${kind === 'dir' ? 'tree' : 'blob'}/${encodeURIComponent(ref)}/${encodedPath}`
  return {
    type: kind,
    size: entry.size ?? 0,
    name: entry.path.split('/').pop() ?? entry.path,
    path: entry.path,
    sha: entry.sha,
    url: self,
    git_url: git,
    html_url: html,
    download_url:
      kind === 'file' ? `${context.apiUrl()}/${context.owner}/${context.repo}/raw/${encodeURIComponent(ref)}/${encodedPath}` : null,
    _links: { self, git, html },
  }
}
