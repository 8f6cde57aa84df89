import type { EmulatorState } from './emulator-state.js'
import type { GitStore } from './git-store.js'

/** Something that happened through the API that GitHub would announce with a webhook. */
export interface PendingEvent {
  readonly event: string
  readonly payload: Record<string, unknown>
}

/** What every handler needs: the repository, the remembered state, the clock and the public URL. */
export interface EmulatorContext {
  readonly store: GitStore
  readonly state: EmulatorState
  readonly owner: string
  readonly repo: string
  readonly repoId: number
  readonly installationId: number
  readonly appId: number
  readonly appSlug: string
  readonly clock: () => Date
  readonly createdAt: Date
  /** The emulator's base URL (known once the server listens). */
  readonly apiUrl: () => string
  /** Webhooks that API calls cause (a PR closed through the API) are announced through here. */
  readonly announce: (event: PendingEvent) => void
}
