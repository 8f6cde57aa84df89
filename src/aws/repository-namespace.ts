import { createHash } from 'node:crypto'

/**
 * The namespace of an access repository in AWS: the first ten hex digits of the SHA-256 of its
 * `owner/name`, lower-cased (GitHub names are case-insensitive), e.g. `acme/access` → `bb0610eed9`.
 * Every policy the app writes for the repository carries it (see `nameGrantPolicy`), so two access
 * repositories that share a principal never take each other's policies for their own.
 *
 * A renamed or transferred repository gets a new namespace: its records still name their policies, so
 * they are revoked as always; a policy left in the old namespace is no longer this repository's orphan.
 */
export function nameRepositoryNamespace(params: { owner: string; repo: string }): string {
  return createHash('sha256').update(`${params.owner}/${params.repo}`.toLowerCase()).digest('hex').slice(0, 10)
}
