import { beforeAll, describe, expect, it } from 'vitest'
import { loadAccessRepository } from '../../../src/core/files/access-repository.js'
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
    expect(repository.errors).toEqual([
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
    expect(repository.errors).toEqual([
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
    expect(repository.errors).toEqual([])
    expect(repository.codeowners?.file).toBe('CODEOWNERS')
  })
})
