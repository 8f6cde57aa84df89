import { beforeAll, describe, expect, it } from 'vitest'
import { listFailureErrors, loadAccessRepository } from '../../../src/core/files/access-repository.js'
import type { ActionCatalogue } from '../../../src/core/matching/action-catalogue.js'
import { loadActionCatalogue } from '../../../src/aws/load-action-catalogue.js'

let catalogue: ActionCatalogue
beforeAll(async () => {
  catalogue = await loadActionCatalogue()
})

function policyText(name: string, actions: string, description = 'test'): string {
  return [
    `name: ${name}`,
    `description: ${description}`,
    'grants:',
    '  accounts: ["111111111111"]',
    '  actions:',
    ...actions.split(',').map((action) => `    - ${action}`),
    'requesters:',
    '  users: [alice]',
    'max_duration: 4h',
    'approvals:',
    '  - from: [bob]',
  ].join('\n')
}

describe('loadAccessRepository', () => {
  it('reports an unknown granted action on its own line, not on an earlier line that mentions it', () => {
    const text = policyText('ops', 'ec2:StopInstances,ec2:StopInstance', 'ec2:StopInstance is a typo of the next line')
    const repository = loadAccessRepository({ files: [{ path: 'policies/ops.yaml', text }], catalogue })
    expect(listFailureErrors(repository.failures)).toEqual([
      {
        file: 'policies/ops.yaml',
        line: 7,
        message: 'grants.actions: unknown action "ec2:StopInstance" (did you mean ec2:StopInstances?)',
      },
    ])
    expect(repository.policies).toEqual([])
  })

  it('keeps the first of two policies with the same name and reports the second', () => {
    const repository = loadAccessRepository({
      files: [
        { path: 'policies/b.yaml', text: policyText('same', 'ec2:StopInstances') },
        { path: 'policies/a.yaml', text: policyText('same', 'ec2:StartInstances') },
      ],
      catalogue,
    })
    expect(repository.policies.map((policy) => policy.file)).toEqual(['policies/a.yaml'])
    expect(listFailureErrors(repository.failures)).toEqual([
      { file: 'policies/b.yaml', line: 1, message: 'policy name "same" is already used by policies/a.yaml:1; names must be unique' },
    ])
  })

  it('ignores files outside policies/*.yaml and reads the first CODEOWNERS GitHub would', () => {
    const repository = loadAccessRepository({
      files: [
        { path: 'policies/nested/x.yaml', text: 'not: a policy' },
        { path: 'docs/CODEOWNERS', text: '* @docs' },
        { path: 'CODEOWNERS', text: '* @root' },
      ],
      catalogue,
    })
    expect(listFailureErrors(repository.failures)).toEqual([])
    expect(repository.codeowners?.file).toBe('CODEOWNERS')
  })
})

describe('the failures of loadAccessRepository', () => {
  it('keeps apart what could not be read, what does not parse and what does not make sense, in the order they are reported', () => {
    const repository = loadAccessRepository({
      files: [
        { path: 'policies/b.yaml', text: policyText('b', 'ec2:StopInstance') },
        { path: 'policies/a.yaml', text: 'name: a\ngrants: [\n' },
        { path: 'policies/c.yaml', text: policyText('c', 'ec2:StopInstances') },
        { path: 'CODEOWNERS', text: '* @acme/sre\n/policies/ security-team\n' },
        { path: '.github/jit.yml', text: 'unknown_setting: 1\n' },
      ],
      unreadable: [{ file: '.github/CODEOWNERS', line: 1, message: 'the file is too large for the app to read (9999999 bytes)' }],
      catalogue,
    })
    expect(repository.failures.map(({ stage, kind, file }) => `${stage} ${kind} ${file}`)).toEqual([
      'unreadable codeowners .github/CODEOWNERS',
      'unparsable policy policies/a.yaml',
      'invalid policy policies/b.yaml',
      'unparsable codeowners CODEOWNERS',
      'unparsable settings .github/jit.yml',
    ])
    expect(listFailureErrors(repository.failures).map((error) => error.file)).toEqual(
      repository.failures.flatMap((failure) => failure.errors.map(() => failure.file)),
    )
    expect(repository.policies.map((policy) => policy.name)).toEqual(['c'])
    expect(repository.codeowners?.file).toBe('CODEOWNERS')
  })
})
