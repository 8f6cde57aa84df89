import { loadAccessRepository } from '../../core/files/access-repository.js'
import type { ActionCatalogue } from '../../core/matching/action-catalogue.js'
import { parseAccessRequest } from '../../core/files/access-request.js'
import { decide, teamsToResolve } from '../../core/decision/decide.js'
import type { Decision } from '../../core/decision/decision.js'
import { reportClassification, reportDecision, reportRulesCheck, type CheckRunReport } from '../../github/check-run-report.js'
import { classifyPullRequest, type PullRequestKind } from '../../github/classify-pull-request.js'
import { readFilesAtCommits, type FilesCache } from '../../github/files-at-commit.js'
import type { GitHubApi } from '../../github/github-api.js'
import { GitHubReadError } from '../../github/github-read-error.js'
import { readPullRequest } from '../../github/pull-request-facts.js'
import { readTeamMembers } from '../../github/team-members.js'

/** The decision engine's entry points, injectable so adapter tests can prove what is fetched for what. */
export interface Engine {
  readonly decide: typeof decide
  readonly teamsToResolve: typeof teamsToResolve
  readonly loadAccessRepository: typeof loadAccessRepository
}

/** The real engine from `src/core`. */
export const CORE_ENGINE: Engine = { decide, teamsToResolve, loadAccessRepository }

/** What to do with the app's PR comment. */
export type CommentPlan =
  /** Create or update the comment for approvers. */
  | { readonly kind: 'request'; readonly decision: Decision }
  /** Update an existing comment (never create one): the PR is no longer a request that can be granted. */
  | { readonly kind: 'withdrawn'; readonly title: string; readonly reason: string }

/** The outcome of evaluating a pull request: a value, printed or asserted before anything is written. */
export interface Evaluation {
  readonly pullNumber: number
  readonly headSha: string
  readonly kind: PullRequestKind['kind']
  readonly report: CheckRunReport
  readonly comment?: CommentPlan
  readonly decision?: Decision
}

export interface EvaluationDeps {
  readonly api: GitHubApi
  readonly cache: FilesCache
  readonly catalogue: ActionCatalogue
  readonly now: Date
  readonly engine: Engine
  /** Told about teams GitHub did not show, for the operator's log. */
  readonly warn?: (message: string, details: Record<string, unknown>) => void
}

/**
 * Finds the facts (PR, then the rules at the base SHA and the request at the head SHA, then the teams
 * the engine asks for), and builds what the check run and the comment should say. Reads only.
 */
export async function evaluatePullRequest(
  deps: EvaluationDeps,
  target: { owner: string; repo: string; number: number },
): Promise<Evaluation> {
  const { api, engine } = deps
  const pr = await readPullRequest(api, target)
  const kind = classifyPullRequest(pr)
  const base = { pullNumber: pr.number, headSha: pr.headSha, kind: kind.kind }

  if (kind.kind === 'rejected' || kind.kind === 'ignored') {
    const comment: CommentPlan | undefined = kind.touchesRequest ? { kind: 'withdrawn', title: kind.title, reason: kind.reason } : undefined
    return { ...base, report: reportClassification(kind), ...(comment ? { comment } : {}) }
  }

  if (kind.kind === 'rules') {
    // A rule change is validated as it would be after merge: the head's files, like `jit validate`.
    const { rules } = await readFilesAtCommits(api, deps.cache, { owner: target.owner, repo: target.repo, rulesAt: pr.headSha })
    const files = rules?.files ?? []
    const repository = engine.loadAccessRepository({ files, catalogue: deps.catalogue })
    const errors = [...(rules?.problems ?? []), ...repository.errors]
    return { ...base, report: reportRulesCheck({ headSha: pr.headSha, paths: kind.paths, repository, errors }) }
  }

  // The rules come from the base SHA (a request cannot loosen its own rules); the request from the head SHA.
  const reads = await readFilesAtCommits(api, deps.cache, {
    owner: target.owner,
    repo: target.repo,
    rulesAt: pr.baseSha,
    requestAt: { sha: pr.headSha, path: kind.path },
  })
  const loaded = engine.loadAccessRepository({ files: reads.rules?.files ?? [], catalogue: deps.catalogue })
  const repository = { ...loaded, errors: [...(reads.rules?.problems ?? []), ...loaded.errors] }
  const requestFile = reads.request?.files[0]
  if (!requestFile) {
    const problem = reads.request?.problems[0]
    throw new GitHubReadError(`${kind.path} at ${pr.headSha.slice(0, 7)}`, {
      detail: problem?.message ?? 'GitHub returned no such file (was the branch pushed again?)',
    })
  }
  const request = parseAccessRequest({ file: requestFile.path, text: requestFile.text })
  const teams = engine.teamsToResolve({ requestFile, request, repository, author: pr.author })
  const directory = await readTeamMembers(api, teams)
  if (directory.unknown.length > 0) deps.warn?.('teams not visible to the app', { teams: directory.unknown })
  const decision = engine.decide({
    requestFile,
    request,
    repository,
    author: pr.author,
    headSha: pr.headSha,
    reviews: pr.reviews,
    contributors: pr.contributors,
    teams: directory.members,
    now: deps.now,
    catalogue: deps.catalogue,
  })
  return {
    ...base,
    report: reportDecision(decision, { unknownTeams: directory.unknown }),
    comment: { kind: 'request', decision },
    decision,
  }
}
