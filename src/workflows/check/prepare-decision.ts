import { loadAccessRepository, type AccessRepository, type RepositoryFile } from '../../core/files/access-repository.js'
import type { ActionCatalogue } from '../../core/matching/action-catalogue.js'
import { parseAccessRequest } from '../../core/files/access-request.js'
import { requestIdFor } from '../../core/records/grant-record.js'
import { codeOwnersToVerify, decide, teamsToResolve } from '../../core/decision/decide.js'
import type { Decision, PushFacts, Review } from '../../core/decision/decision.js'
import { readUsersWithoutWriteAccess } from '../../github/collaborator-access.js'
import type { Logger } from '../../core/ports/logger.js'
import type { FilesAtCommit } from '../../github/files-at-commit.js'
import type { GitHubApi } from '../../github/github-api.js'
import type { PullRequestFacts } from '../../github/pull-request-facts.js'
import { readTeamMembers } from '../../github/team-members.js'

/** The decision engine's entry points, injectable so adapter tests can prove what is fetched for what. */
export interface Engine {
  readonly decide: typeof decide
  readonly teamsToResolve: typeof teamsToResolve
  readonly loadAccessRepository: typeof loadAccessRepository
}

/** The real engine from `src/core`. */
export const CORE_ENGINE: Engine = { decide, teamsToResolve, loadAccessRepository }

/** The decision on a request, and what was learnt on the way that its report and its caller need. */
export interface PreparedDecision {
  readonly decision: Decision
  /** The rules the decision was made by (the settings, for a grant). */
  readonly repository: AccessRepository
  /** Teams GitHub showed no members for: approvals through them cannot count. */
  readonly unknownTeams: readonly string[]
  /** The time the decision was made at, read from the clock once. */
  readonly now: Date
}

/**
 * The one way a request is decided, for its check and again at its merge: load the rules (with the files
 * that could not be read), parse the request once, read the members of the teams the engine asks for, warn about the teams GitHub
 * did not show, then decide. The caller chooses the commits the rules and the request were read at, and
 * which reviews count. Reads GitHub only for the teams.
 */
export async function prepareDecision(params: {
  readonly api: GitHubApi
  readonly engine: Engine
  readonly catalogue: ActionCatalogue
  /** The rules as read at the commit the request is judged by. */
  readonly rules: FilesAtCommit
  readonly requestFile: RepositoryFile
  readonly pullRequest: Pick<PullRequestFacts, 'number' | 'author' | 'headSha' | 'contributors'>
  readonly reviews: readonly Review[]
  /** Who pushed, as GitHub authenticated it (see `establishPushes`). */
  readonly pushes: PushFacts
  /** The access repository, whose code owners must have write access to it. */
  readonly repositoryName: { readonly owner: string; readonly repo: string }
  /** Read once, after the teams are read. */
  readonly now: () => Date
  readonly log: Pick<Logger, 'warn'>
  /** What the log lines say this evaluation is (the pull request, the delivery). */
  readonly logFields: Record<string, unknown>
}): Promise<PreparedDecision> {
  const { api, engine, catalogue, requestFile, pullRequest } = params
  const repository = engine.loadAccessRepository({ files: params.rules.files, unreadable: params.rules.problems, catalogue })
  // Parsed once: the teams to resolve and the decision read the same request.
  const request = parseAccessRequest({ file: requestFile.path, text: requestFile.text })
  const teams = engine.teamsToResolve({ requestFile, request, repository, author: pullRequest.author })
  // GitHub ignores code owners without write access. Teams are asked in the members query; users only
  // when they reviewed (an owner who did not review counts for nothing either way), one call each.
  const owners = codeOwnersToVerify({ requestFile, request, repository, author: pullRequest.author })
  const { owner, repo } = params.repositoryName
  const directory = await readTeamMembers(api, teams, { teams: owners.teams, repository: { owner, name: repo } })
  if (directory.unknown.length > 0) params.log.warn({ ...params.logFields, teams: directory.unknown }, 'teams not visible to the app')
  const reviewers = new Set(params.reviews.map((review) => review.login.toLowerCase()))
  const usersWithoutWrite = await readUsersWithoutWriteAccess(api, {
    owner,
    repo,
    users: owners.users.filter((user) => reviewers.has(user.toLowerCase())),
  })
  const now = params.now()
  const decision = engine.decide({
    requestFile,
    request,
    repository,
    author: pullRequest.author,
    headSha: pullRequest.headSha,
    reviews: params.reviews,
    contributors: pullRequest.contributors,
    pushes: params.pushes,
    ownersWithoutWriteAccess: [...directory.withoutWriteAccess, ...usersWithoutWrite],
    teams: directory.members,
    now,
    catalogue,
    // The grant's policy name and size depend on its id, so the check measures the very grant.
    requestId: requestIdFor(pullRequest.number),
  })
  return { decision, repository, unknownTeams: directory.unknown, now }
}
