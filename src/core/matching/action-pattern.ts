import { compileCoverage, findUncoveredExample } from './wildcard.js'

/**
 * Actions as IAM reads them: `*` (every action), or `service:pattern` where the service prefix is
 * letters, digits and hyphens (never a wildcard; any case, as IAM compares it case-insensitively) and
 * the pattern is an action name with optional `*` and `?`. The JSON Schemas admit exactly this
 * (ACTION_PATTERN); coverage compares the service exactly and the name as a wildcard pattern, both
 * case-insensitively.
 */

/** Compiles a granted action once into a coverage check for many requested actions or patterns. */
export function compileActionCoverage(granted: string): (requested: string) => boolean {
  if (granted === '*') return () => true
  const covers = compileCoverage(granted, { ignoreCase: true })
  // `*` names every action of every service, which no service-scoped pattern covers.
  return (requested) => requested !== '*' && covers(requested)
}

/**
 * A concrete action `requested` could name that `granted` does not allow, or undefined when `granted`
 * covers `requested`. With the grammar above, the service prefix is literal on both sides, so the flat
 * case-insensitive comparison of `service:name` is IAM's.
 */
export function findUncoveredAction(granted: string, requested: string): string | undefined {
  if (granted === '*') return undefined
  if (requested === '*') return granted.split(':')[0]?.toLowerCase() === 'ec2' ? 's3:GetObject' : 'ec2:DescribeInstances'
  return findUncoveredExample(granted, requested, { ignoreCase: true })
}
