import type { RepositoryFile } from '../src/core/files/access-repository.js'
import type { ActionCatalogue } from '../src/core/matching/action-catalogue.js'
import type { Review, TeamMembers } from '../src/core/decision/decision.js'
import { createSeededRandom, type SeededRandom } from './seeded-random.js'

/**
 * The authorization question a single-item request asks, independent of any engine: may `author` be
 * granted `action` on `resource` in `account` for `durationMs` (with this ticket)?
 */
export interface AuthorizationQuestion {
  readonly author: string
  readonly account: string
  /** A concrete action, spelled as the request spells it (IAM names are case-insensitive). */
  readonly action: string
  /** A concrete ARN. */
  readonly resource: string
  readonly durationMs: number
  readonly ticket?: string
}

/** What the generator aimed for; the engines decide what actually happens. */
export type RequestIntent = 'covered-with-approvals' | 'covered-approvals-missing' | 'near-miss'

/** One generated pull request: the request file, who opened it and the reviews on it. */
export interface GeneratedRequest {
  readonly file: RepositoryFile
  readonly author: string
  readonly headSha: string
  readonly reviews: readonly Review[]
  readonly question: AuthorizationQuestion
  readonly intent: RequestIntent
  /** The policy the request was generated from (it may or may not end up covering it). */
  readonly basedOn: string
}

/** A generated access repository (policies and CODEOWNERS), its teams, and requests against it. */
export interface GeneratedAccessRepo {
  /** `policies/*.yaml` and `.github/CODEOWNERS`, ready for `loadAccessRepository`. */
  readonly files: readonly RepositoryFile[]
  readonly teams: TeamMembers
  readonly requests: readonly GeneratedRequest[]
  /** The evaluation time every request is decided at. */
  readonly now: Date
}

/** Services policies are written for, each with the ARN shape of a typical resource of it. */
const SERVICE_SHAPES: readonly { readonly service: string; readonly weight: number; readonly arn: string }[] = [
  { service: 'ec2', weight: 8, arn: 'arn:aws:ec2:{region}:{account}:instance/{name}' },
  { service: 's3', weight: 6, arn: 'arn:aws:s3:::{name}' },
  { service: 'logs', weight: 4, arn: 'arn:aws:logs:{region}:{account}:log-group:{name}' },
  { service: 'rds', weight: 3, arn: 'arn:aws:rds:{region}:{account}:db:{name}' },
  { service: 'dynamodb', weight: 3, arn: 'arn:aws:dynamodb:{region}:{account}:table/{name}' },
  { service: 'lambda', weight: 3, arn: 'arn:aws:lambda:{region}:{account}:function:{name}' },
  { service: 'iam', weight: 2, arn: 'arn:aws:iam::{account}:role/{name}' },
  { service: 'kms', weight: 2, arn: 'arn:aws:kms:{region}:{account}:key/{name}' },
  { service: 'secretsmanager', weight: 2, arn: 'arn:aws:secretsmanager:{region}:{account}:secret:{name}' },
  { service: 'ssm', weight: 2, arn: 'arn:aws:ssm:{region}:{account}:parameter/{name}' },
  { service: 'ecs', weight: 2, arn: 'arn:aws:ecs:{region}:{account}:service/{name}' },
  { service: 'eks', weight: 2, arn: 'arn:aws:eks:{region}:{account}:cluster/{name}' },
  { service: 'sqs', weight: 2, arn: 'arn:aws:sqs:{region}:{account}:{name}' },
  { service: 'sns', weight: 1, arn: 'arn:aws:sns:{region}:{account}:{name}' },
  { service: 'cloudwatch', weight: 1, arn: 'arn:aws:cloudwatch:{region}:{account}:alarm:{name}' },
  { service: 'ecr', weight: 1, arn: 'arn:aws:ecr:{region}:{account}:repository/{name}' },
  { service: 'cloudformation', weight: 1, arn: 'arn:aws:cloudformation:{region}:{account}:stack/{name}' },
  { service: 'elasticloadbalancing', weight: 1, arn: 'arn:aws:elasticloadbalancing:{region}:{account}:loadbalancer/app/{name}' },
  { service: 'route53', weight: 1, arn: 'arn:aws:route53:::hostedzone/{name}' },
  { service: 'kinesis', weight: 1, arn: 'arn:aws:kinesis:{region}:{account}:stream/{name}' },
  { service: 'states', weight: 1, arn: 'arn:aws:states:{region}:{account}:stateMachine:{name}' },
]
/** Share of policies written for some other service of the catalogue (the long tail). */
const LONG_TAIL_SHARE = 0.08
const LONG_TAIL_ARN = 'arn:aws:{service}:{region}:{account}:{name}'

const REGIONS = ['us-east-1', 'us-west-2', 'eu-west-1', 'eu-central-1', 'ap-southeast-2']
const APPS = [
  'orders',
  'billing',
  'search',
  'checkout',
  'payments',
  'catalog',
  'auth',
  'reports',
  'ledger',
  'inventory',
  'shipping',
  'web',
  'etl',
  'ml',
  'mail',
]
/** Durations in minutes a policy may allow and a request may ask for. */
const DURATIONS_MIN = [30, 60, 120, 240, 480, 720, 1440, 2880]
const POLICY_MAX_DURATIONS_MIN = [60, 120, 240, 480, 720, 1440]
const TICKET_RULES: readonly (readonly string[])[] = [['INC-'], ['INC-', 'CHG-'], ['CHG-']]
const MINUTE_MS = 60_000

interface ResourceSpec {
  /** `*` for any resource, else an ARN template with `{region}`, `{account}`, `{name}`. */
  readonly template: string
  readonly region: string
  readonly account: string
  /** Resource names start with this (`orders-`); undefined means any name. */
  readonly namePrefix?: string
}

type ApprovalSpec =
  | { readonly kind: 'codeowners'; readonly count: number }
  | { readonly kind: 'principals'; readonly teams: readonly string[]; readonly users: readonly string[]; readonly count: number }

interface PolicySpec {
  readonly name: string
  readonly service: string
  readonly arnTemplate: string
  readonly accounts: readonly string[]
  readonly actions: readonly string[]
  readonly resources: readonly ResourceSpec[]
  readonly requesterTeams: readonly string[]
  readonly requesterUsers: readonly string[]
  readonly maxDurationMin: number
  readonly ticketPrefixes?: readonly string[]
  readonly approvals: readonly ApprovalSpec[]
  readonly autoApproveMin?: number
}

/** The people of the generated organisation. */
interface Organisation {
  readonly accounts: readonly string[]
  readonly users: readonly string[]
  /** Teams that request access; each has a `-leads` team owning its request folder. */
  readonly requesterTeams: readonly string[]
  readonly approverTeams: readonly string[]
  readonly members: Map<string, string[]>
  /** Login → the requester teams it belongs to. */
  readonly teamsOf: Map<string, string[]>
}

/**
 * Generates, deterministically from `seed`, an access repository of `policies` policies over real
 * actions of `catalogue` (some as wildcards such as `ec2:Describe*`), with accounts, ARN patterns,
 * requester teams and users, approval rules and CODEOWNERS, plus `requests` single-item requests with
 * reviews on their head commit: most covered by a policy (with or without enough approvals), the rest
 * near misses (wrong account, too long, not a requester, no ticket, another resource or action).
 * The organisation (accounts, teams, people) grows with the number of policies, as it does in life.
 *
 * Every wildcard is a `*` (never `?`) and every ticket rule a literal prefix, so a policy translates
 * exactly into Cedar (see `translatePoliciesToCedar`).
 */
export function generateAccessRepo(params: {
  policies: number
  requests: number
  seed: number
  catalogue: ActionCatalogue
}): GeneratedAccessRepo {
  const random = createSeededRandom(params.seed)
  const organisation = createOrganisation(random, params.policies)
  const services = listUsableServices(params.catalogue)
  const specs = Array.from({ length: params.policies }, (_, index) =>
    generatePolicySpec({ random, index, organisation, services, catalogue: params.catalogue }),
  )
  const files: RepositoryFile[] = specs.map((spec) => ({ path: `policies/${spec.name}.yaml`, text: writePolicyYaml(spec) }))
  files.push({ path: '.github/CODEOWNERS', text: writeCodeowners(organisation) })
  const requests = Array.from({ length: params.requests }, (_, index) =>
    generateRequest({ random, index, spec: random.pick(specs), organisation, catalogue: params.catalogue }),
  )
  return { files, teams: organisation.members, requests, now: new Date('2027-03-01T12:00:00Z') }
}

function createOrganisation(random: SeededRandom, policyCount: number): Organisation {
  const accounts = Array.from({ length: Math.max(4, Math.round(policyCount / 20)) }, (_, k) =>
    String(100_000_000_000 + (k + 1) * 1_000_003),
  )
  const users = Array.from({ length: Math.max(40, Math.round(policyCount / 4)) }, (_, k) => `dev-${String(k + 1).padStart(4, '0')}`)
  const requesterTeams = Array.from({ length: Math.max(6, Math.round(policyCount / 20)) }, (_, k) => `@acme/team-${k + 1}`)
  const approverTeams = Array.from({ length: Math.max(3, Math.round(policyCount / 100)) }, (_, k) => `@acme/approvers-${k + 1}`)
  const members = new Map<string, string[]>()
  const teamsOf = new Map<string, string[]>()
  for (const team of requesterTeams) {
    const people = random.sample(users, random.integer(4, 10))
    members.set(team, people)
    for (const login of people) teamsOf.set(login, [...(teamsOf.get(login) ?? []), team])
    // Leads own the team's request folder; at least two, so the author never leaves the rule without an approver.
    members.set(`${team}-leads`, random.sample(users, random.integer(2, 3)))
  }
  for (const team of approverTeams) members.set(team, random.sample(users, random.integer(3, 4)))
  members.set('@acme/platform', random.sample(users, 4))
  return { accounts, users, requesterTeams, approverTeams, members, teamsOf }
}

interface UsableService {
  readonly service: string
  readonly weight: number
  readonly arn: string
  readonly actions: readonly string[]
}

function listUsableServices(catalogue: ActionCatalogue): { common: UsableService[]; longTail: UsableService[] } {
  const common = SERVICE_SHAPES.map((shape) => ({ ...shape, actions: catalogue.expand(`${shape.service}:*`) })).filter(
    (shape) => shape.actions.length > 0,
  )
  if (common.length === 0) throw new Error('the action catalogue has none of the common services (ec2, s3, ...)')
  const known = new Set(common.map((shape) => shape.service))
  const byService = new Map<string, string[]>()
  for (const action of catalogue.expand('*')) {
    const service = action.slice(0, action.indexOf(':'))
    if (known.has(service) || !/^[a-z0-9-]+$/.test(service)) continue
    byService.set(service, [...(byService.get(service) ?? []), action])
  }
  const longTail = [...byService].map(([service, actions]) => ({
    service,
    weight: 1,
    arn: LONG_TAIL_ARN.replace('{service}', service),
    actions,
  }))
  return { common, longTail }
}

function pickWeighted<T extends { readonly weight: number }>(random: SeededRandom, items: readonly T[]): T {
  let left = random.next() * items.reduce((sum, item) => sum + item.weight, 0)
  for (const item of items) {
    left -= item.weight
    if (left < 0) return item
  }
  return items[items.length - 1] as T
}

function generatePolicySpec(params: {
  random: SeededRandom
  index: number
  organisation: Organisation
  services: { common: UsableService[]; longTail: UsableService[] }
  catalogue: ActionCatalogue
}): PolicySpec {
  const { random, index, organisation, services } = params
  const shape =
    random.chance(LONG_TAIL_SHARE) && services.longTail.length > 0 ? random.pick(services.longTail) : pickWeighted(random, services.common)
  const accounts = random.chance(0.04) ? ['*'] : random.sample(organisation.accounts, random.integer(1, 3))
  const maxDurationMin = random.pick(POLICY_MAX_DURATIONS_MIN)
  const team = random.pick(organisation.requesterTeams)
  const otherTeams = random.chance(0.25) ? [random.pick(organisation.requesterTeams)].filter((other) => other !== team) : []
  const who = random.next()
  const requesterTeams = who < 0.8 ? [team, ...otherTeams] : who < 0.9 ? [] : [team]
  const requesterUsers = who < 0.8 ? [] : random.sample(organisation.users, random.integer(1, 3))
  const app = random.pick(APPS)
  const spec: PolicySpec = {
    name: `p${String(index + 1).padStart(5, '0')}-${shape.service}-${app}`.slice(0, 63),
    service: shape.service,
    arnTemplate: shape.arn,
    accounts,
    actions: generateGrantedActions(random, shape),
    resources: generateResourceSpecs(random, shape.arn, accounts, app),
    requesterTeams,
    requesterUsers,
    maxDurationMin,
    ...(random.chance(0.25) ? { ticketPrefixes: random.pick(TICKET_RULES) } : {}),
    approvals: generateApprovals(random, organisation),
    ...(random.chance(0.1) ? { autoApproveMin: 60 } : {}),
  }
  return spec
}

/** A few real actions of the service, sometimes a verb wildcard (`ec2:Describe*`), rarely the whole service. */
function generateGrantedActions(random: SeededRandom, shape: UsableService): string[] {
  if (random.chance(0.02)) return [`${shape.service}:*`]
  const actions = random.sample(shape.actions, random.integer(1, 5))
  if (random.chance(0.25)) {
    const verb = /^[a-z0-9-]+:([A-Z][a-z]+)/.exec(random.pick(shape.actions))?.[1]
    if (verb !== undefined) actions.push(`${shape.service}:${verb}*`)
  }
  return actions
}

function generateResourceSpecs(random: SeededRandom, template: string, accounts: readonly string[], app: string): ResourceSpec[] {
  const roll = random.next()
  if (roll < 0.25) return [{ template: '*', region: '*', account: '*' }]
  const region = random.chance(0.7) ? '*' : random.pick(REGIONS)
  const namePrefix = roll < 0.65 ? `${app}-` : undefined
  // One pattern per granted account, as people write them, or any account.
  const patternAccounts = accounts.includes('*') || random.chance(0.3) ? ['*'] : accounts
  return patternAccounts.map((account) => ({ template, region, account, ...(namePrefix !== undefined ? { namePrefix } : {}) }))
}

function generateApprovals(random: SeededRandom, organisation: Organisation): ApprovalSpec[] {
  const roll = random.next()
  const principals = (count: number): ApprovalSpec => ({
    kind: 'principals',
    teams: [random.pick(organisation.approverTeams)],
    users: random.chance(0.3) ? [random.pick(organisation.users)] : [],
    count,
  })
  if (roll < 0.5) return [{ kind: 'codeowners', count: 1 }]
  if (roll < 0.8) return [{ kind: 'codeowners', count: 1 }, principals(1)]
  return [principals(random.integer(1, 2))]
}

function resourcePattern(spec: ResourceSpec): string {
  if (spec.template === '*') return '*'
  return spec.template
    .replace('{region}', spec.region)
    .replace('{account}', spec.account)
    .replace('{name}', `${spec.namePrefix ?? ''}*`)
}

function formatDurationText(minutes: number): string {
  return minutes % 1440 === 0 ? `${minutes / 1440}d` : minutes % 60 === 0 ? `${minutes / 60}h` : `${minutes}m`
}

function writePolicyYaml(spec: PolicySpec): string {
  const list = (items: readonly string[]): string => `[${items.map((item) => JSON.stringify(item)).join(', ')}]`
  const lines = [
    `name: ${spec.name}`,
    `description: Generated ${spec.service} access for the benchmark`,
    'grants:',
    `  accounts: ${list(spec.accounts)}`,
    `  actions: ${list(spec.actions)}`,
    `  resources: ${list(spec.resources.map(resourcePattern))}`,
    'requesters:',
    ...(spec.requesterTeams.length > 0 ? [`  teams: ${list(spec.requesterTeams)}`] : []),
    ...(spec.requesterUsers.length > 0 ? [`  users: ${list(spec.requesterUsers)}`] : []),
    `max_duration: ${formatDurationText(spec.maxDurationMin)}`,
  ]
  if (spec.ticketPrefixes !== undefined) lines.push(`ticket: ${JSON.stringify(ticketRegex(spec.ticketPrefixes))}`)
  lines.push('approvals:')
  for (const rule of spec.approvals) {
    lines.push(
      rule.kind === 'codeowners' ? '  - from: codeowners' : `  - from: ${list([...rule.teams, ...rule.users])}`,
      `    count: ${rule.count}`,
    )
  }
  if (spec.autoApproveMin !== undefined) lines.push('auto_approve:', `  max_duration: ${formatDurationText(spec.autoApproveMin)}`)
  return `${lines.join('\n')}\n`
}

function ticketRegex(prefixes: readonly string[]): string {
  return prefixes.length === 1 ? `^${prefixes[0]}` : `^(${prefixes.map((prefix) => prefix.replace(/-$/, '')).join('|')})-`
}

function writeCodeowners(organisation: Organisation): string {
  // The last matching line wins: the catch-all comes first.
  const lines = [
    '* @acme/platform',
    ...organisation.requesterTeams.map((team) => `/requests/${team.slice('@acme/'.length)}/ ${team}-leads`),
  ]
  return `${lines.join('\n')}\n`
}

// ---------------------------------------------------------------------------------------------------
// Requests

const NEAR_MISSES = ['account', 'duration', 'requester', 'ticket', 'resource', 'action'] as const
type NearMissKind = (typeof NEAR_MISSES)[number]

function generateRequest(params: {
  random: SeededRandom
  index: number
  spec: PolicySpec
  organisation: Organisation
  catalogue: ActionCatalogue
}): GeneratedRequest {
  const { random, index, spec, organisation, catalogue } = params
  const roll = random.next()
  const intent: RequestIntent = roll < 0.55 ? 'covered-with-approvals' : roll < 0.75 ? 'covered-approvals-missing' : 'near-miss'
  const miss = intent === 'near-miss' ? random.pick(NEAR_MISSES.filter((kind) => canMiss(kind, spec))) : undefined

  const author = miss === 'requester' ? pickOutsider(random, spec, organisation) : pickRequester(random, spec, organisation)
  const account =
    miss === 'account'
      ? random.pick(organisation.accounts.filter((candidate) => !spec.accounts.includes(candidate)))
      : pickAccount(random, spec, organisation)
  const action = miss === 'action' ? pickUngrantedAction(random, spec, catalogue) : pickGrantedAction(random, spec, catalogue)
  const resource =
    miss === 'resource'
      ? generateOutsideResource(random, spec, account)
      : generateResource(random, random.pick(spec.resources), spec.arnTemplate, account)
  const allowed = DURATIONS_MIN.filter((minutes) => minutes <= spec.maxDurationMin)
  const durationMin =
    miss === 'duration' ? (DURATIONS_MIN.find((minutes) => minutes > spec.maxDurationMin) as number) : random.pick(allowed)
  const ticket =
    miss === 'ticket'
      ? undefined
      : spec.ticketPrefixes !== undefined
        ? `${random.pick(spec.ticketPrefixes)}${random.integer(100, 99_999)}`
        : random.chance(0.3)
          ? `INC-${random.integer(100, 99_999)}`
          : undefined

  const team = organisation.teamsOf.get(author)?.[0] ?? random.pick(organisation.requesterTeams)
  const path = `requests/${team.slice('@acme/'.length)}/r${String(index + 1).padStart(5, '0')}.yaml`
  const headSha = generateSha(random)
  const approvers = spec.approvals.map((rule) => resolveRuleApprovers(rule, team, organisation).filter((login) => login !== author))
  const firstReviewId = (index + 1) * 100
  const reviews =
    intent === 'covered-approvals-missing'
      ? generateMissingApprovals({ random, approvers, spec, author, headSha, firstReviewId })
      : generateSufficientApprovals({ random, approvers, spec, headSha, organisation, firstReviewId })

  const text = [
    `reason: Benchmark request ${index + 1} for ${action} on ${resource}`,
    ...(ticket !== undefined ? [`ticket: ${ticket}`] : []),
    `duration: ${formatDurationText(durationMin)}`,
    'access:',
    `  - account: "${account}"`,
    `    actions: [${JSON.stringify(action)}]`,
    `    resources: [${JSON.stringify(resource)}]`,
  ].join('\n')
  return {
    file: { path, text: `${text}\n` },
    author,
    headSha,
    reviews,
    question: { author, account, action, resource, durationMs: durationMin * MINUTE_MS, ...(ticket !== undefined ? { ticket } : {}) },
    intent,
    basedOn: spec.name,
  }
}

function canMiss(kind: NearMissKind, spec: PolicySpec): boolean {
  switch (kind) {
    case 'account':
      return !spec.accounts.includes('*')
    case 'duration':
      return DURATIONS_MIN.some((minutes) => minutes > spec.maxDurationMin)
    case 'ticket':
      return spec.ticketPrefixes !== undefined
    case 'resource':
      return spec.resources.every((resource) => resource.template !== '*')
    case 'requester':
    case 'action':
      return true
  }
}

function pickRequester(random: SeededRandom, spec: PolicySpec, organisation: Organisation): string {
  const useUser = spec.requesterUsers.length > 0 && (spec.requesterTeams.length === 0 || random.chance(0.5))
  if (useUser) return random.pick(spec.requesterUsers)
  return random.pick(organisation.members.get(random.pick(spec.requesterTeams)) ?? [])
}

function pickOutsider(random: SeededRandom, spec: PolicySpec, organisation: Organisation): string {
  const insiders = new Set([...spec.requesterUsers, ...spec.requesterTeams.flatMap((team) => organisation.members.get(team) ?? [])])
  return random.pick(organisation.users.filter((login) => !insiders.has(login)))
}

function pickAccount(random: SeededRandom, spec: PolicySpec, organisation: Organisation): string {
  return spec.accounts.includes('*') ? random.pick(organisation.accounts) : random.pick(spec.accounts)
}

function pickGrantedAction(random: SeededRandom, spec: PolicySpec, catalogue: ActionCatalogue): string {
  const action = random.pick(catalogue.expand(random.pick(spec.actions)))
  // IAM action names are case-insensitive: some people write them in lower case.
  if (!random.chance(0.1)) return action
  const colon = action.indexOf(':')
  return action.slice(0, colon + 1) + action.slice(colon + 1).toLowerCase()
}

function pickUngrantedAction(random: SeededRandom, spec: PolicySpec, catalogue: ActionCatalogue): string {
  const granted = new Set(spec.actions.flatMap((pattern) => catalogue.expand(pattern)))
  const others = catalogue.expand(`${spec.service}:*`).filter((action) => !granted.has(action))
  if (others.length > 0) return random.pick(others)
  // The policy grants its whole service: ask for another service's action.
  return random.pick(catalogue.expand(spec.service === 's3' ? 'ec2:*' : 's3:*'))
}

function generateResource(random: SeededRandom, spec: ResourceSpec, arnTemplate: string, account: string): string {
  const template = spec.template === '*' ? arnTemplate : spec.template
  const region = spec.region === '*' ? random.pick(REGIONS) : spec.region
  const name = `${spec.namePrefix ?? `${random.pick(APPS)}-`}${generateToken(random)}`
  return template
    .replace('{region}', region)
    .replace('{account}', spec.account === '*' ? account : spec.account)
    .replace('{name}', name)
}

/** A resource of the same kind that the policy's patterns leave out: another application's, or another account's. */
function generateOutsideResource(random: SeededRandom, spec: PolicySpec, account: string): string {
  const resource = random.pick(spec.resources)
  if (resource.namePrefix !== undefined) {
    const otherApp = random.pick(APPS.filter((app) => `${app}-` !== resource.namePrefix))
    return generateResource(random, { ...resource, namePrefix: `${otherApp}-` }, spec.arnTemplate, account)
  }
  const region = resource.region === '*' ? random.pick(REGIONS) : random.pick(REGIONS.filter((other) => other !== resource.region))
  const otherAccount = resource.account === '*' ? account : `9${resource.account.slice(1)}`
  const moved = { ...resource, region, account: otherAccount }
  // Without a fixed region or account, the other resource is another service's.
  const template = resource.region === '*' && resource.account === '*' ? 'arn:aws:iam::{account}:user/{name}' : resource.template
  return generateResource(random, { ...moved, template }, spec.arnTemplate, account)
}

function resolveRuleApprovers(rule: ApprovalSpec, team: string, organisation: Organisation): string[] {
  if (rule.kind === 'codeowners') return organisation.members.get(`${team}-leads`) ?? []
  return [...new Set([...rule.teams.flatMap((name) => organisation.members.get(name) ?? []), ...rule.users])]
}

/** A review; ids are unique per request (`requestIndex * 100 + n`), so a run is reproducible. */
function createReview(params: { id: number; login: string; state: Review['state']; commitId: string; minute: number }): Review {
  const { id, login, state, commitId, minute } = params
  return { id, login, state, commitId, submittedAt: new Date(Date.UTC(2027, 1, 28, 9, minute)).toISOString() }
}

/** Enough approvals on the head commit for every rule, with the noise real PRs have. */
function generateSufficientApprovals(params: {
  random: SeededRandom
  approvers: readonly string[][]
  spec: PolicySpec
  headSha: string
  organisation: Organisation
  firstReviewId: number
}): Review[] {
  const { random, approvers, spec, headSha, organisation, firstReviewId } = params
  const reviews: Review[] = []
  const add = (login: string, state: Review['state'], commitId: string, minute: number): void => {
    reviews.push(createReview({ id: firstReviewId + reviews.length, login, state, commitId, minute }))
  }
  if (random.chance(0.2)) add(random.pick(organisation.users), 'COMMENTED', headSha, 1)
  const logins = new Set<string>()
  spec.approvals.forEach((rule, index) => random.sample(approvers[index] ?? [], rule.count).forEach((login) => logins.add(login)))
  for (const login of logins) {
    // An approval of an earlier push, renewed on the head commit.
    if (random.chance(0.15)) add(login, 'APPROVED', generateSha(random), 2)
    add(login, 'APPROVED', headSha, 10 + reviews.length)
  }
  return reviews
}

/** Reviews that leave a rule short: none, stale, too few, the author's own, or changes requested. */
function generateMissingApprovals(params: {
  random: SeededRandom
  approvers: readonly string[][]
  spec: PolicySpec
  author: string
  headSha: string
  firstReviewId: number
}): Review[] {
  const { random, approvers, spec, author, headSha, firstReviewId } = params
  const first = approvers[0] ?? []
  const review = (offset: number, login: string, state: Review['state'], commitId: string): Review =>
    createReview({ id: firstReviewId + offset, login, state, commitId, minute: 5 + offset })
  switch (random.integer(0, 4)) {
    case 0:
      return []
    case 1:
      return first.slice(0, 2).map((login, offset) => review(offset, login, 'APPROVED', generateSha(random)))
    case 2: {
      // The first rule is met and a second is not, or a single approval where two are needed.
      const leavesShort = approvers.length > 1 || (spec.approvals[0]?.count ?? 1) > 1
      return leavesShort ? first.slice(0, 1).map((login) => review(0, login, 'APPROVED', headSha)) : []
    }
    case 3:
      return [review(0, author, 'APPROVED', headSha)]
    default: {
      const login = random.pick(first)
      return [review(0, login, 'APPROVED', headSha), review(1, login, 'CHANGES_REQUESTED', headSha)]
    }
  }
}

function generateToken(random: SeededRandom): string {
  return random
    .integer(0, 36 ** 6 - 1)
    .toString(36)
    .padStart(6, '0')
}

function generateSha(random: SeededRandom): string {
  let sha = ''
  while (sha.length < 40) sha += random.integer(0, 0xffff_ffff).toString(16).padStart(8, '0')
  return sha
}
