import type { EmulatorContext } from './emulator-context.js'
import type { PullRequestRecord } from './emulator-state.js'
import { GitHubHttpError } from './github-http-error.js'
import type { RestRequest } from './rest-route.js'

/** Answers 404 unless the request names the emulated repository (as GitHub does for a repo it cannot see). */
export function requireRepository(request: RestRequest, context: EmulatorContext): void {
  const owner = request.params.owner ?? ''
  const repo = request.params.repo ?? ''
  if (owner.toLowerCase() !== context.owner.toLowerCase() || repo.toLowerCase() !== context.repo.toLowerCase()) {
    throw new GitHubHttpError(404, 'Not Found')
  }
}

export function requirePull(request: RestRequest, context: EmulatorContext, parameter = 'pull_number'): PullRequestRecord {
  requireRepository(request, context)
  const pull = context.state.pulls.get(Number(request.params[parameter]))
  if (pull === undefined) throw new GitHubHttpError(404, 'Not Found')
  return pull
}

/** The request body as an object (the OpenAPI check has already vouched for its shape). */
export function bodyOf(request: RestRequest): Record<string, unknown> {
  return request.body !== null && typeof request.body === 'object' ? (request.body as Record<string, unknown>) : {}
}

export function repoApiUrl(context: EmulatorContext): string {
  return `${context.apiUrl()}/repos/${context.owner}/${context.repo}`
}

/** The identity GitHub records for commits an installation makes. */
export function appIdentity(context: EmulatorContext): { name: string; email: string } {
  return { name: `${context.appSlug}[bot]`, email: `${context.appId}+${context.appSlug}[bot]@users.noreply.github.com` }
}
