import { fileURLToPath } from 'node:url'
import type { CheckRunRecord } from '../../../emulator/github/emulator-state.js'
import type { AppDependencies } from '../../../src/app/create-app.js'
import type { ActionCatalogue } from '../../../src/core/matching/action-catalogue.js'
import { loadActionCatalogue } from '../../../src/aws/load-action-catalogue.js'
import { CHECK_NAME } from '../../../src/github/check-run-report.js'
import { describeLoggedEntry } from '../../../src/demo/collecting-logger.js'
import { createManualClock, type ManualClock } from '../../../src/demo/manual-clock.js'
import { readExampleRepository, type ExampleRepository } from '../../../src/demo/read-example-repository.js'
import { startLocalStack, type LocalStack } from '../../../src/demo/start-local-stack.js'

/** Where every scenario starts: a Tuesday morning, far from the wall clock on purpose. */
export const START = new Date('2027-03-02T09:00:00Z')
export const PROD = '111111111111'
export const STAGING = '222222222222'
export const INCIDENT_REQUEST_PATH = 'requests/sre/inc-4821-terminate-web.yaml'
export const ALICE_ROLE = `arn:aws:iam::${PROD}:role/jit-alice`

/** A running stack seeded with `examples/access-repo` and a manual clock. */
export interface E2eStack extends LocalStack {
  readonly clock: ManualClock
  readonly example: ExampleRepository
  /** Latest run of the app's check on a commit. */
  latestCheck(sha: string): CheckRunRecord
  /** Inline policies of `jit-<login>` in an account: name → document. */
  policiesOf(login: string, account?: string): Record<string, string>
  /** One-line log of main, newest first: `<subject>` per line. */
  subjects(): Promise<string[]>
  /** What the app logged at error level or above (it logs and carries on where a person must look). */
  appErrors(): string[]
  /** A file's text on main, or undefined. */
  readOnMain(path: string): Promise<string | undefined>
  /** Paths under `grants/` on main. */
  recordsOnMain(): Promise<string[]>
  /** `Jit-Action` trailer of each commit on main, newest first (commits without one are left out). */
  actionsOnMain(): Promise<string[]>
  /** Opens a request pull request adding one file under `requests/`. */
  requestAccess(params: {
    author: string
    path: string
    text: string
    title?: string
  }): Promise<{ number: number; headSha: string; status: number }>
  /** The incident request by alice, approved by bob (code owner) and carol (security), merged by carol five minutes later. */
  mergeApprovedIncidentRequest(): Promise<{ number: number; headSha: string; mergeDeliveryId: string; mergeStatus: number }>
}

const EXAMPLE_DIR = fileURLToPath(new URL('../../../examples/access-repo/', import.meta.url))
let example: Promise<ExampleRepository> | undefined
let catalogue: Promise<ActionCatalogue> | undefined

/** Starts an isolated stack (its own servers, temp git dir and clock); the caller must `stop()` it. */
export async function startE2eStack(
  options: {
    app?: Omit<AppDependencies, 'now' | 'catalogue'>
    /** Files of the seeded repository to replace or add (e.g. a `.github/jit.yml` for another backend). */
    files?: Readonly<Record<string, string>>
    /** See `LocalStackOptions.onAppSleep`. */
    onAppSleep?: (ms: number) => void
  } = {},
): Promise<E2eStack> {
  example ??= readExampleRepository(EXAMPLE_DIR)
  catalogue ??= loadActionCatalogue()
  const repository = await example
  const clock = createManualClock(START)
  const logins = [...new Set([...repository.teams.values()].flat())]
  const stack = await startLocalStack({
    files: { ...repository.files, ...options.files },
    teams: repository.teams,
    accounts: [PROD, STAGING],
    principals: logins,
    clock,
    app: { ...options.app, catalogue },
    ...(options.onAppSleep ? { onAppSleep: options.onAppSleep } : {}),
  })
  const requestAccess = async (params: { author: string; path: string; text: string; title?: string }) => {
    const branch = `access/${params.author}-${params.path.replace(/^requests\/|\.ya?ml$/g, '').replace(/[^a-z0-9]+/gi, '-')}`
    const opened = await stack.github.openPullRequest({
      author: params.author,
      branch,
      files: { [params.path]: params.text },
      title: params.title ?? `Access: ${params.path}`,
    })
    return { number: opened.number, headSha: opened.headSha, status: opened.delivery.status }
  }
  return Object.assign(stack, {
    clock,
    example: repository,
    latestCheck: (sha: string) => {
      const runs = stack.github.checkRuns(sha).filter((run) => run.name === CHECK_NAME)
      const latest = runs.at(-1)
      if (latest === undefined) throw new Error(`no "${CHECK_NAME}" check run on ${sha.slice(0, 7)}`)
      return latest
    },
    policiesOf: (login: string, account = PROD) => stack.aws.state.listRoleInlinePolicies(account, `jit-${login}`),
    subjects: async () => (await stack.github.git(['log', '--topo-order', '--format=%s', 'main'])).trim().split('\n'),
    appErrors: () => stack.appLog.filter((entry) => entry.level !== 'warn').map(describeLoggedEntry),
    readOnMain: async (path: string) => {
      try {
        return await stack.github.git(['show', `main:${path}`])
      } catch {
        return undefined
      }
    },
    recordsOnMain: async () =>
      (await stack.github.git(['ls-tree', '-r', '--name-only', 'main', '--', 'grants/'])).trim().split('\n').filter(Boolean),
    actionsOnMain: async () =>
      (await stack.github.git(['log', '--format=%(trailers:key=Jit-Action,valueonly,separator=%x2C)', 'main'])).split('\n').filter(Boolean),
    requestAccess,
    mergeApprovedIncidentRequest: async () => {
      const pr = await requestAccess({
        author: 'alice',
        path: INCIDENT_REQUEST_PATH,
        text: repository.requests[INCIDENT_REQUEST_PATH] as string,
        title: 'INC-4821: terminate the stuck web node',
      })
      await stack.github.submitReview(pr.number, { login: 'bob', state: 'APPROVED' })
      await stack.github.submitReview(pr.number, { login: 'carol', state: 'APPROVED' })
      clock.advance(5 * 60_000)
      const merge = await stack.github.mergePullRequest(pr.number, { by: 'carol' })
      await stack.github.settle()
      return { number: pr.number, headSha: pr.headSha, mergeDeliveryId: merge.delivery.id, mergeStatus: merge.delivery.status }
    },
  })
}
