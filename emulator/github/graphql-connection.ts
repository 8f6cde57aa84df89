import { GraphQLError } from 'graphql'

/** Pagination arguments GitHub's connections take. */
export interface ConnectionArgs {
  readonly first?: number | null
  readonly last?: number | null
  readonly after?: string | null
  readonly before?: string | null
}

function encodeCursor(index: number): string {
  return Buffer.from(`cursor:v2:${index}`).toString('base64')
}

function decodeCursor(cursor: string): number {
  const match = /^cursor:v2:(\d+)$/.exec(Buffer.from(cursor, 'base64').toString('utf8'))
  if (match === null)
    throw new GraphQLError(`\`${cursor}\` does not appear to be a valid cursor.`, { extensions: { type: 'INVALID_CURSOR_ARGUMENTS' } })
  return Number(match[1])
}

/**
 * A Relay connection over `items` with GitHub's rules: `first` and `last` are at most 100, and one of them
 * is required to read the connection's edges, nodes or page info (`totalCount` alone needs neither).
 */
export function buildConnection<T>(items: readonly T[], args: ConnectionArgs, fieldName: string): Record<string, unknown> {
  const { first, last, after, before } = args
  for (const [name, value] of [
    ['first', first],
    ['last', last],
  ] as const) {
    if (typeof value === 'number' && (value < 0 || value > 100)) {
      throw new GraphQLError(
        `Requesting ${value} records on the \`${fieldName}\` connection exceeds the \`${name}\` limit of 100 records.`,
        {
          extensions: { type: 'EXCESSIVE_PAGINATION' },
        },
      )
    }
  }
  let page: { edges: { cursor: string; node: T }[]; pageInfo: Record<string, unknown> } | undefined
  const readPage = () => {
    if (page !== undefined) return page
    if ((first === undefined || first === null) && (last === undefined || last === null)) {
      throw new GraphQLError(`You must provide a \`first\` or \`last\` value to properly paginate the \`${fieldName}\` connection.`, {
        extensions: { type: 'MISSING_PAGINATION_BOUNDARIES' },
      })
    }
    let start = after ? decodeCursor(after) + 1 : 0
    let end = before ? decodeCursor(before) : items.length
    if (typeof first === 'number') end = Math.min(end, start + first)
    if (typeof last === 'number') start = Math.max(start, end - last)
    const edges = items.slice(start, end).map((node, offset) => ({ cursor: encodeCursor(start + offset), node }))
    page = {
      edges,
      pageInfo: {
        hasNextPage: end < items.length,
        hasPreviousPage: start > 0,
        startCursor: edges[0]?.cursor ?? null,
        endCursor: edges[edges.length - 1]?.cursor ?? null,
      },
    }
    return page
  }
  return {
    edges: () => readPage().edges,
    nodes: () => readPage().edges.map((edge) => edge.node),
    pageInfo: () => readPage().pageInfo,
    totalCount: items.length,
  }
}
