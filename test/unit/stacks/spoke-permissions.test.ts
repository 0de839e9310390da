/**
 * The spoke's role, evaluated with iam-simulate on the template's own documents (resolved as
 * CloudFormation would in the staging account): who may assume it, and what it may do once assumed.
 */
import { describe, expect, it } from "vitest";
import {
  asPolicyDocument,
  type FunctionName,
  functionPermissions,
  type ResourceArns,
} from "../../../stacks/permissions.ts";
import { BROKER_CALLERS } from "../../../stacks/spoke-policies.ts";
import {
  READER_ROLES_PARAMETER,
  spokeTemplate,
  TRUSTED_ROLES_PARAMETER,
} from "../../../stacks/spoke-template.ts";
import {
  HUB,
  multiAccountConfig,
  STAGING,
  STAGING_ALICE,
  STAGING_BOB,
  STAGING_SHARED,
  TEAM_A,
  TEAM_A_ALICE,
  TEAM_A_SHARED,
} from "../../helpers/accounts.ts";
import { resolveIn } from "../../helpers/cfn-resolve.ts";
import { decide } from "../../helpers/simulate.ts";

const config = multiAccountConfig();
const arns: ResourceArns = {
  table: `arn:aws:dynamodb:eu-west-1:${HUB}:table/jit-prod-Requests`,
  topic: `arn:aws:sns:eu-west-1:${HUB}:jit-prod-Notices`,
  topicKey: `arn:aws:kms:eu-west-1:${HUB}:key/11111111-2222-3333-4444-555555555555`,
  stateMachine: `arn:aws:states:eu-west-1:${HUB}:stateMachine:jit-prod-access`,
};
const hubPermissions = functionPermissions(config, arns);
/** The hub functions' role ARNs, as SST names them (the StackSet passes these as the parameter). */
const roleOf = (fn: FunctionName, account = HUB) => `arn:aws:iam::${account}:role/jit-prod-${fn}Role-a1b2c3d`;
const TRUSTED = BROKER_CALLERS.map((fn) => roleOf(fn));
const where = { accountId: STAGING, region: "eu-west-1", parameters: { [TRUSTED_ROLES_PARAMETER]: TRUSTED } };
const template = spokeTemplate(config, "eu-west-1");
const trust = resolveIn(template.Resources.BrokerRole.Properties.AssumeRolePolicyDocument, where, template);
/** The broker's policy as CloudFormation makes it in one account. */
const brokerPolicyIn = (accountId: string) =>
  resolveIn(
    template.Resources.BrokerRole.Properties.Policies[0]?.PolicyDocument,
    { ...where, accountId },
    template,
  );
const BROKER = `arn:aws:iam::${STAGING}:role/jit-broker`;
const READER = `arn:aws:iam::${STAGING}:role/jit-session-reader`;
/** An identity policy that would let a principal assume anything: only the trust can say no then. */
const ASSUME_ANYTHING = {
  Version: "2012-10-17",
  Statement: [{ Effect: "Allow", Action: "sts:*", Resource: "*" }],
};

/**
 * May this role (of the hub, with these identity policies) call `action` on staging's broker? An
 * AssumeRole call that sets a source identity is both sts:AssumeRole and sts:SetSourceIdentity, each
 * with sts:SourceIdentity in its context; the default is the hub functions' own `jit-<name>`.
 */
const assume = (
  roleArn: string,
  policy: unknown,
  sourceIdentity: string | null = `jit-${roleArn.split("/").pop()}`,
  action = "sts:AssumeRole",
) => {
  const [, , , , account = "", path = ""] = roleArn.split(":");
  return decide({
    principalArn: `arn:aws:sts::${account}:assumed-role/${path.split("/").pop()}/session`,
    action,
    resource: BROKER,
    accountId: STAGING,
    policies: [{ name: "identity", policy }],
    resourcePolicy: trust,
    context: {
      "aws:PrincipalArn": roleArn,
      "aws:PrincipalAccount": account,
      ...(sourceIdentity === null ? {} : { "sts:SourceIdentity": sourceIdentity }),
    },
  });
};
const hubPolicy = (fn: FunctionName) => asPolicyDocument(hubPermissions[fn]);

describe("who may assume the spoke's jit-broker role", () => {
  it.each(BROKER_CALLERS)("the hub's %s function, setting a jit-* source identity", async (fn) => {
    // Act
    const role = await assume(roleOf(fn), hubPolicy(fn), `jit-${fn}`);
    const identity = await assume(roleOf(fn), hubPolicy(fn), `jit-${fn}`, "sts:SetSourceIdentity");
    // Assess
    expect([role, identity]).toEqual(["Allowed", "Allowed"]);
  });

  it("not a task function that sets no source identity", async () => {
    // Act
    const decision = await assume(roleOf("grantAccess"), hubPolicy("grantAccess"), null);
    // Assess
    expect(decision).toBe("ImplicitlyDenied");
  });

  it.each<FunctionName>(["slack", "api", "sessionEvents", "askApprovers", "weeklyReport"])(
    "not the hub's %s function, even were its own policy to allow every sts action",
    async (fn) => {
      // Act
      const own = await assume(roleOf(fn), hubPolicy(fn));
      const widened = await assume(roleOf(fn), ASSUME_ANYTHING);
      // Assess
      expect([own, widened]).toEqual(["ImplicitlyDenied", "ImplicitlyDenied"]);
    },
  );

  it.each([
    ["a role of the same name in another account", roleOf("grantAccess", "999999999999")],
    ["a role of the same name in a member account", roleOf("grantAccess", TEAM_A)],
    ["another principal of the hub", `arn:aws:iam::${HUB}:role/admin`],
    ["a configured person's role in the member account itself", STAGING_ALICE],
  ])("not %s", async (_, roleArn) => {
    // Act
    const decision = await assume(roleArn, ASSUME_ANYTHING);
    // Assess
    expect(decision).toBe("ImplicitlyDenied");
  });

  it("not even a task function with a source identity other than jit-*", async () => {
    // Act
    const role = await assume(roleOf("grantAccess"), hubPolicy("grantAccess"), "mallory");
    const identity = await assume(
      roleOf("grantAccess"),
      hubPolicy("grantAccess"),
      "mallory",
      "sts:SetSourceIdentity",
    );
    // Assess
    expect([role, identity]).toEqual(["ImplicitlyDenied", "ImplicitlyDenied"]);
  });

  it("gives sts:AssumeRole to exactly the task functions, on the member accounts' brokers only", () => {
    // Act
    const assumeTargets = (fn: FunctionName) =>
      hubPermissions[fn].filter((p) => p.actions.includes("sts:AssumeRole")).flatMap((p) => p.resources);
    const brokerAssumers = (Object.keys(hubPermissions) as FunctionName[]).filter((fn) =>
      assumeTargets(fn).some((r) => r.endsWith(":role/jit-broker")),
    );
    // Assess
    expect(brokerAssumers.sort()).toEqual([...BROKER_CALLERS].sort());
    expect(assumeTargets("grantAccess")).toEqual([BROKER, `arn:aws:iam::${TEAM_A}:role/jit-broker`]);
    // The session-events function may assume the members' reader roles and nothing else.
    expect(assumeTargets("sessionEvents")).toEqual([
      READER,
      `arn:aws:iam::${TEAM_A}:role/jit-session-reader`,
    ]);
    const others = (Object.keys(hubPermissions) as FunctionName[]).filter(
      (fn) => !BROKER_CALLERS.includes(fn as never) && fn !== "sessionEvents",
    );
    expect(others.filter((fn) => assumeTargets(fn).length > 0)).toEqual([]);
  });
});

/** What the broker of `home` (staging unless said), assumed there, may do on `resource` in `account`. */
const broker = (action: string, resource: string, account = STAGING, home = STAGING) =>
  decide({
    principalArn: `arn:aws:sts::${home}:assumed-role/jit-broker/jit-grantAccess`,
    action,
    resource,
    accountId: account,
    policies: [{ name: "jit-broker", policy: brokerPolicyIn(home) }],
    context: {},
  });
const SLOT = `arn:aws:iam::${STAGING}:policy/jit/jit-grants-1`;

describe("inside the spoke, the broker", () => {
  it.each([
    ["iam:PutRolePolicy", STAGING_ALICE],
    ["iam:GetRolePolicy", STAGING_ALICE],
    ["iam:ListRolePolicies", STAGING_ALICE],
    ["iam:DeleteRolePolicy", STAGING_ALICE],
    ["iam:PutUserPolicy", STAGING_BOB],
    ["iam:DeleteUserPolicy", STAGING_BOB],
    ["iam:GetPolicy", SLOT],
    ["iam:GetPolicyVersion", SLOT],
    ["iam:ListPolicyVersions", SLOT],
    ["iam:CreatePolicyVersion", SLOT],
    ["iam:DeletePolicyVersion", `arn:aws:iam::${STAGING}:policy/jit/jit-grants-3`],
    ["ssm:TerminateSession", `arn:aws:ssm:us-east-1:${STAGING}:session/alice-0a1b2c3d4e5f60001`],
    ["ssm:DescribeSessions", "*"],
    ["ssm:DescribeInstanceInformation", "*"],
  ])("may %s on %s", async (action, resource) => {
    expect(await broker(action, resource)).toBe("Allowed");
  });

  it.each([
    ["iam:CreatePolicy", `arn:aws:iam::${STAGING}:policy/jit/jit-grants-9`, "make a policy"],
    ["iam:AttachRolePolicy", STAGING_ALICE, "attach a managed policy"],
    ["iam:AttachRolePolicy", STAGING_SHARED, "attach to the shared role"],
    ["iam:SetDefaultPolicyVersion", SLOT, "switch a slot to an old version"],
    ["iam:CreatePolicyVersion", `arn:aws:iam::${STAGING}:policy/jit/jit-base`, "rewrite the base policy"],
    ["iam:CreatePolicyVersion", `arn:aws:iam::${STAGING}:policy/AdminAccess`, "rewrite another policy"],
    ["iam:PutRolePolicy", `arn:aws:iam::${STAGING}:role/admin`, "write on a role the config does not name"],
    ["iam:PutRolePolicy", STAGING_SHARED, "write inline on the Identity Center role"],
    ["iam:PutRolePolicy", BROKER, "widen itself"],
    ["iam:UpdateAssumeRolePolicy", BROKER, "change who may assume it"],
    ["iam:CreateRole", `arn:aws:iam::${STAGING}:role/backdoor`, "make a role"],
    ["iam:CreateAccessKey", STAGING_BOB, "make keys"],
    ["sts:AssumeRole", `arn:aws:iam::${TEAM_A}:role/jit-broker`, "hop to another account's broker"],
    ["ssm:StartSession", `arn:aws:ec2:eu-west-1:${STAGING}:instance/i-0123456789abcdef0`, "start a session"],
    ["ssm:SendCommand", `arn:aws:ec2:eu-west-1:${STAGING}:instance/i-0123456789abcdef0`, "run commands"],
  ])("may not %s on %s (%s)", async (action, resource) => {
    expect(await broker(action, resource)).toBe("ImplicitlyDenied");
  });

  it.each([
    ["iam:PutRolePolicy", TEAM_A_ALICE, TEAM_A, "a configured principal of another member account"],
    ["iam:PutRolePolicy", `arn:aws:iam::${HUB}:role/oncall/jit-alice`, HUB, "a principal of the hub"],
    [
      "ssm:TerminateSession",
      `arn:aws:ssm:eu-west-1:${TEAM_A}:session/alice-0123`,
      TEAM_A,
      "a session of another account",
    ],
    [
      "iam:CreatePolicyVersion",
      `arn:aws:iam::${TEAM_A}:policy/jit/jit-grants-1`,
      TEAM_A,
      "another account's slot",
    ],
  ])("may not %s on %s (%s)", async (action, resource, account) => {
    expect(await broker(action, resource, account)).toBe("ImplicitlyDenied");
  });
});

describe("each account's broker names only that account's principals", () => {
  it("team-a's may write on team-a's people, staging's on staging's", async () => {
    // Act
    const teamA = await broker("iam:PutRolePolicy", TEAM_A_ALICE, TEAM_A, TEAM_A);
    const shared = await broker("iam:PutRolePolicy", TEAM_A_SHARED, TEAM_A, TEAM_A);
    // Assess
    expect([teamA, shared]).toEqual(["Allowed", "Allowed"]);
  });

  it("holds no other account's principal in its policy", () => {
    // Act
    const text = JSON.stringify(brokerPolicyIn(STAGING));
    // Assess
    expect(text).toContain(STAGING_ALICE);
    expect(text).not.toContain(TEAM_A_ALICE);
    expect(text).not.toContain(TEAM_A);
  });

  it("has no inline-policy or slot right at all in an account the config does not name (it joined an OU)", async () => {
    // Prepare
    const stranger = "999988887777";
    const policy = brokerPolicyIn(stranger) as { Statement: { Action: string[] }[] };
    // Act
    const decision = await broker(
      "iam:PutRolePolicy",
      `arn:aws:iam::${stranger}:role/jit-alice`,
      stranger,
      stranger,
    );
    const slot = await broker(
      "iam:CreatePolicyVersion",
      `arn:aws:iam::${stranger}:policy/jit/jit-grants-1`,
      stranger,
      stranger,
    );
    // Assess
    expect(slot).toBe("ImplicitlyDenied");
    expect(
      policy.Statement.flatMap((s) => s.Action).filter(
        (a) => a.includes("RolePolic") || a.includes("UserPolic") || a.includes("PolicyVersion"),
      ),
    ).toEqual([]);
    expect(decision).toBe("ImplicitlyDenied");
  });
});

describe("offboarding in a member account", () => {
  // Dan's staging role left the config while a grant of his there is still open.
  const DROPPED = `arn:aws:iam::${STAGING}:role/jit-dan`;
  const withDropped = spokeTemplate(config, "eu-west-1", [DROPPED, `arn:aws:iam::${HUB}:role/jit-gone`]);
  const policyIn = (accountId: string) =>
    resolveIn(
      withDropped.Resources.BrokerRole.Properties.Policies[0]?.PolicyDocument,
      { ...where, accountId },
      withDropped,
    );
  const decideOn = (action: string, resource: string, account = STAGING) =>
    decide({
      principalArn: `arn:aws:sts::${account}:assumed-role/jit-broker/jit-revokeAccess`,
      action,
      resource,
      accountId: account,
      policies: [{ name: "jit-broker", policy: policyIn(account) }],
      context: {},
    });

  it.each(["iam:GetRolePolicy", "iam:ListRolePolicies", "iam:DeleteRolePolicy"])(
    "keeps %s on a dropped principal with an open grant, so it stays revocable",
    async (action) => {
      expect(await decideOn(action, DROPPED)).toBe("Allowed");
      // Without the open record the same principal is no business of the broker's.
      expect(await broker(action, DROPPED)).toBe("ImplicitlyDenied");
    },
  );

  it("never lets it write a grant on the dropped principal", async () => {
    expect(await decideOn("iam:PutRolePolicy", DROPPED)).toBe("ImplicitlyDenied");
  });

  it("names the dropped principal only in its own account, and a hub principal in none", () => {
    expect(JSON.stringify(policyIn(STAGING))).toContain(DROPPED);
    expect(JSON.stringify(policyIn(TEAM_A))).not.toContain(DROPPED);
    expect(JSON.stringify(withDropped)).not.toContain("jit-gone");
  });
});

describe("the spoke's jit-session-reader role", () => {
  const READER_ROLE = roleOf("sessionEvents");
  const whereReader = {
    ...where,
    parameters: { ...where.parameters, [READER_ROLES_PARAMETER]: [READER_ROLE] },
  };
  const readerTrust = resolveIn(
    template.Resources.ReaderRole.Properties.AssumeRolePolicyDocument,
    whereReader,
    template,
  );
  const readerPolicy = resolveIn(
    template.Resources.ReaderRole.Properties.Policies[0]?.PolicyDocument,
    whereReader,
    template,
  );
  /** May this hub role (with permission to assume anything) assume the reader? */
  const assumeReader = (roleArn: string, sourceIdentity = `jit-${roleArn.split("/").pop()}`) =>
    decide({
      principalArn: `arn:aws:sts::${HUB}:assumed-role/${roleArn.split("/").pop()}/session`,
      action: "sts:AssumeRole",
      resource: READER,
      accountId: STAGING,
      policies: [{ name: "anything", policy: ASSUME_ANYTHING }],
      resourcePolicy: readerTrust,
      context: {
        "aws:PrincipalArn": roleArn,
        "sts:SourceIdentity": sourceIdentity,
        "aws:PrincipalAccount": HUB,
      },
    });

  it("is assumed by the session-events function only", async () => {
    expect(await assumeReader(READER_ROLE)).toBe("Allowed");
    expect(await assumeReader(roleOf("grantAccess"))).toBe("ImplicitlyDenied");
    expect(await assumeReader(roleOf("slack"))).toBe("ImplicitlyDenied");
    expect(await assumeReader(roleOf("sessionEvents", TEAM_A))).toBe("ImplicitlyDenied");
  });

  it("may read nodes and sessions, and nothing else", async () => {
    const read = (action: string, resource: string) =>
      decide({
        principalArn: `arn:aws:sts::${STAGING}:assumed-role/jit-session-reader/jit-sessionEvents`,
        action,
        resource,
        accountId: STAGING,
        policies: [{ name: "jit-session-reader", policy: readerPolicy }],
        context: {},
      });
    expect(await read("ssm:DescribeInstanceInformation", "*")).toBe("Allowed");
    expect(await read("ssm:DescribeSessions", "*")).toBe("Allowed");
    expect(await read("ssm:TerminateSession", `arn:aws:ssm:eu-west-1:${STAGING}:session/alice-01`)).toBe(
      "ImplicitlyDenied",
    );
    expect(await read("iam:PutRolePolicy", STAGING_ALICE)).toBe("ImplicitlyDenied");
    expect(
      await read("ssm:StartSession", `arn:aws:ec2:eu-west-1:${STAGING}:instance/i-0123456789abcdef0`),
    ).toBe("ImplicitlyDenied");
  });

  it("the session-events function's own policy reaches the readers, never a broker", async () => {
    const own = asPolicyDocument(hubPermissions.sessionEvents);
    // A trust that admits the whole hub: only the function's own policy can refuse then.
    const admitsHub = {
      Version: "2012-10-17",
      Statement: [
        { Effect: "Allow", Principal: { AWS: `arn:aws:iam::${HUB}:root` }, Action: "sts:AssumeRole" },
      ],
    };
    const may = (resource: string) =>
      decide({
        principalArn: `arn:aws:sts::${HUB}:assumed-role/jit-prod-sessionEventsRole-a1b2c3d/s`,
        action: "sts:AssumeRole",
        resource,
        accountId: STAGING,
        policies: [{ name: "own", policy: own }],
        resourcePolicy: admitsHub,
        context: { "aws:PrincipalAccount": HUB },
      });
    expect(await may(READER)).toBe("Allowed");
    expect(await may(BROKER)).toBe("ImplicitlyDenied");
    // In the hub itself it asks Session Manager which nodes carry a grant's tags (it had no such
    // right before: every session on a granted node would have been refused on AWS).
    const hubNodes = await decide({
      principalArn: `arn:aws:sts::${HUB}:assumed-role/jit-prod-sessionEventsRole-a1b2c3d/s`,
      action: "ssm:DescribeInstanceInformation",
      resource: "*",
      accountId: HUB,
      policies: [{ name: "own", policy: own }],
      context: {},
    });
    expect(hubNodes).toBe("Allowed");
  });
});
