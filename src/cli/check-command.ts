import { parseArgs } from 'node:util'
import { isAbsolute, relative, resolve, sep } from 'node:path'
import { loadAccessRepository } from '../core/files/access-repository.js'
import { parseAccessRequest, parseDateTime } from '../core/files/access-request.js'
import { loadActionCatalogue } from '../aws/load-action-catalogue.js'
import { decide, teamsToResolve } from '../core/decision/decide.js'
import type { Decision, Review } from '../core/decision/decision.js'
import { formatInputError } from '../core/files/input-error.js'
import type { CheckDecisionOutput, CheckTeamsFileFailure } from '../core/files/schemas/check-output-schema.js'
import { renderDecision } from '../core/decision/render-decision.js'
import { EXIT, UsageError, type CliCommand, type CliIo } from './cli-io.js'
import { locateRepositoryRoot, readRepositoryFiles, readTextIfExists } from './read-repository-files.js'
import { readTeamsFile } from './teams-file.js'

export const CHECK_USAGE = `jit check <request-file> [--repo DIR] [--author LOGIN] [--approved-by LOGIN,...]
                         [--changes-requested-by LOGIN,...] [--teams FILE] [--at ISO-TIME] [--json]`

/** `jit check`, as `main` dispatches it. */
export const checkCommand: CliCommand = { name: 'check', run: runCheckCommand, usage: CHECK_USAGE }

/** A stand-in for the PR head commit when evaluating offline: every given review is on it. */
const LOCAL_HEAD = 'HEAD'

/** `jit check`: the decision the app would make for this request file, offline. Exit 0 approved, 1 pending, 3 denied, 2 invalid. */
export async function runCheckCommand(args: readonly string[], io: CliIo): Promise<number> {
  const { values, positionals } = parseArgs({
    args: [...args],
    allowPositionals: true,
    options: {
      repo: { type: 'string' },
      author: { type: 'string' },
      'approved-by': { type: 'string' },
      'changes-requested-by': { type: 'string' },
      teams: { type: 'string' },
      at: { type: 'string' },
      json: { type: 'boolean', default: false },
    },
  })
  if (positionals.length !== 1) throw new UsageError(`expected one request file`)
  const repoRoot = await locateRepositoryRoot({ cwd: io.cwd, repo: values.repo })
  const requestAbsolute = await locateRequestFile({ arg: positionals[0]!, cwd: io.cwd, repoRoot })
  const requestPath = relative(repoRoot, requestAbsolute).split(sep).join('/')
  if (requestPath.startsWith('..') || isAbsolute(requestPath)) {
    throw new UsageError(`${positionals[0]} is not inside the access repository ${repoRoot} (set --repo)`)
  }
  const author = values.author ?? io.env.JIT_AUTHOR
  if (!author) throw new UsageError('--author is required: the GitHub login of the person opening the pull request (or set JIT_AUTHOR)')
  const now = values.at !== undefined ? parseTime(values.at) : (io.now?.() ?? new Date())

  const requestText = await readTextIfExists(requestAbsolute)
  if (requestText === undefined) throw new UsageError(`request file not found: ${positionals[0]}`)
  const teamsResult =
    values.teams !== undefined
      ? await readTeamsFile(resolve(io.cwd, values.teams), values.teams)
      : { ok: true as const, value: new Map<string, string[]>() }
  const catalogue = await loadActionCatalogue()
  const repository = loadAccessRepository({ files: await readRepositoryFiles(repoRoot), catalogue })
  const reviews = [
    ...toReviews(values['approved-by'], 'APPROVED', now),
    ...toReviews(values['changes-requested-by'], 'CHANGES_REQUESTED', now),
  ]
  if (!teamsResult.ok) {
    if (values.json) {
      const output: CheckTeamsFileFailure = { verdict: 'invalid', summary: 'Invalid teams file', errors: teamsResult.errors }
      io.stdout.write(JSON.stringify(output) + '\n')
    } else teamsResult.errors.forEach((error) => io.stderr.write(formatInputError(error) + '\n'))
    return EXIT.invalid
  }
  const teams = teamsResult.value
  const requestFile = { path: requestPath, text: requestText }
  const request = parseAccessRequest({ file: requestPath, text: requestText })
  const decision = decide({ requestFile, request, repository, author, headSha: LOCAL_HEAD, reviews, teams, now, catalogue })
  // Offline, a team missing from --teams has no members: say so rather than let "not a requester" mislead.
  const unknownTeams = teamsToResolve({ requestFile, request, repository, author }).filter((team) => !teams.has(team))
  const warnings =
    unknownTeams.length > 0 ? [`team membership unknown for ${unknownTeams.join(', ')} (not in --teams): counted as empty`] : []
  if (values.json) {
    io.stdout.write(JSON.stringify(toCheckOutput(decision, warnings), null, 2) + '\n')
  } else {
    io.stdout.write(renderDecision(decision, { format: 'text' }))
    for (const warning of warnings) io.stderr.write(`warning: ${warning}\n`)
  }
  return EXIT[decision.verdict]
}

/** The request path as given, from the working directory; failing that, from the repository root. */
async function locateRequestFile(params: { arg: string; cwd: string; repoRoot: string }): Promise<string> {
  const fromCwd = resolve(params.cwd, params.arg)
  if (isAbsolute(params.arg) || (await readTextIfExists(fromCwd)) !== undefined) return fromCwd
  const fromRepo = resolve(params.repoRoot, params.arg)
  return (await readTextIfExists(fromRepo)) !== undefined ? fromRepo : fromCwd
}

/** The same date-time rules as a request's `start`: a timezone is required, and 31 February does not roll over. */
function parseTime(text: string): Date {
  const time = parseDateTime(text)
  if (!time) throw new UsageError(`--at must be an ISO 8601 time with a timezone, such as 2026-12-01T09:00:00Z, not "${text}"`)
  return time
}

function toReviews(list: string | undefined, state: Review['state'], now: Date): Review[] {
  return (list ?? '')
    .split(',')
    .map((login) => login.trim().replace(/^@/, ''))
    .filter((login) => login.length > 0)
    .map((login) => ({ login, state, commitId: LOCAL_HEAD, submittedAt: now.toISOString() }))
}

/** The machine-readable form of a decision (`--json`), as `schemas/check-output.schema.json` describes it. */
export function toCheckOutput(decision: Decision, warnings: readonly string[]): CheckDecisionOutput {
  return {
    verdict: decision.verdict,
    summary: decision.summary,
    errors: decision.errors,
    request: decision.requestPath,
    author: decision.author,
    evaluatedAt: decision.evaluatedAt.toISOString(),
    items: decision.items.map((item) => ({
      account: item.item.account,
      ...('permissionSet' in item.item
        ? { permissionSet: item.item.permissionSet }
        : { action: item.item.action, resource: item.item.resource }),
      policy: item.policy ?? null,
      candidates: item.candidates,
      nearMisses: item.nearMisses,
    })),
    policies: decision.policies.map((result) => ({
      name: result.policy.name,
      file: result.policy.file,
      satisfied: result.satisfied,
      autoApproved: result.autoApproved,
      impossible: result.impossible,
      rules: result.rules.map((rule) => ({
        from: rule.source,
        count: rule.rule.count,
        counted: rule.counted.map((approval) => approval.login),
        ignored: rule.ignored,
        missing: rule.missing,
        ...(rule.impossible ? { impossible: rule.impossible } : {}),
      })),
    })),
    blockers: decision.blockers.map((blocker) => blocker.login),
    missing: decision.missing,
    warnings,
  }
}
