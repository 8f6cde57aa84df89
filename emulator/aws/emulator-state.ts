import { randomBytes } from 'node:crypto'
import { IdentityCenterState } from './identity-center-state.js'

/** A tag on a role or user. */
export interface IamTag {
  readonly Key: string
  readonly Value: string
}

/** An IAM role held by the emulator. Inline policies map policy name → document as it was put. */
export interface RoleRecord {
  readonly account: string
  readonly roleName: string
  readonly path: string
  readonly roleId: string
  readonly arn: string
  readonly createDate: Date
  readonly assumeRolePolicyDocument: string
  readonly description: string | undefined
  readonly maxSessionDuration: number
  readonly tags: readonly IamTag[]
  readonly inlinePolicies: Map<string, string>
}

/** An IAM user held by the emulator. Inline policies map policy name → document as it was put. */
export interface UserRecord {
  readonly account: string
  readonly userName: string
  readonly path: string
  readonly userId: string
  readonly arn: string
  readonly createDate: Date
  readonly tags: readonly IamTag[]
  readonly inlinePolicies: Map<string, string>
}

/** One AWS account's IAM entities. Keys are lower-cased names: IAM names are unique regardless of case. */
export interface AccountState {
  readonly accountId: string
  readonly roles: Map<string, RoleRecord>
  readonly users: Map<string, UserRecord>
}

/** Long-term credentials the emulator accepts, and the IAM user they belong to. */
export interface BaseCredential {
  readonly accessKeyId: string
  readonly secretAccessKey: string
  /** Account of the user the key belongs to; `123456789012` when not given. */
  readonly account?: string
  /** Name of the user the key belongs to; `emulator-user` when not given. */
  readonly userName?: string
}

/** Temporary credentials issued by the emulator's own AssumeRole. */
export interface SessionCredential {
  readonly accessKeyId: string
  readonly secretAccessKey: string
  readonly sessionToken: string
  readonly expiration: Date
  readonly account: string
  readonly roleName: string
  readonly roleArn: string
  readonly roleId: string
  readonly sessionName: string
}

/** One AssumeRole that succeeded: who assumed which role, under which session name and external id. */
export interface RoleAssumption {
  readonly at: Date
  readonly account: string
  readonly roleName: string
  readonly roleArn: string
  readonly sessionName: string
  readonly externalId: string | undefined
  readonly durationSeconds: number
  readonly callerArn: string
  readonly accessKeyId: string
}

/** One authenticated call, whatever its outcome; `error` is the AWS error code when it failed. */
export interface CallRecord {
  readonly at: Date
  readonly service: 'iam' | 'sts' | 'sso' | 'identitystore'
  readonly action: string
  /** Request parameters without `Action` and `Version`. */
  readonly params: Readonly<Record<string, string>>
  /** Account the caller acted in: the assumed role's account, or the key owner's. */
  readonly account: string
  /** Session name when the caller used temporary credentials from AssumeRole. */
  readonly sessionName: string | undefined
  readonly callerArn: string
  readonly error: string | undefined
}

/** A failure to answer with instead of doing the work, for the next `times` matching calls. */
export interface FaultSpec {
  /** Action name as sent, e.g. `PutRolePolicy`. */
  readonly action: string
  /** AWS error code, e.g. `Throttling`, `AccessDenied`, `ServiceUnavailable`. */
  readonly code: string
  /** How many matching calls fail; 1 when not given. */
  readonly times?: number
  /** Only calls acting in this account match, when given. */
  readonly account?: string
  readonly message?: string
  /** HTTP status; AWS's usual status for `code` when not given. */
  readonly status?: number
  /**
   * Do the work, then answer with the failure anyway: the call took effect but its answer was lost
   * (a timeout, a dropped connection, a 5xx from a proxy on the way back).
   */
  readonly afterApplying?: boolean
}

/** Calls of one action held before they run, until released: a slow network, a paused replica. */
export interface HeldCalls {
  /** Resolves when the first held call arrives. */
  readonly reached: Promise<void>
  /** Lets every held call run, and later ones pass. */
  release(): void
}

/** A fault still waiting for matching calls. */
export interface PendingFault {
  readonly spec: FaultSpec
  remaining: number
}

/** Account used for base credentials that do not name one. */
export const defaultAccountId = '123456789012'
/** User name of base credentials that do not name one. */
export const defaultUserName = 'emulator-user'

/**
 * Everything the emulator knows, kept in memory and open to tests and the demo:
 * accounts → roles/users → inline policies, issued sessions, assumptions and the call log.
 */
export class EmulatorState {
  readonly accounts = new Map<string, AccountState>()
  readonly baseCredentials = new Map<string, BaseCredential>()
  readonly sessions = new Map<string, SessionCredential>()
  readonly assumptions: RoleAssumption[] = []
  readonly calls: CallRecord[] = []
  readonly pendingFaults: PendingFault[] = []
  /** SSO Admin and the Identity Store: empty until a test seeds an instance. */
  readonly identityCenter = new IdentityCenterState()

  constructor(credentials: readonly BaseCredential[], createdAt: Date) {
    for (const credential of credentials) {
      this.baseCredentials.set(credential.accessKeyId, credential)
      // A long-term key belongs to a user, so that user exists from the start.
      const account = credential.account ?? defaultAccountId
      const userName = credential.userName ?? defaultUserName
      if (this.findUser(account, userName) === undefined) this.seedUser({ account, userName, now: createdAt })
    }
  }

  /** Returns an account's state, creating it empty the first time it is named. */
  getAccount(accountId: string): AccountState {
    let account = this.accounts.get(accountId)
    if (account === undefined) {
      account = { accountId, roles: new Map(), users: new Map() }
      this.accounts.set(accountId, account)
    }
    return account
  }

  /** Finds a role by name (case-insensitively, as IAM does). */
  findRole(accountId: string, roleName: string): RoleRecord | undefined {
    return this.accounts.get(accountId)?.roles.get(roleName.toLowerCase())
  }

  /** Finds a user by name (case-insensitively, as IAM does). */
  findUser(accountId: string, userName: string): UserRecord | undefined {
    return this.accounts.get(accountId)?.users.get(userName.toLowerCase())
  }

  /** Stores a new role; the caller has checked that the name is free. */
  addRole(params: {
    account: string
    roleName: string
    path: string
    assumeRolePolicyDocument: string
    description: string | undefined
    maxSessionDuration: number
    tags: readonly IamTag[]
    now: Date
  }): RoleRecord {
    const role: RoleRecord = {
      account: params.account,
      roleName: params.roleName,
      path: params.path,
      roleId: createEntityId('AROA'),
      arn: `arn:aws:iam::${params.account}:role${params.path}${params.roleName}`,
      createDate: params.now,
      assumeRolePolicyDocument: params.assumeRolePolicyDocument,
      description: params.description,
      maxSessionDuration: params.maxSessionDuration,
      tags: params.tags,
      inlinePolicies: new Map(),
    }
    this.getAccount(params.account).roles.set(params.roleName.toLowerCase(), role)
    return role
  }

  /** Stores a new user; the caller has checked that the name is free. */
  addUser(params: { account: string; userName: string; path: string; tags: readonly IamTag[]; now: Date }): UserRecord {
    const user: UserRecord = {
      account: params.account,
      userName: params.userName,
      path: params.path,
      userId: createEntityId('AIDA'),
      arn: `arn:aws:iam::${params.account}:user${params.path}${params.userName}`,
      createDate: params.now,
      tags: params.tags,
      inlinePolicies: new Map(),
    }
    this.getAccount(params.account).users.set(params.userName.toLowerCase(), user)
    return user
  }

  /**
   * Creates a role directly, for test and demo setup. The trust policy lets `trustedPrincipals`
   * (default: anyone) assume it, and requires `externalId` when one is given.
   */
  seedRole(params: {
    account: string
    roleName: string
    path?: string
    externalId?: string
    trustedPrincipals?: readonly string[]
    maxSessionDuration?: number
    now?: Date
  }): RoleRecord {
    const statement: Record<string, unknown> = {
      Effect: 'Allow',
      Principal: { AWS: params.trustedPrincipals ?? '*' },
      Action: 'sts:AssumeRole',
    }
    if (params.externalId !== undefined) {
      statement['Condition'] = { StringEquals: { 'sts:ExternalId': params.externalId } }
    }
    return this.addRole({
      account: params.account,
      roleName: params.roleName,
      path: params.path ?? '/',
      assumeRolePolicyDocument: JSON.stringify({ Version: '2012-10-17', Statement: [statement] }),
      description: undefined,
      maxSessionDuration: params.maxSessionDuration ?? 3600,
      tags: [],
      now: params.now ?? new Date(),
    })
  }

  /** Creates a user directly, for test and demo setup. */
  seedUser(params: { account: string; userName: string; path?: string; now?: Date }): UserRecord {
    return this.addUser({
      account: params.account,
      userName: params.userName,
      path: params.path ?? '/',
      tags: [],
      now: params.now ?? new Date(),
    })
  }

  /** A role's inline policies as name → document; empty when the role does not exist. */
  listRoleInlinePolicies(accountId: string, roleName: string): Record<string, string> {
    return Object.fromEntries(this.findRole(accountId, roleName)?.inlinePolicies ?? [])
  }

  /** A user's inline policies as name → document; empty when the user does not exist. */
  listUserInlinePolicies(accountId: string, userName: string): Record<string, string> {
    return Object.fromEntries(this.findUser(accountId, userName)?.inlinePolicies ?? [])
  }

  /** Queues a fault for the next `times` calls of `action`. */
  addFault(spec: FaultSpec): void {
    this.pendingFaults.push({ spec, remaining: spec.times ?? 1 })
  }

  /** Takes one use of the first fault matching a call, if any is left. */
  /** Holds the next call of `action` (and any that arrive while held) until released. */
  holdCalls(action: string): HeldCalls {
    let arrived!: () => void
    let release!: () => void
    const reached = new Promise<void>((resolve) => (arrived = resolve))
    const released = new Promise<void>((resolve) => (release = resolve))
    const hold = { action, arrived, released, done: false }
    this.holds.push(hold)
    return {
      reached,
      release: () => {
        hold.done = true
        release()
      },
    }
  }

  /** Waits while a hold on `action` is in place. */
  async waitForHold(action: string): Promise<void> {
    const hold = this.holds.find((candidate) => candidate.action === action && !candidate.done)
    if (hold === undefined) return
    hold.arrived()
    await hold.released
  }

  private readonly holds: { action: string; arrived: () => void; released: Promise<void>; done: boolean }[] = []

  takeFault(action: string, account: string): FaultSpec | undefined {
    const fault = this.pendingFaults.find(
      (candidate) =>
        candidate.remaining > 0 &&
        candidate.spec.action === action &&
        (candidate.spec.account === undefined || candidate.spec.account === account),
    )
    if (fault === undefined) return undefined
    fault.remaining -= 1
    return fault.spec
  }
}

const idAlphabet = 'ABCDEFGHIJKLMNOPQRSTUVWXYZ234567'

/** Creates an id in AWS's style: a four-letter kind prefix and 17 upper-case characters. */
export function createEntityId(prefix: string, length = 17): string {
  return prefix + [...randomBytes(length)].map((byte) => idAlphabet[byte % idAlphabet.length]).join('')
}
