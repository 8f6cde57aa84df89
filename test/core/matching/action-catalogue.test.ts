import { beforeAll, describe, expect, it } from 'vitest'
import type { ActionCatalogue } from '../../../src/core/matching/action-catalogue.js'
import { createActionCatalogue, describeUnknownAction } from '../../../src/core/matching/action-catalogue.js'
import { loadActionCatalogue } from '../../../src/aws/load-action-catalogue.js'

describe('the real AWS action catalogue', () => {
  let catalogue: ActionCatalogue
  beforeAll(async () => {
    catalogue = await loadActionCatalogue()
  })

  it('is loaded once per process', async () => {
    expect(await loadActionCatalogue()).toBe(catalogue)
  })

  it.each(['ec2:StopInstances', 's3:GetObject', 'iam:PassRole', 'sts:AssumeRole', 'rds:RebootDBInstance', 'ssm:StartSession'])(
    'knows %s',
    (action) => {
      expect(catalogue.has(action)).toBe(true)
    },
  )

  it('ignores case, as IAM does', () => {
    expect(catalogue.has('EC2:stopinstances')).toBe(true)
    expect(catalogue.expand('EC2:stopinstances')).toEqual(['ec2:StopInstances'])
  })

  it.each(['ec2:TerminateInstance', 'ecc2:StopInstances', 'StopInstances', 'ec2:', ':StopInstances', 'ec2:Describe*', ''])(
    'does not know %j',
    (action) => {
      expect(catalogue.has(action)).toBe(false)
    },
  )

  it('expands a wildcard to the real actions it matches, in canonical case', () => {
    const describe = catalogue.expand('ec2:describe*')
    expect(describe.length).toBeGreaterThan(100)
    expect(describe).toContain('ec2:DescribeInstances')
    expect(describe).toContain('ec2:DescribeVolumes')
    expect(describe.every((action) => action.startsWith('ec2:Describe'))).toBe(true)
    expect(describe).not.toContain('ec2:StopInstances')
  })

  it('expands `?` to exactly one character', () => {
    expect(catalogue.expand('ec2:StopInstance?')).toEqual(['ec2:StopInstances'])
  })

  it('expands a wildcard in the service prefix across services', () => {
    const expanded = catalogue.expand('ec*:DescribeRepositories')
    expect(expanded).toContain('ecr:DescribeRepositories')
    expect(expanded.every((action) => action.toLowerCase().startsWith('ec'))).toBe(true)
  })

  it('expands `*` to every action of every service', () => {
    const all = catalogue.expand('*')
    expect(all.length).toBeGreaterThan(15_000)
    expect(new Set(all).size).toBe(all.length)
    expect([...all].sort()).toEqual(all)
    expect(all).toContain('s3:GetObject')
    expect(all).toContain('ec2:StopInstances')
  })

  it('expands to nothing when no real action matches', () => {
    expect(catalogue.expand('ec2:Foo*')).toEqual([])
    expect(catalogue.expand('ecc2:*')).toEqual([])
    expect(catalogue.expand('ec2:TerminateInstance')).toEqual([])
  })

  it.each([
    { typo: 'ec2:TerminateInstance', expected: 'ec2:TerminateInstances' },
    { typo: 'ec2:StopInstance', expected: 'ec2:StopInstances' },
    { typo: 's3:GetObejct', expected: 's3:GetObject' },
    { typo: 'iam:PasRole', expected: 'iam:PassRole' },
    { typo: 'ec2:describeinstaces', expected: 'ec2:DescribeInstances' },
    { typo: 'ecc2:StopInstances', expected: 'ec2:StopInstances' },
    { typo: 'S3:getobjekt', expected: 's3:GetObject' },
  ])('suggests $expected first for $typo', ({ typo, expected }) => {
    const suggestions = catalogue.suggest(typo)
    expect(suggestions[0]).toBe(expected)
    expect(suggestions.length).toBeLessThanOrEqual(3)
    expect(suggestions.every((action) => catalogue.has(action))).toBe(true)
  })

  it('suggests the service for an action written without one', () => {
    expect(catalogue.suggest('StopInstances')).toContain('ec2:StopInstances')
  })

  it('suggests nothing for a name far from every action', () => {
    expect(catalogue.suggest('ec2:MakeMeAdministratorOfEverything')).toEqual([])
    expect(catalogue.suggest('zzzzzzzz:Qqqqqqq')).toEqual([])
  })

  it('explains unknown actions with suggestions', () => {
    expect(describeUnknownAction('ec2:TerminateInstance', catalogue)).toBe(
      'unknown action "ec2:TerminateInstance" (did you mean ec2:TerminateInstances?)',
    )
    expect(describeUnknownAction('ecc2:StopInstances', catalogue)).toMatch(
      /^unknown action "ecc2:StopInstances": there is no AWS service "ecc2" \(did you mean ec2:StopInstances[,?]/,
    )
    expect(describeUnknownAction('ec2:Foo*', catalogue)).toBe('"ec2:Foo*" matches no AWS action')
    expect(describeUnknownAction('ecc2:Describe*', catalogue)).toMatch(
      /^"ecc2:Describe\*" matches no AWS action: there is no AWS service "ecc2" \(did you mean ec2:Describe\*/,
    )
    expect(describeUnknownAction('StopInstances', catalogue)).toMatch(/^unknown action "StopInstances": actions are written service:Action/)
  })
})

describe('a catalogue from a list', () => {
  const catalogue = createActionCatalogue([
    'ec2:StopInstances',
    'ec2:StartInstances',
    'ec2:DescribeInstances',
    'ec2:DescribeVolumes',
    's3:GetObject',
    'S3:PutObject',
  ])

  it('looks actions up case-insensitively and ignores malformed entries', () => {
    expect(catalogue.has('ec2:stopinstances')).toBe(true)
    expect(catalogue.has('s3:putobject')).toBe(true)
    expect(createActionCatalogue(['nocolon', ':x', 'ec2:']).expand('*')).toEqual([])
  })

  it('expands patterns to the listed actions only, sorted, with lower-case service prefixes', () => {
    expect(catalogue.expand('ec2:Describe*')).toEqual(['ec2:DescribeInstances', 'ec2:DescribeVolumes'])
    expect(catalogue.expand('*Object')).toEqual(['s3:GetObject', 's3:PutObject'])
    expect(catalogue.expand('ec2:St*Instances')).toEqual(['ec2:StartInstances', 'ec2:StopInstances'])
    expect(catalogue.expand('*')).toHaveLength(6)
  })

  it('ranks suggestions by distance, then by name', () => {
    // One substitution from Stop, three edits from Start.
    expect(catalogue.suggest('ec2:StxpInstances')).toEqual(['ec2:StopInstances', 'ec2:StartInstances'])
    // Two edits from each: alphabetical.
    expect(catalogue.suggest('ec2:StaInstances')).toEqual(['ec2:StartInstances', 'ec2:StopInstances'])
    // A swap of neighbours is one typo, not two.
    expect(catalogue.suggest('ec2:SotpInstances')).toEqual(['ec2:StopInstances'])
  })

  it('describes a known pattern and a known action without calling them unknown', () => {
    expect(describeUnknownAction('ec2:Describe*', catalogue)).toBe('"ec2:Describe*" matches 2 AWS actions')
    expect(describeUnknownAction('ec2:StopInstances', catalogue)).toBe('"ec2:StopInstances" is a known AWS action')
  })
})
