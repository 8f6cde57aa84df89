import { GraphQLError } from 'graphql'
import type { EmulatorContext } from './emulator-context.js'
import type { IssueCommentRecord, PullRequestRecord, ReviewRecord } from './emulator-state.js'
import type { GitCommit, GitTreeEntry } from './git-store.js'
import { buildConnection, type ConnectionArgs } from './graphql-connection.js'
import { buildStatusCheckRollup } from './graphql-status-check-rollup.js'
import { botLogin, toIso } from './rest-shapes.js'
import { createCommitOnBranch, GITHUB_COMMITTER, type CreateCommitOnBranchInput } from './graphql-create-commit-on-branch.js'

// GraphQL values are plain objects: a `__typename` for abstract types, and each field either a value or a
// function of the field's arguments (see graphql-endpoint's field resolver). Only the subset the app reads
// is modelled; any other field resolves to null.

type GraphqlObject = Record<string, unknown>

// git's well-known empty tree: what a root commit is compared against.
const EMPTY_TREE = '4b825dc642cb6eb9a060e54bf8d69288fbee4904'

// GitHub's GraphQL truncates blob text above 512 KB.
const maxBlobText = 512 * 1024

/** Reads blobs once per GraphQL request, in batches when a tree lists many. */
export class BlobLoader {
  private readonly blobs = new Map<string, Promise<Buffer | undefined>>()
  private readonly context: EmulatorContext

  constructor(context: EmulatorContext) {
    this.context = context
  }

  prefetch(shas: readonly string[]): void {
    const missing = shas.filter((sha) => !this.blobs.has(sha))
    if (missing.length === 0) return
    const batch = this.context.store.readBlobs(missing)
    for (const sha of missing)
      this.blobs.set(
        sha,
        batch.then((found) => found.get(sha)),
      )
  }

  load(sha: string): Promise<Buffer | undefined> {
    this.prefetch([sha])
    return this.blobs.get(sha) ?? Promise.resolve(undefined)
  }
}

/** The root of queries, `repository(owner, name)` and `organization(login)`, and of the one mutation, `createCommitOnBranch`. */
export function buildQueryRoot(context: EmulatorContext, blobs: BlobLoader): GraphqlObject {
  return {
    repository: (args: { owner: string; name: string }) => {
      if (args.owner.toLowerCase() !== context.owner.toLowerCase() || args.name.toLowerCase() !== context.repo.toLowerCase()) {
        throw new GraphQLError(`Could not resolve to a Repository with the name '${args.owner}/${args.name}'.`, {
          extensions: { type: 'NOT_FOUND' },
        })
      }
      return buildRepository(context, blobs)
    },
    organization: (args: { login: string }) => {
      if (args.login.toLowerCase() !== context.owner.toLowerCase()) {
        throw new GraphQLError(`Could not resolve to an Organization with the login of '${args.login}'.`, {
          extensions: { type: 'NOT_FOUND' },
        })
      }
      return buildOrganization(context)
    },
    createCommitOnBranch: async (args: { input: CreateCommitOnBranchInput }) => {
      const made = await createCommitOnBranch(context, args.input)
      return {
        __typename: 'CreateCommitOnBranchPayload',
        clientMutationId: args.input.clientMutationId ?? null,
        commit: buildCommit(context, blobs, made.sha),
        ref: { __typename: 'Ref', name: made.branchName, prefix: 'refs/heads/', target: buildCommit(context, blobs, made.sha) },
      }
    },
  }
}

function buildRepository(context: EmulatorContext, blobs: BlobLoader): GraphqlObject {
  return {
    __typename: 'Repository',
    id: Buffer.from(`Repository:${context.repoId}`).toString('base64'),
    databaseId: context.repoId,
    name: context.repo,
    nameWithOwner: `${context.owner}/${context.repo}`,
    owner: { __typename: 'Organization', login: context.owner },
    url: `${context.apiUrl()}/${context.owner}/${context.repo}`,
    isPrivate: true,
    defaultBranchRef: async () => {
      const sha = await context.store.readRef(`refs/heads/${context.store.defaultBranch}`)
      return {
        __typename: 'Ref',
        name: context.store.defaultBranch,
        prefix: 'refs/heads/',
        target: sha === undefined ? null : buildCommit(context, blobs, sha),
      }
    },
    ref: async (args: { qualifiedName: string }) => {
      const fullRef = args.qualifiedName.startsWith('refs/') ? args.qualifiedName : `refs/heads/${args.qualifiedName}`
      const sha = await context.store.readRef(fullRef)
      if (sha === undefined) return null
      const slash = fullRef.indexOf('/', 'refs/'.length)
      return {
        __typename: 'Ref',
        name: fullRef.slice(slash + 1),
        prefix: fullRef.slice(0, slash + 1),
        target: buildCommit(context, blobs, sha),
      }
    },
    object: async (args: { expression?: string | null; oid?: string | null }) => {
      const expression = args.oid ?? args.expression ?? ''
      const sha = await context.store.resolve(expression)
      if (sha === undefined) return null
      const colon = expression.indexOf(':')
      return buildGitObject(context, blobs, sha, colon < 0 ? '' : expression.slice(colon + 1).replace(/^\/+|\/+$/g, ''))
    },
    pullRequest: (args: { number: number }) => {
      const pull = context.state.pulls.get(args.number)
      if (pull === undefined) {
        throw new GraphQLError(`Could not resolve to a PullRequest with the number of ${args.number}.`, {
          extensions: { type: 'NOT_FOUND' },
        })
      }
      return buildPullRequest(context, blobs, pull)
    },
    pullRequests: (args: PullRequestsArgs) =>
      buildConnection(
        listPullRequests(context, args).map((pull) => buildPullRequest(context, blobs, pull)),
        args,
        'pullRequests',
      ),
  }
}

/** Arguments of `Repository.pullRequests`. */
interface PullRequestsArgs extends ConnectionArgs {
  readonly states?: readonly string[] | null
  readonly labels?: readonly string[] | null
  readonly baseRefName?: string | null
  readonly headRefName?: string | null
  readonly orderBy?: { readonly field: 'CREATED_AT' | 'UPDATED_AT' | 'COMMENTS'; readonly direction: 'ASC' | 'DESC' } | null
}

function pullRequestState(pull: PullRequestRecord): 'OPEN' | 'CLOSED' | 'MERGED' {
  return pull.merged ? 'MERGED' : pull.state === 'open' ? 'OPEN' : 'CLOSED'
}

/** The pull requests `Repository.pullRequests` lists, filtered and in its order (oldest first by default). */
function listPullRequests(context: EmulatorContext, args: PullRequestsArgs): PullRequestRecord[] {
  // The emulator models no labels, so asking for any label matches nothing.
  if (args.labels && args.labels.length > 0) return []
  const comments = (pull: PullRequestRecord) => context.state.comments.filter((comment) => comment.issueNumber === pull.number).length
  const keyOf = (pull: PullRequestRecord): number => {
    if (args.orderBy?.field === 'UPDATED_AT') return pull.updatedAt.getTime()
    if (args.orderBy?.field === 'COMMENTS') return comments(pull)
    return pull.createdAt.getTime()
  }
  const sign = args.orderBy?.direction === 'DESC' ? -1 : 1
  return [...context.state.pulls.values()]
    .filter((pull) => !args.states || args.states.includes(pullRequestState(pull)))
    .filter((pull) => !args.baseRefName || pull.baseRef === args.baseRefName)
    .filter((pull) => !args.headRefName || pull.headRef === args.headRefName)
    .sort((a, b) => sign * (keyOf(a) - keyOf(b) || a.number - b.number))
}

async function buildGitObject(context: EmulatorContext, blobs: BlobLoader, sha: string, path: string): Promise<GraphqlObject | null> {
  const type = await context.store.objectType(sha)
  if (type === 'blob') return buildBlob(blobs, sha)
  if (type === 'tree') return buildTree(context, blobs, sha, path)
  if (type === 'commit') return buildCommit(context, blobs, sha)
  return null
}

function buildBlob(blobs: BlobLoader, sha: string): GraphqlObject {
  const content = () => blobs.load(sha).then((buffer) => buffer ?? Buffer.alloc(0))
  const isBinary = async () => (await content()).subarray(0, 8000).includes(0)
  return {
    __typename: 'Blob',
    id: Buffer.from(`Blob:${sha}`).toString('base64'),
    oid: sha,
    abbreviatedOid: sha.slice(0, 7),
    byteSize: async () => (await content()).length,
    isBinary,
    isTruncated: async () => (await content()).length > maxBlobText,
    text: async () => ((await isBinary()) ? null : (await content()).subarray(0, maxBlobText).toString('utf8')),
  }
}

function buildTree(context: EmulatorContext, blobs: BlobLoader, sha: string, path: string): GraphqlObject {
  return {
    __typename: 'Tree',
    id: Buffer.from(`Tree:${sha}`).toString('base64'),
    oid: sha,
    abbreviatedOid: sha.slice(0, 7),
    entries: async () => {
      const entries = (await context.store.readTree(sha)) ?? []
      blobs.prefetch(entries.filter((entry) => entry.type === 'blob').map((entry) => entry.sha))
      return entries.map((entry) => buildTreeEntry(context, blobs, entry, path === '' ? entry.path : `${path}/${entry.path}`))
    },
  }
}

/** `TreeEntry`: one entry of a tree, `fullPath` from the repository's root. */
function buildTreeEntry(context: EmulatorContext, blobs: BlobLoader, entry: GitTreeEntry, fullPath: string): GraphqlObject {
  const name = fullPath.slice(fullPath.lastIndexOf('/') + 1)
  const dot = name.lastIndexOf('.')
  return {
    __typename: 'TreeEntry',
    name,
    path: fullPath,
    type: entry.type,
    mode: Number.parseInt(entry.mode, 8),
    oid: entry.sha,
    size: entry.size ?? 0,
    extension: dot > 0 ? name.slice(dot) : null,
    isGenerated: false,
    object: () =>
      entry.type === 'blob' ? buildBlob(blobs, entry.sha) : entry.type === 'tree' ? buildTree(context, blobs, entry.sha, fullPath) : null,
  }
}

/** `Commit.file(path:)`: the entry at `path` in the commit's tree, or null when there is none. */
async function readFileEntry(context: EmulatorContext, blobs: BlobLoader, treeSha: string, path: string): Promise<GraphqlObject | null> {
  const fullPath = path.replace(/^\/+|\/+$/g, '')
  if (fullPath === '') return null
  const slash = fullPath.lastIndexOf('/')
  const directory = slash < 0 ? treeSha : await context.store.resolve(`${treeSha}:${fullPath.slice(0, slash)}`)
  if (directory === undefined) return null
  const name = fullPath.slice(slash + 1)
  const entry = ((await context.store.readTree(directory)) ?? []).find((candidate) => candidate.path === name)
  return entry === undefined ? null : buildTreeEntry(context, blobs, entry, fullPath)
}

function buildCommit(context: EmulatorContext, blobs: BlobLoader, sha: string): GraphqlObject {
  // Read on first use: a listed commit whose fields nobody selects (a parent, a merge commit) costs nothing.
  let pending: Promise<GitCommit | undefined> | undefined
  const readCommit = (): Promise<GitCommit | undefined> => (pending ??= context.store.readCommit(sha))
  const identity = (which: 'author' | 'committer') => async () => {
    const read = await readCommit()
    if (read === undefined) return null
    const email = read[which].email
    // GitHub links a commit to the account whose (noreply) e-mail address it carries.
    const login = /^\d+\+(.+)@users\.noreply\.github\.com$/.exec(email)?.[1]
    const user = login === undefined || login.endsWith('[bot]') ? null : buildActor(context, login)
    return { __typename: 'GitActor', name: read[which].name, email, date: toIso(read[which].date), user }
  }
  return {
    __typename: 'Commit',
    id: Buffer.from(`Commit:${sha}`).toString('base64'),
    oid: sha,
    abbreviatedOid: sha.slice(0, 7),
    message: async () => (await readCommit())?.message.replace(/\n$/, '') ?? '',
    messageHeadline: async () => (await readCommit())?.message.split('\n')[0] ?? '',
    committedDate: async () => toIso((await readCommit())?.committer.date ?? new Date(0)),
    authoredDate: async () => toIso((await readCommit())?.author.date ?? new Date(0)),
    author: identity('author'),
    committer: identity('committer'),
    tree: async () => {
      const read = await readCommit()
      return read === undefined ? null : buildTree(context, blobs, read.tree, '')
    },
    file: async (args: { path: string }) => {
      const read = await readCommit()
      return read === undefined ? null : readFileEntry(context, blobs, read.tree, args.path)
    },
    parents: async (args: ConnectionArgs) => {
      const read = await readCommit()
      // First parent first: for a merge, the branch that was merged into.
      return buildConnection(
        (read?.parents ?? []).map((parent) => buildCommit(context, blobs, parent)),
        args,
        'parents',
      )
    },
    // `git log -- <path>` from this commit (GitHub's commit history, newest first); the newest 100 are served.
    history: async (args: ConnectionArgs & { path?: string | null }) => {
      const shas = await context.store.listHistory(sha, args.path ?? undefined, 100)
      return buildConnection(
        shas.map((commit) => buildCommit(context, blobs, commit)),
        args,
        'history',
      )
    },
    // Counted against the first parent, as GitHub's commit page shows a merge; a root commit against nothing.
    changedFilesIfAvailable: async () => {
      const read = await readCommit()
      if (read === undefined) return null
      return (await context.store.diff(read.parents[0] ?? EMPTY_TREE, sha)).length
    },
    // GitHub signs the commits it makes itself (createCommitOnBranch, web merges) with its web-flow key.
    signature: () =>
      context.state.signedCommits.has(sha)
        ? {
            __typename: 'GpgSignature',
            email: GITHUB_COMMITTER.email,
            isValid: true,
            wasSignedByGitHub: true,
            state: 'VALID',
            payload: '',
            signature: '',
            signer: buildActor(context, 'web-flow'),
          }
        : null,
    statusCheckRollup: () => buildStatusCheckRollup(context, sha),
    checkSuites: (args: ConnectionArgs & { filterBy?: { appId?: number | null; checkName?: string | null } | null }) =>
      buildConnection(buildCheckSuites(context, sha, args.filterBy ?? {}), args, 'checkSuites'),
    url: `${context.apiUrl()}/${context.owner}/${context.repo}/commit/${sha}`,
  }
}

/** `Commit.checkSuites`: one suite per app with check runs on the commit (the emulator's only app). */
function buildCheckSuites(
  context: EmulatorContext,
  sha: string,
  filterBy: { appId?: number | null; checkName?: string | null },
): GraphqlObject[] {
  const runs = context.state.checkRuns.filter((run) => run.headSha === sha && run.appSlug === context.appSlug)
  if (runs.length === 0) return []
  if (filterBy.appId !== undefined && filterBy.appId !== null && filterBy.appId !== context.appId) return []
  const named = runs.filter((run) => !filterBy.checkName || run.name === filterBy.checkName)
  if (named.length === 0) return []
  return [
    {
      __typename: 'CheckSuite',
      id: Buffer.from(`CheckSuite:${sha}:${context.appSlug}`).toString('base64'),
      app: { __typename: 'App', databaseId: context.appId, slug: context.appSlug, name: context.appSlug },
      checkRuns: (args: ConnectionArgs & { filterBy?: { checkName?: string | null } | null }) =>
        buildConnection(
          runs
            .filter((run) => !args.filterBy?.checkName || run.name === args.filterBy.checkName)
            .map((run) => ({
              __typename: 'CheckRun',
              id: Buffer.from(`CheckRun:${run.id}`).toString('base64'),
              databaseId: run.id,
              name: run.name,
              externalId: run.externalId,
              conclusion: run.conclusion === null ? null : run.conclusion.toUpperCase(),
            })),
          args,
          'checkRuns',
        ),
    },
  ]
}

/** GraphQL's `Actor`: bots are `Bot` and their login has no `[bot]` suffix there. */
function buildActor(context: EmulatorContext, login: string): GraphqlObject {
  const isBot = login.endsWith('[bot]')
  return {
    __typename: isBot ? 'Bot' : 'User',
    login: isBot ? login.slice(0, -'[bot]'.length) : login,
    id: Buffer.from(`${isBot ? 'Bot' : 'User'}:${context.state.userId(login)}`).toString('base64'),
    databaseId: context.state.userId(login),
    url: `${context.apiUrl()}/${login}`,
    avatarUrl: `${context.apiUrl()}/avatars/${login}`,
  }
}

function buildPullRequest(context: EmulatorContext, blobs: BlobLoader, pull: PullRequestRecord): GraphqlObject {
  const changedFiles = async () => {
    const mergeBase = (await context.store.mergeBase(pull.baseSha, pull.headSha)) ?? pull.baseSha
    return context.store.diff(mergeBase, pull.headSha)
  }
  return {
    __typename: 'PullRequest',
    id: Buffer.from(`PullRequest:${pull.id}`).toString('base64'),
    databaseId: pull.id,
    number: pull.number,
    title: pull.title,
    body: pull.body ?? '',
    state: pullRequestState(pull),
    closed: pull.state === 'closed',
    closedAt: pull.closedAt === null ? null : toIso(pull.closedAt),
    merged: pull.merged,
    mergedAt: pull.mergedAt === null ? null : toIso(pull.mergedAt),
    mergedBy: pull.mergedByLogin === null ? null : buildActor(context, pull.mergedByLogin),
    mergeCommit: pull.mergeCommitSha === null ? null : buildCommit(context, blobs, pull.mergeCommitSha),
    createdAt: toIso(pull.createdAt),
    updatedAt: toIso(pull.updatedAt),
    headRefOid: pull.headSha,
    headRefName: pull.headRef,
    baseRefOid: pull.baseSha,
    baseRefName: pull.baseRef,
    headRepositoryOwner: { __typename: pull.headOwner === context.owner ? 'Organization' : 'User', login: pull.headOwner },
    isCrossRepository: pull.headOwner !== context.owner,
    isDraft: pull.draft,
    author: buildActor(context, pull.authorLogin),
    url: `${context.apiUrl()}/${context.owner}/${context.repo}/pull/${pull.number}`,
    changedFiles: async () => (await changedFiles()).length,
    additions: async () => (await changedFiles()).reduce((sum, file) => sum + file.additions, 0),
    deletions: async () => (await changedFiles()).reduce((sum, file) => sum + file.deletions, 0),
    files: async (args: ConnectionArgs) => {
      const files = (await changedFiles()).map((file) => ({
        __typename: 'PullRequestChangedFile',
        path: file.path,
        changeType: file.status === 'added' ? 'ADDED' : file.status === 'removed' ? 'DELETED' : 'MODIFIED',
        additions: file.additions,
        deletions: file.deletions,
      }))
      return buildConnection(files, args, 'files')
    },
    commits: async (args: ConnectionArgs) => {
      const mergeBase = (await context.store.mergeBase(pull.baseSha, pull.headSha)) ?? pull.baseSha
      const listed = (await context.store.run(['rev-list', '--reverse', `${mergeBase}..${pull.headSha}`])).stdout.toString('utf8')
      const shas = listed.split('\n').filter((line) => line.length > 0)
      const commits = shas.map((sha) => ({ __typename: 'PullRequestCommit', commit: buildCommit(context, blobs, sha) }))
      return buildConnection(commits, args, 'commits')
    },
    timelineItems: (args: ConnectionArgs & { itemTypes?: string[] | null }) => {
      // Only dismissals are modelled; asking for other item types lists none of them.
      const wanted = !args.itemTypes || args.itemTypes.includes('REVIEW_DISMISSED_EVENT')
      const dismissed = wanted
        ? context.state.reviews
            .filter((review) => review.pullNumber === pull.number && review.dismissal !== undefined)
            .sort((a, b) => (a.dismissal?.at.getTime() ?? 0) - (b.dismissal?.at.getTime() ?? 0))
        : []
      return buildConnection(
        dismissed.map((review) => ({
          __typename: 'ReviewDismissedEvent',
          id: Buffer.from(`ReviewDismissedEvent:${review.id}`).toString('base64'),
          actor: buildActor(context, review.dismissal?.by ?? 'ghost'),
          createdAt: toIso(review.dismissal?.at ?? review.submittedAt),
          previousReviewState: review.dismissal?.previousState,
          review: buildReview(context, blobs, review),
          dismissalMessage: null,
        })),
        args,
        'timelineItems',
      )
    },
    // The conversation's comments, oldest first (GitHub's order).
    comments: (args: ConnectionArgs) =>
      buildConnection(
        context.state.comments
          .filter((comment) => comment.issueNumber === pull.number)
          .map((comment) => buildIssueComment(context, comment)),
        args,
        'comments',
      ),
    reviews: (args: ConnectionArgs & { states?: string[] | null; author?: string | null }) => {
      const reviews = context.state.reviews
        .filter((review) => review.pullNumber === pull.number)
        .filter((review) => !args.states || args.states.includes(review.state))
        .filter((review) => !args.author || review.login === args.author)
      return buildConnection(
        reviews.map((review) => buildReview(context, blobs, review)),
        args,
        'reviews',
      )
    },
  }
}

/**
 * `IssueComment`. Every GraphQL caller of the emulator is the app's installation, so the viewer is the
 * app's bot: `viewerDidAuthor` is true exactly for the comments the app wrote.
 */
function buildIssueComment(context: EmulatorContext, comment: IssueCommentRecord): GraphqlObject {
  return {
    __typename: 'IssueComment',
    id: Buffer.from(`IssueComment:${comment.id}`).toString('base64'),
    databaseId: comment.id,
    fullDatabaseId: String(comment.id),
    author: buildActor(context, comment.login),
    authorAssociation: comment.login.endsWith('[bot]') ? 'NONE' : 'MEMBER',
    body: comment.body,
    viewerDidAuthor: comment.login === botLogin(context),
    createdAt: toIso(comment.createdAt),
    updatedAt: toIso(comment.updatedAt),
    url: `${context.apiUrl()}/${context.owner}/${context.repo}/pull/${comment.issueNumber}#issuecomment-${comment.id}`,
  }
}

function buildReview(context: EmulatorContext, blobs: BlobLoader, review: ReviewRecord): GraphqlObject {
  return {
    __typename: 'PullRequestReview',
    id: Buffer.from(`PullRequestReview:${review.id}`).toString('base64'),
    databaseId: review.id,
    author: buildActor(context, review.login),
    authorAssociation: 'MEMBER',
    state: review.state,
    body: review.body,
    commit: buildCommit(context, blobs, review.commitId),
    submittedAt: toIso(review.submittedAt),
    createdAt: toIso(review.submittedAt),
    url: `${context.apiUrl()}/${context.owner}/${context.repo}/pull/${review.pullNumber}#pullrequestreview-${review.id}`,
  }
}

function buildOrganization(context: EmulatorContext): GraphqlObject {
  return {
    __typename: 'Organization',
    login: context.owner,
    team: (args: { slug: string }) => {
      const members = context.state.teams.get(`${context.owner.toLowerCase()}/${args.slug.toLowerCase()}`)
      if (members === undefined) return null
      return {
        __typename: 'Team',
        slug: args.slug,
        name: args.slug,
        combinedSlug: `${context.owner}/${args.slug}`,
        members: (connectionArgs: ConnectionArgs) =>
          buildConnection(
            members.map((login) => buildActor(context, login)),
            connectionArgs,
            'members',
          ),
        repositories: (connectionArgs: ConnectionArgs & { query?: string | null }) => {
          const permission = context.state.permissionOf(`${context.owner}/${args.slug}`)
          const matches = !connectionArgs.query || context.repo.toLowerCase().includes(connectionArgs.query.toLowerCase())
          const edges =
            permission === 'none' || !matches
              ? []
              : [
                  {
                    __typename: 'TeamRepositoryEdge',
                    permission: permission.toUpperCase(),
                    node: { __typename: 'Repository', name: context.repo, nameWithOwner: `${context.owner}/${context.repo}` },
                  },
                ]
          return { ...buildConnection(edges, connectionArgs, 'repositories'), edges }
        },
      }
    },
  }
}
