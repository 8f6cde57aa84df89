import { createHash } from 'node:crypto'
import type { CloudProvider, RevokeTarget } from '../../core/ports/cloud-provider.js'
import { REMOVED_DOCUMENT_MAX_CHARS, type RemovedPolicyDocument, type Revocation } from '../../core/records/grant-record.js'

/** What the record keeps of a document about to be deleted, or why it could not be read. */
export type ReadDocument =
  | { readonly kind: 'read'; readonly document: RemovedPolicyDocument; readonly text: string }
  | { readonly kind: 'absent' }
  | { readonly kind: 'unread'; readonly problem: string }

/**
 * Reads a policy's document before the sweep deletes it, so the record says what it allowed. A record
 * keeps at most `maxChars` of it (with the SHA-256 and length of the whole): a record the app could not
 * read back could never be acted on. A failed read is reported, and never stops the delete.
 */
export async function readRemovedDocument(
  provider: CloudProvider,
  target: RevokeTarget,
  maxChars = REMOVED_DOCUMENT_MAX_CHARS,
): Promise<ReadDocument> {
  let text: string | null
  try {
    text = await provider.readManagedPolicy(target)
  } catch (error) {
    return {
      kind: 'unread',
      problem: `could not read ${target.policyName} on ${target.principalArn} before deleting it: ${(error as Error).message}`,
    }
  }
  if (text === null) return { kind: 'absent' }
  return { kind: 'read', text, document: boundDocument(text, maxChars) }
}

/** The document as a record keeps it: whole when it fits, else its first `maxChars` characters, marked truncated. */
export function boundDocument(text: string, maxChars = REMOVED_DOCUMENT_MAX_CHARS): RemovedPolicyDocument {
  const sha256 = createHash('sha256').update(text, 'utf8').digest('hex')
  const truncated = text.length > maxChars
  return { text: truncated ? text.slice(0, maxChars) : text, sha256, length: text.length, truncated }
}

/** Puts each target's document beside AWS's outcome for it in the record's `revocation.aws`. */
export function withDocuments(aws: Revocation['aws'], documents: ReadonlyMap<string, RemovedPolicyDocument>): Revocation['aws'] {
  return aws.map((entry) => {
    const document = documents.get(documentKey(entry.account, entry.principal, entry.aws_policy_name))
    return document ? { ...entry, document } : entry
  })
}

export function documentKey(account: string, principalArn: string, policyName: string): string {
  return `${account} ${principalArn} ${policyName}`
}
