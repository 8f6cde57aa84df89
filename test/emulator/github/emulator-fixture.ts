import { generateKeyPairSync } from 'node:crypto'
import { mkdtemp, rm } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { ProbotOctokit } from 'probot'
import { startGitHubEmulator, type GitHubEmulator, type GitHubEmulatorOptions } from '../../../emulator/github/start-github-emulator.js'

/** An emulator in a fresh temporary directory, with Octokit clients authenticated the way Probot does it. */
export interface EmulatorFixture {
  readonly emulator: GitHubEmulator
  /** Authenticated as the app (JWT). */
  readonly appOctokit: InstanceType<typeof ProbotOctokit>
  /** Authenticated as installation 1 (token from POST /app/installations/1/access_tokens). */
  readonly octokit: InstanceType<typeof ProbotOctokit>
  readonly privateKey: string
  close(): Promise<void>
}

const appId = 4242
let sharedKey: string | undefined

/** One RSA key per test process: generating one costs more than the tests that use it. */
export function testPrivateKey(): string {
  sharedKey ??= generateKeyPairSync('rsa', { modulusLength: 2048 }).privateKey.export({ type: 'pkcs1', format: 'pem' }).toString()
  return sharedKey
}

export async function startEmulatorFixture(options: Partial<GitHubEmulatorOptions> = {}): Promise<EmulatorFixture> {
  const dir = await mkdtemp(join(tmpdir(), 'github-emulator-'))
  const privateKey = testPrivateKey()
  const emulator = await startGitHubEmulator({
    dir: join(dir, 'repo.git'),
    owner: 'acme',
    repo: 'access',
    appId,
    privateKey,
    clock: () => new Date('2026-03-01T12:00:00Z'),
    logger: { warn: () => undefined },
    ...options,
  })
  const appOctokit = new ProbotOctokit({
    auth: { appId, privateKey },
    baseUrl: emulator.url,
    request: { retries: 0 },
    throttle: { enabled: false },
  })
  const octokit = (await appOctokit.auth({
    type: 'installation',
    installationId: 1,
    factory: (auth: Record<string, unknown>) =>
      new ProbotOctokit({ auth, baseUrl: emulator.url, request: { retries: 0 }, throttle: { enabled: false } }),
  })) as InstanceType<typeof ProbotOctokit>
  return {
    emulator,
    appOctokit,
    octokit,
    privateKey,
    close: async () => {
      try {
        await emulator.stop()
      } finally {
        await rm(dir, { recursive: true, force: true })
      }
    },
  }
}
