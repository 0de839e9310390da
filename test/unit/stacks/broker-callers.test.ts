/**
 * The hub's side of reaching member accounts (issue 12), evaluated with iam-simulate on each
 * function's own policy: which functions may assume a spoke's `jit-broker`, and where. The spoke's
 * trust is proved in spoke-permissions.test.ts; here the trust admits anyone, so the function's own
 * policy alone decides: a second, independent lock. Roles of other accounts only: across accounts
 * both the caller's policy and the trust must allow
 * (https://docs.aws.amazon.com/IAM/latest/UserGuide/reference_policies_evaluation-logic-cross-account.html),
 * whereas inside one account a trust that names the caller may suffice alone.
 */
import { describe, expect, it } from "vitest";
import { memberAccountIds } from "../../../core/accounts.ts";
import { checkConfig } from "../../../core/config/load.ts";
import { FUNCTION_ENTRIES } from "../../../stacks/entries.ts";
import {
  asPolicyDocument,
  type FunctionName,
  functionPermissions,
  type ResourceArns,
} from "../../../stacks/permissions.ts";
import { BROKER_CALLERS } from "../../../stacks/spoke-policies.ts";
import { HUB, multiAccountConfig, multiAccountData, STAGING, TEAM_A } from "../../helpers/accounts.ts";
import { decide } from "../../helpers/simulate.ts";

const config = multiAccountConfig();
const arns = (partition: string): ResourceArns => ({
  table: `arn:${partition}:dynamodb:eu-west-1:${HUB}:table/jit-prod-Requests`,
  topic: `arn:${partition}:sns:eu-west-1:${HUB}:jit-prod-Notices`,
  topicKey: `arn:${partition}:kms:eu-west-1:${HUB}:key/11111111-2222-3333-4444-555555555555`,
  stateMachine: `arn:${partition}:states:eu-west-1:${HUB}:stateMachine:jit-prod-access`,
});
const permissions = functionPermissions(config, arns("aws"));
const ALL = Object.keys(FUNCTION_ENTRIES) as FunctionName[];
const OTHERS = ALL.filter((fn) => !(BROKER_CALLERS as readonly string[]).includes(fn));
const brokerOf = (account: string, partition = "aws") => `arn:${partition}:iam::${account}:role/jit-broker`;

/** A trust that admits every principal anywhere: only the caller's own policy can say no. */
const openTrust = (role: string) => ({
  Version: "2012-10-17",
  Statement: [
    {
      Effect: "Allow",
      Principal: { AWS: "*" },
      Action: ["sts:AssumeRole", "sts:SetSourceIdentity"],
      Resource: role,
    },
  ],
});

/** May the hub function `fn`, on its own policy, call `action` on `role` (in `account`)? */
const may = (fn: FunctionName, role: string, action = "sts:AssumeRole", policies = permissions) => {
  const account = role.split(":")[4] ?? "";
  return decide({
    principalArn: `arn:aws:sts::${HUB}:assumed-role/jit-prod-${fn}Role-a1b2c3d/${fn}`,
    action,
    resource: role,
    accountId: account,
    policies: [{ name: fn, policy: asPolicyDocument(policies[fn]) }],
    resourcePolicy: openTrust(role),
    context: {
      "aws:PrincipalArn": `arn:aws:iam::${HUB}:role/jit-prod-${fn}Role-a1b2c3d`,
      "aws:PrincipalAccount": HUB,
      "sts:SourceIdentity": `jit-${fn}`,
    },
  });
};

describe("a hub function's own policy, against a trust that admits anyone", () => {
  it.each(
    BROKER_CALLERS.flatMap((fn) =>
      [STAGING, TEAM_A].flatMap((account) =>
        ["sts:AssumeRole", "sts:SetSourceIdentity"].map((action) => [fn, action, account] as const),
      ),
    ),
  )("lets %s %s on the jit-broker of %s", async (fn, action, account) => {
    expect(await may(fn, brokerOf(account), action)).toBe("Allowed");
  });

  it.each(OTHERS.flatMap((fn) => [STAGING, TEAM_A].map((account) => [fn, account] as const)))(
    "does not let %s assume the jit-broker of %s",
    async (fn, account) => {
      // Act
      const role = await may(fn, brokerOf(account));
      const identity = await may(fn, brokerOf(account), "sts:SetSourceIdentity");
      // Assess
      expect([role, identity]).toEqual(["ImplicitlyDenied", "ImplicitlyDenied"]);
    },
  );

  it.each([
    ["the jit-broker of an account no profile spans", brokerOf("999988887777")],
    ["another role of a member account", `arn:aws:iam::${STAGING}:role/admin`],
    ["a configured person's role in a member account", `arn:aws:iam::${STAGING}:role/oncall/jit-alice`],
    ["the member's Organizations access role", `arn:aws:iam::${TEAM_A}:role/OrganizationAccountAccessRole`],
    ["a jit-broker under a path", `arn:aws:iam::${STAGING}:role/team/jit-broker`],
  ])("does not let a task function assume %s", async (_case, role) => {
    for (const fn of BROKER_CALLERS) expect(await may(fn, role)).toBe("ImplicitlyDenied");
  });

  it("holds the case a Slack policy widened by mistake would be caught by (the check can fail)", async () => {
    // Prepare
    const widened = { ...permissions, slack: [...permissions.slack, ...permissions.grantAccess] };
    // Act
    const decision = await may("slack", brokerOf(STAGING), "sts:AssumeRole", widened);
    // Assess
    expect(decision).toBe("Allowed");
  });
});

describe("the brokers a task function may assume", () => {
  it("are exactly the member accounts', in the config's partition", () => {
    // Prepare
    const data = multiAccountData();
    data.accountId = HUB;
    const cn = JSON.parse(JSON.stringify(data).replaceAll("arn:aws:", "arn:aws-cn:"));
    const cnConfig = checkConfig(cn);
    // Act
    const statement = functionPermissions(cnConfig, arns("aws-cn")).sweeper.find((p) =>
      p.actions.includes("sts:AssumeRole"),
    );
    // Assess
    expect(cnConfig.partition).toBe("aws-cn");
    expect(statement).toEqual({
      actions: ["sts:AssumeRole", "sts:SetSourceIdentity"],
      resources: memberAccountIds(cnConfig).map((id) => brokerOf(id, "aws-cn")),
    });
    expect(statement?.resources).toHaveLength(2);
  });

  it("are none when the config spans the hub alone: no function gets an sts action", () => {
    // Prepare
    const data = multiAccountData();
    for (const profile of Object.values(data.profiles) as { accounts?: string[] }[]) delete profile.accounts;
    delete data.principals.accounts;
    const single = functionPermissions(checkConfig(data), arns("aws"));
    // Act
    const sts = Object.values(single)
      .flat()
      .flatMap((p) => p.actions)
      .filter((a) => a.startsWith("sts:"));
    // Assess
    expect(sts).toEqual([]);
  });
});
