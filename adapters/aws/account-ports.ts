/**
 * The AWS side of acting in member accounts (issue 12): one IamBroker and one SsmSessions per account,
 * built from the same parts as the hub's own, with SDK clients from AccountClients (one per account
 * and region; a member's sign with its `jit-broker` credentials, the hub's with the function's own).
 *
 * Each port knows its account: the broker refuses a principal or slot of another account, the session
 * control marks every session with its account and refuses another's (iam.ts and ssm.ts say why).
 * A call into an account whose AssumeRole fails rejects with AccountUnreachableError naming it (the
 * SDK hands the credentials provider's error through as it is, errors.ts).
 *
 * Only the hub's task functions that write, take back and reconcile grants build these (the roles the
 * spoke's trust names, stacks/spoke-policies.ts BROKER_CALLERS); the front doors never do. A function
 * that only needs to look (which nodes carry a profile's tags there) asks for `readOnly` ports: its
 * sessions carry a session policy of two reads, and they hold no broker.
 */
import { SSMClient } from "@aws-sdk/client-ssm";
import {
  AccountUnreachableError,
  accountDisplay,
  accountPrincipalArns,
  memberAccountIds,
  profileAccountIds,
  readerRoleArn,
} from "../../core/accounts.ts";
import type { AccessConfig } from "../../core/config/load.ts";
import { NotAuthorizedError } from "../../core/errors.ts";
import type { AccessBroker, AccountPorts, SessionControl } from "../../core/ports.ts";
import { AccountClients } from "./account-clients.ts";
import { AccountCredentials, type AssumeRole, stsAssumeRole } from "./accounts.ts";
import { BoundedIAMClient, IamBroker } from "./iam.ts";
import { SsmSessions } from "./ssm.ts";

/** The regions Session Manager is asked in for an account: those of every profile spanning it. */
export function accountRegions(config: AccessConfig, accountId: string): string[] {
  const regions = Object.values(config.profiles)
    .filter((p) => profileAccountIds(config, p).includes(accountId))
    .flatMap((p) => p.regions);
  return [...new Set(regions)];
}

/** What STS allows in a source identity and a role session name: 2-64 of `[\w+=,.@-]`. */
const IDENTITY_CHARACTERS = /[^\w+=,.@-]+/g;

/**
 * `jit-<name>` as a source identity the broker's trust takes (`jit-*`) and STS allows (up to 64 of
 * `[\w+=,.@-]`): other characters become `-`, and the end is cut to fit.
 */
export function sourceIdentityFor(name: string): string {
  const cleaned = name.replace(IDENTITY_CHARACTERS, "-").replace(/^jit-/, "");
  return `jit-${cleaned || "hub"}`.slice(0, 64);
}

/** How a function reaches other accounts. */
export interface AwsAccountPortsOptions {
  /**
   * The function's source identity, `jit-<function>` (the house names them by FunctionName, e.g.
   * `jit-grantAccess`): it names the function in every member account's CloudTrail. Default: from
   * AWS_LAMBDA_FUNCTION_NAME.
   */
  sourceIdentity?: string | undefined;
  /** The hub's region: STS and IAM are called there. Default: AWS_REGION. */
  region?: string | undefined;
  /** The STS port. Default: STS in the hub's region (stsAssumeRole). */
  assumeRole?: AssumeRole | undefined;
  /**
   * Reads only: every member session carries READ_ONLY_SESSION_POLICY, so IAM refuses it anything but
   * finding nodes and listing sessions whatever the broker's own policy allows, and `broker()` refuses
   * at once. For a function that judges what happened in an account and changes nothing there.
   */
  readOnly?: boolean | undefined;
  /** The clock credentials are kept by (tests). */
  now?: (() => number) | undefined;
}

/**
 * The session policy of read-only ports: the two Session Manager reads. A session policy can only
 * narrow what the role allows, never widen it
 * (https://docs.aws.amazon.com/IAM/latest/UserGuide/id_credentials_temp_control-access_assumerole.html).
 */
export const READ_ONLY_SESSION_POLICY = {
  Version: "2012-10-17",
  Statement: [
    {
      Effect: "Allow",
      Action: ["ssm:DescribeInstanceInformation", "ssm:DescribeSessions"],
      Resource: "*",
    },
  ],
} as const;

/** Every account's ports: the hub's and each member's, built once per account and kept. */
export class AwsAccountPorts implements AccountPorts {
  private readonly config: AccessConfig;
  private readonly clients: AccountClients;
  private readonly region: string;
  private readonly known: ReadonlySet<string>;
  private readonly readOnly: boolean;
  private readonly brokers = new Map<string, AccessBroker>();
  private readonly controls = new Map<string, SessionControl>();

  constructor(config: AccessConfig, options: AwsAccountPortsOptions = {}) {
    this.config = config;
    this.region = options.region ?? process.env.AWS_REGION ?? "us-east-1";
    this.known = new Set([config.accountId, ...memberAccountIds(config)]);
    this.readOnly = options.readOnly === true;
    const credentials = new AccountCredentials({
      hubAccountId: config.accountId,
      partition: config.partition,
      sourceIdentity:
        options.sourceIdentity ?? sourceIdentityFor(process.env.AWS_LAMBDA_FUNCTION_NAME ?? "hub"),
      assumeRole: options.assumeRole ?? stsAssumeRole(this.region),
      label: (id) => accountDisplay(config, id),
      // Reads assume the spoke's reader role (two Session Manager reads), never the broker; the
      // session policy narrows it to the same two again, should the role ever be given more.
      ...(this.readOnly
        ? { sessionPolicy: JSON.stringify(READ_ONLY_SESSION_POLICY), roleArn: readerRoleArn }
        : {}),
      ...(options.now ? { now: options.now } : {}),
    });
    this.clients = new AccountClients(credentials);
  }

  /** The account's IAM broker, allowed only that account's configured principals. */
  broker(accountId: string): AccessBroker {
    let broker = this.brokers.get(accountId);
    if (!broker) {
      broker = this.newBroker(accountId);
      this.brokers.set(accountId, broker);
    }
    return broker;
  }

  private newBroker(accountId: string): AccessBroker {
    if (this.readOnly) {
      const refusal = `these ports only read; no grant can be changed in account ${accountId}`;
      return refusing<AccessBroker>(new NotAuthorizedError(refusal));
    }
    if (!this.known.has(accountId)) return refusing<AccessBroker>(this.unknown(accountId));
    return new IamBroker(
      accountPrincipalArns(this.config, accountId),
      // IAM is global; its endpoint in the hub's region serves the partition.
      () => this.clients.get(BoundedIAMClient, accountId, this.region),
      { accountId },
    );
  }

  /** The account's Session Manager, in the regions of the profiles that span it. */
  sessions(accountId: string): SessionControl {
    let control = this.controls.get(accountId);
    if (!control) {
      control = this.known.has(accountId)
        ? new SsmSessions(
            accountRegions(this.config, accountId),
            this.region,
            (region) => this.clients.get(SSMClient, accountId, region),
            accountId,
          )
        : refusing<SessionControl>(this.unknown(accountId));
      this.controls.set(accountId, control);
    }
    return control;
  }

  /**
   * An account the configuration does not span: the stack lets this function assume no role there
   * (stacks/permissions.ts), so nothing is tried.
   */
  private unknown(accountId: string): AccountUnreachableError {
    return new AccountUnreachableError(
      accountId,
      "failed",
      `cannot act in account ${accountId}: no profile of the configuration spans it, so this hub holds no way into it`,
    );
  }
}

/** A port whose every call rejects with `error`. */
function refusing<T extends object>(error: Error): T {
  return new Proxy({} as T, {
    get: (_target, prop) => {
      // Not a promise: awaiting the port must not find a `then`.
      if (prop === "then") return undefined;
      return () => Promise.reject(error);
    },
  });
}

/**
 * The ports of every account the configuration spans, for `lambdaDeps({ accounts })`; undefined when
 * it spans the hub's account alone (nothing to assume, and the stack grants no sts:AssumeRole).
 */
export function awsAccountPorts(
  config: AccessConfig,
  options: AwsAccountPortsOptions = {},
): AwsAccountPorts | undefined {
  if (memberAccountIds(config).length === 0) return undefined;
  return new AwsAccountPorts(config, options);
}

/** The hub's own broker: the function's credentials, the hub's configured principals. */
export function hubBroker(config: AccessConfig): IamBroker {
  return new IamBroker(accountPrincipalArns(config, config.accountId), undefined, {
    accountId: config.accountId,
  });
}

/** The hub's own Session Manager, in the regions of the profiles that span the hub. */
export function hubSessions(config: AccessConfig): SsmSessions {
  return new SsmSessions(accountRegions(config, config.accountId), undefined, undefined, config.accountId);
}
