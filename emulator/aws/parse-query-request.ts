import { AwsQueryError, createMissingParameterError } from './aws-query-error.js'

/** The parameters of one AWS Query request, `Action` and `Version` split out from the rest. */
export interface QueryRequest {
  readonly action: string
  readonly version: string | undefined
  /** Every other parameter, flattened as sent (`Tags.member.1.Key`). */
  readonly params: Readonly<Record<string, string>>
}

/**
 * Reads an AWS Query request: form-encoded parameters from the body (what the SDK sends, as
 * `application/x-www-form-urlencoded`) merged over those of the URL's query string (AWS accepts both).
 */
export function parseQueryRequest(params: { rawQuery: string; body: string }): QueryRequest {
  const merged: Record<string, string> = {}
  for (const source of [params.rawQuery, params.body]) {
    for (const [key, value] of new URLSearchParams(source)) merged[key] = value
  }
  const { Action: action, Version: version, ...rest } = merged
  if (action === undefined || action === '') {
    throw new AwsQueryError('MissingAction', 400, 'Missing Action')
  }
  return { action, version, params: rest }
}

/** Returns a required parameter, or throws the ValidationError AWS returns when it is missing. */
export function readRequiredParam(params: Readonly<Record<string, string>>, name: string): string {
  const value = params[name]
  if (value === undefined || value === '') throw createMissingParameterError(name)
  return value
}

/** Reads an optional integer parameter, rejecting text that is not a whole number. */
export function readIntegerParam(params: Readonly<Record<string, string>>, name: string): number | undefined {
  const value = params[name]
  if (value === undefined) return undefined
  if (!/^-?\d+$/.test(value)) {
    throw new AwsQueryError('ValidationError', 400, `Value '${value}' at '${name}' is not an integer`)
  }
  return Number(value)
}

/**
 * Reads a list of structures sent as `Name.member.N.Field=value` (how the Query protocol
 * flattens `Tags: [{ Key, Value }]`), in member order.
 */
export function readStructList(params: Readonly<Record<string, string>>, name: string): Record<string, string>[] {
  const byIndex = new Map<number, Record<string, string>>()
  const pattern = new RegExp(`^${name}\\.member\\.(\\d+)\\.(\\w+)$`)
  for (const [key, value] of Object.entries(params)) {
    const match = pattern.exec(key)
    if (match === null) continue
    const index = Number(match[1])
    const entry = byIndex.get(index) ?? {}
    entry[match[2] as string] = value
    byIndex.set(index, entry)
  }
  return [...byIndex.entries()].sort(([a], [b]) => a - b).map(([, entry]) => entry)
}
