/**
 * The AWS ports of every account (issue 12) against aws-sdk-client-mock. The mocks answer as IAM and
 * SSM would, and first resolve the calling client's credentials as the SDK does before it signs
 * (account-errors.test.ts holds that on real clients), so each call is seen with the account and
 * region it was signed for, and a refused AssumeRole fails the call as it would on AWS.
 */
import {
  DeleteRolePolicyCommand,
  IAMClient,
  ListRolePoliciesCommand,
  PutRolePolicyCommand,
} from "@aws-sdk/client-iam";
import {
  DescribeInstanceInformationCommand,
  DescribeSessionsCommand,
  SSMClient,
  TerminateSessionCommand,
} from "@aws-sdk/client-ssm";
import { AssumeRoleCommand, STSClient } from "@aws-sdk/nested-clients/sts";
import { mockClient } from "aws-sdk-client-mock";
import { afterEach, beforeEach, describe, expect, it, vi } from "vitest";
import {
  accountRegions,
  awsAccountPorts,
  hubBroker,
  hubSessions,
  READ_ONLY_SESSION_POLICY,
  sourceIdentityFor,
} from "../../../adapters/aws/account-ports.ts";
import type { AssumedCredentials, AssumeRoleRequest } from "../../../adapters/aws/accounts.ts";
import { stsAssumeRole } from "../../../adapters/aws/accounts.ts";
import { AccountUnreachableError } from "../../../core/accounts.ts";
import { checkConfig } from "../../../core/config/load.ts";
import { NotAuthorizedError } from "../../../core/errors.ts";
import type { PolicyDocument } from "../../../core/policy.ts";
import type { AccountPorts } from "../../../core/ports.ts";
import type { Principal } from "../../../core/principal.ts";
import {
  HUB,
  multiAccountConfig,
  multiAccountData,
  STAGING,
  STAGING_ALICE,
  TEAM_A,
  TEAM_A_ALICE,
} from "../../helpers/accounts.ts";

const config = multiAccountConfig();
const iam = mockClient(IAMClient);
const ssm = mockClient(SSMClient);
// STS itself (the SDK's own STS client inside @aws-sdk/credential-providers), where a test takes the
// real AssumeRole path, production's stsAssumeRole included.
const stsClient = mockClient(STSClient);
const role = (arn: string): Principal => ({ kind: "role", arn, name: arn.split("/").pop() ?? "" });
const HUB_ALICE = `arn:aws:iam::${HUB}:role/oncall/jit-alice`;
const doc: PolicyDocument = {
  Version: "2012-10-17",
  Statement: [{ Sid: "A", Effect: "Allow", Action: "ssm:StartSession", Resource: "*" }],
};

/** A call as AWS saw it: the account whose credentials signed it (the hub's own: no assumption). */
interface Seen {
  command: string;
  account: string;
  region: string;
  client: unknown;
  input: unknown;
}

/** Fake STS: credentials whose key names the account, or the error `refuse` returns for it. */
function fakeSts() {
  const calls: AssumeRoleRequest[] = [];
  let refuse: (accountId: string) => Error | undefined = () => undefined;
  const assumeRole = async (request: AssumeRoleRequest): Promise<AssumedCredentials> => {
    calls.push(request);
    const accountId = request.roleArn.split(":")[4] ?? "";
    const error = refuse(accountId);
    if (error) throw error;
    return {
      accessKeyId: `ASIA-${accountId}`,
      secretAccessKey: "s",
      sessionToken: "t",
      expiration: new Date(Date.now() + 3_600_000),
    };
  };
  return {
    calls,
    assumeRole,
    refuse: (f: (accountId: string) => Error | undefined) => {
      refuse = f;
    },
  };
}

const seen: Seen[] = [];
/** Resolves the client's identity as the SDK does before signing, then records the call. */
const signed =
  (command: string, answer: unknown) =>
  async (
    input: unknown,
    getClient: () => {
      config: { credentials: () => Promise<{ accessKeyId: string }>; region: () => Promise<string> };
    },
  ) => {
    const client = getClient();
    const { accessKeyId } = await client.config.credentials();
    const account = accessKeyId.startsWith("ASIA-") ? accessKeyId.slice(5) : `hub:${accessKeyId}`;
    seen.push({ command, account, region: await client.config.region(), client, input });
    return answer;
  };

let sts: ReturnType<typeof fakeSts>;
const portsOf = (): AccountPorts => {
  const ports = awsAccountPorts(config, {
    sourceIdentity: "jit-grantAccess",
    region: "eu-west-1",
    assumeRole: sts.assumeRole,
  });
  if (!ports) throw new Error("a multi-account config has ports");
  return ports;
};

beforeEach(() => {
  seen.length = 0;
  sts = fakeSts();
  iam.reset();
  ssm.reset();
  stsClient.reset();
  // The hub's own identity: the function's, from the environment (as Lambda sets it).
  vi.stubEnv("AWS_ACCESS_KEY_ID", "AKIAHUBFUNCTION");
  vi.stubEnv("AWS_SECRET_ACCESS_KEY", "s");
  iam.on(PutRolePolicyCommand).callsFake(signed("PutRolePolicy", {}));
  iam.on(DeleteRolePolicyCommand).callsFake(signed("DeleteRolePolicy", {}));
  iam.on(ListRolePoliciesCommand).callsFake(signed("ListRolePolicies", { PolicyNames: [] }));
  ssm.on(TerminateSessionCommand).callsFake(signed("TerminateSession", {}));
  ssm
    .on(DescribeInstanceInformationCommand)
    .callsFake(signed("DescribeInstanceInformation", { InstanceInformationList: [{ InstanceId: "i-1" }] }));
  ssm.on(DescribeSessionsCommand).callsFake(
    signed("DescribeSessions", {
      Sessions: [
        {
          SessionId: "alice-1",
          Target: "i-1",
          Owner: `arn:aws:sts::${STAGING}:assumed-role/jit-alice/alice`,
        },
        { SessionId: "eve-1", Target: "i-2", Owner: `arn:aws:sts::${STAGING}:assumed-role/admin/eve` },
      ],
    }),
  );
});

afterEach(() => {
  vi.unstubAllEnvs();
});

describe("awsAccountPorts", () => {
  it("is none when the configuration spans the hub's account alone", () => {
    // Prepare
    const data = multiAccountData();
    for (const profile of Object.values(data.profiles) as { accounts?: string[] }[]) delete profile.accounts;
    delete data.principals.accounts;
    // Act
    const ports = awsAccountPorts(checkConfig(data), { assumeRole: sts.assumeRole });
    // Assess
    expect(ports).toBeUndefined();
    expect(awsAccountPorts(config, { assumeRole: sts.assumeRole })).toBeDefined();
  });

  it("writes in a member account through its jit-broker, with the function's source identity", async () => {
    // Act
    await portsOf().broker(STAGING).putGrant(role(STAGING_ALICE), "jit-20261129-abcdefgh", doc);
    // Assess
    expect(sts.calls).toEqual([
      {
        roleArn: `arn:aws:iam::${STAGING}:role/jit-broker`,
        roleSessionName: "jit-grantAccess",
        sourceIdentity: "jit-grantAccess",
        durationSeconds: 3600,
      },
    ]);
    expect(seen.map((s) => [s.command, s.account, s.input])).toEqual([
      [
        "PutRolePolicy",
        STAGING,
        expect.objectContaining({ RoleName: "jit-alice", PolicyName: "jit-20261129-abcdefgh" }),
      ],
    ]);
  });

  it("acts in the hub with the function's own credentials, assuming nothing", async () => {
    // Prepare
    const ports = portsOf();
    // Act
    await ports.broker(HUB).putGrant(role(HUB_ALICE), "jit-20261129-abcdefgh", doc);
    await ports.sessions(HUB).liveSessions(role(HUB_ALICE));
    // Assess
    expect(sts.calls).toEqual([]);
    expect(new Set(seen.map((s) => s.account))).toEqual(new Set(["hub:AKIAHUBFUNCTION"]));
  });

  it("keeps one client per account and region, and one AssumeRole per account", async () => {
    // Prepare
    const ports = portsOf();
    // Act
    await ports.sessions(STAGING).liveSessions(role(STAGING_ALICE));
    await ports.sessions(STAGING).liveSessions(role(STAGING_ALICE));
    await ports.sessions(TEAM_A).liveSessions(role(TEAM_A_ALICE));
    await ports.broker(STAGING).listGrants(role(STAGING_ALICE));
    // Assess
    const ssmCalls = seen.filter((s) => s.command === "DescribeSessions");
    const where = (s: Seen) => `${s.account} ${s.region}`;
    // Regions are asked at once: in no set order.
    expect(ssmCalls.map(where).sort()).toEqual([
      `${STAGING} eu-west-1`,
      `${STAGING} eu-west-1`,
      `${STAGING} us-east-1`,
      `${STAGING} us-east-1`,
      `${TEAM_A} eu-west-1`,
    ]);
    const clientsBy = new Map<string, Set<unknown>>();
    for (const s of ssmCalls) clientsBy.set(where(s), (clientsBy.get(where(s)) ?? new Set()).add(s.client));
    expect([...clientsBy.values()].map((clients) => clients.size)).toEqual([1, 1, 1]);
    expect(new Set(ssmCalls.map((s) => s.client)).size).toBe(3);
    expect(sts.calls.map((c) => c.roleArn)).toEqual([
      `arn:aws:iam::${STAGING}:role/jit-broker`,
      `arn:aws:iam::${TEAM_A}:role/jit-broker`,
    ]);
  });

  it("marks every session with the account it lives in, and ends it there", async () => {
    // Prepare
    const sessions = portsOf().sessions(STAGING);
    // Act
    const live = await sessions.liveSessions(role(STAGING_ALICE));
    for (const session of live) await sessions.terminateSession(session);
    // Assess
    expect(live.map((s) => [s.sessionId, s.accountId, s.region])).toEqual([
      ["alice-1", STAGING, "eu-west-1"],
      ["alice-1", STAGING, "us-east-1"],
    ]);
    expect(seen.filter((s) => s.command === "TerminateSession").map((s) => [s.account, s.region])).toEqual([
      [STAGING, "eu-west-1"],
      [STAGING, "us-east-1"],
    ]);
  });

  it.each<[string, (ports: AccountPorts) => Promise<unknown>]>([
    // The hub's alice and staging's share the role name oncall/jit-alice: IAM would find staging's.
    [
      "a removal on the hub's same-named role",
      (p) => p.broker(STAGING).deleteGrant(role(HUB_ALICE), "jit-1"),
    ],
    [
      "a write on another member's principal",
      (p) => p.broker(STAGING).putGrant(role(TEAM_A_ALICE), "jit-1", doc),
    ],
    ["a read of another account's principal", (p) => p.broker(STAGING).listGrants(role(HUB_ALICE))],
    [
      "another account's slot",
      (p) => p.broker(STAGING).readSlot(`arn:aws:iam::${TEAM_A}:policy/jit/jit-grants-1`),
    ],
    [
      "another account's slot write",
      (p) => p.broker(STAGING).writeSlot(`arn:aws:iam::${HUB}:policy/jit/jit-grants-1`, doc),
    ],
    ["sessions of another account's principal", (p) => p.sessions(STAGING).liveSessions(role(HUB_ALICE))],
    [
      "a session recorded in another account",
      (p) =>
        p.sessions(STAGING).terminateSession({
          sessionId: "alice-1",
          accountId: TEAM_A,
          target: "i-1",
          owner: "x",
          region: "eu-west-1",
        }),
    ],
  ])("refuses %s before any call", async (_case, act) => {
    // Act
    const error = await act(portsOf()).catch((e: unknown) => e);
    // Assess
    expect(error).toBeInstanceOf(NotAuthorizedError);
    expect((error as Error).message).toMatch(/is in account \d{12}, not 444455556666/);
    expect(seen).toEqual([]);
    expect(sts.calls).toEqual([]);
  });

  it("refuses an account no profile spans without asking STS", async () => {
    // Act
    const error = await portsOf()
      .broker("999988887777")
      .deleteGrant(role("arn:aws:iam::999988887777:role/jit-alice"), "jit-1")
      .catch((e: unknown) => e);
    // Assess
    expect(error).toMatchObject({
      name: "AccountUnreachableError",
      accountId: "999988887777",
      reason: "failed",
    });
    expect(sts.calls).toEqual([]);
    expect(seen).toEqual([]);
  });
});

describe("a member account that refuses the hub", () => {
  it("fails a broker call with AccountUnreachableError naming the account, and sends nothing there", async () => {
    // Prepare
    stsClient.on(AssumeRoleCommand).rejects(
      Object.assign(
        new Error(
          `not authorized to perform: sts:AssumeRole on resource: arn:aws:iam::${STAGING}:role/jit-broker`,
        ),
        {
          name: "AccessDenied",
          $metadata: { httpStatusCode: 403 },
        },
      ),
    );
    const ports = awsAccountPorts(config, {
      sourceIdentity: "jit-revokeAccess",
      region: "eu-west-1",
      assumeRole: stsAssumeRole("eu-west-1"),
    });
    // Act
    const error = await ports
      ?.broker(STAGING)
      .deleteGrant(role(STAGING_ALICE), "jit-1")
      .catch((e: unknown) => e);
    // Assess
    expect(error).toBeInstanceOf(AccountUnreachableError);
    expect(error).toMatchObject({ name: "AccountUnreachableError", accountId: STAGING, reason: "denied" });
    expect((error as Error).message).toContain(`cannot act in account staging (${STAGING})`);
    expect(stsClient.commandCalls(AssumeRoleCommand)[0]?.args[0].input).toMatchObject({
      RoleArn: `arn:aws:iam::${STAGING}:role/jit-broker`,
      SourceIdentity: "jit-revokeAccess",
    });
    expect(seen).toEqual([]);
  });

  it("names a throttled AssumeRole AccountThrottledError, through the session control too", async () => {
    // Prepare
    sts.refuse((id) =>
      id === TEAM_A ? Object.assign(new Error("Rate exceeded"), { name: "Throttling" }) : undefined,
    );
    // Act
    const error = await portsOf()
      .sessions(TEAM_A)
      .liveSessions(role(TEAM_A_ALICE))
      .catch((e: unknown) => e);
    // Assess
    expect(error).toMatchObject({ name: "AccountThrottledError", accountId: TEAM_A, reason: "throttled" });
    expect(seen).toEqual([]);
  });
});

describe("read-only ports", () => {
  it("assume the reader role (never the broker) with a session policy of the two reads, and hold no broker", async () => {
    // Prepare
    stsClient.on(AssumeRoleCommand).resolves({
      Credentials: {
        AccessKeyId: `ASIA-${STAGING}`,
        SecretAccessKey: "s",
        SessionToken: "t",
        Expiration: new Date(Date.now() + 3_600_000),
      },
    });
    const ports = awsAccountPorts(config, {
      sourceIdentity: "jit-sessionEvents",
      region: "eu-west-1",
      assumeRole: stsAssumeRole("eu-west-1"),
      readOnly: true,
    });
    // Act
    const nodes = await ports?.sessions(STAGING).matchingNodes({ Env: ["staging"] }, ["us-east-1"]);
    await ports?.sessions(STAGING).liveSessions(role(STAGING_ALICE));
    const write = await ports
      ?.broker(STAGING)
      .putGrant(role(STAGING_ALICE), "jit-1", doc)
      .catch((e: unknown) => e);
    // Assess
    const input = stsClient.commandCalls(AssumeRoleCommand)[0]?.args[0].input;
    expect(JSON.parse(input?.Policy ?? "null")).toEqual(READ_ONLY_SESSION_POLICY);
    expect(input).toMatchObject({
      SourceIdentity: "jit-sessionEvents",
      RoleArn: `arn:aws:iam::${STAGING}:role/jit-session-reader`,
    });
    expect(stsClient.commandCalls(AssumeRoleCommand)).toHaveLength(1);
    expect(nodes).toEqual(["i-1"]);
    // Regions are asked at once: in no set order.
    expect(seen.map((s) => `${s.command} ${s.account} ${s.region}`).sort()).toEqual([
      `DescribeInstanceInformation ${STAGING} us-east-1`,
      `DescribeSessions ${STAGING} eu-west-1`,
      `DescribeSessions ${STAGING} us-east-1`,
    ]);
    expect(write).toBeInstanceOf(NotAuthorizedError);
    expect(seen.some((s) => s.command === "PutRolePolicy")).toBe(false);
  });

  it("allow no write at all in their session policy", () => {
    const actions = READ_ONLY_SESSION_POLICY.Statement.flatMap((s) => s.Action);
    expect(actions.every((a) => a.startsWith("ssm:Describe"))).toBe(true);
  });

  it("are full ports otherwise: no session policy is sent", async () => {
    // Prepare
    stsClient.on(AssumeRoleCommand).resolves({
      Credentials: {
        AccessKeyId: "ASIA-x",
        SecretAccessKey: "s",
        SessionToken: "t",
        Expiration: new Date(Date.now() + 3_600_000),
      },
    });
    // Act
    await awsAccountPorts(config, {
      sourceIdentity: "jit-grantAccess",
      region: "eu-west-1",
      assumeRole: stsAssumeRole("eu-west-1"),
    })
      ?.broker(TEAM_A)
      .listGrants(role(TEAM_A_ALICE));
    // Assess
    expect(stsClient.commandCalls(AssumeRoleCommand)[0]?.args[0].input.Policy).toBeUndefined();
  });
});

describe("the parts", () => {
  it("asks Session Manager in the regions of the profiles spanning each account", () => {
    expect(accountRegions(config, STAGING).sort()).toEqual(["eu-west-1", "us-east-1"]);
    expect(accountRegions(config, TEAM_A)).toEqual(["eu-west-1"]);
    expect(accountRegions(config, HUB).sort()).toEqual(["eu-central-1", "eu-west-1", "us-east-1"]);
    expect(accountRegions(config, "999988887777")).toEqual([]);
  });

  it.each([
    ["jit-grantAccess", "jit-grantAccess"],
    [
      "ssm-jit-access-production-GrantAccessFunction-ab12cd",
      "jit-ssm-jit-access-production-GrantAccessFunction-ab12cd",
    ],
    ["a name with spaces/and:colons", "jit-a-name-with-spaces-and-colons"],
    [`x${"y".repeat(80)}`, `jit-x${"y".repeat(59)}`],
    ["", "jit-hub"],
  ])("makes %j the source identity %j", (name, identity) => {
    expect(sourceIdentityFor(name)).toBe(identity);
  });

  it("takes the source identity from the Lambda function's name when none is given", async () => {
    // Prepare
    vi.stubEnv("AWS_LAMBDA_FUNCTION_NAME", "jit-prod-SweeperFunction-x1");
    const ports = awsAccountPorts(config, { region: "eu-west-1", assumeRole: sts.assumeRole });
    // Act
    await ports?.broker(STAGING).listGrants(role(STAGING_ALICE));
    // Assess
    expect(sts.calls.map((c) => c.sourceIdentity)).toEqual(["jit-prod-SweeperFunction-x1"]);
  });

  it("gives the hub's own ports the hub's account, principals and regions", async () => {
    // Act
    const refused = await hubBroker(config)
      .deleteGrant(role(STAGING_ALICE), "jit-1")
      .catch((e: unknown) => e);
    const notConfigured = await hubBroker(config)
      .putGrant(role(`arn:aws:iam::${HUB}:role/admin`), "jit-1", doc)
      .catch((e: unknown) => e);
    const live = await hubSessions(config).liveSessions(role(HUB_ALICE));
    // Assess
    expect(refused).toBeInstanceOf(NotAuthorizedError);
    expect(notConfigured).toBeInstanceOf(NotAuthorizedError);
    expect(live).toEqual([]);
    expect(seen.map((s) => s.region).sort()).toEqual(["eu-central-1", "eu-west-1", "us-east-1"]);
    expect(sts.calls).toEqual([]);
  });
});
