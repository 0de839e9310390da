import {
  DescribeInstanceInformationCommand,
  DescribeSessionsCommand,
  SSMClient,
  TerminateSessionCommand,
} from "@aws-sdk/client-ssm";
import { mockClient } from "aws-sdk-client-mock";
import { beforeEach, describe, expect, it } from "vitest";
import { SsmSessions } from "../../../adapters/aws/ssm.ts";
import type { Principal } from "../../../core/principal.ts";

const ssm = mockClient(SSMClient);
const ACCOUNT = "123456789012";
const role: Principal = {
  kind: "role",
  arn: `arn:aws:iam::${ACCOUNT}:role/oncall/jit-alice`,
  name: "jit-alice",
};
const user: Principal = { kind: "user", arn: `arn:aws:iam::${ACCOUNT}:user/bob`, name: "bob" };
const shared: Principal = {
  kind: "shared-role",
  arn: `arn:aws:iam::${ACCOUNT}:role/aws-reserved/sso.amazonaws.com/AWSReservedSSO_OnCall_x`,
  name: "AWSReservedSSO_OnCall_x",
  sessionName: "dan@example.com",
};
const sts = (role: string, session: string) => `arn:aws:sts::${ACCOUNT}:assumed-role/${role}/${session}`;
const sessions = [
  { SessionId: "alice-1", Target: "i-1", Owner: sts("jit-alice", "alice") },
  { SessionId: "bob-1", Target: "i-1", Owner: `arn:aws:iam::${ACCOUNT}:user/bob` },
  { SessionId: "dan-1", Target: "i-2", Owner: sts("AWSReservedSSO_OnCall_x", "dan@example.com") },
  { SessionId: "erin-1", Target: "i-2", Owner: sts("AWSReservedSSO_OnCall_x", "erin@example.com") },
  { SessionId: "eve-1", Target: "i-3", Owner: sts("jit-alice-admin", "eve") },
];
const adapter = () =>
  new SsmSessions(["eu-west-1"], "eu-west-1", () => new SSMClient({ region: "eu-west-1" }));

beforeEach(() => {
  ssm.reset();
  ssm
    .on(DescribeSessionsCommand, { State: "Active", NextToken: undefined })
    .resolves({ Sessions: sessions.slice(0, 3), NextToken: "t2" })
    .on(DescribeSessionsCommand, { State: "Active", NextToken: "t2" })
    .resolves({ Sessions: sessions.slice(3) });
});

describe("SsmSessions.liveSessions", () => {
  it.each([
    ["a role: any of its sessions, no similarly named role", role, ["alice-1"]],
    ["an IAM user: by ARN", user, ["bob-1"]],
    ["a shared role: only this person's session", shared, ["dan-1"]],
  ] as const)("finds the sessions of %s", async (_name, principal, ids) => {
    const live = await adapter().liveSessions(principal);
    expect(live.map((s) => s.sessionId)).toEqual(ids);
    expect(live.every((s) => s.region === "eu-west-1")).toBe(true);
  });
});

describe("SsmSessions", () => {
  it("terminates a session in its own region", async () => {
    ssm.on(TerminateSessionCommand).resolves({ SessionId: "alice-1" });
    await adapter().terminateSession({
      sessionId: "alice-1",
      target: "i-1",
      owner: "x",
      region: "eu-west-1",
    });
    expect(ssm.commandCalls(TerminateSessionCommand)[0]?.args[0].input).toEqual({ SessionId: "alice-1" });
  });

  it("finds nodes by every tag of the selector", async () => {
    ssm
      .on(DescribeInstanceInformationCommand)
      .resolves({ InstanceInformationList: [{ InstanceId: "i-1" }, { InstanceId: "mi-2" }] });
    const ids = await adapter().matchingNodes({ Env: ["prod"], Role: ["db-primary", "db-replica"] }, [
      "eu-west-1",
    ]);
    expect(ids).toEqual(["i-1", "mi-2"]);
    expect(ssm.commandCalls(DescribeInstanceInformationCommand)[0]?.args[0].input.Filters).toEqual([
      { Key: "tag:Env", Values: ["prod"] },
      { Key: "tag:Role", Values: ["db-primary", "db-replica"] },
    ]);
  });
});
