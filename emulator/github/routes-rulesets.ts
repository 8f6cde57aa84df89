import type { EmulatorContext } from './emulator-context.js'
import { GitHubHttpError } from './github-http-error.js'
import { bodyOf, repoApiUrl, requireRepository } from './route-helpers.js'
import { paginate, type RestRequest, type RestRoute } from './rest-route.js'
import { createRuleset, rulesetJson, rulesOnRef } from './rulesets.js'

/**
 * Repository rulesets: list, create, read one, and the rules in force on a branch. The list carries no rules,
 * conditions or bypass list (as GitHub's does not); `GET .../rulesets/{id}` has them. The caller is the app.
 */
export function createRulesetRoutes(): RestRoute[] {
  return [
    { method: 'GET', template: '/repos/{owner}/{repo}/rulesets', auth: 'installation', handle: listRulesets },
    { method: 'POST', template: '/repos/{owner}/{repo}/rulesets', auth: 'installation', handle: postRuleset },
    { method: 'GET', template: '/repos/{owner}/{repo}/rulesets/{ruleset_id}', auth: 'installation', handle: getRuleset },
    { method: 'GET', template: '/repos/{owner}/{repo}/rules/branches/{branch}', auth: 'installation', handle: rulesForBranch },
  ]
}

async function listRulesets(request: RestRequest, context: EmulatorContext) {
  requireRepository(request, context)
  const summaries = context.state.rulesets.map((ruleset) => {
    const {
      rules: _rules,
      conditions: _conditions,
      bypass_actors: _bypass,
      current_user_can_bypass: _can,
      ...summary
    } = rulesetJson(context, ruleset, { kind: 'app' })
    return summary
  })
  const page = paginate(summaries, request.query, `${repoApiUrl(context)}/rulesets`)
  return { status: 200, body: page.items, headers: page.headers }
}

async function postRuleset(request: RestRequest, context: EmulatorContext) {
  requireRepository(request, context)
  return { status: 201, body: rulesetJson(context, createRuleset(context, bodyOf(request)), { kind: 'app' }) }
}

async function getRuleset(request: RestRequest, context: EmulatorContext) {
  requireRepository(request, context)
  const ruleset = context.state.rulesets.find((candidate) => candidate.id === Number(request.params.ruleset_id))
  if (ruleset === undefined) throw new GitHubHttpError(404, 'Not Found')
  return { status: 200, body: rulesetJson(context, ruleset, { kind: 'app' }) }
}

async function rulesForBranch(request: RestRequest, context: EmulatorContext) {
  requireRepository(request, context)
  const rules = rulesOnRef(context, `refs/heads/${request.params.branch ?? ''}`).map(({ ruleset, rule }) => ({
    ...rule,
    ruleset_source_type: 'Repository',
    ruleset_source: `${context.owner}/${context.repo}`,
    ruleset_id: ruleset.id,
  }))
  const page = paginate(rules, request.query, `${repoApiUrl(context)}/rules/branches/${request.params.branch ?? ''}`)
  return { status: 200, body: page.items, headers: page.headers }
}
