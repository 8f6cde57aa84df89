import { GetRoleCommand, GetUserCommand, ListRolesCommand, ListUsersCommand } from '@aws-sdk/client-iam'
import { AWS_GLOBAL_REGION, type CreateIamClient, type CreateStsClient } from '../../aws/aws-clients.js'
import { createAssumeGranterRole, formatGranterRoleArn } from '../../aws/granter-session.js'
import { classifyAwsError } from '../../aws/retry.js'
import type { Fact, InstallationFacts } from '../../core/doctor/installation-checklist.js'

/**
 * What the doctor asks of AWS: the granter role in each account, whether it may list roles and users there
 * (one page of one entry each, as the full reconcile pass lists them), and each requester's principal there.
 */
export async function probeAwsAccess(params: {
  granterRole: string
  externalId: string | undefined
  /** Account → the principals (ARN, login) to look up there. */
  targets: ReadonlyMap<string, ReadonlyArray<{ readonly arn: string; readonly login: string }>>
  createStsClient: CreateStsClient
  createIamClient: CreateIamClient
}): Promise<Pick<InstallationFacts, 'granters' | 'listing' | 'principals'>> {
  const granters: Array<InstallationFacts['granters'][number]> = []
  const listing: Array<InstallationFacts['listing'][number]> = []
  const principals: Array<InstallationFacts['principals'][number]> = []
  const { externalId } = params
  for (const [account, wanted] of params.targets) {
    const roleArn = formatGranterRoleArn(params.granterRole, account)
    if (!externalId) {
      granters.push({ account, roleArn, result: { ok: false, problem: 'JIT_EXTERNAL_ID is not set' } })
      continue
    }
    // One attempt each (no retries): a doctor reports what it finds now.
    const assume = createAssumeGranterRole({
      granterRole: params.granterRole,
      externalId,
      createStsClient: params.createStsClient,
      call: (operation) => operation(),
    })
    let session
    try {
      session = await assume({ requestId: 'doctor', account, principalArn: roleArn, purpose: 'list' })
    } catch (error) {
      granters.push({ account, roleArn, result: { ok: false, problem: describeAwsError(error) } })
      continue
    }
    granters.push({ account, roleArn, result: { ok: true, value: true } })
    const iam = params.createIamClient({ region: AWS_GLOBAL_REGION, maxAttempts: 1, credentials: session.credentials })
    listing.push({ account, result: await tryListing(iam) })
    for (const principal of wanted) principals.push({ account, ...principal, result: await lookUpPrincipal(iam, principal.arn) })
  }
  return { granters, listing, principals }
}

async function tryListing(iam: ReturnType<CreateIamClient>): Promise<Fact<true>> {
  try {
    await iam.send(new ListRolesCommand({ MaxItems: 1 }))
    await iam.send(new ListUsersCommand({ MaxItems: 1 }))
    return { ok: true, value: true }
  } catch (error) {
    return { ok: false, problem: describeAwsError(error) }
  }
}

async function lookUpPrincipal(iam: ReturnType<CreateIamClient>, arn: string): Promise<Fact<boolean>> {
  const match = /^arn:[\w-]+:iam::\d{12}:(role|user)\/(?:.*\/)?([^/]+)$/.exec(arn)
  if (match === null) return { ok: false, problem: 'not a role or user ARN' }
  const [, kind, name = ''] = match
  try {
    if (kind === 'role') await iam.send(new GetRoleCommand({ RoleName: name }))
    else await iam.send(new GetUserCommand({ UserName: name }))
    return { ok: true, value: true }
  } catch (error) {
    if (classifyAwsError(error).code === 'NoSuchEntity') return { ok: true, value: false }
    return { ok: false, problem: describeAwsError(error) }
  }
}

function describeAwsError(error: unknown): string {
  return error instanceof Error ? error.message : String(error)
}
