import { createHistoryFold, type AuditHistory } from '../../core/audit/fold-history.js'
import { SETTINGS_PATH } from '../../core/files/access-repository.js'
import { readSettingsOrDefaults } from '../../core/files/settings.js'
import { countRecordHistory, readFileAtRef, readRecordHistory } from '../../git/read-record-history.js'

/** Where the app login the audit believes came from. */
export type AppLoginSource = 'option' | 'settings' | 'unknown'

export interface AuditResult extends AuditHistory {
  readonly appLogin: string | undefined
  readonly appLoginSource: AppLoginSource
  /** A problem reading `.github/jit.yml` at the ref, in words; the audit then knows no app login from it. */
  readonly settingsProblem?: string
}

/** How late a sweep may be before a grant still recorded active past its expiry is an anomaly. */
export const DEFAULT_GRACE_MS = 60 * 60_000

/**
 * Reads the clone at `dir` (no GitHub, no AWS): the app login from `--app-login` or from
 * `.github/jit.yml`'s `audit.app_login` at `ref`, then the first-parent history of `ref`, streamed into
 * the fold. `onProgress` (a progress bar) is told the number of commits first, then each one read.
 */
export async function runAudit(params: {
  dir: string
  ref: string
  appLogin?: string
  graceMs?: number
  now: Date
  onProgress?: { start(total: number): void; tick(): void; stop(): void }
}): Promise<AuditResult> {
  const { dir, ref } = params
  let appLogin = params.appLogin
  let appLoginSource: AppLoginSource = appLogin === undefined ? 'unknown' : 'option'
  let settingsProblem: string | undefined
  if (appLogin === undefined) {
    const { settings, problem } = readSettingsOrDefaults(await readFileAtRef({ dir, ref, path: SETTINGS_PATH }))
    settingsProblem = problem
    if (settings.auditAppLogin !== undefined) {
      appLogin = settings.auditAppLogin
      appLoginSource = 'settings'
    }
  }
  const fold = createHistoryFold({ appLogin, graceMs: params.graceMs ?? DEFAULT_GRACE_MS })
  const progress = params.onProgress
  if (progress) progress.start(await countRecordHistory({ dir, ref }))
  try {
    for await (const commit of readRecordHistory({ dir, ref })) {
      fold.add(commit)
      progress?.tick()
    }
  } finally {
    progress?.stop()
  }
  return { ...fold.finish(params.now), appLogin, appLoginSource, ...(settingsProblem ? { settingsProblem } : {}) }
}
