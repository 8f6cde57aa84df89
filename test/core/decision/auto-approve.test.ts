import { beforeAll, describe, expect, it } from 'vitest'
import { decide } from '../../../src/core/decision/decide.js'
import type { Decision } from '../../../src/core/decision/decision.js'
import { isInsideWindow, type MaintenanceWindow } from '../../../src/core/decision/maintenance-window.js'
import { renderDecision } from '../../../src/core/decision/render-decision.js'
import { listFailureErrors } from '../../../src/core/files/access-repository.js'
import { parsePolicy } from '../../../src/core/files/policy.js'
import { decisionInput, loadExampleWorld, withFiles, type ExampleWorld } from '../../support/example-repo.js'

let world: ExampleWorld
beforeAll(async () => {
  world = await loadExampleWorld()
})

/** staging-debug as in examples/, its auto_approve narrowed by `conditions` (YAML lines under auto_approve). */
function stagingPolicy(conditions: string): string {
  return `name: staging-debug
grants:
  accounts: ["222222222222", "333333333333"]
  actions: ["ec2:Describe*", "logs:GetLogEvents", "logs:FilterLogEvents"]
  resources: ["*"]
requesters:
  teams: ["@acme/engineering"]
request_paths: ["requests/staging/**"]
max_duration: 8h
approvals:
  - from: codeowners
    count: 1
auto_approve:
  max_duration: 1h
${conditions}`
}

const REQUEST = {
  path: 'requests/staging/debug.yaml',
  text: `reason: Look at the checkout logs
duration: 30m
access:
  - account: "222222222222"
    actions: [logs:GetLogEvents]
`,
}

function decideAt(conditions: string, at: string, author = 'frank', request = REQUEST): Decision {
  const repository = withFiles(world, { 'policies/staging-debug.yaml': stagingPolicy(conditions) })
  expect(listFailureErrors(repository.failures)).toEqual([])
  return decide(decisionInput(world, { repository, requestFile: request, author, now: new Date(at) }))
}

/** Tuesday to Thursday, 22:00 to 02:00 Berlin time (across midnight). */
const NIGHT_WINDOW = `  windows:
    - days: [tue, wed, thu]
      from: "22:00"
      to: "02:00"
      time_zone: Europe/Berlin
`

describe('auto_approve conditions', () => {
  it('auto-approves inside a maintenance window, and says which conditions held', () => {
    // 2027-03-02 is a Tuesday; 21:30 UTC is 22:30 in Berlin (CET, UTC+1).
    const decision = decideAt(NIGHT_WINDOW, '2027-03-02T21:30:00Z')
    expect(decision.verdict).toBe('approved')
    expect(decision.policies[0]?.autoApproveConditions).toEqual([
      { held: true, words: 'duration 30m is within auto_approve.max_duration 1h' },
      {
        held: true,
        words:
          'evaluated at 2027-03-02 21:30 UTC, Tue 22:30 Europe/Berlin, inside the maintenance window tue,wed,thu 22:00-02:00 Europe/Berlin',
      },
    ])
    expect(renderDecision(decision, { format: 'text' })).toContain(
      '- ✅ auto-approved: duration 30m is within auto_approve.max_duration 1h; evaluated at 2027-03-02 21:30 UTC, Tue 22:30 Europe/Berlin, inside the maintenance window tue,wed,thu 22:00-02:00 Europe/Berlin',
    )
  })

  it('needs the approvals outside the window, and says why it was not auto-approved', () => {
    const decision = decideAt(NIGHT_WINDOW, '2027-03-02T12:00:00Z')
    expect(decision.verdict).toBe('pending')
    expect(renderDecision(decision, { format: 'text' })).toContain(
      '- not auto-approved: evaluated at 2027-03-02 12:00 UTC, Tue 13:00 Europe/Berlin, outside every maintenance window of auto_approve.windows (tue,wed,thu 22:00-02:00 Europe/Berlin)',
    )
  })

  it('keeps a window that crosses midnight open on the next morning, and only after a listed day', () => {
    // Wednesday 01:30 Berlin: opened on Tuesday.
    expect(decideAt(NIGHT_WINDOW, '2027-03-03T00:30:00Z').verdict).toBe('approved')
    // Tuesday 01:30 Berlin: Monday is not listed.
    expect(decideAt(NIGHT_WINDOW, '2027-03-02T00:30:00Z').verdict).toBe('pending')
    // Friday 01:30 Berlin: opened on Thursday.
    expect(decideAt(NIGHT_WINDOW, '2027-03-05T00:30:00Z').verdict).toBe('approved')
  })

  it('follows daylight saving time: the same UTC hour is inside in winter and outside in summer', () => {
    const window: MaintenanceWindow = { days: ['sun'], from: '09:00', to: '10:00', timeZone: 'Europe/Berlin', line: 1 }
    // 2027-03-28 is the Sunday Berlin moves to CEST at 01:00 UTC. 08:30 UTC is 10:30 CEST that day: outside.
    expect(isInsideWindow(window, new Date('2027-03-28T08:30:00Z'))).toBe(false)
    // A week earlier, 08:30 UTC is 09:30 CET: inside.
    expect(isInsideWindow(window, new Date('2027-03-21T08:30:00Z'))).toBe(true)
    // The hour that does not exist (02:00-03:00 local on the switch night) is never inside a window of it.
    const lost: MaintenanceWindow = { days: ['sun'], from: '02:00', to: '03:00', timeZone: 'Europe/Berlin', line: 1 }
    expect(isInsideWindow(lost, new Date('2027-03-28T00:59:00Z'))).toBe(false)
    expect(isInsideWindow(lost, new Date('2027-03-28T01:00:00Z'))).toBe(false)
    // New York's window, judged by New York's clock (EST, UTC-5, before its switch on 2027-03-14).
    const newYork: MaintenanceWindow = { days: ['sat'], from: '23:00', to: '23:59', timeZone: 'America/New_York', line: 1 }
    expect(isInsideWindow(newYork, new Date('2027-03-07T04:30:00Z'))).toBe(true)
  })

  it('auto-approves only the listed requesters', () => {
    const conditions = `  requesters:\n    users: [erin]\n`
    expect(decideAt(conditions, '2027-03-02T12:00:00Z', 'erin').verdict).toBe('approved')
    const frank = decideAt(conditions, '2027-03-02T12:00:00Z', 'frank')
    expect(frank.verdict).toBe('pending')
    expect(frank.policies[0]?.autoApproveConditions).toContainEqual({
      held: false,
      words: '@frank is not one of auto_approve.requesters (erin)',
    })
  })

  it('auto-approves only when every account is listed', () => {
    const conditions = `  accounts: ["333333333333"]\n`
    const decision = decideAt(conditions, '2027-03-02T12:00:00Z')
    expect(decision.verdict).toBe('pending')
    expect(decision.policies[0]?.autoApproveConditions).toContainEqual({
      held: false,
      words: 'account 222222222222 is not in auto_approve.accounts (333333333333)',
    })
  })

  it('refuses an unknown time zone, naming the file and the line', () => {
    const parsed = parsePolicy({
      file: 'policies/staging-debug.yaml',
      text: stagingPolicy(`  windows:\n    - days: [mon]\n      from: "09:00"\n      to: "10:00"\n      time_zone: Europe/Atlantis\n`),
    })
    expect(parsed.ok).toBe(false)
    expect(parsed.ok ? [] : parsed.errors).toEqual([
      {
        file: 'policies/staging-debug.yaml',
        line: 19,
        message:
          'auto_approve.windows: time_zone "Europe/Atlantis" is not an IANA time zone this app knows (e.g. Europe/Berlin, America/New_York, UTC)',
      },
    ])
  })
})
