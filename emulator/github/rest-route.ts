import type { Caller } from './app-auth.js'
import type { EmulatorContext } from './emulator-context.js'

/** A parsed REST request handed to a route handler. */
export interface RestRequest {
  readonly method: string
  readonly params: Readonly<Record<string, string>>
  readonly query: URLSearchParams
  readonly body: unknown
  readonly caller: Caller
}

/** What a handler answers; `body` is sent as JSON unless undefined (204). */
export interface RestResponse {
  readonly status: number
  readonly body?: unknown
  readonly headers?: Readonly<Record<string, string>>
}

/** One REST operation: its method and GitHub's OpenAPI path template, which is also how it is matched. */
export interface RestRoute {
  readonly method: 'GET' | 'POST' | 'PATCH' | 'PUT' | 'DELETE'
  readonly template: string
  /** `app` routes want the app's JWT; the rest an installation token. */
  readonly auth: 'app' | 'installation'
  readonly handle: (request: RestRequest, context: EmulatorContext) => Promise<RestResponse>
}

// Template parameters that may contain slashes, as GitHub allows for refs and file paths.
const greedyParameters = new Set(['ref', 'path'])

/**
 * Matches a decoded request path against a route template; `{ref}` and `{path}` in the last position take
 * the rest of the path (slashes included, the empty path too for contents). Returns the parameters or undefined.
 */
export function matchTemplate(template: string, path: string): Record<string, string> | undefined {
  const wanted = template.split('/').slice(1)
  const actual = path
    .split('/')
    .slice(1)
    .map((segment) => {
      try {
        return decodeURIComponent(segment)
      } catch {
        return segment
      }
    })
  const params: Record<string, string> = {}
  for (const [index, part] of wanted.entries()) {
    const name = /^\{(.+)\}$/.exec(part)?.[1]
    const isLast = index === wanted.length - 1
    if (name !== undefined && isLast && greedyParameters.has(name)) {
      const rest = actual.slice(index).join('/')
      if (rest === '' && name !== 'path') return undefined
      params[name] = rest
      return params
    }
    const value = actual[index]
    if (value === undefined) return undefined
    if (name === undefined) {
      if (value !== part) return undefined
    } else {
      if (value === '') return undefined
      params[name] = value
    }
  }
  return actual.length === wanted.length ? params : undefined
}

/** The 1-based page and page size GitHub reads from `page`/`per_page` (30 by default, at most 100). */
export function readPage(query: URLSearchParams): { page: number; perPage: number } {
  const perPage = Math.min(100, Math.max(1, Number(query.get('per_page') ?? 30) || 30))
  const page = Math.max(1, Number(query.get('page') ?? 1) || 1)
  return { page, perPage }
}

/** Slices `items` to the requested page and builds GitHub's `Link` header (next/last/first/prev). */
export function paginate<T>(items: readonly T[], query: URLSearchParams, selfUrl: string): { items: T[]; headers: Record<string, string> } {
  const { page, perPage } = readPage(query)
  const lastPage = Math.max(1, Math.ceil(items.length / perPage))
  const link = (n: number, rel: string): string => {
    const params = new URLSearchParams(query)
    params.set('per_page', String(perPage))
    params.set('page', String(n))
    return `<${selfUrl}?${params.toString()}>; rel="${rel}"`
  }
  const links: string[] = []
  if (page > 1) links.push(link(page - 1, 'prev'))
  if (page < lastPage) links.push(link(page + 1, 'next'))
  if (page < lastPage) links.push(link(lastPage, 'last'))
  if (page > 1) links.push(link(1, 'first'))
  return { items: items.slice((page - 1) * perPage, page * perPage), headers: links.length === 0 ? {} : { link: links.join(', ') } }
}
