import { afterEach, beforeEach, describe, expect, it } from 'vitest'
import { main } from '../../src/cli/jit.js'
import { createJitCommands } from '../../src/cli/jit-commands.js'
import { formatRecordDocument } from '../../src/core/records/record-document.js'
import { FakeIam } from '../workflows/sweep/support/fake-iam.js'
import { activeRecord } from '../workflows/sweep/support/grant-records.js'
import { startEmulatorFixture, type EmulatorFixture } from '../emulator/github/emulator-fixture.js'

// `jit revoke` as an administrator runs it with the app's own credentials (APP_ID + PRIVATE_KEY): no user
// token exists, so GET /user cannot name the actor; the app is the actor, and the record says so.
const RECORD = activeRecord({ number: 41, expiresAt: '2026-12-01T13:00:00Z' })
let fixture: EmulatorFixture
let aws: FakeIam

beforeEach(async () => {
  aws = new FakeIam({ 'jit-alice': RECORD.targets.map((target) => target.aws_policy_name) })
  fixture = await startEmulatorFixture({ appSlug: 'jit-access' })
  // Written as the app writes a record: its bot, its trailers (a record anyone else wrote is not obeyed).
  await fixture.emulator.commitAsApp({
    files: { [`grants/active/${RECORD.id}.yaml`]: formatRecordDocument(RECORD) },
    message: `Grant ${RECORD.id}\n\nJit-Action: grant\nJit-Request: ${RECORD.id}\n`,
  })
})
afterEach(async () => {
  aws.restore()
  await fixture.close()
})

async function revoke(args: string[]): Promise<{ code: number; stdout: string; stderr: string }> {
  let stdout = ''
  let stderr = ''
  const commands = createJitCommands({
    createProvider: () => aws.provider(),
    catalogue: async () => {
      throw new Error('not needed')
    },
  })
  const env = { GITHUB_REPOSITORY: 'acme/access', APP_ID: '4242', PRIVATE_KEY: fixture.privateKey, GITHUB_API_URL: fixture.emulator.url }
  const code = await main(
    ['revoke', ...args],
    {
      stdout: { write: (text: string) => (stdout += text) },
      stderr: { write: (text: string) => (stderr += text) },
      cwd: '/',
      env,
      now: () => new Date('2026-12-01T12:00:00Z'),
    },
    commands,
  )
  return { code, stdout, stderr }
}

describe('jit revoke under the app credentials', () => {
  it('records the app as the one who revoked, unless --by names someone', async () => {
    const result = await revoke([RECORD.id])
    expect(result.stderr).toBe('')
    expect(result.code).toBe(0)
    const revoked = await fixture.emulator.git(['show', `main:grants/revoked/${RECORD.id}.yaml`])
    expect(revoked).toMatch(/revoked_by: jit-access\[bot\]/)
    expect(await fixture.emulator.git(['log', '-1', '--format=%an', 'main'])).toBe('jit-access[bot]\n')
    expect(aws.deletes).toEqual(RECORD.targets.map((target) => target.aws_policy_name))
  })

  it('takes --by when given', async () => {
    expect((await revoke([RECORD.id, '--by', 'erin'])).code).toBe(0)
    expect(await fixture.emulator.git(['show', `main:grants/revoked/${RECORD.id}.yaml`])).toMatch(/revoked_by: erin/)
  })
})
