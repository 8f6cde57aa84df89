import type { AccessRepository } from './access-repository.js'

/**
 * Policies whose approvers the requester can choose: they count `codeowners` approvals and set no
 * `request_paths`, while CODEOWNERS gives different paths under `requests/` different owners, so where
 * the request file is saved decides who may approve it. One warning per such policy, in words.
 */
export function findRequestPathWarnings(repository: Pick<AccessRepository, 'policies' | 'codeowners'>): string[] {
  const codeowners = repository.codeowners
  if (!codeowners) return []
  const requestRules = codeowners.rules.filter((rule) => canOwnRequests(rule.pattern))
  const ownerSets = new Set(
    requestRules.map((rule) =>
      rule.owners
        .map((owner) => owner.toLowerCase())
        .sort()
        .join(' '),
    ),
  )
  if (ownerSets.size < 2) return []
  const lines = requestRules.map((rule) => rule.line).join(', ')
  return repository.policies
    .filter((policy) => policy.requestPaths === undefined && policy.approvals.some((rule) => rule.from.kind === 'codeowners'))
    .map(
      (policy) =>
        `policy ${policy.name} (${policy.file}) counts approvals from code owners but sets no request_paths, while ${codeowners.file} ` +
        `gives request files different owners by path (lines ${lines}): whoever saves a request chooses who approves it; ` +
        'set request_paths to where its requests live',
    )
}

/** Whether a CODEOWNERS pattern can match a path under `requests/`: it names `requests/`, or it is not anchored elsewhere. */
function canOwnRequests(pattern: string): boolean {
  const path = pattern.replace(/^\/+/u, '')
  if (path === 'requests' || path.startsWith('requests/')) return true
  const anchored = pattern.startsWith('/') || pattern.replace(/\/+$/u, '').includes('/')
  return !anchored || /^\*\*?(?:\/|$)/u.test(path)
}
