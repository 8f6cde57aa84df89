import { existsSync } from 'node:fs'
import { readFile } from 'node:fs/promises'
import { join } from 'node:path'
import { fileURLToPath } from 'node:url'
import { readRepositoryFiles } from '../src/cli/read-repository-files.js'
import { parseTeams } from '../src/cli/teams-file.js'
import { decide, teamsToResolve } from '../src/core/decision/decide.js'
import type { Decision, TeamMembers } from '../src/core/decision/decision.js'
import { renderDecision } from '../src/core/decision/render-decision.js'
import { loadAccessRepository, type AccessRepository } from '../src/core/files/access-repository.js'
import { parseAccessRequest } from '../src/core/files/access-request.js'
import type { ActionCatalogue } from '../src/core/matching/action-catalogue.js'
import { reportDecision, type CheckRunReport } from '../src/github/check-run-report.js'
import { renderRequestComment } from '../src/github/request-comment.js'

/** The rules a request file is judged by, with who is in which team. */
export interface EvaluationWorld {
  readonly repository: AccessRepository
  readonly teams: TeamMembers
  readonly catalogue: ActionCatalogue
  readonly now: Date
}

/** The example access repository (examples/access-repo) as the world adversarial files are judged in. */
export async function loadExampleWorld(catalogue: ActionCatalogue): Promise<EvaluationWorld> {
  // bench/ from the sources (vitest), dist/bench/ once built (`npm run bench`).
  const candidates = ['../examples/access-repo/', '../../examples/access-repo/'].map((path) =>
    fileURLToPath(new URL(path, import.meta.url)),
  )
  const root = candidates.find((candidate) => existsSync(join(candidate, 'teams.yaml'))) ?? candidates[0]!
  const repository = loadAccessRepository({ files: await readRepositoryFiles(root), catalogue })
  const teams = parseTeams({ file: 'teams.yaml', text: await readFile(join(root, 'teams.yaml'), 'utf8') })
  if (!teams.ok) throw new Error(`examples/access-repo/teams.yaml: ${JSON.stringify(teams.errors)}`)
  return { repository, teams: teams.value, catalogue, now: new Date('2026-12-01T08:00:00Z') }
}

/** What a pull request's check would publish for one request file. */
export interface RequestEvaluation {
  readonly decision: Decision
  readonly report: CheckRunReport
  readonly commentBody: string
  readonly text: string
}

/**
 * The pure path of a check, from the file's text to what is published: parse, validate, decide, render
 * (text and Markdown), the check-run report and the comment. No I/O.
 */
export function evaluateRequestText(world: EvaluationWorld, file: { path: string; text: string }): RequestEvaluation {
  const requestFile = file
  const request = parseAccessRequest({ file: file.path, text: file.text })
  const author = 'alice'
  teamsToResolve({ requestFile, request, repository: world.repository, author })
  const decision = decide({
    requestFile,
    request,
    repository: world.repository,
    author,
    headSha: 'a'.repeat(40),
    reviews: [{ id: 1, login: 'bob', state: 'APPROVED', commitId: 'a'.repeat(40), submittedAt: '2026-12-01T07:00:00Z', isBot: false }],
    contributors: [],
    teams: world.teams,
    now: world.now,
    catalogue: world.catalogue,
  })
  return {
    decision,
    report: reportDecision(decision, { unknownTeams: [] }),
    commentBody: renderRequestComment(decision, new Set()).body,
    text: renderDecision(decision, { format: 'text' }),
  }
}
