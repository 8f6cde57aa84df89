import { describe, expect, it } from 'vitest'
import { describeRecordEvent } from '../../../src/core/notifications/describe-events.js'
import { renderSlackMessage } from '../../../src/core/notifications/render-slack-message.js'
import type { GrantRecord } from '../../../src/core/records/grant-record.js'
import { GRANT } from '../../fixtures/grant/records.js'

// A grant of a curated permission set names the set in the notification, not an empty list of actions.
const CURATED: GrantRecord = {
  ...GRANT,
  targets: [
    {
      account: '111111111111',
      principal: 'identity-center-user:alice@acme.com',
      actions: [],
      resources: [],
      aws_policy_name: 'jit-a9ad9cb2-pr-42',
      curated_permission_set: { name: 'ReadOnlyAccess' },
    },
  ],
}

describe('notifications of a curated permission set grant', () => {
  it('say which permission set was granted', () => {
    const event = describeRecordEvent(CURATED, { repository: 'acme/access', at: new Date('2026-12-01T09:00:00Z') })
    expect(event?.access).toEqual([
      {
        account: '111111111111',
        actions: [],
        resources: [],
        principal: 'identity-center-user:alice@acme.com',
        permissionSet: 'ReadOnlyAccess',
      },
    ])
    const slack = JSON.stringify(renderSlackMessage(event!))
    expect(slack).toContain('permission set `ReadOnlyAccess`')
    expect(slack).not.toContain(':  on ')
  })
})
