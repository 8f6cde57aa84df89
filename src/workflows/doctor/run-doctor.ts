import type { CreateIamClient, CreateIdentityStoreClient, CreateSsoAdminClient, CreateStsClient } from '../../aws/aws-clients.js'
import { backendFor, principalFor, readSettingsOrDefaults, usesIdentityCenter } from '../../core/files/settings.js'
import { formatInputError } from '../../core/files/input-error.js'
import { loadAccessRepository } from '../../core/files/access-repository.js'
import { validateRepository } from '../../core/files/validate-repository.js'
import type { ActionCatalogue } from '../../core/matching/action-catalogue.js'
import {
  judgeInstallation,
  type AppGrants,
  type BranchRule,
  type DoctorCheck,
  type Fact,
  type InstallationFacts,
} from '../../core/doctor/installation-checklist.js'
import { createFilesCache, readFilesAtCommits } from '../../github/files-at-commit.js'
import type { GitHubApi } from '../../github/github-api.js'
import { describeApiError } from '../../github/github-read-error.js'
import { readTeamMembers } from '../../github/team-members.js'
import { readDefaultBranch, readRecordSnapshot } from '../sweep/read-grant-records.js'
import { probeAwsAccess } from './probe-aws-access.js'
import { probeIdentityCenter } from './probe-identity-center.js'

/** What `jit doctor` found: each check, and whether all passed. */
export interface DoctorReport {
  readonly repository: string
  readonly ok: boolean
  readonly checks: readonly DoctorCheck[]
}

/** The newest commit of the default branch that touched `grants/revoked/`: when a revocation was last recorded. */
export const LAST_REVOCATION_QUERY = `query jitLastRevocation($owner: String!, $repo: String!) {
  repository(owner: $owner, name: $repo) {
    defaultBranchRef { target { ... on Commit { history(first: 1, path: "grants/revoked") { nodes { oid committedDate } } } } }
  }
}`

/**
 * Checks a live installation of an access repository: reads what GitHub and AWS say (fetch), judges it in the
 * core (`judgeInstallation`), and returns the checklist. Reads only; every failure to read is itself a finding.
 */
export async function runDoctor(params: {
  api: GitHubApi
  owner: string
  repo: string
  wanted: AppGrants
  installation: Fact<AppGrants | undefined>
  appId?: number
  catalogue: ActionCatalogue
  externalId: string | undefined
  now: Date
  createStsClient: CreateStsClient
  createIamClient: CreateIamClient
  createSsoAdminClient: CreateSsoAdminClient
  createIdentityStoreClient: CreateIdentityStoreClient
}): Promise<DoctorReport> {
  const { api, owner, repo } = params
  const repository = `${owner}/${repo}`
  const branch = await readDefaultBranch({ api, owner, repo })
  const { settings } = readSettingsOrDefaults(branch.settingsText)
  const rules = await attempt(() => readBranchRules(api, owner, repo, branch.name))
  const files = await attempt(
    async () => (await readFilesAtCommits(api, createFilesCache(), { owner, repo, rulesAt: branch.commitSha })).rules?.files ?? [],
  )
  const validation = files.ok ? validateRepository({ files: files.value, catalogue: params.catalogue }) : undefined
  const loaded = files.ok ? loadAccessRepository({ files: files.value, catalogue: params.catalogue }) : undefined

  // Every account a policy names, and every requester (by login, by team, by an override in the settings).
  const policies = loaded?.policies ?? []
  const accounts = [...new Set(policies.flatMap((policy) => policy.grants.accounts).filter((account) => account !== '*'))].sort()
  const teams = [...new Set(policies.flatMap((policy) => policy.requesters.teams))]
  const directory = teams.length > 0 ? await attempt(() => readTeamMembers(api, teams)) : undefined
  const requestersOf = (chosen: typeof policies) => [
    ...chosen.flatMap((policy) => policy.requesters.users),
    ...(directory?.ok
      ? chosen.flatMap((policy) => policy.requesters.teams.flatMap((team) => directory.value.members.get(team) ?? []))
      : []),
  ]
  const logins = [...new Set([...requestersOf(policies), ...Object.keys(settings.principalOverrides)])].sort()
  // IAM is asked about the accounts on IAM; Identity Center about its instance and the requesters' users.
  const identityCenter = usesIdentityCenter(settings) ? settings.identityCenter : null
  const iamAccounts = identityCenter ? accounts.filter((account) => backendFor(settings, account) === 'iam') : accounts
  const targets = new Map(
    iamAccounts.map((account) => [account, logins.map((login) => ({ login, arn: principalFor(settings, { account, login }) }))]),
  )
  const aws = await probeAwsAccess({
    granterRole: settings.granterRole,
    externalId: params.externalId,
    targets,
    createStsClient: params.createStsClient,
    createIamClient: params.createIamClient,
  })
  const identityCenterFacts = identityCenter
    ? await probeIdentityCenter({
        settings: identityCenter,
        repository,
        externalId: params.externalId,
        // The requesters of the policies that grant in an Identity Center account (`*`: in the default backend's).
        logins: [
          ...new Set([
            ...requestersOf(
              policies.filter((policy) =>
                policy.grants.accounts.some(
                  (account) => (account === '*' ? settings.backend : backendFor(settings, account)) === 'identity_center',
                ),
              ),
            ),
            ...Object.keys(identityCenter.userOverrides),
          ]),
        ].sort(),
        createStsClient: params.createStsClient,
        createSsoAdminClient: params.createSsoAdminClient,
        createIdentityStoreClient: params.createIdentityStoreClient,
      })
    : undefined
  const sweep = await attempt(async () => {
    const snapshot = await readRecordSnapshot({ api, owner, repo, commitSha: branch.commitSha })
    const last = await api.graphql<{
      repository: {
        defaultBranchRef: { target: { history?: { nodes: Array<{ oid: string; committedDate: string } | null> } } } | null
      } | null
    }>(LAST_REVOCATION_QUERY, { owner, repo })
    const node = last.repository?.defaultBranchRef?.target.history?.nodes[0]
    return {
      now: params.now,
      sweepIntervalMs: settings.sweepIntervalMs,
      ...(node ? { lastRevocation: { sha: node.oid, at: new Date(node.committedDate) } } : {}),
      active: snapshot.records.map((record) => ({ id: record.id, expiresAt: new Date(record.expires_at) })),
    }
  })
  const facts: InstallationFacts = {
    repository,
    defaultBranch: branch.name,
    ...(params.appId !== undefined ? { appId: params.appId } : {}),
    wanted: params.wanted,
    installation: params.installation,
    rules,
    files: validation
      ? {
          ok: true,
          value: {
            errors: validation.errors.map(formatInputError),
            warnings: validation.warnings,
            checked: validation.checked,
            hasCodeowners: validation.hasCodeowners,
          },
        }
      : { ok: false, problem: files.ok ? 'unreadable' : files.problem },
    ...aws,
    wildcardAccountPolicies: policies.filter((policy) => policy.grants.accounts.includes('*')).length,
    sweep,
    ...(identityCenterFacts ? { identityCenter: identityCenterFacts } : {}),
  }
  const checks = judgeInstallation(facts)
  return { repository, ok: checks.every((check) => check.status !== 'fail'), checks }
}

/** The rules in force on the branch, each with its ruleset's name and whether the caller may bypass it. */
async function readBranchRules(api: GitHubApi, owner: string, repo: string, branch: string): Promise<BranchRule[]> {
  const rules = await api.request<Array<{ type: string; parameters?: Record<string, unknown>; ruleset_id?: number }>>(
    'GET /repos/{owner}/{repo}/rules/branches/{branch}',
    { owner, repo, branch, per_page: 100 },
  )
  const rulesets = new Map<number, BranchRule['ruleset']>()
  for (const id of new Set(rules.data.map((rule) => rule.ruleset_id ?? 0))) {
    if (id === 0) continue
    const ruleset = await api.request<{
      id: number
      name: string
      current_user_can_bypass?: string
      bypass_actors?: BranchRule['ruleset']['bypassActors']
    }>('GET /repos/{owner}/{repo}/rulesets/{ruleset_id}', { owner, repo, ruleset_id: id })
    rulesets.set(id, {
      id,
      name: ruleset.data.name,
      ...(ruleset.data.current_user_can_bypass ? { bypass: ruleset.data.current_user_can_bypass } : {}),
      ...(ruleset.data.bypass_actors ? { bypassActors: ruleset.data.bypass_actors } : {}),
    })
  }
  return rules.data.map((rule) => ({
    type: rule.type,
    ...(rule.parameters ? { parameters: rule.parameters } : {}),
    ruleset: rulesets.get(rule.ruleset_id ?? 0) ?? { id: 0, name: 'an organisation ruleset' },
  }))
}

async function attempt<T>(read: () => Promise<T>): Promise<Fact<T>> {
  try {
    return { ok: true, value: await read() }
  } catch (error) {
    return { ok: false, problem: error instanceof Error ? error.message : describeApiError(error) }
  }
}
