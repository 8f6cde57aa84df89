import { CHECK_NAME, type CheckRunReport } from './check-run-report.js'
import type { GitHubApi } from './github-api.js'
import { formatPushRecord, type PushRecord } from './push-record.js'

/** GitHub accepts at most 50 annotations per create or update call; later batches are appended by updates. */
export const ANNOTATIONS_PER_CALL = 50

/**
 * Writes the report as a completed check run on `headSha` (never left in progress): one create call,
 * plus one update per further 50 annotations. `external_id` keeps the PR number, because GitHub does
 * not link check runs of fork PRs to their pull request when a re-run is asked for, and with `pushRecord`
 * who pushed (see push-record.ts): only this app writes its check runs.
 */
export async function publishCheckRun(
  api: GitHubApi,
  params: { owner: string; repo: string; headSha: string; pullNumber?: number; pushRecord?: PushRecord; report: CheckRunReport; now: Date },
): Promise<{ id: number }> {
  const { report } = params
  const batches: (typeof report.annotations)[] = []
  for (let i = 0; i < report.annotations.length; i += ANNOTATIONS_PER_CALL)
    batches.push(report.annotations.slice(i, i + ANNOTATIONS_PER_CALL))
  const [first = [], ...rest] = batches
  const output = { title: report.title, summary: report.summary }
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
    output: { ...output, annotations: first },
  })
  for (const batch of rest) {
    await api.request('PATCH /repos/{owner}/{repo}/check-runs/{check_run_id}', {
      owner: params.owner,
      repo: params.repo,
      check_run_id: created.data.id,
      output: { ...output, annotations: batch },
    })
  }
  return { id: created.data.id }
}
