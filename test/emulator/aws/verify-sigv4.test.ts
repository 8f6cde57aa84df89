import { GetRoleCommand } from '@aws-sdk/client-iam'
import { GetCallerIdentityCommand } from '@aws-sdk/client-sts'
import { SignatureV4 } from '@smithy/signature-v4'
import { afterEach, beforeEach, describe, expect, test } from 'vitest'
import { startIamStsEmulator, type IamStsEmulator } from '../../../emulator/aws/iam-sts-emulator.js'
import {
  assumeRole,
  baseCredentials,
  captureError,
  createIamClient,
  createStsClient,
  NodeSha256,
  type ClientCredentials,
} from './sdk-clients.js'

let emulator: IamStsEmulator

beforeEach(async () => {
  emulator = await startIamStsEmulator({ credentials: [baseCredentials] })
  emulator.state.seedRole({ account: '555555555555', roleName: 'developer' })
})

afterEach(async () => {
  await emulator.stop()
})

/** Signs a Query request with @smithy/signature-v4, as the SDK would, and returns what to send. */
async function signQuery(params: { body: string; credentials: ClientCredentials; service?: string }) {
  const url = new URL(emulator.url)
  const signer = new SignatureV4({
    credentials: params.credentials,
    region: 'us-east-1',
    service: params.service ?? 'sts',
    sha256: NodeSha256,
  })
  const signed = await signer.sign({
    method: 'POST',
    protocol: 'http:',
    hostname: url.hostname,
    port: Number(url.port),
    path: '/',
    headers: { host: url.host, 'content-type': 'application/x-www-form-urlencoded' },
    body: params.body,
  })
  return signed.headers as Record<string, string>
}

async function post(headers: Record<string, string>, body: string): Promise<{ status: number; xml: string }> {
  const { host: _host, ...sendable } = headers
  const response = await fetch(`${emulator.url}/`, { method: 'POST', headers: sendable, body })
  return { status: response.status, xml: await response.text() }
}

const identityBody = 'Action=GetCallerIdentity&Version=2011-06-15'

describe('SigV4 verification on raw requests', () => {
  test('a correctly signed request is answered with AWS’s response shape', async () => {
    const headers = await signQuery({ body: identityBody, credentials: baseCredentials })
    const { status, xml } = await post(headers, identityBody)
    expect(status).toBe(200)
    expect(xml).toContain('<GetCallerIdentityResponse xmlns="https://sts.amazonaws.com/doc/2011-06-15/"><GetCallerIdentityResult>')
    expect(xml).toMatch(/<ResponseMetadata><RequestId>[0-9a-f-]{36}<\/RequestId><\/ResponseMetadata>/)
  })

  test('a body changed after signing is SignatureDoesNotMatch (403) in the ErrorResponse shape', async () => {
    const headers = await signQuery({ body: identityBody, credentials: baseCredentials })
    const tampered = 'Action=AssumeRole&Version=2011-06-15&RoleArn=arn:aws:iam::555555555555:role/developer&RoleSessionName=evil'
    const { status, xml } = await post(headers, tampered)
    expect(status).toBe(403)
    expect(xml).toMatch(
      /<ErrorResponse xmlns="https:\/\/sts\.amazonaws\.com\/doc\/2011-06-15\/"><Error><Type>Sender<\/Type><Code>SignatureDoesNotMatch<\/Code><Message>The request signature we calculated does not match/,
    )
    expect(emulator.state.assumptions).toEqual([])
    expect(emulator.state.calls).toEqual([])
  })

  test('a signature made with the wrong secret is SignatureDoesNotMatch', async () => {
    const headers = await signQuery({
      body: identityBody,
      credentials: { accessKeyId: baseCredentials.accessKeyId, secretAccessKey: 'not-the-secret' },
    })
    const { status, xml } = await post(headers, identityBody)
    expect(status).toBe(403)
    expect(xml).toContain('<Code>SignatureDoesNotMatch</Code>')
  })

  test('an unknown access key is InvalidClientTokenId', async () => {
    const headers = await signQuery({ body: identityBody, credentials: { accessKeyId: 'AKIAUNKNOWN', secretAccessKey: 'x' } })
    const { status, xml } = await post(headers, identityBody)
    expect(status).toBe(403)
    expect(xml).toContain('<Code>InvalidClientTokenId</Code><Message>The security token included in the request is invalid.</Message>')
  })

  test('an unsigned request is MissingAuthenticationToken', async () => {
    const { status, xml } = await post({ 'content-type': 'application/x-www-form-urlencoded' }, identityBody)
    expect(status).toBe(403)
    expect(xml).toContain('<Code>MissingAuthenticationToken</Code>')
  })

  test('an action the signed service does not have is InvalidAction', async () => {
    const body = 'Action=GetRole&Version=2011-06-15&RoleName=developer'
    const headers = await signQuery({ body, credentials: baseCredentials, service: 'sts' })
    const { status, xml } = await post(headers, body)
    expect(status).toBe(400)
    expect(xml).toContain('<Code>InvalidAction</Code><Message>Could not find operation GetRole for version 2011-06-15</Message>')
  })
})

describe('SigV4 verification through the real SDK clients', () => {
  test('a client with the wrong secret gets SignatureDoesNotMatch', async () => {
    const sts = createStsClient(emulator.url, { accessKeyId: baseCredentials.accessKeyId, secretAccessKey: 'wrong' })
    const error = await captureError(sts.send(new GetCallerIdentityCommand({})))
    expect(error.name).toBe('SignatureDoesNotMatch')
    expect(error['$metadata']).toMatchObject({ httpStatusCode: 403 })
  })

  test('temporary credentials need their own session token', async () => {
    const session = await assumeRole(createStsClient(emulator.url, baseCredentials), {
      roleArn: 'arn:aws:iam::555555555555:role/developer',
      sessionName: 'tokens',
    })
    const withToken = await createIamClient(emulator.url, session).send(new GetRoleCommand({ RoleName: 'developer' }))
    expect(withToken.Role?.RoleName).toBe('developer')

    const withoutToken = { accessKeyId: session.accessKeyId, secretAccessKey: session.secretAccessKey }
    const error = await captureError(createIamClient(emulator.url, withoutToken).send(new GetRoleCommand({ RoleName: 'developer' })))
    expect(error.name).toBe('InvalidClientTokenId')
  })
})
