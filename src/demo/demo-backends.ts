import type { CallRecord } from '../../emulator/aws/emulator-state.js'
import type { ManualClock } from './manual-clock.js'
import { formatIdentityCenterSettings, seedIdentityCenter, type LocalIdentityCenter } from './seed-identity-center.js'
import type { LocalStack } from './start-local-stack.js'

/** The lifecycle did not go as the demo expects: a bug in the app, the emulators or the demo. */
export class DemoError extends Error {
  override readonly name = 'DemoError'
}

/** How the demo writes: a line of narration, and a block shown indented (a file, a policy, a log). */
export interface Narration {
  line(text: string): void
  show(text: string): void
}

/**
 * What differs between the demo's two backends; everything else is one lifecycle (see `runLifecycleDemo`).
 * Each hook narrates what its backend wrote in AWS, read from the emulator's state and call log.
 */
export interface DemoBackend {
  /** The emulated AWS, in the demo's opening words. */
  readonly cloud: string
  /** Files to add to (or replace in) the seeded access repository. */
  readonly files: (example: { readonly files: Readonly<Record<string, string>> }) => Readonly<Record<string, string>>
  /** Seeds the AWS emulator beyond the accounts' granter roles and `jit-<login>` roles, and says what is there. */
  seed(stack: LocalStack, say: Narration, accounts: readonly string[]): void
  /** Called with each wait of the app's AWS polling and retries (default: recorded only, see `LocalStackOptions.onAppSleep`). */
  readonly onAppSleep?: (stack: LocalStack, ms: number) => void
  /** Narrates the grant the merge made in AWS (the calls since `from` in the call log); returns what it is named. */
  showGrant(stack: LocalStack, say: Narration, from: number): Promise<string>
  /** Whether the grant named `name` is still in AWS. */
  isGranted(stack: LocalStack, name: string): boolean
  /** Narrates the revocation (the calls since `from`) and checks nothing is left; returns a problem, if any. */
  showRevoked(stack: LocalStack, say: Narration, from: number): string | undefined
}

const REQUESTER = 'alice'
const PROD = '111111111111'

/** Today's backend: an inline policy on the requester's role, deleted by the sweep. The narration is exactly `npm run demo`'s. */
export const IAM_DEMO: DemoBackend = {
  cloud: 'an emulated AWS IAM/STS',
  files: () => ({}),
  seed: (stack, say, accounts) => {
    say.line(
      `AWS: accounts ${accounts.join(' and ')}, each with the role jit-granter (trusting only the app, with an ExternalId) and a role jit-<login> per engineer`,
    )
    say.line(`The app reaches AWS through AWS_ENDPOINT_URL_IAM / AWS_ENDPOINT_URL_STS = ${stack.aws.url}`)
  },
  showGrant: async (stack, say) => {
    const policies = stack.aws.state.listRoleInlinePolicies(PROD, `jit-${REQUESTER}`)
    const [policyName, policyDocument] = required(Object.entries(policies)[0], `no policy was written on role jit-${REQUESTER}`)
    say.line(`The app granted. In AWS, role jit-${REQUESTER} in ${PROD} now has the inline policy ${policyName}:`)
    say.show(JSON.stringify(JSON.parse(policyDocument), null, 2))
    const writes = stack.aws.state.calls.filter((call) => call.action !== 'ListRolePolicies' && call.action !== 'GetRolePolicy')
    say.line(`AWS calls: ${writes.map((call) => `${call.action}${call.sessionName ? ` (as ${call.sessionName})` : ''}`).join(', ')}`)
    say.line('In git, the app committed the grant record grants/active/pr-1.yaml to main:')
    say.show(await stack.github.git(['log', '-1', '--format=%h %an%n%B', 'main']))
    return policyName
  },
  isGranted: (stack, name) => name in stack.aws.state.listRoleInlinePolicies(PROD, `jit-${REQUESTER}`),
  showRevoked: (stack, say) => {
    const left = Object.keys(stack.aws.state.listRoleInlinePolicies(PROD, `jit-${REQUESTER}`))
    if (left.length > 0) return `role jit-${REQUESTER} still has ${left.join(', ')}`
    const deleted = stack.aws.state.calls.filter((call) => call.action === 'DeleteRolePolicy').map((call) => call.params['PolicyName'])
    say.line(`In AWS: DeleteRolePolicy ${deleted.join(', ')}; role jit-${REQUESTER} has no inline policy left.`)
    return undefined
  },
}

const INSTANCE: LocalIdentityCenter = {
  instanceArn: 'arn:aws:sso:::instance/ssoins-6684bd2d29fa3c1e',
  identityStoreId: 'd-9067a1b2c3',
  region: 'us-east-1',
  userNames: ['alice@acme.com', 'bob@acme.com', 'carol@acme.com'],
}
/** Status reads an assignment stays IN_PROGRESS for: long enough (about 20 s of polling) for the grant to report progress. */
const SLOW_ASSIGNMENT_POLLS = 6

/**
 * IAM Identity Center: per request one permission set holding the approved actions and the window,
 * assigned to the requester's Identity Center user; the sweep deletes the assignment and the set. The
 * emulator is administered from the app's own account, and its assignments take a while, as AWS's do.
 */
export function createIdentityCenterDemo(clock: Pick<ManualClock, 'advance' | 'now'>): DemoBackend {
  /** The progress comments the pull request showed while the grant polled, oldest first. */
  const progressSeen: string[] = []
  return {
    cloud: 'an emulated AWS IAM Identity Center',
    files: (example) => ({
      '.github/jit.yml': [
        (example.files['.github/jit.yml'] ?? '').trimEnd(),
        '# Every account grants through IAM Identity Center: a permission set per request, assigned to the user.',
        formatIdentityCenterSettings(INSTANCE, '999999999999'),
      ].join('\n'),
    }),
    seed: (stack, say) => {
      const { aws, appAccount } = stack
      seedIdentityCenter(stack, INSTANCE, clock.now())
      aws.state.identityCenter.pollsToComplete = SLOW_ASSIGNMENT_POLLS
      const users = INSTANCE.userNames
      say.line(`.github/jit.yml: backend: identity_center, instance ${INSTANCE.instanceArn}, user_name "{login}@acme.com"`)
      say.line(
        `AWS: Identity Center instance administered from ${appAccount} through its role jit-granter (trusting only the app, with an ExternalId); users ${users.join(', ')}`,
      )
      say.line(`An account assignment stays IN_PROGRESS for ${SLOW_ASSIGNMENT_POLLS} status reads, as a slow one does in AWS`)
      say.line(
        `The app reaches AWS through AWS_ENDPOINT_URL_SSO_ADMIN / AWS_ENDPOINT_URL_IDENTITYSTORE / AWS_ENDPOINT_URL_STS = ${aws.url}`,
      )
    },
    // The app's status polls wait on the demo's clock: the assignment takes its time, and the grant reports it.
    onAppSleep: (stack, ms) => {
      const progress = stack.github.comments(1).find((comment) => comment.body.includes('## ⏳'))?.body
      if (progress && !progressSeen.includes(progress)) progressSeen.push(progress)
      clock.advance(ms)
    },
    showGrant: async (stack, say, from) => {
      const identityCenter = stack.aws.state.identityCenter
      const set = required([...identityCenter.permissionSets.values()][0], 'no permission set was created')
      for (const progress of progressSeen.splice(0)) {
        say.line('While AWS provisioned the assignment, the app showed the pull request:')
        say.show(progress.replace(/^<!--.*-->\n/, ''))
      }
      say.line(`The app granted. In AWS, permission set ${set.name} (session duration ${set.sessionDuration}), with the inline policy:`)
      say.show(JSON.stringify(JSON.parse(set.provisioned.get(PROD)?.inlinePolicy ?? set.inlinePolicy), null, 2))
      say.line(`Assigned: ${identityCenter.describeAssignmentsOf(`${REQUESTER}@acme.com`).join(', ')} (account, permission set)`)
      say.line(`AWS calls of the grant: ${describeCalls(stack.aws.state.calls.slice(from))}`)
      say.line('In git, the app committed the grant record grants/active/pr-1.yaml to main:')
      say.show(await stack.github.git(['log', '-1', '--format=%h %an%n%B', 'main']))
      say.show(await stack.github.git(['show', 'main:grants/active/pr-1.yaml']))
      return set.name
    },
    isGranted: (stack, name) => stack.aws.state.identityCenter.findPermissionSetByName(name) !== undefined,
    showRevoked: (stack, say, from) => {
      const identityCenter = stack.aws.state.identityCenter
      const left = [...identityCenter.permissionSets.values()].map((set) => set.name)
      if (left.length > 0 || identityCenter.assignments.length > 0)
        return `Identity Center still holds ${left.join(', ')} and ${identityCenter.assignments.length} assignment(s)`
      say.line(`AWS calls of the sweep (its reconcile, then the revocation): ${describeCalls(stack.aws.state.calls.slice(from))}`)
      say.line('In AWS: the assignment and the permission set are deleted; the instance holds no permission set.')
      return undefined
    },
  }
}

/** The call log in order, `service:Operation`, a failed call marked with its error, a run of the same call as `×n` (status polls). */
export function describeCalls(calls: readonly CallRecord[]): string {
  const runs: { text: string; times: number }[] = []
  for (const call of calls) {
    const text = `${call.service}:${call.action}${call.error ? ` (${call.error})` : ''}`
    const last = runs.at(-1)
    if (last?.text === text) last.times += 1
    else runs.push({ text, times: 1 })
  }
  return runs.map((run) => (run.times > 1 ? `${run.text} ×${run.times}` : run.text)).join(', ')
}

export function required<T>(value: T | undefined, problem: string): T {
  if (value === undefined) throw new DemoError(problem)
  return value
}
