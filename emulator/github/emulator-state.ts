import type { RulesetRecord } from './rulesets.js'

/** A pull request as the emulator remembers it; its commits live in the git store. */
export interface PullRequestRecord {
  readonly number: number
  readonly id: number
  title: string
  body: string | null
  readonly authorLogin: string
  /** Branch name in the head repository. */
  readonly headRef: string
  headSha: string
  /** Owner of the head repository: the base owner, or a fork's owner. */
  readonly headOwner: string
  readonly baseRef: string
  /** The base branch's tip when the pull request was opened or last pushed to (GitHub's `base.sha`). */
  baseSha: string
  state: 'open' | 'closed'
  draft: boolean
  merged: boolean
  mergedAt: Date | null
  mergedByLogin: string | null
  mergeCommitSha: string | null
  readonly createdAt: Date
  updatedAt: Date
  closedAt: Date | null
  /** Who is asked to review (logins), and which teams (slugs of the repository's organisation), as GitHub keeps them. */
  requestedReviewers: string[]
  requestedTeams: string[]
}

/** What the opener of a pull request decides; the rest of a PullRequestRecord follows from it. */
export type OpenedPullFields = Pick<
  PullRequestRecord,
  'number' | 'title' | 'body' | 'authorLogin' | 'headRef' | 'headSha' | 'headOwner' | 'baseRef' | 'baseSha' | 'draft'
>

export type ReviewState = 'APPROVED' | 'CHANGES_REQUESTED' | 'COMMENTED' | 'DISMISSED' | 'PENDING'

export interface ReviewRecord {
  readonly id: number
  readonly pullNumber: number
  readonly login: string
  state: ReviewState
  readonly body: string
  readonly commitId: string
  readonly submittedAt: Date
  /** Set when dismissed: who did, what the review said before (GitHub's `ReviewDismissedEvent`). */
  dismissal?: { readonly by: string; readonly previousState: ReviewState; readonly at: Date }
}

/** A repository permission, as GitHub's REST API names the base roles. */
export type RepositoryPermission = 'admin' | 'maintain' | 'write' | 'triage' | 'read' | 'none'

export interface IssueCommentRecord {
  readonly id: number
  readonly issueNumber: number
  readonly login: string
  body: string
  readonly createdAt: Date
  updatedAt: Date
}

/** An issue (not a pull request) opened through the REST API. */
export interface IssueRecord {
  readonly id: number
  readonly number: number
  readonly title: string
  readonly body: string
  readonly authorLogin: string
  readonly assignees: readonly string[]
  readonly createdAt: Date
}

export interface CheckRunRecord {
  readonly id: number
  readonly headSha: string
  name: string
  status: 'queued' | 'in_progress' | 'completed' | 'waiting' | 'requested' | 'pending'
  conclusion: string | null
  startedAt: Date
  completedAt: Date | null
  output: { title: string | null; summary: string | null; text: string | null }
  detailsUrl: string | null
  externalId: string | null
  readonly appSlug: string
}

/** GitHub's kinds of branch move, as the repository activity API names them. */
export type ActivityType = 'push' | 'force_push' | 'branch_creation' | 'branch_deletion' | 'pr_merge'

/** One move of a branch (`refs/heads/*`), as `GET /repos/{owner}/{repo}/activity` lists it. */
export interface ActivityRecord {
  readonly id: number
  readonly ref: string
  readonly before: string
  readonly after: string
  readonly activityType: ActivityType
  readonly actorLogin: string
  readonly timestamp: Date
}

export interface InstallationToken {
  readonly installationId: number
  readonly expiresAt: Date
}

/**
 * Everything the emulator knows that is not in git: pull requests, reviews, comments, check runs,
 * teams, forks and issued tokens. One instance per emulated repository.
 */
export class EmulatorState {
  readonly pulls = new Map<number, PullRequestRecord>()
  readonly reviews: ReviewRecord[] = []
  readonly comments: IssueCommentRecord[] = []
  /** Issues that are not pull requests; they share the pull requests' numbers, as on GitHub. */
  readonly issues: IssueRecord[] = []
  readonly checkRuns: CheckRunRecord[] = []
  /** `org/slug` → member logins. */
  readonly teams = new Map<string, string[]>()
  readonly forks = new Set<string>()
  /**
   * Repository permissions of users (`login`) and teams (`org/slug`), lower-cased. Anyone not listed has
   * write access (the emulator's users are the organisation's engineers), so only exceptions are set.
   */
  readonly permissions = new Map<string, RepositoryPermission>()
  readonly tokens = new Map<string, InstallationToken>()
  /** Commits GitHub made and signed itself (web-flow): a signature no pusher can forge. */
  readonly signedCommits = new Set<string>()
  /** Every move of a branch, oldest first. */
  readonly activity: ActivityRecord[] = []
  /** Repository rulesets, oldest first (`POST /repos/{owner}/{repo}/rulesets`, or the control API's `importRuleset`). */
  readonly rulesets: RulesetRecord[] = []
  /**
   * What the installation was granted (`permissions`, `events` of the app and its installation): by default what
   * the app's manifest (app.yml) asks for; `setInstallationGrants` plants an installation that lags behind it.
   */
  installationGrants: { permissions: Record<string, string>; events: string[] } = {
    permissions: {
      checks: 'write',
      contents: 'write',
      pull_requests: 'write',
      issues: 'write',
      members: 'read',
      metadata: 'read',
      merge_queues: 'read',
    },
    events: ['pull_request', 'pull_request_review', 'check_run', 'check_suite', 'merge_group', 'issue_comment', 'push'],
  }
  private readonly userIds = new Map<string, number>()
  private nextId = 1000

  /** A fresh numeric id, unique across every kind of record (GitHub's ids are too). */
  allocateId(): number {
    this.nextId += 1
    return this.nextId
  }

  /** Records a branch move for the activity API; moves of other refs (`refs/pull/*`) are not activity. */
  recordActivity(move: Omit<ActivityRecord, 'id'>): void {
    if (!move.ref.startsWith('refs/heads/')) return
    this.activity.push({ id: this.allocateId(), ...move })
  }

  /** The next issue/pull request number. */
  allocateNumber(): number {
    return this.pulls.size + this.issues.length + 1
  }

  /** A stable id for a login, so the same user always has the same id. */
  userId(login: string): number {
    const known = this.userIds.get(login)
    if (known !== undefined) return known
    const id = 5000 + this.userIds.size
    this.userIds.set(login, id)
    return id
  }

  /** Registers a newly opened pull request; its lifecycle fields start as GitHub's do (open, unmerged). */
  openPull(fields: OpenedPullFields, now: Date): PullRequestRecord {
    const pull: PullRequestRecord = {
      ...fields,
      id: this.allocateId(),
      state: 'open',
      merged: false,
      mergedAt: null,
      mergedByLogin: null,
      mergeCommitSha: null,
      createdAt: now,
      updatedAt: now,
      closedAt: null,
      requestedReviewers: [],
      requestedTeams: [],
    }
    this.pulls.set(pull.number, pull)
    return pull
  }

  /** The permission of a user (`login`) or team (`org/slug`) on the repository. */
  permissionOf(who: string): RepositoryPermission {
    return this.permissions.get(who.toLowerCase()) ?? 'write'
  }

  pullOrUndefined(number: number): PullRequestRecord | undefined {
    return this.pulls.get(number)
  }
}
