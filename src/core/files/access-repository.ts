import { describeUnknownAction, type ActionCatalogue } from '../matching/action-catalogue.js'
import {
  CODEOWNERS_LOCATIONS,
  compileCodeowners,
  parseCodeowners,
  type Codeowners,
  type CompiledCodeowners,
} from '../matching/codeowners.js'
import { buildPolicyIndex, type PolicyIndex } from '../matching/policy-index.js'

import type { InputError } from './input-error.js'
import { parsePolicy, type Policy } from './policy.js'
import { DEFAULT_SETTINGS, parseSettings, type JitSettings } from './settings.js'
import { parseYamlDocument } from './yaml-document.js'

export { CODEOWNERS_LOCATIONS }

/**
 * The rules of an access repository as read at one commit (the PR's base, never its head):
 * its policies, its CODEOWNERS and its settings, with what matching needs compiled once, as it loads.
 */
export interface AccessRepository {
  readonly policies: readonly Policy[]
  /** The policies by the actions and accounts they grant, each with its grant patterns compiled. */
  readonly policyIndex: PolicyIndex
  /** Undefined when the repository has no CODEOWNERS file in any of GitHub's locations. */
  readonly codeowners?: CompiledCodeowners
  readonly settings: JitSettings
  /** The active grants at the same commit (`grants/active/<id>.yaml`) by id, for `extends:`; empty when none were read. */
  readonly activeGrants: ReadonlyMap<string, ActiveGrant>
  /**
   * Every rule file that could not be used, or not wholly, in the order its errors are reported: the
   * unreadable files first, then the policies by path, CODEOWNERS, the settings. A repository with
   * failures still loads what is valid.
   */
  readonly failures: readonly RuleFileFailure[]
}

/** What `extends:` needs of an active grant record: whose it is and until when. */
export interface ActiveGrant {
  readonly id: string
  readonly file: string
  /** Lower-cased login. */
  readonly requester: string
  readonly expiresAt: string
}

/** Active grant records are the YAML files directly inside `grants/active/`. */
export function isActiveGrantPath(path: string): boolean {
  return /^grants\/active\/pr-[0-9]+\.yaml$/u.test(path)
}

/** Which of the rule files a failure concerns. */
export type RuleFileKind = 'policy' | 'codeowners' | 'settings'

/**
 * A rule file that failed, and at which stage, since each is fixed differently: it could not be read
 * (`unreadable`: too large, binary), it does not parse (`unparsable`: YAML, the schema, an invalid
 * CODEOWNERS line), or it parses but does not make sense with the rest (`invalid`: a policy name used
 * twice, a granted action AWS does not have).
 */
export interface RuleFileFailure {
  readonly stage: 'unreadable' | 'unparsable' | 'invalid'
  readonly kind: RuleFileKind
  readonly file: string
  /** Never empty. */
  readonly errors: readonly InputError[]
}

/** The errors of the failures `include` picks (all by default), in the order they are reported. */
export function listFailureErrors(
  failures: readonly RuleFileFailure[],
  include: (failure: RuleFileFailure) => boolean = () => true,
): InputError[] {
  return failures.filter(include).flatMap((failure) => failure.errors)
}

/** A file read from the repository: path relative to its root, and its text. */
export interface RepositoryFile {
  readonly path: string
  readonly text: string
}

/** Where the settings file lives. */
export const SETTINGS_PATH = '.github/jit.yml'

/** Policy files are the YAML files directly inside `policies/`. */
export function isPolicyPath(path: string): boolean {
  return /^policies\/[^/]+\.ya?ml$/.test(path)
}

/**
 * Builds an AccessRepository from the files of `policies/*.yaml`, the CODEOWNERS files and `.github/jit.yml`
 * (pass whatever exists; other paths are ignored), and the problems of those that exist but could not be
 * read (`unreadable`, one per file, as the reader found them). Checks the rules that span files: unique
 * policy names, and granted actions that exist in AWS. A policy with errors is left out; every error is reported.
 */
export function loadAccessRepository(params: {
  files: readonly RepositoryFile[]
  unreadable?: readonly InputError[]
  catalogue: ActionCatalogue
}): AccessRepository {
  const failures: RuleFileFailure[] = []
  const fail = (stage: RuleFileFailure['stage'], kind: RuleFileKind, file: string, errors: readonly InputError[]): void => {
    if (errors.length > 0) failures.push({ stage, kind, file, errors })
  }
  for (const problem of params.unreadable ?? []) {
    const kind = ruleFileKindOf(problem.file)
    if (kind) fail('unreadable', kind, problem.file, [problem])
  }
  const policies: Policy[] = []
  const firstByName = new Map<string, Policy>()
  const policyFiles = params.files.filter((file) => isPolicyPath(file.path)).sort((a, b) => a.path.localeCompare(b.path))
  for (const file of policyFiles) {
    const parsed = parsePolicy({ file: file.path, text: file.text })
    if (!parsed.ok) {
      fail('unparsable', 'policy', file.path, parsed.errors)
      continue
    }
    const policy = parsed.value
    const policyErrors = findUnknownGrantedActions({ policy, catalogue: params.catalogue })
    const first = firstByName.get(policy.name)
    if (first)
      policyErrors.push({
        file: policy.file,
        line: policy.line,
        message: `policy name "${policy.name}" is already used by ${first.file}:${first.line}; names must be unique`,
      })
    if (policyErrors.length > 0) {
      fail('invalid', 'policy', file.path, policyErrors)
      continue
    }
    firstByName.set(policy.name, policy)
    policies.push(policy)
  }

  let codeowners: Codeowners | undefined
  for (const location of CODEOWNERS_LOCATIONS) {
    const file = params.files.find((candidate) => candidate.path === location)
    if (file) {
      codeowners = parseCodeowners({ file: file.path, text: file.text })
      fail('unparsable', 'codeowners', file.path, codeowners.errors)
      break
    }
  }

  let settings = DEFAULT_SETTINGS
  const settingsFile = params.files.find((file) => file.path === SETTINGS_PATH)
  if (settingsFile) {
    const parsed = parseSettings({ file: settingsFile.path, text: settingsFile.text })
    if (parsed.ok) settings = parsed.value
    else fail('unparsable', 'settings', settingsFile.path, parsed.errors)
  }

  const activeGrants = readActiveGrants(params.files)
  return { ...createAccessRepository({ policies, ...(codeowners ? { codeowners } : {}), settings, failures }), activeGrants }
}

/** The active grant records among `files`; one that does not read as a record is left out, so `extends:` of it fails. */
function readActiveGrants(files: readonly RepositoryFile[]): Map<string, ActiveGrant> {
  const grants = new Map<string, ActiveGrant>()
  for (const file of files) {
    if (!isActiveGrantPath(file.path)) continue
    const parsed = parseYamlDocument({ file: file.path, text: file.text, what: 'grant record' })
    const value = (parsed.ok ? parsed.value.value : undefined) as { id?: unknown; requester?: unknown; expires_at?: unknown } | undefined
    const id = file.path.slice('grants/active/'.length, -'.yaml'.length)
    if (value?.id !== id || typeof value.requester !== 'string' || typeof value.expires_at !== 'string') continue
    grants.set(id, { id, file: file.path, requester: value.requester.toLowerCase(), expiresAt: value.expires_at })
  }
  return grants
}

/**
 * An AccessRepository from rules already read, with what matching needs compiled once, here: the policy
 * index with each policy's grant patterns, and the CODEOWNERS patterns.
 */
export function createAccessRepository(params: {
  policies: readonly Policy[]
  codeowners?: Codeowners
  settings: JitSettings
  failures: readonly RuleFileFailure[]
}): AccessRepository {
  const { policies, codeowners, settings, failures } = params
  return {
    activeGrants: new Map(),
    policies,
    policyIndex: buildPolicyIndex(policies),
    ...(codeowners ? { codeowners: compileCodeowners(codeowners) } : {}),
    settings,
    failures,
  }
}

function ruleFileKindOf(path: string): RuleFileKind | undefined {
  if (isPolicyPath(path)) return 'policy'
  if ((CODEOWNERS_LOCATIONS as readonly string[]).includes(path)) return 'codeowners'
  return path === SETTINGS_PATH ? 'settings' : undefined
}

function findUnknownGrantedActions(params: { policy: Policy; catalogue: ActionCatalogue }): InputError[] {
  const { policy, catalogue } = params
  return policy.grants.actions.flatMap((action, index) =>
    catalogue.expand(action).length > 0
      ? []
      : [
          {
            file: policy.file,
            line: policy.grants.actionLines[index] ?? policy.line,
            message: `grants.actions: ${describeUnknownAction(action, catalogue)}`,
          },
        ],
  )
}
