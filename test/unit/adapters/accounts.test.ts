/** Per-account credentials and clients (issue 12), against a fake STS and a fake clock. */
import { IAMClient } from "@aws-sdk/client-iam";
import { SSMClient } from "@aws-sdk/client-ssm";
import { AssumeRoleCommand, STSClient } from "@aws-sdk/nested-clients/sts";
import { mockClient } from "aws-sdk-client-mock";
import { beforeEach, describe, expect, it } from "vitest";
import { AccountClients } from "../../../adapters/aws/account-clients.ts";
import {
  AccountCredentials,
  type AssumedCredentials,
  type AssumeRoleRequest,
  REFRESH_MARGIN_MS,
  stsAssumeRole,
} from "../../../adapters/aws/accounts.ts";
import { AccountUnreachableError } from "../../../core/accounts.ts";

const HUB = "123456789012";
const STAGING = "444455556666";
const TEAM_A = "777788889999";
const HOUR = 3_600_000;

/** A fake STS: counts calls, answers after `release()` when held, fails when told to. */
function fakeSts(start = 0) {
  let clock = start;
  let issued = 0;
  const calls: AssumeRoleRequest[] = [];
  let failure: Error | undefined;
  let hold: Promise<void> | undefined;
  let release = () => {};
  const assumeRole = async (request: AssumeRoleRequest): Promise<AssumedCredentials> => {
    calls.push(request);
    if (hold) await hold;
    if (failure) throw failure;
    issued += 1;
    return {
      accessKeyId: `ASIA${issued}`,
      secretAccessKey: "secret",
      sessionToken: "token",
      expiration: new Date(clock + HOUR),
    };
  };
  return {
    calls,
    assumeRole,
    now: () => clock,
    advance: (ms: number) => {
      clock += ms;
    },
    fail: (name: string | undefined) => {
      failure = name === undefined ? undefined : Object.assign(new Error(`${name} happened`), { name });
    },
    holdCalls: () => {
      hold = new Promise((resolve) => {
        release = () => {
          hold = undefined;
          resolve();
        };
      });
    },
    release: () => release(),
  };
}

const provider = (sts: ReturnType<typeof fakeSts>) =>
  new AccountCredentials({
    hubAccountId: HUB,
    partition: "aws",
    sourceIdentity: "jit-sweeper",
    assumeRole: sts.assumeRole,
    label: (id) => (id === STAGING ? `staging (${STAGING})` : id),
    now: sts.now,
  });

describe("credentials per account", () => {
  it("needs no assumption in the hub's own account", () => {
    // Prepare
    const sts = fakeSts();
    // Act
    const forHub = provider(sts).provider(HUB);
    // Assess
    expect(forHub).toBeUndefined();
    expect(sts.calls).toEqual([]);
  });

  it("assumes the member's jit-broker once, with the function as source identity, and reuses it", async () => {
    // Prepare
    const sts = fakeSts();
    const accounts = provider(sts);
    // Act
    const first = await accounts.credentials(STAGING);
    sts.advance(HOUR - REFRESH_MARGIN_MS - 1);
    const later = await accounts.credentials(STAGING);
    // Assess
    expect(sts.calls).toEqual([
      {
        roleArn: `arn:aws:iam::${STAGING}:role/jit-broker`,
        roleSessionName: "jit-sweeper",
        sourceIdentity: "jit-sweeper",
        durationSeconds: 3600,
      },
    ]);
    expect(later).toBe(first);
  });

  it("assumes again once the credentials are within 10 minutes of their end", async () => {
    // Prepare
    const sts = fakeSts();
    const accounts = provider(sts);
    const first = await accounts.credentials(STAGING);
    // Act
    sts.advance(HOUR - REFRESH_MARGIN_MS);
    const renewed = await accounts.credentials(STAGING);
    // Assess
    expect(sts.calls).toHaveLength(2);
    expect(renewed.accessKeyId).not.toBe(first.accessKeyId);
  });

  it("shares one AssumeRole among concurrent first callers, one per account", async () => {
    // Prepare
    const sts = fakeSts();
    const accounts = provider(sts);
    sts.holdCalls();
    // Act
    const waiting = [
      ...Array.from({ length: 20 }, () => accounts.credentials(STAGING)),
      ...Array.from({ length: 5 }, () => accounts.credentials(TEAM_A)),
    ];
    sts.release();
    const all = await Promise.all(waiting);
    // Assess
    expect(sts.calls.map((c) => c.roleArn)).toEqual([
      `arn:aws:iam::${STAGING}:role/jit-broker`,
      `arn:aws:iam::${TEAM_A}:role/jit-broker`,
    ]);
    expect(new Set(all.slice(0, 20)).size).toBe(1);
  });

  it("surfaces a refused AssumeRole as AccountUnreachableError naming the account, and tries again next time", async () => {
    // Prepare
    const sts = fakeSts();
    const accounts = provider(sts);
    sts.fail("AccessDenied");
    // Act
    const refused = await accounts.credentials(STAGING).catch((e: unknown) => e);
    sts.fail(undefined);
    const retried = await accounts.credentials(STAGING);
    // Assess
    expect(refused).toBeInstanceOf(AccountUnreachableError);
    expect(refused).toMatchObject({ name: "AccountUnreachableError", accountId: STAGING, reason: "denied" });
    expect((refused as Error).message).toBe(
      `cannot act in account staging (${STAGING}): AssumeRole on arn:aws:iam::${STAGING}:role/jit-broker failed (AccessDenied: AccessDenied happened): is the spoke deployed there (organization.organizationalUnits), and is this function trusted?`,
    );
    expect(retried.accessKeyId).toBe("ASIA1");
    expect(sts.calls).toHaveLength(2);
  });

  it.each([
    ["Throttling", "throttled"],
    ["RegionDisabledException", "failed"],
  ])("calls %s %s", async (name, reason) => {
    // Prepare
    const sts = fakeSts();
    sts.fail(name);
    // Act
    const error = await provider(sts)
      .credentials(TEAM_A)
      .catch((e: unknown) => e);
    // Assess
    expect(error).toMatchObject({ accountId: TEAM_A, reason });
    expect((error as Error).message).toContain(`cannot act in account ${TEAM_A}:`);
  });

  it("fails every concurrent caller of one refused AssumeRole with the same error, after one call", async () => {
    // Prepare
    const sts = fakeSts();
    const accounts = provider(sts);
    sts.fail("AccessDenied");
    sts.holdCalls();
    // Act
    const waiting = Array.from({ length: 5 }, () => accounts.credentials(STAGING).catch((e: unknown) => e));
    sts.release();
    const errors = await Promise.all(waiting);
    // Assess
    expect(sts.calls).toHaveLength(1);
    expect(errors.every((e) => e instanceof AccountUnreachableError)).toBe(true);
  });
});

describe("the source identity", () => {
  it.each(["sweeper", "jit-", "jit-a b", `jit-${"x".repeat(61)}`, "jit-*"])(
    "refuses %j",
    (sourceIdentity) => {
      // Act
      const make = () =>
        new AccountCredentials({
          hubAccountId: HUB,
          partition: "aws",
          sourceIdentity,
          assumeRole: fakeSts().assumeRole,
        });
      // Assess
      expect(make).toThrow(RangeError);
    },
  );
});

describe("clients per account and region", () => {
  it("keeps one client per kind, account and region, signing a member's calls with the broker", async () => {
    // Prepare
    const sts = fakeSts();
    const clients = new AccountClients(provider(sts));
    // Act
    const iam = clients.get(IAMClient, STAGING, "eu-west-1");
    const again = clients.get(IAMClient, STAGING, "eu-west-1");
    const otherRegion = clients.get(IAMClient, STAGING, "us-east-1");
    const otherKind = clients.get(SSMClient, STAGING, "eu-west-1");
    const hub = clients.get(SSMClient, HUB, "eu-west-1");
    const identity = await iam.config.credentials();
    // Assess
    expect(again).toBe(iam);
    expect(otherRegion).not.toBe(iam);
    expect(otherKind).not.toBe(iam);
    expect(await otherRegion.config.region()).toBe("us-east-1");
    expect(identity).toMatchObject({ accessKeyId: "ASIA1", sessionToken: "token" });
    expect(hub).not.toBe(otherKind);
    expect(sts.calls).toHaveLength(1);
  });
});

describe("production's STS port", () => {
  // @aws-sdk/credential-providers carries its own STS client (@aws-sdk/nested-clients): mocked here,
  // the call it sends and what comes back are checked without a network.
  const sts = mockClient(STSClient);
  beforeEach(() => sts.reset());

  it("sends one AssumeRole with the role, session name, source identity and length, and returns the session", async () => {
    // Prepare
    const expiration = new Date("2026-11-29T15:00:00Z");
    sts.on(AssumeRoleCommand).resolves({
      Credentials: { AccessKeyId: "ASIAX", SecretAccessKey: "s", SessionToken: "t", Expiration: expiration },
    });
    const assumeRole = stsAssumeRole("eu-west-1");
    const request = {
      roleArn: `arn:aws:iam::${STAGING}:role/jit-broker`,
      roleSessionName: "jit-sweeper",
      sourceIdentity: "jit-sweeper",
      durationSeconds: 3600,
    };
    // Act
    const credentials = await assumeRole(request);
    // Assess
    expect(sts.commandCalls(AssumeRoleCommand).map((c) => c.args[0].input)).toEqual([
      {
        RoleArn: request.roleArn,
        RoleSessionName: "jit-sweeper",
        SourceIdentity: "jit-sweeper",
        DurationSeconds: 3600,
      },
    ]);
    expect(credentials).toMatchObject({ accessKeyId: "ASIAX", sessionToken: "t", expiration });
  });

  it("lets STS's AccessDenied through by name, for the provider to call the account unreachable", async () => {
    // Prepare
    sts
      .on(AssumeRoleCommand)
      .rejects(
        Object.assign(new Error("not authorized to perform sts:AssumeRole"), { name: "AccessDenied" }),
      );
    const accounts = new AccountCredentials({
      hubAccountId: HUB,
      partition: "aws",
      sourceIdentity: "jit-grantAccess",
      assumeRole: stsAssumeRole("eu-west-1"),
    });
    // Act
    const error = await accounts.credentials(STAGING).catch((e: unknown) => e);
    // Assess
    expect(error).toMatchObject({ name: "AccountUnreachableError", accountId: STAGING, reason: "denied" });
  });
});
