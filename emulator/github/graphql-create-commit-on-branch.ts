import { GraphQLError } from 'graphql'
import type { EmulatorContext } from './emulator-context.js'
import { updateBranchThroughApi } from './branch-moves.js'
import { RuleViolationError } from './ruleset-enforcement.js'
import { appIdentity } from './route-helpers.js'

/** `CreateCommitOnBranchInput`, as GitHub's schema types it (the schema has already validated the shape). */
export interface CreateCommitOnBranchInput {
  readonly branch: { readonly repositoryNameWithOwner?: string | null; readonly branchName?: string | null; readonly id?: string | null }
  readonly expectedHeadOid: string
  readonly fileChanges?: {
    readonly additions?: readonly { readonly path: string; readonly contents: string }[] | null
    readonly deletions?: readonly { readonly path: string }[] | null
  } | null
  readonly message: { readonly headline: string; readonly body?: string | null }
  readonly clientMutationId?: string | null
}

/** Who GitHub names as the committer of the commits it makes and signs itself (its `web-flow` key). */
export const GITHUB_COMMITTER = { name: 'GitHub', email: 'noreply@github.com' } as const

const BASE64 = /^[A-Za-z0-9+/]*={0,2}$/u

function fail(message: string, type: string): never {
  throw new GraphQLError(message, { extensions: { type } })
}

/**
 * `createCommitOnBranch` on real git: one commit of `fileChanges` on top of `expectedHeadOid`, the
 * branch moved to it through the same ref update as REST's (`updateBranchThroughApi`, where the rulesets apply), refused as `STALE_DATA` when
 * the branch is not at `expectedHeadOid`. As on GitHub for an installation token, the commit is authored
 * by the app's bot, committed by GitHub and signed by GitHub (kept in `state.signedCommits`: a pusher
 * cannot forge it). The message is the headline, a blank line and the body.
 */
export async function createCommitOnBranch(
  context: EmulatorContext,
  input: CreateCommitOnBranchInput,
): Promise<{ readonly sha: string; readonly branchName: string }> {
  const nameWithOwner = input.branch.repositoryNameWithOwner ?? ''
  if (input.branch.id || nameWithOwner.toLowerCase() !== `${context.owner}/${context.repo}`.toLowerCase()) {
    fail(`Could not resolve to a Repository with the name '${nameWithOwner}'.`, 'NOT_FOUND')
  }
  const branchName = (input.branch.branchName ?? '').replace(/^refs\/heads\//u, '')
  const fullRef = `refs/heads/${branchName}`
  const head = await context.store.readRef(fullRef)
  if (head === undefined) fail(`A ref named "${fullRef}" does not exist in the repository.`, 'NOT_FOUND')
  if (head !== input.expectedHeadOid) {
    fail(`Expected branch to point to "${input.expectedHeadOid}" but it did not. Pull and try again.`, 'STALE_DATA')
  }
  const parent = await context.store.readCommit(head)
  if (parent === undefined) fail(`Could not read the commit ${head}.`, 'UNPROCESSABLE')
  const files: Record<string, Buffer | null> = {}
  for (const deletion of input.fileChanges?.deletions ?? []) {
    if ((await context.store.resolve(`${head}:${deletion.path}`)) === undefined) {
      fail(`A path was requested for deletion which does not exist as of commit oid \`${head}\``, 'UNPROCESSABLE')
    }
    files[deletion.path] = null
  }
  for (const addition of input.fileChanges?.additions ?? []) {
    if (!BASE64.test(addition.contents)) fail(`The contents of ${addition.path} are not base64.`, 'UNPROCESSABLE')
    files[addition.path] = Buffer.from(addition.contents, 'base64')
  }
  const tree = await context.store.writeFiles(parent.tree, files)
  const date = context.clock()
  const body = input.message.body ?? ''
  const message = body === '' ? input.message.headline : `${input.message.headline}\n\n${body}`
  const sha = await context.store.createCommit({
    tree,
    parents: [head],
    message,
    author: { ...appIdentity(context), date },
    committer: { ...GITHUB_COMMITTER, date },
  })
  context.state.signedCommits.add(sha)
  let moved
  try {
    moved = await updateBranchThroughApi(context, { fullRef, sha, force: false, expected: head, via: 'graphql' })
  } catch (error) {
    // GitHub answers a ruleset's refusal of the mutation with the same text as REST's 422.
    if (error instanceof RuleViolationError) fail(error.message, 'UNPROCESSABLE')
    throw error
  }
  if (moved.kind !== 'moved') fail(moved.message, moved.kind === 'stale' || moved.kind === 'kept-changing' ? 'STALE_DATA' : 'UNPROCESSABLE')
  return { sha, branchName }
}
