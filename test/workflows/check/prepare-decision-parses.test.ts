import yaml from 'js-yaml'
import { afterEach, describe, expect, it, vi } from 'vitest'
import { createActionCatalogue } from '../../../src/core/matching/action-catalogue.js'
import type { Logger } from '../../../src/core/ports/logger.js'
import { CORE_ENGINE, prepareDecision } from '../../../src/workflows/check/prepare-decision.js'
import { FIXTURE_POLICY_ACTIONS, POLICY_FILES, readFixture } from '../../github/support/access-repo-fixture.js'
import { createFakeGitHubApi } from '../../github/support/fake-github-api.js'

// Each file is parsed once per evaluation, even when its checks need lines for their errors (an unknown
// action in the request and in a policy): a parse is the costly part of reading a 64 KiB file.

// Every action the fixture policies grant, so that only the policy written here has an unknown one.
const catalogue = createActionCatalogue(FIXTURE_POLICY_ACTIONS)
const ignore = (): void => undefined
const log: Logger = { debug: ignore, info: ignore, warn: ignore, error: ignore }

afterEach(() => {
  vi.restoreAllMocks()
})

describe('prepareDecision parses each file once', () => {
  it('the request and a policy with unknown actions: one parse each', async () => {
    const policy = {
      path: 'policies/typo.yaml',
      text: 'name: typo\ngrants:\n  accounts: ["*"]\n  actions: [ec2:StopInstance]\nrequesters: {users: [alice]}\nmax_duration: 1h\napprovals: [{from: codeowners}]\n',
    }
    const requestFile = {
      path: 'requests/alice/typo.yaml',
      text: 'reason: x\nduration: 1h\naccess:\n  - account: "111111111111"\n    actions: [ec2:TerminateInstance]\n',
    }
    const parses = vi.spyOn(yaml, 'loadAll')
    const { decision, repository } = await prepareDecision({
      api: createFakeGitHubApi({}),
      engine: CORE_ENGINE,
      catalogue,
      rules: { files: [...POLICY_FILES.map(readFixture), policy], problems: [] },
      requestFile,
      pullRequest: { number: 7, author: 'alice', headSha: 'a'.repeat(40), contributors: [] },
      reviews: [],
      pushes: { pushes: [{ login: 'alice', sha: 'a'.repeat(40) }], headPusherKnown: true },
      repositoryName: { owner: 'acme', repo: 'access' },
      now: () => new Date('2026-11-29T09:30:00Z'),
      log,
      logFields: {},
    })
    expect(decision.verdict).toBe('invalid')
    expect(decision.errors.map((error) => `${error.file}:${error.line}`)).toEqual(['policies/typo.yaml:4', 'requests/alice/typo.yaml:5'])
    expect(repository.failures.map((failure) => failure.file)).toEqual(['policies/typo.yaml'])
    const parsedTexts = parses.mock.calls.map(([text]) => text)
    expect(parsedTexts.filter((text) => text === requestFile.text)).toHaveLength(1)
    expect(parsedTexts.filter((text) => text === policy.text)).toHaveLength(1)
  })
})
