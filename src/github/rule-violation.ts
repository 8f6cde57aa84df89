import type { GitHubApi } from './github-api.js'

/** GitHub refused a branch update because of the repository's rules: the rules it names, one line each. */
export interface RuleViolation {
  readonly rules: readonly string[]
}

const MARKER = 'Repository rule violations found'

/**
 * Whether a failed write is GitHub refusing it under a ruleset, whatever the path: the REST git refs API answers
 * 422 `Repository rule violations found` followed by the rules, the merge API 405 with the same text, and
 * GraphQL (`createCommitOnBranch`) an error whose message starts so. Anything else (a branch that moved, a
 * timeout) is not a rule violation and is answered as before.
 */
export function classifyRuleViolation(error: unknown): RuleViolation | undefined {
  if (typeof error !== 'object' || error === null) return undefined
  const { message, errors, response } = error as {
    message?: unknown
    errors?: unknown
    response?: { data?: { message?: unknown } }
  }
  const candidates = [
    response?.data?.message,
    ...(Array.isArray(errors) ? errors.map((entry: { message?: unknown }) => entry.message) : []),
    message,
  ]
  const text = candidates.find((candidate): candidate is string => typeof candidate === 'string' && candidate.includes(MARKER))
  if (text === undefined) return undefined
  const after = text.slice(text.indexOf(MARKER) + MARKER.length)
  const rules = after
    .split('\n')
    .map((line) => line.replace(/^\s*-\s*/, '').trim())
    .filter((line) => line !== '' && !/^for refs\//.test(line) && !/^https?:\/\//.test(line) && line !== '-')
  return { rules }
}

/** The app's own record commit was refused by a ruleset it cannot bypass; the message says what to change. */
export class RulesetRefusedCommitError extends Error {
  override readonly name = 'RulesetRefusedCommitError'

  constructor(
    readonly branch: string,
    readonly rules: readonly string[],
    /** The rulesets in force on the branch that the app cannot bypass (empty when they could not be read). */
    readonly rulesets: readonly string[],
    options: { cause?: unknown } = {},
  ) {
    const named = rulesets.length === 0 ? 'the rulesets on this branch' : rulesets.map((name) => `"${name}"`).join(' and ')
    super(
      `GitHub refused the app's commit to ${branch} under the repository's rules` +
        (rules.length > 0 ? ` (${rules.join(' ')})` : '') +
        `. The app commits its records straight to ${branch}, so it must be allowed to bypass ${named}: ` +
        `in the repository's Settings → Rules → Rulesets, open ${named} and add this GitHub App to the bypass list ` +
        `with "Always allow" (actor_type Integration, actor_id = the app's id), or import examples/rulesets/access-repository.json ` +
        `with the app's id filled in. Nothing was committed; re-running is safe.`,
      options,
    )
  }
}

/**
 * Builds the error for a refused record commit, naming the rulesets in force on the branch that the app cannot
 * bypass (`GET /repos/{owner}/{repo}/rules/branches/{branch}`, then each ruleset: calls made only on this failure).
 * When they cannot be read the error still says what to change, without the names.
 */
export async function explainRefusedCommit(params: {
  api: GitHubApi
  owner: string
  repo: string
  branch: string
  violation: RuleViolation
  cause: unknown
}): Promise<RulesetRefusedCommitError> {
  const { api, owner, repo, branch } = params
  let names: string[] = []
  try {
    const rules = await api.request<Array<{ ruleset_id?: number }>>('GET /repos/{owner}/{repo}/rules/branches/{branch}', {
      owner,
      repo,
      branch,
    })
    const ids = [...new Set(rules.data.map((rule) => rule.ruleset_id).filter((id): id is number => typeof id === 'number'))].slice(0, 5)
    for (const id of ids) {
      const ruleset = await api.request<{ name: string; current_user_can_bypass?: string }>(
        'GET /repos/{owner}/{repo}/rulesets/{ruleset_id}',
        { owner, repo, ruleset_id: id },
      )
      if (ruleset.data.current_user_can_bypass !== 'always' && ruleset.data.current_user_can_bypass !== 'exempt')
        names.push(ruleset.data.name)
    }
  } catch {
    // The refusal is what matters; without the names the message still says what to change.
    names = []
  }
  return new RulesetRefusedCommitError(branch, params.violation.rules, names, { cause: params.cause })
}
