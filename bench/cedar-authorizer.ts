import { preparsePolicySet, statefulIsAuthorized, type StatefulAuthorizationCall } from '@cedar-policy/cedar-wasm/nodejs'
import type { ActionCatalogue } from '../src/core/matching/action-catalogue.js'
import type { TeamMembers } from '../src/core/decision/decision.js'
import type { Policy } from '../src/core/files/policy.js'
import { createCedarCall, indexTeamsByMember, translatePoliciesToCedar } from './cedar-policies.js'
import type { AuthorizationQuestion } from './generate-access-repo.js'

/** Cedar refused the policy set or a request (a bug in the translation, not a "deny"). */
export class CedarCallError extends Error {
  override readonly name = 'CedarCallError'
}

/** Cedar's answer to one question. */
export interface CedarAnswer {
  readonly allows: boolean
  /** The policies that allowed it (their names). */
  readonly policies: readonly string[]
}

/** Our policies as a preparsed Cedar policy set, and the calls that ask it questions. */
export interface CedarAuthorizer {
  /** The Cedar text of each policy, by policy name. */
  readonly policyTexts: Readonly<Record<string, string>>
  readonly translateMs: number
  readonly preparseMs: number
  /** Builds the call for a question (entities and context), outside any timed loop. */
  createCall(question: AuthorizationQuestion): StatefulAuthorizationCall
  /** One `statefulIsAuthorized` call. */
  authorize(call: StatefulAuthorizationCall): CedarAnswer
}

/**
 * Translates the policies and preparses them once under `policySetId` (cedar-wasm keeps preparsed
 * policy sets in its own memory): `statefulIsAuthorized` then skips parsing the policy set on every
 * call, which `isAuthorized` repeats each time. It is cedar-wasm 4.13's fastest documented path;
 * entities still cross into wasm with each call (there is no preparsed-entities API), so each call
 * carries only the principal and its team parents.
 */
export function createCedarAuthorizer(params: {
  policies: readonly Policy[]
  catalogue: ActionCatalogue
  teams: TeamMembers
  policySetId: string
  now: () => number
}): CedarAuthorizer {
  const { policySetId, now } = params
  let started = now()
  const policyTexts = translatePoliciesToCedar({ policies: params.policies, catalogue: params.catalogue })
  const translateMs = now() - started
  started = now()
  const parsed = preparsePolicySet(policySetId, { staticPolicies: policyTexts })
  const preparseMs = now() - started
  if (parsed.type !== 'success')
    throw new CedarCallError(`Cedar cannot parse the translated policies: ${parsed.errors.map((error) => error.message).join('; ')}`)
  const teamsOf = indexTeamsByMember(params.teams)
  return {
    policyTexts,
    translateMs,
    preparseMs,
    createCall: (question) => createCedarCall({ question, policySetId, teamsOf }),
    authorize: (call) => {
      const answer = statefulIsAuthorized(call)
      if (answer.type !== 'success')
        throw new CedarCallError(`Cedar could not evaluate a request: ${answer.errors.map((error) => error.message).join('; ')}`)
      const errors = answer.response.diagnostics.errors
      if (errors.length > 0)
        throw new CedarCallError(`Cedar policy errors: ${errors.map((error) => `${error.policyId}: ${error.error.message}`).join('; ')}`)
      return { allows: answer.response.decision === 'allow', policies: answer.response.diagnostics.reason }
    },
  }
}
