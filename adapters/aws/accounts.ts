/**
 * The one place an adapter gets what it needs to act in an account (issue 12). The hub's own account
 * uses the function's own credentials; any other is reached by assuming its `jit-broker` role (the
 * spoke, stacks/spoke-template.ts) with STS, setting the function's name as source identity.
 *
 * Credentials are kept per account and reused until 10 minutes before they expire. Why 10: the SDK
 * treats an identity as expired 5 minutes early (@smithy/core EXPIRATION_MS = 300,000) and asks its
 * provider again; credentials kept past that point would be handed back already "expired" on every
 * call. Another 5 minutes cover the longest invocation that may start with them (the sweeper's
 * timeout is 300 s, stacks/entries.ts), so no call runs on credentials that end under it.
 *
 * Concurrent first calls for one account share one AssumeRole: the pending promise is what is kept.
 * A refused or failed AssumeRole is not kept (the next call tries again) and surfaces as
 * AccountUnreachableError naming the account.
 */
import { fromTemporaryCredentials } from "@aws-sdk/credential-providers";
import { AccountUnreachableError, brokerRoleArn } from "../../core/accounts.ts";
import { errorName, isTransient } from "./errors.ts";

/** Temporary credentials, in the shape SDK clients take as an identity. */
export interface AssumedCredentials {
  accessKeyId: string;
  secretAccessKey: string;
  sessionToken: string;
  expiration: Date;
}

/** One AssumeRole call. */
export interface AssumeRoleRequest {
  roleArn: string;
  roleSessionName: string;
  sourceIdentity: string;
  durationSeconds: number;
  /**
   * A session policy (JSON): the session may do only what both it and the role's own policy allow,
   * "the intersection of the role's identity-based policy and the session policies"
   * (https://docs.aws.amazon.com/IAM/latest/UserGuide/id_credentials_temp_control-access_assumerole.html).
   * Absent: the role's whole policy.
   */
  policy?: string | undefined;
}

/** The STS port: production's is `stsAssumeRole`, tests pass a fake. */
export type AssumeRole = (request: AssumeRoleRequest) => Promise<AssumedCredentials>;

/** `jit-` and what STS allows in a source identity and a role session name (2-64 of `[\w+=,.@-]`). */
const SOURCE_IDENTITY = /^jit-[\w+=,.@-]{1,60}$/;

/** Reuse credentials until this long before they expire (see above). */
export const REFRESH_MARGIN_MS = 10 * 60_000;
/** The broker session's length: the role's MaxSessionDuration (1 h, spoke-template.ts). */
export const SESSION_SECONDS = 3600;

/** What the provider needs to know. */
export interface AccountCredentialsOptions {
  hubAccountId: string;
  partition: string;
  /** `jit-<function>`: the broker's trust requires a `jit-*` source identity. */
  sourceIdentity: string;
  assumeRole: AssumeRole;
  /** A session policy narrowing every session these credentials hold (AssumeRoleRequest.policy). */
  sessionPolicy?: string | undefined;
  /** The role assumed in each account; default its `jit-broker` (brokerRoleArn). */
  roleArn?: ((partition: string, accountId: string) => string) | undefined;
  /** How messages name the account, e.g. `staging (444455556666)` (core/accounts.ts accountDisplay); its id otherwise. */
  label?: (accountId: string) => string;
  now?: () => number;
}

interface Entry {
  credentials: Promise<AssumedCredentials>;
  /** Known once the call succeeded; until then the entry is shared as it is. */
  expiresAt?: number;
}

/** Credentials per account, assumed once and reused. */
export class AccountCredentials {
  private readonly entries = new Map<string, Entry>();
  private readonly now: () => number;
  private readonly options: AccountCredentialsOptions;
  constructor(options: AccountCredentialsOptions) {
    // The broker's trust takes only `jit-*` (spoke-policies.ts), and STS only 2-64 of these characters.
    if (!SOURCE_IDENTITY.test(options.sourceIdentity)) {
      throw new RangeError(
        `the source identity "${options.sourceIdentity}" must be jit- and up to 60 letters, digits or + = , . @ _ -: the broker's trust takes only jit-*`,
      );
    }
    this.options = options;
    this.now = options.now ?? Date.now;
  }

  /** An SDK credentials provider for the account, or undefined for the hub (the function's own). */
  provider(accountId: string): (() => Promise<AssumedCredentials>) | undefined {
    if (accountId === this.options.hubAccountId) return undefined;
    return () => this.credentials(accountId);
  }

  /** The account's credentials: kept ones while they last, else one AssumeRole shared by all who ask. */
  credentials(accountId: string): Promise<AssumedCredentials> {
    const kept = this.entries.get(accountId);
    if (kept && (kept.expiresAt === undefined || kept.expiresAt - this.now() > REFRESH_MARGIN_MS)) {
      return kept.credentials;
    }
    const entry: Entry = { credentials: this.assume(accountId) };
    this.entries.set(accountId, entry);
    entry.credentials.then(
      (c) => {
        entry.expiresAt = c.expiration.getTime();
      },
      () => {
        if (this.entries.get(accountId) === entry) this.entries.delete(accountId);
      },
    );
    return entry.credentials;
  }

  private async assume(accountId: string): Promise<AssumedCredentials> {
    const { partition, sourceIdentity } = this.options;
    const roleArn = (this.options.roleArn ?? brokerRoleArn)(partition, accountId);
    try {
      return await this.options.assumeRole({
        roleArn,
        roleSessionName: sourceIdentity,
        sourceIdentity,
        durationSeconds: SESSION_SECONDS,
        ...(this.options.sessionPolicy !== undefined ? { policy: this.options.sessionPolicy } : {}),
      });
    } catch (error) {
      const name = errorName(error) ?? "Error";
      const reason = name === "AccessDenied" ? "denied" : isTransient(error) ? "throttled" : "failed";
      const account = this.options.label?.(accountId) ?? accountId;
      const hint =
        reason === "denied"
          ? ": is the spoke deployed there (organization.organizationalUnits), and is this function trusted?"
          : "";
      const detail = error instanceof Error ? `${name}: ${error.message}` : String(error);
      throw new AccountUnreachableError(
        accountId,
        reason,
        `cannot act in account ${account}: AssumeRole on ${roleArn} failed (${detail})${hint}`,
        error,
      );
    }
  }
}

/**
 * Production's STS port, through @aws-sdk/credential-providers (already a dependency; it carries its
 * own STS client): one provider per role, each call one AssumeRole in the hub's region.
 */
export function stsAssumeRole(region: string): AssumeRole {
  const providers = new Map<string, ReturnType<typeof fromTemporaryCredentials>>();
  return async (request) => {
    const key = `${request.roleArn}\u0000${request.sourceIdentity}\u0000${request.policy ?? ""}`;
    let provider = providers.get(key);
    if (!provider) {
      provider = fromTemporaryCredentials({
        params: {
          RoleArn: request.roleArn,
          RoleSessionName: request.roleSessionName,
          SourceIdentity: request.sourceIdentity,
          DurationSeconds: request.durationSeconds,
          ...(request.policy !== undefined ? { Policy: request.policy } : {}),
        },
        clientConfig: { region },
      });
      providers.set(key, provider);
    }
    const c = await provider();
    if (!c.sessionToken || !c.expiration)
      throw new Error(`AssumeRole on ${request.roleArn} returned no session`);
    return { ...c, sessionToken: c.sessionToken, expiration: c.expiration };
  };
}
