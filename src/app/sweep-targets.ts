import type { DefaultBranch } from '../workflows/sweep/read-grant-records.js'
import type { RepositoryName } from '../workflows/sweep/read-default-branches.js'

/** A repository of an installation, and what the sweeper last learned of its default branch. */
export interface SweepTarget extends RepositoryName {
  readonly installationId: number
  readonly key: string
  /** The default branch when it was last read; undefined until then or after a push moved it; null: empty or not visible. */
  readonly branch: DefaultBranch | null | undefined
}

/** A repository as webhooks name it (`installation`, `installation_repositories`). */
export interface WebhookRepository {
  readonly full_name: string
}

/** How long the cached lists are trusted without a webhook (a backstop for lost deliveries). */
export const TARGETS_REFRESH_MS = 24 * 60 * 60_000

/**
 * What the in-app sweeper knows about the installations, their repositories and their default branches,
 * so that a tick costs GitHub calls only for the access repositories that are due. Webhooks GitHub sends
 * to every app (`installation`, `installation_repositories`) and `push` keep it current; whatever is not
 * known (first tick, a new installation, a moved branch) is read at the next tick, and everything is read
 * again every `TARGETS_REFRESH_MS` in case a delivery was lost.
 */
export interface SweepTargets {
  /** True when the installation list must be read (never read, or older than the refresh). */
  needsInstallations(at: Date): boolean
  setInstallations(ids: readonly number[], at: Date): void
  installationIds(): number[]
  /** Undefined when the installation's repositories must be listed. */
  repositories(installationId: number): SweepTarget[] | undefined
  setRepositories(installationId: number, repositories: readonly RepositoryName[]): void
  setBranch(key: string, branch: DefaultBranch | null): void
  /** `installation.created` / `unsuspend`: the repositories GitHub names, or undefined to list them. */
  addInstallation(installationId: number, repositories: readonly WebhookRepository[] | undefined): void
  /** `installation.deleted` / `suspend`. */
  removeInstallation(installationId: number): void
  /** `installation_repositories.added` / `removed`. */
  changeRepositories(installationId: number, change: { added: readonly WebhookRepository[]; removed: readonly WebhookRepository[] }): void
  /** `push` to a default branch: its facts are read again at the next tick. */
  forgetBranch(key: string): void
}

export function createSweepTargets(): SweepTargets {
  let installationsReadAt: number | undefined
  /** Installation id → its repositories by `owner/repo`, or undefined while they must be listed. */
  const installations = new Map<number, Map<string, RepositoryName> | undefined>()
  const branches = new Map<string, DefaultBranch | null>()

  const nameOf = (repository: WebhookRepository): RepositoryName => {
    const [owner = '', repo = ''] = repository.full_name.split('/')
    return { owner, repo }
  }
  const keyOf = (repository: RepositoryName): string => `${repository.owner}/${repository.repo}`
  const forgetAll = (repositories: Map<string, RepositoryName> | undefined): void => {
    for (const key of repositories?.keys() ?? []) branches.delete(key)
  }

  return {
    needsInstallations: (at) => installationsReadAt === undefined || at.getTime() - installationsReadAt >= TARGETS_REFRESH_MS,
    setInstallations(ids, at) {
      for (const repositories of installations.values()) forgetAll(repositories)
      installations.clear()
      branches.clear()
      for (const id of ids) installations.set(id, undefined)
      installationsReadAt = at.getTime()
    },
    installationIds: () => [...installations.keys()],
    repositories(installationId) {
      const repositories = installations.get(installationId)
      if (!repositories) return undefined
      return [...repositories.entries()].map(([key, name]) => ({ ...name, installationId, key, branch: branches.get(key) }))
    },
    setRepositories(installationId, repositories) {
      forgetAll(installations.get(installationId))
      installations.set(installationId, new Map(repositories.map((repository) => [keyOf(repository), repository])))
    },
    setBranch: (key, branch) => void branches.set(key, branch),
    addInstallation(installationId, repositories) {
      forgetAll(installations.get(installationId))
      installations.set(installationId, repositories ? new Map(repositories.map((r) => [r.full_name, nameOf(r)])) : undefined)
    },
    removeInstallation(installationId) {
      forgetAll(installations.get(installationId))
      installations.delete(installationId)
    },
    changeRepositories(installationId, change) {
      const repositories = installations.get(installationId)
      // Not listed yet (or an installation this process never saw): the next listing includes the change.
      if (!repositories) {
        if (!installations.has(installationId)) installations.set(installationId, undefined)
        return
      }
      for (const repository of change.added) {
        repositories.set(repository.full_name, nameOf(repository))
        branches.delete(repository.full_name)
      }
      for (const repository of change.removed) {
        repositories.delete(repository.full_name)
        branches.delete(repository.full_name)
      }
    },
    forgetBranch: (key) => void branches.delete(key),
  }
}
