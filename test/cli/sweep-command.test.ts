import nock from 'nock'
import { afterEach, beforeEach, describe, expect, it } from 'vitest'
import { main } from '../../src/cli/jit.js'
import { createJitCommands } from '../../src/cli/jit-commands.js'
import { SWEEP_USAGE, type SweepCommandDependencies } from '../../src/cli/sweep-command.js'
import type { CliCommand, CliIo } from '../../src/cli/cli-io.js'
import { parseCommitTrailers } from '../../src/core/records/record-document.js'
import { createDryRunProvider } from '../../src/aws/dry-run-provider.js'
import { activeRecord } from '../workflows/sweep/support/grant-records.js'
import { FakeGitHubRepo, repoFiles } from '../workflows/sweep/support/fake-github-repo.js'
import { FakeIam } from '../workflows/sweep/support/fake-iam.js'
import { CATALOGUE, mergedRequest, RULES, TEAMS } from '../workflows/sweep/support/merged-requests.js'
import { createTestOctokit } from '../workflows/sweep/support/test-octokit.js'

const NOW = new Date('2026-12-01T12:00:00Z')
const EXPIRED = activeRecord({ number: 41, expiresAt: '2026-12-01T11:00:00Z' })
const IN_FORCE = activeRecord({ number: 43, expiresAt: '2026-12-01T13:00:00Z' })

let github: FakeGitHubRepo
let aws: FakeIam
let commands: readonly CliCommand[]
const seenEnv: CliIo['env'][] = []

beforeEach(() => {
  nock.disableNetConnect()
  github = new FakeGitHubRepo(repoFiles([EXPIRED, IN_FORCE]))
  aws = new FakeIam({ 'jit-alice': EXPIRED.targets.concat(IN_FORCE.targets).map((t) => t.aws_policy_name) })
  seenEnv.length = 0
  const deps: SweepCommandDependencies = {
    createOctokit: async ({ env }) => {
      seenEnv.push(env)
      return createTestOctokit()
    },
    createProvider: ({ dryRun, settings }) => (dryRun ? createDryRunProvider({ granterRole: settings.granterRole }) : aws.provider()),
    catalogue: async () => CATALOGUE,
  }
  commands = createJitCommands(deps)
})

afterEach(() => {
  github.stop()
  aws.restore()
  nock.enableNetConnect()
})

/** The environment a scheduled GitHub Actions run gives `npx jit sweep`. */
const ACTIONS_ENV = { GITHUB_REPOSITORY: 'acme/access', GITHUB_TOKEN: 'ghs_workflow', GITHUB_ACTIONS: 'true' }

async function run(argv: string[], env: Record<string, string> = ACTIONS_ENV) {
  let stdout = ''
  let stderr = ''
  const code = await main(
    argv,
    {
      stdout: { write: (t: string) => (stdout += t) },
      stderr: { write: (t: string) => (stderr += t) },
      cwd: '/',
      env,
      now: () => NOW,
    },
    commands,
  )
  return { code, stdout, stderr }
}

describe('jit sweep', () => {
  it('runs the same sweep as the app: one revocation commit, the report on stdout', async () => {
    const { code, stdout, stderr } = await run(['sweep', '--no-reconcile'])
    expect(stderr).toBe('')
    expect(code).toBe(0)
    expect(seenEnv[0]).toMatchObject({ GITHUB_TOKEN: 'ghs_workflow' })
    expect(parseCommitTrailers(github.apiCommits[0]!.message)).toEqual([
      ['Jit-Action', 'revoke'],
      ['Jit-Request', 'pr-41'],
      ['Jit-Revocation', 'pr-41 expired by jit-sweeper'],
    ])
    expect(stdout.split('\n')[0]).toBe(`acme/access: revoked 1 of 2 active grants; recorded in ${github.head.slice(0, 7)}`)
    expect(stdout).toContain('  revoked        pr-41 expired at 2026-12-01T11:00:00Z; revoked pr-41 on 1 target')
  })

  it('prints the report as JSON and annotates drift in a workflow', async () => {
    aws.policies.get('jit-alice')!.delete(IN_FORCE.targets[0]!.aws_policy_name)
    const { code, stdout } = await run(['sweep', '--json', '--no-close-stale'])
    expect(code).toBe(0)
    const [json, annotation] = stdout.trim().split('\n')
    const report = JSON.parse(json!)
    expect(report.grants).toEqual([expect.objectContaining({ id: 'pr-41', status: 'revoked' })])
    expect(report.drift).toEqual([expect.objectContaining({ id: 'pr-43' })])
    expect(annotation).toMatch(/^::warning title=jit drift pr-43::pr-43 is active until/)
  })

  it('changes nothing with --dry-run', async () => {
    const { code, stdout } = await run(['sweep', '--dry-run', '--no-close-stale'])
    expect(code).toBe(0)
    expect(stdout.split('\n')[0]).toBe('acme/access: would revoke 1 of 2 active grants; no commit')
    expect(aws.deletes).toEqual([])
    expect(github.apiCommits).toEqual([])
  })

  it('exits 1 when a revocation failed in AWS', async () => {
    aws.failDeletes.add(EXPIRED.targets[0]!.aws_policy_name)
    const { code } = await run(['sweep', '--no-reconcile', '--no-close-stale'])
    expect(code).toBe(1)
    expect(github.apiCommits).toEqual([])
  })

  it('records a merged request that has no record, and reports it as JSON', async () => {
    github.pushFiles(RULES)
    github.teams = TEAMS
    github.mergedPullRequests = [mergedRequest(7, '2026-12-01T11:00:00Z')]
    const { code, stdout } = await run(['sweep', '--json', '--no-close-stale'])
    expect(code).toBe(0)
    const report = JSON.parse(stdout.trim().split('\n')[0]!)
    expect(report.healedMerges).toEqual([expect.objectContaining({ id: 'pr-7', status: 'healed-merge', path: 'grants/active/pr-7.yaml' })])
    expect(github.files().has('grants/active/pr-7.yaml')).toBe(true)
    expect(aws.puts).toEqual(['jit-alice jit-bb0610eed9-pr-7-exp-20261201T130000Z'])
  })

  it('lists what it would heal in the text report of a dry run', async () => {
    github.mergedPullRequests = [mergedRequest(7, '2026-12-01T11:00:00Z')]
    const { code, stdout } = await run(['sweep', '--dry-run', '--no-close-stale'])
    expect(code).toBe(0)
    expect(stdout.split('\n')[0]).toBe('acme/access: would revoke 1 of 2 active grants; would record 1 merge that had no record; no commit')
    expect(stdout).toContain(
      '\n  merge would-heal       pr-7 merged at 2026-12-01T11:00:00Z but has no record (its webhook was lost, or the app stopped before committing the record); a sweep would run its grant again\n',
    )
    expect(github.files().has('grants/active/pr-7.yaml')).toBe(false)
  })

  it('leaves merges alone with --no-heal', async () => {
    github.mergedPullRequests = [mergedRequest(7, '2026-12-01T11:00:00Z')]
    const { code, stdout } = await run(['sweep', '--json', '--no-close-stale', '--no-heal', '--no-reconcile'])
    expect(code).toBe(0)
    expect(JSON.parse(stdout.trim().split('\n')[0]!).healedMerges).toEqual([])
    expect(github.calls).not.toContain('graphql jitPullRequest')
  })

  it('exits 1 when a merge could not be healed, and says it is retried', async () => {
    github.pushFiles(RULES)
    github.teams = TEAMS
    // The request file is not at the head GitHub reports: the grant workflow cannot read it.
    github.mergedPullRequests = [
      mergedRequest(7, '2026-12-01T11:00:00Z', { files: [{ path: 'requests/sre/other.yaml', changeType: 'ADDED' }] }),
    ]
    const { code, stdout } = await run(['sweep', '--no-close-stale', '--no-reconcile'])
    expect(code).toBe(1)
    expect(stdout).toMatch(
      /\n {2}merge failed {11}pr-7 merged at 2026-12-01T11:00:00Z but has no record .*; running its grant again failed: .*; retried next sweep\n/,
    )
    expect(stdout.split('\n')[0]).toContain('1 unrecorded merge failed to heal, retried next sweep')
    // The workflow told the pull request, as it does for a failed webhook delivery.
    expect(github.comments.map((comment) => comment.issue)).toEqual([7])
  })

  it('explains a missing repository', async () => {
    const { code, stderr } = await run(['sweep'], { GITHUB_TOKEN: 'x' })
    expect(code).toBe(2)
    expect(stderr).toBe(`jit sweep: set GITHUB_REPOSITORY=owner/repo (the access repository)\nusage: ${SWEEP_USAGE}\n`)
  })
})

describe('jit revoke', () => {
  it('revokes a grant now, as the token owner by default', async () => {
    const { code, stdout } = await run(['revoke', 'pr-43'])
    expect(code).toBe(0)
    expect(stdout).toMatch(/^pr-43: revoked: revoked pr-43 on 1 target; recorded in [0-9a-f]{7}\n$/)
    expect(github.calls.slice(0, 2)).toEqual(['GET user', 'graphql jitDefaultBranch'])
    expect(github.files().get('grants/revoked/pr-43.yaml')).toContain('revoked_by: octo-admin')
    expect(github.files().get('grants/revoked/pr-43.yaml')).toContain('reason: early')
  })

  it('records --by instead of the token login', async () => {
    const { code } = await run(['revoke', 'pr-43', '--by', 'security-oncall'])
    expect(code).toBe(0)
    expect(github.calls).not.toContain('GET user')
    expect(github.files().get('grants/revoked/pr-43.yaml')).toContain('revoked_by: security-oncall')
  })

  it('exits 2 for a grant that is not active', async () => {
    const { code, stdout } = await run(['revoke', 'pr-99', '--by', 'x'])
    expect(code).toBe(2)
    expect(stdout).toBe('pr-99: not-active: pr-99 has no active grant on main (it was never granted, or it was already revoked)\n')
  })
})
