import { CHECK_NAME, MAX_ANNOTATIONS, type CheckRunReport } from './check-run-report.js'
import type { GitHubApi } from './github-api.js'
import { formatPushRecord, type PushRecord } from './push-record.js'

/**
 * Writes the report as a completed check run on `headSha` (never left in progress), in one call: the
 * report carries at most MAX_ANNOTATIONS annotations, what GitHub takes in one call (any more are not
 * sent; reports say how many more there are in their summary). `external_id` keeps the PR number, because
 * GitHub does not link check runs of fork PRs to their pull request when a re-run is asked for, and with
 * `pushRecord` who pushed (see push-record.ts): only this app writes its check runs.
 */
export async function publishCheckRun(
  api: GitHubApi,
  params: { owner: string; repo: string; headSha: string; pullNumber?: number; pushRecord?: PushRecord; report: CheckRunReport; now: Date },
): Promise<{ id: number }> {
  const { report } = params
  const created = await api.request<{ id: number }>('POST /repos/{owner}/{repo}/check-runs', {
    owner: params.owner,
    repo: params.repo,
    name: CHECK_NAME,
    head_sha: params.headSha,
    ...(params.pushRecord
      ? { external_id: formatPushRecord(params.pushRecord) }
      : params.pullNumber === undefined
        ? {}
        : { external_id: String(params.pullNumber) }),
    status: 'completed',
    conclusion: report.conclusion,
    completed_at: params.now.toISOString(),
    output: { title: report.title, summary: report.summary, annotations: report.annotations.slice(0, MAX_ANNOTATIONS) },
  })
  return { id: created.data.id }
}
