import type { EmulatorContext } from './emulator-context.js'
import type { CheckRunRecord } from './emulator-state.js'
import { buildConnection, type ConnectionArgs } from './graphql-connection.js'
import { toIso } from './rest-shapes.js'

type GraphqlObject = Record<string, unknown>

// Conclusions GitHub's rollup counts as passing; every other conclusion fails the commit.
const passingConclusions = new Set(['SUCCESS', 'NEUTRAL', 'SKIPPED'])

/**
 * `Commit.statusCheckRollup`: the latest run of each check (per app and name) on the commit, and the
 * combined state GitHub shows next to it. Null when the commit has no check runs, as on GitHub. The
 * emulator has no commit statuses, so every context is a `CheckRun`.
 */
export function buildStatusCheckRollup(context: EmulatorContext, commitSha: string): GraphqlObject | null {
  // A re-run replaces the earlier run of the same check in the rollup.
  const latest = new Map<string, CheckRunRecord>()
  for (const run of context.state.checkRuns) if (run.headSha === commitSha) latest.set(`${run.appSlug}\0${run.name}`, run)
  if (latest.size === 0) return null
  const runs = [...latest.values()]
  const conclusions = runs.map((run) => (run.conclusion === null ? null : run.conclusion.toUpperCase()))
  const state = conclusions.some((conclusion) => conclusion !== null && !passingConclusions.has(conclusion))
    ? 'FAILURE'
    : conclusions.includes(null)
      ? 'PENDING'
      : 'SUCCESS'
  return {
    __typename: 'StatusCheckRollup',
    id: Buffer.from(`StatusCheckRollup:${commitSha}`).toString('base64'),
    state,
    contexts: (args: ConnectionArgs) => ({
      ...buildConnection(
        runs.map((run) => buildCheckRun(context, run)),
        args,
        'contexts',
      ),
      checkRunCount: runs.length,
      statusContextCount: 0,
    }),
  }
}

function buildCheckRun(context: EmulatorContext, run: CheckRunRecord): GraphqlObject {
  return {
    __typename: 'CheckRun',
    id: Buffer.from(`CheckRun:${run.id}`).toString('base64'),
    databaseId: run.id,
    name: run.name,
    status: run.status.toUpperCase(),
    conclusion: run.conclusion === null ? null : run.conclusion.toUpperCase(),
    startedAt: toIso(run.startedAt),
    completedAt: run.completedAt === null ? null : toIso(run.completedAt),
    title: run.output.title,
    summary: run.output.summary,
    text: run.output.text,
    detailsUrl: run.detailsUrl,
    externalId: run.externalId,
    url: `${context.apiUrl()}/${context.owner}/${context.repo}/runs/${run.id}`,
    permalink: `${context.apiUrl()}/${context.owner}/${context.repo}/runs/${run.id}`,
  }
}
