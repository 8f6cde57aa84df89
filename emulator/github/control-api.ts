import type { EmulatorContext, PendingEvent } from './emulator-context.js'
import type { IssueCommentRecord, IssueRecord, PullRequestRecord, RepositoryPermission, ReviewRecord } from './emulator-state.js'
import type { GitIdentity } from './git-store.js'
import type { WebhookDelivery } from './webhook-deliverer.js'
import { moveBranch } from './branch-moves.js'
import { createCommitOnBranch } from './graphql-create-commit-on-branch.js'
import { createRuleset, type RulesetRecord } from './rulesets.js'
import {
  buildIssueCommentEvent,
  buildMergeGroupEvent,
  buildPullRequestEvent,
  buildPushEvent,
  buildReviewEvent,
} from './webhook-payloads.js'

/** File contents to write; `null` deletes the path. */
export type FileChanges = Readonly<Record<string, string | null>>

/** A user action's result: what it made, and the webhook delivery GitHub would have sent for it. */
export interface ActionResult {
  readonly delivery: WebhookDelivery
}

/** GitHub's three merge methods (the merge button's choices). */
export type MergeMethod = 'merge' | 'squash' | 'rebase'

/** The error the control API throws when a user action is impossible (unknown PR, merge conflict). */
export class ControlActionError extends Error {
  constructor(message: string, options: { cause?: unknown } = {}) {
    super(message, options)
    this.name = 'ControlActionError'
  }
}

/**
 * Performs what people do on GitHub (open, push, review, comment, merge) against the emulated repository,
 * with real commits, and delivers the webhook each action causes. Each method resolves once the receiver
 * has answered, so a test can assert on what the app did in response.
 */
export class GitHubControlApi {
  private readonly context: EmulatorContext
  private readonly send: (event: PendingEvent) => Promise<WebhookDelivery>
  /** The merge queue of each base branch: its groups' commits, first in line first. */
  private readonly queues = new Map<string, readonly string[]>()

  constructor(params: { context: EmulatorContext; send: (event: PendingEvent) => Promise<WebhookDelivery> }) {
    this.context = params.context
    this.send = params.send
  }

  /** Commits straight to the default branch (seeding policies, CODEOWNERS). No webhook unless `deliverPush`. */
  async commitToDefaultBranch(params: {
    files: FileChanges
    message?: string
    author?: string
    deliverPush?: boolean
  }): Promise<{ sha: string; delivery?: WebhookDelivery }> {
    const { store } = this.context
    const ref = `refs/heads/${store.defaultBranch}`
    const parent = await store.readRef(ref)
    const author = params.author ?? 'admin'
    const sha = await this.commitFiles({ parent, files: params.files, message: params.message ?? 'Update files', author })
    // A `git push` by `author`: the repository's rulesets may refuse it (RuleViolationError, GitHub's GH013 text).
    const move = { fullRef: ref, before: parent ?? null, after: sha, actor: { kind: 'user', login: author }, via: 'git' } as const
    if (!(await moveBranch(this.context, move))) throw new ControlActionError(`${ref} moved while committing to it`)
    if (params.deliverPush !== true) return { sha }
    const delivery = await this.send(
      buildPushEvent(this.context, { ref, before: parent ?? '0'.repeat(40), after: sha, pusherLogin: author, forced: false }),
    )
    return { sha, delivery }
  }

  /**
   * Commits `files` to the default branch as the app commits its records: through `createCommitOnBranch`
   * (authored by the app's bot, committed and signed by GitHub), for seeding a record the app wrote.
   */
  async commitAsApp(params: { files: FileChanges; message: string }): Promise<{ sha: string }> {
    const { store } = this.context
    const head = await store.readRef(`refs/heads/${store.defaultBranch}`)
    if (head === undefined) throw new ControlActionError(`The default branch ${store.defaultBranch} has no commit`)
    const [headline = '', ...rest] = params.message.split('\n')
    const entries = Object.entries(params.files)
    const { sha } = await createCommitOnBranch(this.context, {
      branch: { repositoryNameWithOwner: `${this.context.owner}/${this.context.repo}`, branchName: store.defaultBranch },
      expectedHeadOid: head,
      fileChanges: {
        additions: entries.flatMap(([path, text]) => (text === null ? [] : [{ path, contents: Buffer.from(text).toString('base64') }])),
        deletions: entries.flatMap(([path, text]) => (text === null ? [{ path }] : [])),
      },
      message: { headline, body: rest.join('\n').trim() },
    })
    return { sha }
  }

  /**
   * Opens a pull request from a new branch whose one commit, on top of the default branch, writes `files`.
   * With `fork`, the branch lives in `<fork>/<repo>` (a cross-repository pull request).
   */
  async openPullRequest(params: {
    author: string
    branch: string
    files: FileChanges
    title: string
    body?: string
    draft?: boolean
    fork?: string
    message?: string
  }): Promise<ActionResult & { number: number; headSha: string }> {
    const { store, state } = this.context
    const baseSha = await store.readRef(`refs/heads/${store.defaultBranch}`)
    if (baseSha === undefined) throw new ControlActionError(`The default branch ${store.defaultBranch} has no commit to branch from`)
    const headSha = await this.commitFiles({
      parent: baseSha,
      files: params.files,
      message: params.message ?? params.title,
      author: params.author,
    })
    const number = state.allocateNumber()
    const headOwner = params.fork ?? this.context.owner
    if (params.fork === undefined) {
      const move = { fullRef: `refs/heads/${params.branch}`, before: null, after: headSha, via: 'git' } as const
      if (!(await moveBranch(this.context, { ...move, actor: { kind: 'user', login: params.author } })))
        throw new ControlActionError(`Branch ${params.branch} already exists`)
    } else {
      state.forks.add(params.fork)
    }
    await store.updateRef(`refs/pull/${number}/head`, headSha)
    const pull = state.openPull(
      {
        number,
        title: params.title,
        body: params.body ?? null,
        authorLogin: params.author,
        headRef: params.branch,
        headSha,
        headOwner,
        baseRef: store.defaultBranch,
        baseSha,
        draft: params.draft ?? false,
      },
      this.context.clock(),
    )
    const delivery = await this.send(await buildPullRequestEvent(this.context, { action: 'opened', pull, senderLogin: params.author }))
    return { number, headSha, delivery }
  }

  /** Registers `<owner>/<repo>` as a fork, for `openPullRequest({ fork: owner })`. */
  addCollaboratorFork(owner: string): string {
    this.context.state.forks.add(owner)
    return `${owner}/${this.context.repo}`
  }

  /**
   * Pushes one more commit to a pull request's branch (`pull_request.synchronize`). The commit's author and
   * committer are `author` (default the PR's author); the push, GitHub's `sender`, is by `pusher` (default
   * the author): git lets a pusher write any name and e-mail into a commit. `deliver: false` pushes without
   * the webhook reaching the app (a missed delivery).
   */
  async pushToPullRequest(
    number: number,
    files: FileChanges,
    options: { author?: string; pusher?: string; message?: string; deliver?: boolean } = {},
  ): Promise<ActionResult & { headSha: string }> {
    const pull = this.openPull(number)
    const before = pull.headSha
    const author = options.author ?? pull.authorLogin
    const headSha = await this.commitFiles({ parent: before, files, message: options.message ?? `Update ${pull.headRef}`, author })
    return this.movePullRequestHead(pull, {
      headSha,
      before,
      by: options.pusher ?? author,
      ...(options.pusher ? { pusher: options.pusher } : {}),
      ...(options.deliver === false ? { deliver: false } : {}),
    })
  }

  /**
   * GitHub's "Update branch" button: a merge commit on the pull request's branch whose first parent is the
   * head and whose second is the base branch's tip (`pull_request.synchronize`). Throws on conflicts.
   */
  async updatePullRequestBranch(number: number, params: { by: string }): Promise<ActionResult & { headSha: string }> {
    const pull = this.openPull(number)
    const { store } = this.context
    const baseTip = await store.readRef(`refs/heads/${pull.baseRef}`)
    if (baseTip === undefined) throw new ControlActionError(`Base branch ${pull.baseRef} does not exist`)
    const merge = await store.mergeTrees(pull.headSha, baseTip)
    if (!merge.clean)
      throw new ControlActionError(`Pull request #${number} conflicts with ${pull.baseRef} in: ${merge.conflicts.join(', ')}`)
    const now = this.context.clock()
    const headSha = await store.createCommit({
      tree: merge.tree,
      parents: [pull.headSha, baseTip],
      message: `Merge branch '${pull.baseRef}' into ${pull.headRef}\n`,
      author: this.identity(params.by, now),
      committer: { name: 'GitHub', email: 'noreply@github.com', date: now },
    })
    return this.movePullRequestHead(pull, { headSha, before: pull.headSha, by: params.by })
  }

  private async movePullRequestHead(
    pull: PullRequestRecord,
    params: { headSha: string; before: string; by: string; pusher?: string; deliver?: boolean },
  ): Promise<ActionResult & { headSha: string }> {
    const { store } = this.context
    const { headSha, before } = params
    if (pull.headOwner === this.context.owner) {
      const fullRef = `refs/heads/${pull.headRef}`
      if (!(await moveBranch(this.context, { fullRef, before, after: headSha, actor: { kind: 'user', login: params.by }, via: 'git' })))
        throw new ControlActionError(`${fullRef} moved while pushing to it`)
    }
    await store.updateRef(`refs/pull/${pull.number}/head`, headSha)
    pull.headSha = headSha
    pull.baseSha = (await store.readRef(`refs/heads/${pull.baseRef}`)) ?? pull.baseSha
    pull.updatedAt = this.context.clock()
    const event = await buildPullRequestEvent(this.context, {
      action: 'synchronize',
      pull,
      senderLogin: params.pusher ?? params.by,
      extra: { before, after: headSha },
    })
    const delivery: WebhookDelivery =
      params.deliver === false
        ? {
            id: 'not-delivered',
            event: event.event,
            action: 'synchronize',
            payload: event.payload,
            status: 0,
            error: 'not delivered (deliver: false)',
            attempts: 0,
          }
        : await this.send(event)
    return { headSha, delivery }
  }

  /** A review by `login` on the head commit (or `commitId`): `pull_request_review.submitted`. */
  async submitReview(
    number: number,
    params: { login: string; state: 'APPROVED' | 'CHANGES_REQUESTED' | 'COMMENTED'; body?: string; commitId?: string },
  ): Promise<ActionResult & { reviewId: number }> {
    const pull = this.pull(number)
    const review: ReviewRecord = {
      id: this.context.state.allocateId(),
      pullNumber: number,
      login: params.login,
      state: params.state,
      body: params.body ?? '',
      commitId: params.commitId ?? pull.headSha,
      submittedAt: this.context.clock(),
    }
    this.context.state.reviews.push(review)
    // GitHub takes a reviewer off the requested list once they review.
    pull.requestedReviewers = pull.requestedReviewers.filter((login) => login.toLowerCase() !== params.login.toLowerCase())
    const delivery = await this.send(await buildReviewEvent(this.context, { action: 'submitted', pull, review, senderLogin: params.login }))
    return { reviewId: review.id, delivery }
  }

  /** Dismisses a review (`pull_request_review.dismissed`); its state becomes DISMISSED. */
  async dismissReview(number: number, reviewId: number, params: { by: string }): Promise<ActionResult> {
    const pull = this.pull(number)
    const review = this.context.state.reviews.find((candidate) => candidate.id === reviewId && candidate.pullNumber === number)
    if (review === undefined) throw new ControlActionError(`Pull request #${number} has no review ${reviewId}`)
    review.dismissal = { by: params.by, previousState: review.state, at: this.context.clock() }
    review.state = 'DISMISSED'
    const delivery = await this.send(await buildReviewEvent(this.context, { action: 'dismissed', pull, review, senderLogin: params.by }))
    return { delivery }
  }

  /**
   * Merges as GitHub's merge button does, by `method` (default `merge`), and delivers `pull_request.closed`
   * with `merged: true`. Throws on conflicts, like GitHub's disabled merge button.
   * - `merge`: a merge commit on the base branch (two parents: the base tip, then the head);
   * - `squash`: one new commit with the combined change, whose only parent is the base tip;
   * - `rebase`: each of the pull request's commits (merge commits left out) re-applied in order onto the
   *   base tip, keeping its author, committed by GitHub; the "merge commit" GitHub reports is the last
   *   of them, and the base branch moves to it in one ref update.
   */
  async mergePullRequest(
    number: number,
    params: { by: string; message?: string; method?: MergeMethod },
  ): Promise<ActionResult & { mergeCommitSha: string; commits: string[] }> {
    const pull = this.openPull(number)
    const { store } = this.context
    const baseRef = `refs/heads/${pull.baseRef}`
    const baseTip = await store.readRef(baseRef)
    if (baseTip === undefined) throw new ControlActionError(`Base branch ${pull.baseRef} does not exist`)
    const now = this.context.clock()
    const committer = { name: 'GitHub', email: 'noreply@github.com', date: now }
    const conflict = (paths: readonly string[]) =>
      new ControlActionError(`Pull request #${number} conflicts with ${pull.baseRef} in: ${paths.join(', ')}`)
    const method = params.method ?? 'merge'
    const commits: string[] = []
    if (method === 'rebase') {
      const mergeBase = (await store.mergeBase(baseTip, pull.headSha)) ?? baseTip
      let tip = baseTip
      for (const sha of await store.listCommitsBetween(mergeBase, pull.headSha)) {
        const original = await store.readCommit(sha)
        if (!original) throw new ControlActionError(`Commit ${sha} of pull request #${number} is missing`)
        const applied = await store.applyCommitTree({ onto: tip, parent: original.parents[0] ?? mergeBase, commit: sha })
        if (!applied.clean) throw conflict(applied.conflicts)
        tip = await store.createCommit({
          tree: applied.tree,
          parents: [tip],
          message: original.message,
          author: original.author,
          committer,
        })
        commits.push(tip)
      }
    } else {
      const merge = await store.mergeTrees(baseTip, pull.headSha)
      if (!merge.clean) throw conflict(merge.conflicts)
      const squash = method === 'squash'
      commits.push(
        await store.createCommit({
          tree: merge.tree,
          parents: squash ? [baseTip] : [baseTip, pull.headSha],
          message:
            params.message ??
            (squash
              ? `${pull.title} (#${number})\n`
              : `Merge pull request #${number} from ${pull.headOwner}/${pull.headRef}\n\n${pull.title}\n`),
          author: this.identity(params.by, now),
          committer,
        }),
      )
    }
    const mergeCommitSha = commits[commits.length - 1]
    if (mergeCommitSha === undefined) throw new ControlActionError(`Pull request #${number} has no commits to rebase onto ${pull.baseRef}`)
    // The merge button: the rulesets judge the pull request (reviews, required checks, merge method); a refusal is
    // GitHub's 405 "Repository rule violations found" (RuleViolationError), and nothing moves.
    const move = { fullRef: baseRef, before: baseTip, after: mergeCommitSha, via: 'merge', activityType: 'pr_merge' } as const
    if (!(await moveBranch(this.context, { ...move, actor: { kind: 'user', login: params.by }, merge: { pull, method } })))
      throw new ControlActionError(`${baseRef} moved while merging #${number}`)
    Object.assign(pull, {
      state: 'closed',
      merged: true,
      mergedAt: now,
      mergedByLogin: params.by,
      mergeCommitSha,
      closedAt: now,
      updatedAt: now,
    })
    const delivery = await this.send(await buildPullRequestEvent(this.context, { action: 'closed', pull, senderLogin: params.by }))
    return { mergeCommitSha, commits, delivery }
  }

  /**
   * "Merge when ready" with a merge queue: GitHub builds the group's temporary merge commit (first parent
   * the group ahead in the queue, or the base branch's tip; second parent the pull request's head) on
   * `refs/heads/gh-readonly-queue/<base>/pr-<number>-<head sha>`, and delivers `merge_group.checks_requested`
   * with `base_sha` the group's parent commit. Throws on conflicts, as GitHub removes such a pull request.
   */
  async enqueuePullRequest(
    number: number,
    params: { by: string },
  ): Promise<ActionResult & { headSha: string; headRef: string; baseSha: string }> {
    const pull = this.openPull(number)
    const { store } = this.context
    const baseRef = `refs/heads/${pull.baseRef}`
    const queue = this.queues.get(baseRef) ?? []
    const ahead = queue[queue.length - 1]
    const baseSha = ahead ?? (await store.readRef(baseRef))
    if (baseSha === undefined) throw new ControlActionError(`Base branch ${pull.baseRef} does not exist`)
    const merge = await store.mergeTrees(baseSha, pull.headSha)
    if (!merge.clean)
      throw new ControlActionError(`Pull request #${number} conflicts with the merge queue in: ${merge.conflicts.join(', ')}`)
    const now = this.context.clock()
    const headSha = await store.createCommit({
      tree: merge.tree,
      parents: [baseSha, pull.headSha],
      message: `Merge pull request #${number} from ${pull.headOwner}/${pull.headRef}\n\n${pull.title}\n`,
      author: this.identity(params.by, now),
      committer: { name: 'GitHub', email: 'noreply@github.com', date: now },
    })
    const headRef = `refs/heads/gh-readonly-queue/${pull.baseRef}/pr-${number}-${pull.headSha}`
    if (!(await store.updateRef(headRef, headSha, null))) throw new ControlActionError(`#${number} is already in the merge queue`)
    this.queues.set(baseRef, [...queue, headSha])
    const head = await store.readCommit(headSha)
    if (head === undefined) throw new ControlActionError(`The merge group commit ${headSha} is missing`)
    const delivery = await this.send(buildMergeGroupEvent(this.context, { headRef, baseRef, baseSha, head, senderLogin: params.by }))
    return { headSha, headRef, baseSha, delivery }
  }

  /** Closes without merging (`pull_request.closed`, `merged: false`). */
  async closePullRequest(number: number, params: { by: string }): Promise<ActionResult> {
    const pull = this.openPull(number)
    const now = this.context.clock()
    Object.assign(pull, { state: 'closed', closedAt: now, updatedAt: now })
    const delivery = await this.send(await buildPullRequestEvent(this.context, { action: 'closed', pull, senderLogin: params.by }))
    return { delivery }
  }

  /** A comment on the pull request's conversation (`issue_comment.created`). */
  async comment(number: number, params: { login: string; body: string }): Promise<ActionResult & { commentId: number }> {
    const pull = this.pull(number)
    const now = this.context.clock()
    const comment: IssueCommentRecord = {
      id: this.context.state.allocateId(),
      issueNumber: number,
      login: params.login,
      body: params.body,
      createdAt: now,
      updatedAt: now,
    }
    this.context.state.comments.push(comment)
    const delivery = await this.send(buildIssueCommentEvent(this.context, { action: 'created', pull, comment, senderLogin: params.login }))
    return { commentId: comment.id, delivery }
  }

  /** Sets a team's members; `team` is `@org/slug` as CODEOWNERS writes it, or `org/slug`. */
  setTeam(team: string, members: readonly string[]): void {
    const match = /^@?([^/\s]+)\/([^/\s]+)$/.exec(team)
    if (match === null) throw new ControlActionError(`Team "${team}" is not of the form @org/slug`)
    this.context.state.teams.set(`${(match[1] ?? '').toLowerCase()}/${(match[2] ?? '').toLowerCase()}`, [...members])
  }

  /** Sets the repository permission of a user (`login`) or a team (`@org/slug`); everyone else has write access. */
  setPermission(who: string, permission: RepositoryPermission): void {
    this.context.state.permissions.set(who.replace(/^@/, '').toLowerCase(), permission)
  }

  /**
   * Adds a repository ruleset, as an administrator does with "Import a ruleset" (the JSON GitHub exports) or
   * `POST /repos/{owner}/{repo}/rulesets`; from then on every branch move obeys it.
   */
  importRuleset(ruleset: Record<string, unknown>): Readonly<RulesetRecord> {
    return createRuleset(this.context, ruleset)
  }

  /** Sets what the app's installation was granted (what `GET /repos/{owner}/{repo}/installation` answers). */
  setInstallationGrants(grants: { permissions: Record<string, string>; events: readonly string[] }): void {
    this.context.state.installationGrants = { permissions: { ...grants.permissions }, events: [...grants.events] }
  }

  /** What the emulator knows about a pull request right now. */
  pullRequest(number: number): Readonly<PullRequestRecord> {
    return this.pull(number)
  }

  /** Comments on a pull request, oldest first (including the app's). */
  /** Issues (not pull requests) the app opened, oldest first. */
  issues(): ReadonlyArray<Readonly<IssueRecord>> {
    return this.context.state.issues
  }

  comments(number: number): ReadonlyArray<Readonly<IssueCommentRecord>> {
    return this.context.state.comments.filter((comment) => comment.issueNumber === number)
  }

  /** Check runs on a commit, oldest first. */
  checkRuns(sha: string) {
    return this.context.state.checkRuns.filter((run) => run.headSha === sha)
  }

  private identity(login: string, date: Date): GitIdentity {
    return { name: login, email: `${this.context.state.userId(login)}+${login}@users.noreply.github.com`, date }
  }

  private async commitFiles(params: { parent: string | undefined; files: FileChanges; message: string; author: string }): Promise<string> {
    const { store } = this.context
    const baseTree = params.parent === undefined ? undefined : (await store.readCommit(params.parent))?.tree
    const tree = await store.writeFiles(baseTree, params.files)
    return store.createCommit({
      tree,
      parents: params.parent === undefined ? [] : [params.parent],
      message: params.message,
      author: this.identity(params.author, this.context.clock()),
    })
  }

  private pull(number: number): PullRequestRecord {
    const pull = this.context.state.pulls.get(number)
    if (pull === undefined) throw new ControlActionError(`There is no pull request #${number}`)
    return pull
  }

  private openPull(number: number): PullRequestRecord {
    const pull = this.pull(number)
    if (pull.state !== 'open') throw new ControlActionError(`Pull request #${number} is ${pull.merged ? 'merged' : 'closed'}`)
    return pull
  }
}
