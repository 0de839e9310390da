/**
 * A sandbox AWS Organization (issue 12): one SandboxAccount per account, the hub's used directly and
 * every other reached the way the hub reaches a member on AWS, through an AssumeRole on its
 * `jit-broker` role. The same AccountCredentials as production's adapters (adapters/aws/accounts.ts)
 * do the assuming, so their caching, sharing and error naming are what the sandbox exercises; the
 * STS call itself is simulated here.
 *
 * What AWS does that this models:
 * - AssumeRole is refused with AccessDenied when the role's trust policy does not admit the caller
 *   (https://docs.aws.amazon.com/STS/latest/APIReference/API_AssumeRole.html), for example when the
 *   spoke is not deployed in that account; `refuse(accountId)` plays that, `faults` any other failure.
 * - Credentials last the session's duration (1 h, the broker's MaxSessionDuration); within it, a
 *   refusal set afterwards is only met once the kept credentials are renewed (`forget` renews).
 */
import { AccountUnreachableError } from "../../core/accounts.ts";
import type { AccessBroker, AccountPorts, SessionControl } from "../../core/ports.ts";
import { AccountCredentials, type AssumeRoleRequest } from "../aws/accounts.ts";
import type { SandboxAccount } from "./account.ts";

const awsError = (name: string, message: string): Error => Object.assign(new Error(message), { name });

/** The sandbox's accounts and the hub's way into them. */
export class SandboxOrganization implements AccountPorts {
  readonly hubAccountId: string;
  readonly accounts: ReadonlyMap<string, SandboxAccount>;
  /** Called with the account id before every simulated AssumeRole; throw to inject a failure. */
  faults: (accountId: string) => void = () => {};
  /** AssumeRole calls made, by account (tests count them: credentials are reused). */
  readonly assumed = new Map<string, number>();
  /**
   * Simulated time every call into a member account takes, AssumeRole included (benchmarks: AWS's
   * round trip, which the in-memory accounts otherwise do not have). 0 by default.
   */
  latencyMs = 0;
  /** Calls into member accounts running now, and the most seen at once (benchmarks). */
  readonly inFlight = { now: 0, peak: 0, calls: 0 };
  private readonly refused = new Set<string>();
  private credentials: AccountCredentials;
  private readonly now: () => Date;
  private readonly label: ((accountId: string) => string) | undefined;

  constructor(options: {
    hubAccountId: string;
    accounts: Record<string, SandboxAccount>;
    now?: () => Date;
    partition?: string;
    label?: (accountId: string) => string;
  }) {
    this.hubAccountId = options.hubAccountId;
    this.accounts = new Map(Object.entries(options.accounts));
    if (!this.accounts.has(this.hubAccountId))
      throw new Error(`the organization has no hub account ${this.hubAccountId}`);
    this.now = options.now ?? (() => new Date());
    this.label = options.label;
    this.credentials = this.newCredentials(options.partition ?? "aws");
  }

  private newCredentials(partition: string): AccountCredentials {
    return new AccountCredentials({
      hubAccountId: this.hubAccountId,
      partition,
      sourceIdentity: "jit-sandbox",
      assumeRole: (request) => this.assumeRole(request),
      label: this.label,
      now: () => this.now().getTime(),
    });
  }

  /** The simulated STS AssumeRole on an account's broker role. */
  private async assumeRole(request: AssumeRoleRequest): Promise<{
    accessKeyId: string;
    secretAccessKey: string;
    sessionToken: string;
    expiration: Date;
  }> {
    const accountId = request.roleArn.split(":")[4] ?? "";
    this.assumed.set(accountId, (this.assumed.get(accountId) ?? 0) + 1);
    await this.delay();
    this.faults(accountId);
    if (this.refused.has(accountId) || !this.accounts.has(accountId)) {
      throw awsError(
        "AccessDenied",
        `User: arn:aws:sts::${this.hubAccountId}:assumed-role/jit-sandbox is not authorized to perform: sts:AssumeRole on resource: ${request.roleArn}`,
      );
    }
    return {
      accessKeyId: `ASIA${accountId}`,
      secretAccessKey: "sandbox",
      sessionToken: "sandbox",
      expiration: new Date(this.now().getTime() + request.durationSeconds * 1000),
    };
  }

  /** Waits `latencyMs`, counted as one call in flight. */
  private async delay(): Promise<void> {
    if (this.latencyMs <= 0) return;
    this.inFlight.calls += 1;
    this.inFlight.now += 1;
    this.inFlight.peak = Math.max(this.inFlight.peak, this.inFlight.now);
    try {
      await new Promise((resolve) => setTimeout(resolve, this.latencyMs));
    } finally {
      this.inFlight.now -= 1;
    }
  }

  /** From now on the account's broker refuses the hub (its spoke is gone, its trust changed). */
  refuse(accountId: string): void {
    this.refused.add(accountId);
    this.forget();
  }

  /** The account admits the hub again. */
  admit(accountId: string): void {
    this.refused.delete(accountId);
    this.forget();
  }

  /** Drops every kept credential, so the next call into each account assumes its role again. */
  forget(): void {
    this.credentials = this.newCredentials("aws");
  }

  /** The account, or an error naming it when the organization has no such account. */
  account(accountId: string): SandboxAccount {
    const account = this.accounts.get(accountId);
    if (!account) throw new Error(`the sandbox organization has no account ${accountId}`);
    return account;
  }

  /** Every `jit-*` leftover in every account, each prefixed with its account id. */
  leftoverGrants(): string[] {
    return [...this.accounts].flatMap(([id, a]) => a.leftoverGrants().map((l) => `${id} ${l}`));
  }

  /** Live sessions in every account. */
  liveCount(): number {
    return [...this.accounts.values()].reduce((n, a) => n + a.liveCount(), 0);
  }

  broker(accountId: string): AccessBroker {
    return this.through<AccessBroker>(accountId);
  }

  sessions(accountId: string): SessionControl {
    return this.through<SessionControl>(accountId);
  }

  /**
   * The account's ports behind its credentials: every call first gets them (kept, or one AssumeRole),
   * as an SDK client signing with an assumed role does before each request.
   */
  private through<T extends object>(accountId: string): T {
    return new Proxy({} as T, {
      get: (_target, prop) => {
        // Not a promise: `await ports.broker(id)` must not look for a `then`.
        if (prop === "then") return undefined;
        return async (...args: unknown[]) => {
          if (accountId !== this.hubAccountId) {
            await this.credentials.credentials(accountId);
            await this.delay();
          }
          const account = this.accounts.get(accountId);
          if (!account) throw new AccountUnreachableError(accountId, "denied", `no account ${accountId}`);
          const method = (account as unknown as Record<string | symbol, unknown>)[prop];
          if (typeof method !== "function") throw new Error(`no ${String(prop)} on a sandbox account`);
          return method.apply(account, args);
        };
      },
    });
  }
}
