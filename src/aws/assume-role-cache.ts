import { AssumeRoleCommand, type AssumeRoleCommandOutput, type STSClient } from '@aws-sdk/client-sts'
import type { CreateStsClient } from './aws-clients.js'

/** Re-assume this long before the cached credentials expire, so no call is signed with a dying session. */
const EXPIRY_MARGIN_MS = 60_000

/**
 * Wraps the STS factory so that, for one sweep, each granter role is assumed once and its credentials
 * reused for every revocation in that account, instead of one AssumeRole per grant. The cached session
 * is named `sessionName` (e.g. `jit-sweep-revoke`) rather than after the first grant it served, so
 * CloudTrail attributes the deletions to the sweep, which is what made them; each record names its
 * grant. Failures are not cached.
 */
export function cacheAssumeRole(params: { createStsClient: CreateStsClient; sessionName: string; now: () => Date }): CreateStsClient {
  const cache = new Map<string, Promise<AssumeRoleCommandOutput>>()
  return (config) => {
    const client: STSClient = params.createStsClient(config)
    const send = client.send.bind(client) as (command: unknown) => Promise<unknown>
    const cachedSend = (command: unknown): Promise<unknown> => {
      if (!(command instanceof AssumeRoleCommand)) return send(command)
      const input = command.input
      const key = `${input.RoleArn} ${input.ExternalId ?? ''}`
      const hit = cache.get(key)
      if (hit) return hit.then((output) => (isFresh(output, params.now()) ? output : assume()))
      return assume()

      function assume(): Promise<AssumeRoleCommandOutput> {
        const pending = send(new AssumeRoleCommand({ ...input, RoleSessionName: params.sessionName })) as Promise<AssumeRoleCommandOutput>
        cache.set(key, pending)
        pending.catch(() => {
          if (cache.get(key) === pending) cache.delete(key)
        })
        return pending
      }
    }
    ;(client as unknown as { send: typeof cachedSend }).send = cachedSend
    return client
  }
}

function isFresh(output: AssumeRoleCommandOutput, now: Date): boolean {
  const expiration = output.Credentials?.Expiration
  return expiration === undefined || expiration.getTime() - EXPIRY_MARGIN_MS > now.getTime()
}
