import { createPublicKey, createVerify, randomBytes, type KeyObject } from 'node:crypto'
import { GitHubHttpError } from './github-http-error.js'
import type { EmulatorState } from './emulator-state.js'

/** Who a request authenticated as. */
export type Caller = { readonly kind: 'app' } | { readonly kind: 'installation'; readonly installationId: number; readonly token: string }

/**
 * Checks `Authorization` the way GitHub does for an app: a JWT (RS256, `iss` = the app id) for `/app/*`,
 * an installation token issued by `POST /app/installations/{id}/access_tokens` everywhere else.
 */
export class AppAuthenticator {
  private readonly appId: number
  private readonly publicKey: KeyObject | undefined
  private readonly state: EmulatorState

  /** `privateKey` (PEM, or the public key alone) is optional: without it the JWT's signature is not checked, only its claims. */
  constructor(params: { appId: number; privateKey?: string; state: EmulatorState }) {
    this.appId = params.appId
    this.publicKey = params.privateKey === undefined ? undefined : createPublicKey(params.privateKey)
    this.state = params.state
  }

  /** Authenticates a request; `needs` says whether the route wants the app's JWT or an installation token. */
  authenticate(header: string | undefined, needs: 'app' | 'installation'): Caller {
    if (header === undefined || header.trim() === '') throw new GitHubHttpError(401, 'Requires authentication')
    const [scheme = '', credential = ''] = header.trim().split(/\s+/, 2)
    if (!/^(bearer|token)$/i.test(scheme) || credential === '') throw new GitHubHttpError(401, 'Bad credentials')
    if (needs === 'app') {
      this.verifyJwt(credential)
      return { kind: 'app' }
    }
    const token = this.state.tokens.get(credential)
    if (token === undefined) {
      const looksLikeJwt = credential.split('.').length === 3
      throw new GitHubHttpError(
        looksLikeJwt ? 403 : 401,
        looksLikeJwt ? 'A JSON web token could not be used for this route; use an installation access token' : 'Bad credentials',
      )
    }
    return { kind: 'installation', installationId: token.installationId, token: credential }
  }

  /** Issues a new installation access token. */
  issueToken(installationId: number, expiresAt: Date): string {
    const token = `ghs_${randomBytes(18).toString('base64url')}`
    this.state.tokens.set(token, { installationId, expiresAt })
    return token
  }

  private verifyJwt(jwt: string): void {
    const [header = '', payload = '', signature = ''] = jwt.split('.')
    let claims: { iss?: unknown }
    let algorithm: unknown
    try {
      algorithm = (JSON.parse(Buffer.from(header, 'base64url').toString('utf8')) as { alg?: unknown }).alg
      claims = JSON.parse(Buffer.from(payload, 'base64url').toString('utf8')) as { iss?: unknown }
    } catch (error) {
      throw new GitHubHttpError(401, 'A JSON web token could not be decoded', { cause: error })
    }
    if (algorithm !== 'RS256') throw new GitHubHttpError(401, `'alg' must be RS256, got ${JSON.stringify(algorithm)}`)
    if (String(claims.iss) !== String(this.appId)) {
      throw new GitHubHttpError(401, `'Issuer' claim ('iss') must be the app id ${this.appId}, got ${JSON.stringify(claims.iss)}`)
    }
    if (this.publicKey !== undefined) {
      const verifier = createVerify('RSA-SHA256')
      verifier.update(`${header}.${payload}`)
      if (!verifier.verify(this.publicKey, Buffer.from(signature, 'base64url'))) {
        throw new GitHubHttpError(401, "A JSON web token could not be decoded: signature does not match the app's key")
      }
    }
  }
}
