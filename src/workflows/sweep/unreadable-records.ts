import type { CloudProvider } from '../../core/ports/cloud-provider.js'
import { REMOVED_DOCUMENT_MAX_CHARS, type RemovedPolicyDocument } from '../../core/records/grant-record.js'
import { readPolicyDocumentExpiry } from '../../core/records/iam-policy-document.js'
import { formatRecordTime, summariseAwsOutcome, SWEEPER_LOGIN } from '../../core/records/plan-sweep.js'
import { buildUnreadableRecordRevocation, type OrphanPolicy } from '../../core/records/reconcile.js'
import { mapConcurrently } from '../../aws/map-concurrently.js'
import type { UnreadableActiveRecord } from './read-grant-records.js'
import { documentKey, readRemovedDocument, withDocuments } from './removed-documents.js'
import type { ConfirmedRevocation } from './revocation-commit.js'

/** The characters of removed documents one rebuilt record keeps in all (the app reads back 64 KiB). */
const DOCUMENTS_BUDGET_CHARS = 40_000

/** What the sweep did about an active record it cannot read. */
export interface UnreadableRecordResult {
  readonly id: string
  readonly path: string
  /** `left`: not expired yet, or nothing of it found in AWS; `revoked`: recorded in this sweep's commit. */
  readonly status: 'revoked' | 'would-revoke' | 'failed' | 'left'
  readonly explanation: string
}

/**
 * An active record that does not parse (edited by hand into invalid YAML, truncated, over the size the
 * app reads) must not keep its grant alive past its end. The full pass found this namespace's policies
 * of its request id (`found`); each one's end is read from its document (the `aws:CurrentTime`
 * condition IAM enforces), or from its name when the document says none. Once every one has ended,
 * they are deleted and a revoked record that names the unreadable file (its blob, which git keeps) and
 * what the parser said replaces it. Before then the record is left, and reported with its end.
 */
export async function revokeUnreadableRecords(input: {
  provider: CloudProvider
  namespace: string
  now: Date
  unreadable: readonly UnreadableActiveRecord[]
  found: readonly OrphanPolicy[]
  /** Lines of the full pass's problems: a record with nothing found may live in an account it could not read. */
  inventoryProblems: readonly string[]
  repositoryUrl: string
  concurrency: number
}): Promise<{ results: UnreadableRecordResult[]; revocations: ConfirmedRevocation[] }> {
  const { provider, now } = input
  const revocations: ConfirmedRevocation[] = []
  const results = await mapConcurrently(input.unreadable, input.concurrency, async (record): Promise<UnreadableRecordResult> => {
    const base = { id: record.id, path: record.path }
    const policies = input.found.filter((policy) => policy.requestId === record.id)
    if (policies.length === 0) {
      const unsure = input.inventoryProblems.length > 0 ? ' in the accounts the full pass could read' : ''
      return {
        ...base,
        status: 'left',
        explanation: `${record.path} cannot be read (${record.error}) and AWS holds no policy of ${record.id}${unsure}: the file is left for a person`,
      }
    }
    const documents = new Map<string, RemovedPolicyDocument>()
    const ends: { policy: OrphanPolicy; end: Date; from: string }[] = []
    // Whatever the number of policies, their documents together stay well inside what the app reads back.
    const maxChars = Math.min(REMOVED_DOCUMENT_MAX_CHARS, Math.floor(DOCUMENTS_BUDGET_CHARS / policies.length))
    for (const policy of policies) {
      const read = await readRemovedDocument(provider, policy, maxChars)
      const fromDocument = read.kind === 'read' ? readPolicyDocumentExpiry(read.text) : undefined
      if (read.kind === 'read') documents.set(documentKey(policy.account, policy.principalArn, policy.policyName), read.document)
      ends.push(
        fromDocument
          ? { policy, end: fromDocument, from: 'its document' }
          : {
              policy,
              end: policy.expiresAt,
              from: read.kind === 'unread' ? `its name (${read.problem})` : 'its name (its document says no end)',
            },
      )
    }
    const latest = ends.reduce((last, entry) => (entry.end > last ? entry.end : last), ends[0]!.end)
    const said = ends.map((entry) => `${entry.policy.policyName} ends at ${formatRecordTime(entry.end)} (from ${entry.from})`).join('; ')
    if (latest.getTime() > now.getTime()) {
      return {
        ...base,
        status: 'left',
        explanation: `${record.path} cannot be read (${record.error}); its grant is left until it ends at ${formatRecordTime(latest)}, then revoked from what AWS holds: ${said}`,
      }
    }
    const outcome = await provider.revoke({
      namespace: input.namespace,
      requestId: record.id,
      targets: policies.map((policy) => ({ account: policy.account, principalArn: policy.principalArn, policyName: policy.policyName })),
      revokedAt: now,
      cutSessions: false,
    })
    if (outcome.dryRun)
      return { ...base, status: 'would-revoke', explanation: `${record.path} cannot be read; ${said}; ${outcome.summary}` }
    if (!outcome.ok) {
      return { ...base, status: 'failed', explanation: `${record.path} cannot be read; ${said}; ${outcome.summary}; retried next sweep` }
    }
    const revoked = buildUnreadableRecordRevocation({
      id: record.id,
      unreadable: { path: record.path, blob_sha: record.blobSha, error: record.error.slice(0, 2000) },
      policies,
      expiresAt: latest,
      revokedAt: now,
      revokedBy: SWEEPER_LOGIN,
      aws: withDocuments(summariseAwsOutcome(outcome), documents),
      repositoryUrl: input.repositoryUrl,
    })
    const explanation = `${record.path} cannot be read (${record.error}); ${said}; ${outcome.summary}`
    revocations.push({ record: revoked, source: 'unreadable', summary: explanation })
    return { ...base, status: 'revoked', explanation }
  })
  return { results, revocations }
}
