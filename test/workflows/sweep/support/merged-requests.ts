import { readFileSync } from 'node:fs'
import { createActionCatalogue } from '../../../../src/core/matching/action-catalogue.js'
import type { FakeReview } from '../../../github/support/access-repo-fixture.js'
import type { FakeMergedPullRequest } from './fake-github-repo.js'
import { TEST_NAMESPACE } from '../../../fixtures/namespace.js'

// What a merged request needs for the real grant workflow to run against the fake GitHub: the rules
// of the fixture access repository, the incident request, the approvals it asks for, the teams.

const FIXTURE = new URL('../../../fixtures/access-repo/', import.meta.url)
const read = (path: string): string => readFileSync(new URL(path, FIXTURE), 'utf8')

/** The rules on main (the fake's placeholder `policies/ops.yaml` is replaced, being no valid policy). */
export const RULES: Record<string, string | null> = {
  'policies/ops.yaml': null,
  'policies/prod-ec2-incident.yaml': read('policies/prod-ec2-incident.yaml'),
  '.github/CODEOWNERS': read('.github/CODEOWNERS'),
  '.github/jit.yml': read('.github/jit.yml'),
}

/** alice asks for 2h of EC2 stop/terminate in 111111111111 (as role jit-alice). */
export const INCIDENT = { path: 'requests/sre/inc-4821-terminate-web.yaml', text: read('requests/sre/inc-4821-terminate-web.yaml') }

/** bob owns /requests/ (CODEOWNERS), carol is in @acme/security: the two approvals the policy asks for. */
export const APPROVED: FakeReview[] = [
  { id: 501, login: 'bob', state: 'APPROVED', submittedAt: '2026-12-01T09:00:00Z' },
  { id: 502, login: 'carol', state: 'APPROVED', submittedAt: '2026-12-01T09:05:00Z' },
]

export const TEAMS: Record<string, string[]> = { sre: ['alice', 'erin'], 'sre-leads': ['bob'], security: ['carol', 'dan'] }

/** Enough of AWS's actions for the incident policy (its `ec2:Describe*` included). */
export const CATALOGUE = createActionCatalogue([
  'ec2:StopInstances',
  'ec2:RebootInstances',
  'ec2:TerminateInstances',
  'ec2:DescribeInstances',
  'ec2:DescribeVolumes',
])

/** alice's approved incident request, merged by bob at `mergedAt`. */
export function mergedRequest(number: number, mergedAt: string, changes: Partial<FakeMergedPullRequest> = {}): FakeMergedPullRequest {
  return { number, mergedAt, request: INCIDENT, author: 'alice', reviews: APPROVED, ...changes }
}

/** The policy name of the incident request merged at `mergedAt` (its window is 2h from the merge). */
export function incidentPolicyName(number: number, mergedAt: string): string {
  const expiresAt = new Date(Date.parse(mergedAt) + 2 * 3_600_000)
    .toISOString()
    .replace(/[-:]/g, '')
    .replace(/\.\d{3}/, '')
  return `jit-${TEST_NAMESPACE}-pr-${number}-exp-${expiresAt}`
}
