import { createHash } from 'node:crypto'
import nock from 'nock'
import { CODEOWNERS_LOCATIONS, SETTINGS_PATH } from '../../../../src/core/files/access-repository.js'
import { formatRecordDocument } from '../../../../src/core/records/record-document.js'
import { RECORD_STATES, type GrantRecord } from '../../../../src/core/records/grant-record.js'
import { pullRequestQueryData, type FakeReview } from '../../../github/support/access-repo-fixture.js'

/** An open pull request as the stale-request query returns it. */
export interface FakePullRequest {
  number: number
  createdAt: string
  files: { path: string; changeType: string }[]
  approved: boolean
  mergedAt?: string | null
}

/** A merged pull request, with what the grant workflow reads about it when the sweep heals its merge. */
export interface FakeMergedPullRequest {
  number: number
  mergedAt: string
  /** The changed files (default: the request file, added). */
  files?: { path: string; changeType: string }[]
  request: { path: string; text: string }
  author?: string
  mergedBy?: string
  reviews?: FakeReview[]
  isCrossRepository?: boolean
}

interface Commit {
  parent: string | null
  tree: Map<string, string>
  message: string
  /** Author and committer: the app (`APP_LOGIN`) unless a test says a person made it. */
  author: string
  /** Made through `createCommitOnBranch`: committed by GitHub and signed by it. */
  throughApi?: boolean
}

/** The app's bot login in these tests. */
export const APP_LOGIN = 'jit-access[bot]'

/**
 * A stateful stand-in for one repository on api.github.com, behind nock: commits are snapshots of
 * files, `createCommitOnBranch` commits only on the head it names (another gets `STALE_DATA`, as on
 * GitHub), and every call is recorded by name so a test asserts the exact list. Nothing is persisted beyond the calls the test makes.
 */
export class FakeGitHubRepo {
  readonly calls: string[] = []
  readonly comments: { issue: number; body: string }[] = []
  readonly closed: number[] = []
  readonly commits = new Map<string, Commit>()
  head: string
  pullRequests: FakePullRequest[] = []
  /** Merged pull requests, listed by the sweep's records query and read by the grant workflow. */
  mergedPullRequests: FakeMergedPullRequest[] = []
  /** Members of `@acme/<slug>` teams, for the grant workflow's team query. */
  teams: Record<string, string[]> = {}
  private nextId = 1
  private readonly scope = nock('https://api.github.com').persist()

  constructor(
    files: Record<string, string> = {},
    readonly branch = 'main',
  ) {
    this.head = this.addCommit(null, new Map(Object.entries(files)), 'initial', APP_LOGIN)
    this.install()
  }

  /**
   * Writes records and files straight to the branch, as another replica of the app would (the default)
   * or, with `author`, as a person's direct commit.
   */
  pushFiles(changes: Record<string, string | null>, message = 'push', author = APP_LOGIN): string {
    const tree = new Map(this.commits.get(this.head)!.tree)
    for (const [path, content] of Object.entries(changes)) {
      if (content === null) tree.delete(path)
      else tree.set(path, content)
    }
    this.head = this.addCommit(this.head, tree, message, author)
    return this.head
  }

  files(sha = this.head): Map<string, string> {
    return this.commits.get(sha)!.tree
  }

  /** Commits made through the API (not by pushFiles or the constructor), oldest first. */
  get apiCommits(): Commit[] {
    const chain: Commit[] = []
    for (let sha: string | null = this.head; sha; sha = this.commits.get(sha)!.parent) chain.unshift(this.commits.get(sha)!)
    return chain.filter((commit) => commit.message !== 'initial' && commit.message !== 'push')
  }

  stop(): void {
    this.scope.persist(false)
    nock.cleanAll()
  }

  private addCommit(parent: string | null, tree: Map<string, string>, message: string, author: string): string {
    const sha = (this.nextId++).toString(16).padStart(40, 'c')
    this.commits.set(sha, { parent, tree, message, author })
    return sha
  }

  /**
   * `history(path:)` from a commit: the commits that changed the path, newest first. A commit the app
   * seeded (the constructor, `pushFiles` without an author) carries the trailers of the records it wrote,
   * as the app's own commits do; one made through the API carries the message it was given.
   */
  private historyOf(sha: string, path: string, first: number): unknown[] {
    const nodes: unknown[] = []
    for (let at: string | null = sha; at && nodes.length < first; at = this.commits.get(at)!.parent) {
      const commit = this.commits.get(at)!
      const text = commit.tree.get(path)
      const before = commit.parent ? this.commits.get(commit.parent)!.tree.get(path) : undefined
      if (text === before) continue
      const id = /([^/]+)\.yaml$/.exec(path)?.[1] ?? ''
      const seeded = (commit.message === 'initial' || commit.message === 'push') && commit.author === APP_LOGIN
      const message = seeded ? `${commit.message}\n\nJit-Action: grant\nJit-Request: ${id}` : commit.message
      const identity = { name: commit.author, email: `1+${commit.author}@users.noreply.github.com` }
      // What GitHub says of the app's commits (signed by GitHub); a person's pushed commit is unsigned.
      const committer = commit.throughApi ? { name: 'GitHub', email: 'noreply@github.com' } : identity
      const signature = commit.author === APP_LOGIN ? { isValid: true, wasSignedByGitHub: true } : null
      nodes.push({ oid: at, message, author: identity, committer, signature, file: text === undefined ? null : { oid: blobSha(text) } })
    }
    return nodes
  }

  private treeAt(expression: string): { sha: string; dir: string } | undefined {
    const [sha = '', dir = ''] = expression.split(':')
    return this.commits.has(sha) ? { sha, dir } : undefined
  }

  private blobAt(expression: string): { text: string } | null {
    const at = this.treeAt(expression)
    const text = at ? this.files(at.sha).get(at.dir) : undefined
    return text === undefined ? null : { text }
  }

  private entries(expression: string, withText: boolean): { entries: unknown[] } | null {
    const at = this.treeAt(expression)
    if (!at) return null
    const prefix = `${at.dir}/`
    const entries = [...this.files(at.sha)]
      .filter(([path]) => path.startsWith(prefix) && !path.slice(prefix.length).includes('/'))
      .map(([path, text]) => ({
        name: path.slice(prefix.length),
        ...(withText ? { type: 'blob', object: { text, isTruncated: false } } : {}),
      }))
    return entries.length > 0 ? { entries } : null
  }

  private defaultBranch(): unknown {
    const settings = this.files().get('.github/jit.yml')
    const hasPolicies = [...this.files().keys()].some((path) => path.startsWith('policies/'))
    return {
      url: 'https://github.com/acme/access',
      defaultBranchRef: { name: this.branch, target: { oid: this.head } },
      settings: settings === undefined ? null : { text: settings },
      policies: hasPolicies ? { __typename: 'Tree' } : null,
    }
  }

  private graphql(body: { query: string; variables: Record<string, string> }): unknown {
    const operation = /(?:query|mutation) (\w+)/.exec(body.query)?.[1] ?? '?'
    this.calls.push(`graphql ${operation}`)
    const v = body.variables
    switch (operation) {
      case 'jitBranchHead':
        return { repository: { ref: v['ref'] === `refs/heads/${this.branch}` ? { target: { oid: this.head } } : null } }
      case 'jitCommit':
        return { createCommitOnBranch: { commit: { oid: this.commitOnBranch(body.variables['input'] as unknown as CommitInput) } } }
      case 'jitDefaultBranch':
        return { repository: this.defaultBranch() }
      // The in-app sweeper's batch: `r0`, `r1`, … for `$o0/$n0`, …; only acme/access exists here.
      case 'jitDefaultBranches':
        return Object.fromEntries(
          Object.keys(v)
            .filter((name) => name.startsWith('o'))
            .map((name) => {
              const index = name.slice(1)
              return [`r${index}`, v[name] === 'acme' && v[`n${index}`] === 'access' ? this.defaultBranch() : null]
            }),
        )
      case 'jitGrantRecords':
        return {
          repository: {
            granting: this.entries(v['granting']!, true),
            active: this.entries(v['active']!, true),
            revoked: this.entries(v['revoked']!, false),
            refused: this.entries(v['refused']!, false),
            failed: this.entries(v['failed']!, false),
            policies: this.entries(v['policies'] ?? '', true),
            fullPass: this.blobAt(v['fullPass'] ?? ''),
            ...((v['merges'] as unknown) === true ? { merged: this.listMerged(v['branch']!) } : {}),
          },
        }
      case 'jitPullRequest': {
        const pr = this.merged(Number(v['number']))
        return pullRequestQueryData({
          files: pr.files ?? [{ path: pr.request.path, changeType: 'ADDED' }],
          reviews: pr.reviews ?? [],
          author: pr.author ?? 'alice',
          headSha: headShaOf(pr.number),
          isCrossRepository: pr.isCrossRepository ?? false,
        })
      }
      case 'jitMergedRequest':
        return this.mergedRequestData(this.merged(Number(v['number'])), v)
      case 'jitRecordsAt': {
        const files = this.commits.get(v['commit']!)?.tree ?? new Map<string, string>()
        return {
          repository: {
            object: Object.fromEntries(
              RECORD_STATES.map((state) => [state, files.has(v[state]!) ? { oid: blobSha(files.get(v[state]!)!) } : null]),
            ),
          },
        }
      }
      case 'jitTeams': {
        // One organization (acme) in these tests: every team alias answers under every organization alias.
        const teams = Object.fromEntries(
          Object.entries(v)
            .filter(([key]) => key.startsWith('t'))
            .map(([key, slug]) => [
              key,
              {
                members: { nodes: (this.teams[slug] ?? []).map((login) => ({ login })), pageInfo: { hasNextPage: false, endCursor: null } },
                repositories: { edges: [{ permission: 'WRITE', node: { nameWithOwner: 'acme/access' } }] },
              },
            ]),
        )
        return Object.fromEntries(
          Object.keys(v)
            .filter((key) => key.startsWith('o'))
            .map((key) => [key, teams]),
        )
      }
      case 'jitRecordAuthorship': {
        const files = this.files(v['commit']!)
        const fields: Record<string, unknown> = {}
        for (const [key, path] of Object.entries(v).filter(([name]) => /^p\d+$/.test(name))) {
          const text = files.get(path)
          fields[`c${key.slice(1)}`] = text === undefined ? null : { oid: blobSha(text) }
          fields[`h${key.slice(1)}`] = { nodes: this.historyOf(v['commit']!, path, 20) }
        }
        return { repository: { object: fields } }
      }
      case 'jitAppRecords': {
        const fields: Record<string, unknown> = {}
        for (const [key, expression] of Object.entries(v).filter(([name]) => /^e\d+$/.test(name))) {
          const [sha = '', path = ''] = expression.split(':')
          const text = this.commits.get(sha)?.tree.get(path)
          fields[`t${key.slice(1)}`] = text === undefined ? null : { text }
        }
        return { repository: fields }
      }
      case 'jitGrantRecordNames':
        return {
          repository: {
            granting: this.entries(v['granting']!, false),
            active: this.entries(v['active']!, false),
            revoked: this.entries(v['revoked']!, false),
            fullPass: this.blobAt(v['fullPass'] ?? ''),
          },
        }
      case 'jitGrantRecord': {
        const [sha = '', path = ''] = v['path']!.split(':')
        const text = this.commits.get(sha)?.tree.get(path)
        return { repository: { record: text === undefined ? null : { text } } }
      }
      case 'jitOpenRequests':
        return {
          repository: {
            pullRequests: {
              nodes: this.pullRequests
                .filter((pr) => !this.closed.includes(pr.number))
                .map((pr) => ({
                  number: pr.number,
                  createdAt: pr.createdAt,
                  changedFiles: pr.files.length,
                  files: { nodes: pr.files.slice(0, 2) },
                  commits: {
                    nodes: [
                      {
                        commit: {
                          statusCheckRollup: {
                            contexts: {
                              nodes: [
                                { __typename: 'CheckRun', name: 'jit / access request', conclusion: pr.approved ? 'SUCCESS' : 'NEUTRAL' },
                              ],
                            },
                          },
                        },
                      },
                    ],
                  },
                })),
            },
          },
        }
      case 'jitMergeTimes': {
        const repository: Record<string, unknown> = {}
        for (const match of body.query.matchAll(/pr(\d+): pullRequest/g)) {
          const pr = this.pullRequests.find((candidate) => candidate.number === Number(match[1]))
          repository[`pr${match[1]}`] = pr ? { mergedAt: pr.mergedAt ?? null } : null
        }
        return { repository }
      }
      default:
        throw new Error(`unexpected GraphQL operation ${operation}`)
    }
  }

  /** `createCommitOnBranch`: refused unless the branch is at `expectedHeadOid`, or when it deletes a missing path. */
  private commitOnBranch(input: CommitInput): string {
    if (input.branch.branchName !== this.branch) throw new GraphqlFailure('NOT_FOUND', `no branch ${input.branch.branchName}`)
    if (input.expectedHeadOid !== this.head) {
      throw new GraphqlFailure('STALE_DATA', `Expected branch to point to "${input.expectedHeadOid}" but it did not. Pull and try again.`)
    }
    const files = new Map(this.files())
    for (const { path } of input.fileChanges.deletions ?? []) {
      if (!files.delete(path)) {
        throw new GraphqlFailure(
          'UNPROCESSABLE',
          `A path was requested for deletion which does not exist as of commit oid \`${this.head}\``,
        )
      }
    }
    for (const { path, contents } of input.fileChanges.additions ?? []) files.set(path, Buffer.from(contents, 'base64').toString('utf8'))
    const body = input.message.body ?? ''
    this.head = this.addCommit(this.head, files, body === '' ? input.message.headline : `${input.message.headline}\n\n${body}`, APP_LOGIN)
    this.commits.get(this.head)!.throughApi = true
    return this.head
  }

  private merged(number: number): FakeMergedPullRequest {
    const pr = this.mergedPullRequests.find((candidate) => candidate.number === number)
    if (!pr) throw new Error(`no merged pull request #${number} in the fake`)
    return pr
  }

  /** Most recently merged first, as `orderBy: UPDATED_AT DESC` orders pull requests nobody touched since. */
  private listMerged(branch: string): unknown {
    if (branch !== this.branch) return { nodes: [] }
    const nodes = [...this.mergedPullRequests]
      .sort((a, b) => b.mergedAt.localeCompare(a.mergedAt))
      .map((pr) => {
        const files = pr.files ?? [{ path: pr.request.path, changeType: 'ADDED' }]
        return {
          number: pr.number,
          mergedAt: pr.mergedAt,
          isCrossRepository: pr.isCrossRepository ?? false,
          changedFiles: files.length,
          files: { nodes: files.slice(0, 2) },
          commits: { totalCount: 1 },
        }
      })
    return { nodes }
  }

  /** The `jitMergedRequest` answer: the rules at the head stand for those at the merge's first parent. */
  private mergedRequestData(pr: FakeMergedPullRequest, v: Record<string, string>): unknown {
    const files = this.files()
    const entry = (text: string | undefined) =>
      text === undefined ? null : { oid: blobSha(text), object: { text, byteSize: Buffer.byteLength(text), isTruncated: false } }
    const policies = [...files]
      .filter(([path]) => path.startsWith('policies/'))
      .map(([path, text]) => ({ name: path.slice('policies/'.length), path, type: 'blob', ...entry(text)! }))
    const rules: Record<string, unknown> = { settings: entry(files.get(SETTINGS_PATH)) }
    CODEOWNERS_LOCATIONS.forEach((path, index) => (rules[`codeowners${index}`] = entry(files.get(path))))
    return {
      repository: {
        defaultBranchRef: {
          name: this.branch,
          target: {
            oid: this.head,
            ...Object.fromEntries(
              RECORD_STATES.map((state) => [state, files.has(v[state]!) ? { oid: blobSha(files.get(v[state]!)!) } : null]),
            ),
          },
        },
        pullRequest: {
          merged: true,
          mergedAt: pr.mergedAt,
          url: `https://github.com/acme/access/pull/${pr.number}`,
          mergedBy: { login: pr.mergedBy ?? 'bob' },
          mergeCommit: {
            oid: mergeShaOf(pr.number),
            // A merge commit on the default branch's head that changed the request alone.
            changedFilesIfAvailable: 1,
            request: { oid: blobSha(pr.request.text) },
            allParents: {
              nodes: [
                { oid: this.head, request: null },
                { oid: headShaOf(pr.number), request: { oid: blobSha(pr.request.text) } },
              ],
            },
            parents: { nodes: [{ oid: this.head, policies: { object: { entries: policies } }, ...rules }] },
          },
        },
        head: { request: v['requestFile'] === pr.request.path ? entry(pr.request.text) : null },
      },
    }
  }

  private install(): void {
    const repoPath = '/repos/acme/access'
    this.scope.post('/graphql').reply(200, (_uri, body) => {
      try {
        return { data: this.graphql(body as { query: string; variables: Record<string, string> }) }
      } catch (error) {
        if (!(error instanceof GraphqlFailure)) throw error
        return {
          data: { createCommitOnBranch: null },
          errors: [{ type: error.type, path: ['createCommitOnBranch'], message: error.message }],
        }
      }
    })
    // Each merge moved the default branch from its current head, the commit the fake's rules stand for.
    this.scope
      .get(`${repoPath}/activity`)
      .query(true)
      .reply(200, () => {
        this.calls.push('GET activity')
        return this.mergedPullRequests.map((pr, index) => ({
          id: index + 1,
          node_id: `RA_${index + 1}`,
          before: this.head,
          after: mergeShaOf(pr.number),
          ref: `refs/heads/${this.branch}`,
          timestamp: pr.mergedAt,
          activity_type: 'pr_merge',
          actor: { login: pr.mergedBy ?? 'bob' },
        }))
      })
    this.scope.post(/^\/repos\/acme\/access\/issues\/\d+\/comments$/).reply(201, (uri, body) => {
      const issue = Number(uri.split('/')[5])
      this.calls.push(`POST comment #${issue}`)
      this.comments.push({ issue, body: (body as { body: string }).body })
      return { id: 1 }
    })
    this.scope.patch(/^\/repos\/acme\/access\/pulls\/\d+$/).reply(200, (uri, body) => {
      const number = Number(uri.split('/').pop())
      this.calls.push(`PATCH pull #${number}`)
      if ((body as { state?: string }).state === 'closed') this.closed.push(number)
      return { number, state: 'closed' }
    })
    this.scope.get('/app').reply(200, () => {
      this.calls.push('GET app')
      return { id: 1, slug: APP_LOGIN.slice(0, -'[bot]'.length), name: 'jit-access' }
    })
    this.scope.get('/user').reply(200, () => {
      this.calls.push('GET user')
      return { login: 'octo-admin' }
    })
  }
}

interface CommitInput {
  branch: { repositoryNameWithOwner: string; branchName: string }
  expectedHeadOid: string
  fileChanges: { additions?: { path: string; contents: string }[]; deletions?: { path: string }[] }
  message: { headline: string; body?: string }
}

/** A GraphQL error GitHub answers with, by its `type`. */
class GraphqlFailure extends Error {
  constructor(
    readonly type: string,
    message: string,
  ) {
    super(message)
  }
}

/** The files of an access repository holding these active records. */
export function repoFiles(records: readonly GrantRecord[], extra: Record<string, string> = {}): Record<string, string> {
  return {
    'policies/ops.yaml': 'name: ops\n',
    ...Object.fromEntries(records.map((record) => [`grants/active/${record.id}.yaml`, formatRecordDocument(record)])),
    ...extra,
  }
}

/** The SHA git gives a blob of this text, as GitHub reports it. */
function blobSha(text: string): string {
  const bytes = Buffer.from(text, 'utf8')
  return createHash('sha1').update(`blob ${bytes.length}\0`).update(bytes).digest('hex')
}

function headShaOf(number: number): string {
  return number.toString(16).padStart(40, 'e')
}

function mergeShaOf(number: number): string {
  return number.toString(16).padStart(40, 'd')
}
