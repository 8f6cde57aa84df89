import { createHash } from 'node:crypto'
import { createServer, type IncomingMessage, type ServerResponse } from 'node:http'
import type { AddressInfo } from 'node:net'
import { graphql } from 'graphql'
import { loadGitHubGraphqlSchema } from '../emulator/github/graphql-schema.js'

/** One repository of the fake organisation: its default branch's files at its head. */
export interface FakeRepository {
  readonly name: string
  files: Record<string, string>
  head: string
}

export interface FakeOrganisation {
  readonly url: string
  readonly installationId: number
  readonly owner: string
  /** Every request the app made, as `GET /path`, `POST /path` or `graphql <operation>`. */
  readonly calls: string[]
  repository(name: string): FakeRepository
  /** Moves a repository's default branch to new files (what a merge does). */
  push(name: string, files: Record<string, string | null>): void
  stop(): Promise<void>
}

let nextSha = 1
const newSha = (): string => (nextSha++).toString(16).padStart(40, 'f')

/**
 * api.github.com as an app installed on a whole organisation sees it, on 127.0.0.1: one installation, its
 * repositories listed 100 to a page, installation tokens, and GraphQL executed against GitHub's real schema
 * (so a query the app sends is validated as GitHub would) over each repository's default-branch files.
 * Pull requests are none. Counting every request is the point: the sweeper's cost is GitHub calls.
 */
export async function startFakeOrganisation(params: {
  readonly owner: string
  readonly repositories: readonly { name: string; files: Record<string, string> }[]
}): Promise<FakeOrganisation> {
  const installationId = 77
  const calls: string[] = []
  const repositories = new Map<string, FakeRepository>(
    params.repositories.map((repository) => [repository.name, { name: repository.name, files: { ...repository.files }, head: newSha() }]),
  )
  const server = createServer((req, res) => {
    void handle(req, res).catch((error: unknown) => {
      res.writeHead(500, { 'content-type': 'application/json' })
      res.end(JSON.stringify({ message: String(error) }))
    })
  })
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve))
  const url = `http://127.0.0.1:${(server.address() as AddressInfo).port}`

  const send = (res: ServerResponse, status: number, body: unknown, headers: Record<string, string> = {}) => {
    res.writeHead(status, { 'content-type': 'application/json; charset=utf-8', ...headers })
    res.end(JSON.stringify(body))
  }

  async function handle(req: IncomingMessage, res: ServerResponse): Promise<void> {
    const chunks: Buffer[] = []
    for await (const chunk of req) chunks.push(chunk as Buffer)
    const address = new URL(req.url ?? '/', url)
    const path = address.pathname
    if (req.method === 'POST' && path === '/graphql') {
      const body = JSON.parse(Buffer.concat(chunks).toString('utf8')) as { query: string; variables?: Record<string, unknown> }
      calls.push(`graphql ${/query (\w+)/.exec(body.query)?.[1] ?? '?'}`)
      const result = await graphql({
        schema: loadGitHubGraphqlSchema(),
        source: body.query,
        rootValue: { repository: (args: { owner: string; name: string }) => repositoryNode(args) },
        variableValues: body.variables,
      })
      send(res, 200, JSON.parse(JSON.stringify(result)))
      return
    }
    calls.push(`${req.method} ${path}`)
    if (req.method === 'GET' && path === '/app/installations') {
      send(res, 200, [{ id: installationId, account: { login: params.owner, type: 'Organization' }, repository_selection: 'all' }])
    } else if (req.method === 'POST' && path === `/app/installations/${installationId}/access_tokens`) {
      send(res, 201, {
        token: `ghs_${newSha()}`,
        expires_at: new Date(Date.now() + 3_600_000).toISOString(),
        permissions: {},
        repository_selection: 'all',
      })
    } else if (req.method === 'GET' && path === '/installation/repositories') {
      const perPage = Number(address.searchParams.get('per_page') ?? 30)
      const page = Number(address.searchParams.get('page') ?? 1)
      const all = [...repositories.values()]
      const items = all.slice((page - 1) * perPage, page * perPage)
      const last = Math.max(1, Math.ceil(all.length / perPage))
      const link: Record<string, string> =
        page < last ? { link: `<${url}/installation/repositories?per_page=${perPage}&page=${page + 1}>; rel="next"` } : {}
      send(
        res,
        200,
        {
          total_count: all.length,
          repository_selection: 'all',
          repositories: items.map((repository) => ({
            name: repository.name,
            full_name: `${params.owner}/${repository.name}`,
            owner: { login: params.owner },
          })),
        },
        link,
      )
    } else {
      send(res, 404, { message: 'Not Found' })
    }
  }

  function repositoryNode(args: { owner: string; name: string }): unknown {
    const repository = args.owner === params.owner ? repositories.get(args.name) : undefined
    if (!repository) return null
    const objectAt = ({ expression }: { expression: string }): unknown => {
      const [revision = '', path = ''] = expression.split(':')
      if (revision !== 'HEAD' && revision !== repository.head) return null
      const text = repository.files[path]
      if (text !== undefined) return { __typename: 'Blob', text, isTruncated: false }
      const prefix = `${path}/`
      const entries = Object.entries(repository.files)
        .filter(([file]) => file.startsWith(prefix) && !file.slice(prefix.length).includes('/'))
        .map(([file, content]) => ({
          name: file.slice(prefix.length),
          type: 'blob',
          // Git's blob id, as GitHub gives it.
          oid: createHash('sha1')
            .update(`blob ${Buffer.byteLength(content, 'utf8')}\0${content}`)
            .digest('hex'),
          object: { __typename: 'Blob', text: content, isTruncated: false },
        }))
      return entries.length > 0 ? { __typename: 'Tree', entries } : null
    }
    return {
      url: `https://github.com/${params.owner}/${repository.name}`,
      defaultBranchRef: { name: 'main', target: { __typename: 'Commit', oid: repository.head } },
      object: objectAt,
      pullRequests: () => ({ nodes: [], totalCount: 0 }),
    }
  }

  return {
    url,
    installationId,
    owner: params.owner,
    calls,
    repository: (name) => repositories.get(name)!,
    push(name, files) {
      const repository = repositories.get(name)!
      for (const [path, text] of Object.entries(files)) {
        if (text === null) delete repository.files[path]
        else repository.files[path] = text
      }
      repository.head = newSha()
    },
    stop: () => new Promise((resolve) => server.close(() => resolve())),
  }
}
