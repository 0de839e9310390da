/**
 * The guard around the configured principals: a permissions boundary capping them at Session Manager
 * (offered, attached by the user), and an alarm on any inline policy put on them that is not `jit-*`.
 * Failed on main before this change: stacks/principal-guard.ts did not exist; nothing capped a
 * configured principal (an inline AdministratorAccess on jit-alice allowed iam:PutRolePolicy) and no
 * rule watched Put*Policy calls.
 */
import { runSimulation } from "@cloud-copilot/iam-simulate";
import { describe, expect, it } from "vitest";
import {
  BOUNDARY_NAME,
  BOUNDARY_PATH,
  IAM_EVENTS_REGION,
  permissionsBoundaryPolicy,
  putPolicyAlarmPatterns,
  putPolicyAlarmPlacement,
} from "../../../stacks/principal-guard.ts";
import { exampleConfig } from "../../helpers/config.ts";

const config = exampleConfig();
const ACCOUNT = config.accountId;
const ALICE_ROLE = `arn:aws:iam::${ACCOUNT}:role/oncall/jit-alice`;
const NODE = `arn:aws:ec2:eu-west-1:${ACCOUNT}:instance/i-0123456789abcdef0`;
const admin = { Version: "2012-10-17", Statement: [{ Effect: "Allow", Action: "*", Resource: "*" }] };

async function capped(action: string, resource: string) {
  const result = await runSimulation(
    {
      request: {
        principal: `arn:aws:sts::${ACCOUNT}:assumed-role/jit-alice/alice`,
        action,
        resource: { resource, accountId: ACCOUNT },
        contextVariables: {},
      },
      identityPolicies: [{ name: "someone-put-admin", policy: admin }],
      permissionBoundaryPolicies: [{ name: BOUNDARY_NAME, policy: permissionsBoundaryPolicy() }],
      serviceControlPolicies: [],
      resourceControlPolicies: [],
    },
    {},
  );
  if (result.resultType !== "single") throw new Error(JSON.stringify(result));
  return result.overallResult;
}

describe("the permissions boundary", () => {
  it("is a managed policy under the jit path", () => {
    expect(BOUNDARY_PATH).toBe("/jit/");
    expect(BOUNDARY_NAME).toMatch(/^jit-/);
  });

  it.each([
    ["ssm:StartSession", NODE],
    ["ssm:TerminateSession", `arn:aws:ssm:eu-west-1:${ACCOUNT}:session/alice-0123456789abcdef0`],
    ["ssm:DescribeSessions", "*"],
  ])("leaves %s to the grant", async (action, resource) => {
    expect(await capped(action, resource)).toBe("Allowed");
  });

  it.each([
    ["iam:PutRolePolicy", ALICE_ROLE],
    ["iam:AttachRolePolicy", ALICE_ROLE],
    ["ssm:SendCommand", NODE],
    ["s3:GetObject", "arn:aws:s3:::payroll/2026.csv"],
    ["ec2:TerminateInstances", NODE],
  ])("caps %s even under an AdministratorAccess inline policy", async (action, resource) => {
    expect(await capped(action, resource)).toBe("ImplicitlyDenied");
  });
});

type Json = Record<string, unknown>;
/** EventBridge matching for the forms used: exact values and `anything-but: {prefix}`. */
function matches(pattern: Json, event: Json): boolean {
  return Object.entries(pattern).every(([key, expected]) => {
    const value = event[key];
    if (!Array.isArray(expected)) {
      return typeof value === "object" && value !== null && matches(expected as Json, value as Json);
    }
    return expected.some((e) => {
      if (typeof e !== "object" || e === null) return e === value;
      const prefix = (e as { "anything-but"?: { prefix?: string } })["anything-but"]?.prefix;
      return prefix !== undefined && typeof value === "string" && !value.startsWith(prefix);
    });
  });
}

const event = (eventName: string, requestParameters: Json): Json => ({
  source: "aws.iam",
  "detail-type": "AWS API Call via CloudTrail",
  region: "us-east-1",
  detail: { eventSource: "iam.amazonaws.com", eventName, requestParameters },
});

describe("the Put*Policy alarm", () => {
  const patterns = putPolicyAlarmPatterns(config);
  const fires = (e: Json) => patterns.some((p) => matches(p, e));

  it.each([
    ["PutRolePolicy", { roleName: "jit-alice", policyName: "AdminAccess" }],
    ["PutRolePolicy", { roleName: "jit-carol", policyName: "inline-policy" }],
    ["PutUserPolicy", { userName: "bob", policyName: "s3-everything" }],
  ])("fires on %s %o", (name, params) => {
    expect(fires(event(name, params))).toBe(true);
  });

  it.each([
    ["PutRolePolicy", { roleName: "jit-alice", policyName: "jit-20261129-abcdefgh" }],
    ["PutUserPolicy", { userName: "bob", policyName: "jit-20261129-abcdefgh" }],
    ["PutRolePolicy", { roleName: "some-app-role", policyName: "AdminAccess" }],
    ["DeleteRolePolicy", { roleName: "jit-alice", policyName: "AdminAccess" }],
  ])("stays quiet on %s %o", (name, params) => {
    expect(fires(event(name, params))).toBe(false);
  });

  it("listens in us-east-1, where IAM's events arrive, and forwards to the home bus when home is elsewhere", () => {
    expect(IAM_EVENTS_REGION).toBe("us-east-1");
    expect(putPolicyAlarmPlacement("eu-west-1")).toEqual({ listen: "us-east-1", forwardTo: "eu-west-1" });
    expect(putPolicyAlarmPlacement("us-east-1")).toEqual({ listen: "us-east-1", forwardTo: undefined });
  });
});
