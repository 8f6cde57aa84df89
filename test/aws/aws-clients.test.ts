import { createServer, type Server, type Socket } from 'node:net'
import { ListRolePoliciesCommand } from '@aws-sdk/client-iam'
import { AssumeRoleCommand } from '@aws-sdk/client-sts'
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest'
import { createDefaultAwsClientFactories } from '../../src/aws/aws-clients.js'
import { classifyAwsError } from '../../src/aws/retry.js'

// An endpoint that accepts connections and never answers: without timeouts the SDK would wait on it for minutes.
let server: Server
let endpoint: string
const sockets: Socket[] = []

beforeEach(async () => {
  server = createServer((socket) => void sockets.push(socket))
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve))
  const address = server.address()
  if (address === null || typeof address === 'string') throw new Error('no port')
  endpoint = `http://127.0.0.1:${address.port}`
})
afterEach(async () => {
  vi.unstubAllEnvs()
  for (const socket of sockets.splice(0)) socket.destroy()
  await new Promise<void>((resolve) => server.close(() => resolve()))
})

const credentials = { accessKeyId: 'AKIDEXAMPLE', secretAccessKey: 'secret', sessionToken: 'token' }

describe('the AWS clients', () => {
  it('give up on an endpoint that never answers, with an error the retry policy treats as transient', async () => {
    // The endpoints as production points the SDK at an emulator: through the environment.
    vi.stubEnv('AWS_ENDPOINT_URL_IAM', endpoint)
    vi.stubEnv('AWS_ENDPOINT_URL_STS', endpoint)
    vi.stubEnv('AWS_ACCESS_KEY_ID', credentials.accessKeyId)
    vi.stubEnv('AWS_SECRET_ACCESS_KEY', credentials.secretAccessKey)
    const factories = createDefaultAwsClientFactories({ connectMs: 200, requestMs: 300 })
    const iam = factories.createIamClient({ region: 'us-east-1', maxAttempts: 1, credentials })
    const sts = factories.createStsClient({ region: 'us-east-1', maxAttempts: 1 })

    const started = Date.now()
    const failure = await iam.send(new ListRolePoliciesCommand({ RoleName: 'jit-alice' })).catch((error: unknown) => error)
    expect(Date.now() - started).toBeLessThan(5_000)
    expect(classifyAwsError(failure), String(failure)).toMatchObject({ transient: true })

    const stsFailure = await sts
      .send(new AssumeRoleCommand({ RoleArn: 'arn:aws:iam::111111111111:role/jit-granter', RoleSessionName: 'jit-pr-1-grant' }))
      .catch((error: unknown) => error)
    expect(classifyAwsError(stsFailure)).toMatchObject({ transient: true })
    expect(sockets.length).toBeGreaterThanOrEqual(2)
  })
})
