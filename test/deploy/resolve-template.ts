// CloudFormation's intrinsic functions as the templates use them, resolved with the values a deployment
// would have, so the IAM policies in a synthesized template can be evaluated as IAM would evaluate them.
export type Refs = Readonly<Record<string, unknown>>

export function resolveIntrinsics(value: unknown, refs: Refs): unknown {
  if (Array.isArray(value)) return value.map((item) => resolveIntrinsics(item, refs))
  if (value === null || typeof value !== 'object') return value
  const entries = Object.entries(value as Record<string, unknown>)
  if (entries.length === 1) {
    const [name, argument] = entries[0]!
    if (name === 'Ref') {
      if (!(String(argument) in refs)) throw new Error(`no value for Ref ${String(argument)}`)
      return refs[String(argument)]
    }
    if (name === 'Fn::Join') {
      const [separator, parts] = argument as [string, unknown[]]
      return (resolveIntrinsics(parts, refs) as unknown[]).map(String).join(separator)
    }
    if (name === 'Fn::GetAtt') {
      const key = (argument as string[]).join('.')
      if (!(key in refs)) throw new Error(`no value for Fn::GetAtt ${key}`)
      return refs[key]
    }
    if (name.startsWith('Fn::')) throw new Error(`the test cannot resolve ${name}`)
  }
  return Object.fromEntries(entries.map(([key, item]) => [key, resolveIntrinsics(item, refs)]))
}
