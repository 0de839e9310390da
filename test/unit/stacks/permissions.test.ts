/** The functions' own permissions, evaluated with iam-simulate: what they may do, and what they may not. */
import { describe, expect, it } from "vitest";
import { IamBroker } from "../../../adapters/aws/iam.ts";
import {
  asPolicyDocument,
  type FunctionName,
  functionPermissions,
  type ResourceArns,
} from "../../../stacks/permissions.ts";
import { exampleConfig } from "../../helpers/config.ts";
import { decide } from "../../helpers/simulate.ts";

const config = exampleConfig();
const ACCOUNT = config.accountId;
const arns: ResourceArns = {
  table: `arn:aws:dynamodb:eu-west-1:${ACCOUNT}:table/jit-prod-Requests`,
  topic: `arn:aws:sns:eu-west-1:${ACCOUNT}:jit-prod-Notices`,
  topicKey: `arn:aws:kms:eu-west-1:${ACCOUNT}:key/11111111-2222-3333-4444-555555555555`,
  stateMachine: `arn:aws:states:eu-west-1:${ACCOUNT}:stateMachine:jit-prod-access`,
};
const permissions = functionPermissions(config, arns);
const ALICE_ROLE = `arn:aws:iam::${ACCOUNT}:role/oncall/jit-alice`;
const BOB = `arn:aws:iam::${ACCOUNT}:user/bob`;
/** The example's shared role: an Identity Center role, which IAM never lets us change. */
const SHARED_ROLE = config.principals.sharedRole?.arn ?? "";
const SLOT_1 = `arn:aws:iam::${ACCOUNT}:policy/jit/jit-grants-1`;
const SLOT_ACTIONS = [
  "iam:GetPolicy",
  "iam:GetPolicyVersion",
  "iam:ListPolicyVersions",
  "iam:CreatePolicyVersion",
  "iam:DeletePolicyVersion",
];
/** What no function may do on any policy or role: make, attach or switch a managed policy. */
const NEVER = ["iam:CreatePolicy", "iam:AttachRolePolicy", "iam:SetDefaultPolicyVersion"];

const can = (fn: FunctionName, action: string, resource: string) =>
  decide({
    principalArn: `arn:aws:sts::${ACCOUNT}:assumed-role/jit-prod-${fn}/session`,
    action,
    resource,
    policies: [{ name: fn, policy: asPolicyDocument(permissions[fn]) }],
    context: {},
  });

describe("the grant function", () => {
  it.each([
    ["iam:PutRolePolicy", ALICE_ROLE],
    ["iam:GetRolePolicy", ALICE_ROLE],
    ["iam:ListRolePolicies", ALICE_ROLE],
    ["iam:PutUserPolicy", BOB],
    // A write that lost a race to a revoke is taken back, with the sessions it allowed.
    ["iam:DeleteRolePolicy", ALICE_ROLE],
    ["ssm:TerminateSession", `arn:aws:ssm:eu-west-1:${ACCOUNT}:session/alice-0a1b2c3d4e5f60001`],
    ["dynamodb:PutItem", arns.table],
    ["dynamodb:Query", `${arns.table}/index/byStatus`],
  ])("may %s on %s", async (action, resource) => {
    expect(await can("grantAccess", action, resource)).toBe("Allowed");
  });

  it.each([
    ["iam:PutRolePolicy", `arn:aws:iam::${ACCOUNT}:role/admin`, "a role the config does not name"],
    ["iam:PutRolePolicy", `arn:aws:iam::999999999999:role/oncall/jit-alice`, "a role in another account"],
    ["iam:AttachRolePolicy", ALICE_ROLE, "attach a managed policy"],
    ["iam:CreateUser", `arn:aws:iam::${ACCOUNT}:user/mallory`, "create a user"],
    ["iam:CreateAccessKey", BOB, "create an access key"],
    ["iam:UpdateAssumeRolePolicy", ALICE_ROLE, "change who can assume a role"],
    ["dynamodb:PutItem", `arn:aws:dynamodb:eu-west-1:${ACCOUNT}:table/payments`, "touch another table"],
    ["dynamodb:DeleteItem", arns.table, "delete records (the log is append-only)"],
    ["sns:Publish", arns.topic, "publish (not its job)"],
  ])("may not %s on %s (%s)", async (action, resource) => {
    expect(await can("grantAccess", action, resource)).toBe("ImplicitlyDenied");
  });

  it("cannot be limited to jit-* names by IAM, so the adapter refuses other names itself", async () => {
    const broker = new IamBroker([ALICE_ROLE]);
    const principal = { kind: "role" as const, arn: ALICE_ROLE, name: "jit-alice" };
    await expect(
      broker.putGrant(principal, "AdminAccess", { Version: "2012-10-17", Statement: [] }),
    ).rejects.toThrow("AdminAccess is not a jit-* policy; it is not ours to change");
  });
});

describe("the revoke function", () => {
  it.each([
    ["iam:DeleteRolePolicy", ALICE_ROLE],
    ["ssm:TerminateSession", `arn:aws:ssm:eu-west-1:${ACCOUNT}:session/alice-0123456789abcdef0`],
    ["ssm:DescribeSessions", "*"],
    ["ssm:DescribeInstanceInformation", "*"],
  ])("may %s on %s", async (action, resource) => {
    expect(await can("revokeAccess", action, resource)).toBe("Allowed");
  });

  it.each([
    ["iam:PutRolePolicy", ALICE_ROLE],
    ["ssm:TerminateSession", "arn:aws:ssm:eu-west-1:999999999999:session/x-0123"],
    ["ssm:StartSession", `arn:aws:ec2:eu-west-1:${ACCOUNT}:instance/i-0123456789abcdef0`],
    ["ssm:SendCommand", `arn:aws:ec2:eu-west-1:${ACCOUNT}:instance/i-0123456789abcdef0`],
  ])("may not %s on %s", async (action, resource) => {
    expect(await can("revokeAccess", action, resource)).toBe("ImplicitlyDenied");
  });
});

describe("the Slack function (internet-facing)", () => {
  // Failed on main before this change: each of these was "Allowed" (the Slack function held
  // Put/Get/List/Delete on every configured principal's inline policies and ssm:TerminateSession).
  // Early revokes and extensions now start a workflow execution instead.
  it.each([
    ["iam:PutRolePolicy", ALICE_ROLE],
    ["iam:DeleteRolePolicy", ALICE_ROLE],
    ["iam:PutUserPolicy", BOB],
    ["iam:DeleteUserPolicy", BOB],
    ["iam:AttachRolePolicy", ALICE_ROLE],
    ["ssm:TerminateSession", `arn:aws:ssm:eu-west-1:${ACCOUNT}:session/alice-0123456789abcdef0`],
  ])("may not %s on %s", async (action, resource) => {
    expect(await can("slack", action, resource)).toBe("ImplicitlyDenied");
  });

  it("holds no IAM action at all, and may still start a sync execution of this state machine", async () => {
    expect(permissions.slack.flatMap((p) => p.actions).filter((a) => a.startsWith("iam:"))).toEqual([]);
    expect(await can("slack", "states:StartExecution", arns.stateMachine)).toBe("Allowed");
  });
});

describe("principals the config dropped while they hold open grants", () => {
  // Failed on main before this change: functionPermissions ignored the open principals, so
  // iam:DeleteRolePolicy on an offboarded role was "ImplicitlyDenied" for revoke and sweeper alike.
  const DAN_ROLE = `arn:aws:iam::${ACCOUNT}:role/oncall/jit-dan`;
  const EVE = `arn:aws:iam::${ACCOUNT}:user/eve`;
  const widened = functionPermissions(config, arns, [DAN_ROLE, EVE, ALICE_ROLE]);
  const may = (fn: FunctionName, action: string, resource: string) =>
    decide({
      principalArn: `arn:aws:sts::${ACCOUNT}:assumed-role/jit-prod-${fn}/session`,
      action,
      resource,
      policies: [{ name: fn, policy: asPolicyDocument(widened[fn]) }],
      context: {},
    });

  it.each([
    ["revokeAccess", "iam:DeleteRolePolicy", DAN_ROLE],
    ["revokeAccess", "iam:DeleteUserPolicy", EVE],
    ["grantAccess", "iam:DeleteRolePolicy", DAN_ROLE],
    ["undoGrant", "iam:DeleteRolePolicy", DAN_ROLE],
    ["sweeper", "iam:ListRolePolicies", DAN_ROLE],
    ["sweeper", "iam:GetRolePolicy", DAN_ROLE],
    ["sweeper", "iam:DeleteRolePolicy", DAN_ROLE],
    ["sweeper", "iam:ListUserPolicies", EVE],
  ] as [FunctionName, string, string][])("%s may %s on %s", async (fn, action, resource) => {
    expect(await may(fn, action, resource)).toBe("Allowed");
  });

  it.each([
    ["grantAccess", "iam:PutRolePolicy", DAN_ROLE],
    ["grantAccess", "iam:PutUserPolicy", EVE],
    ["slack", "iam:DeleteRolePolicy", DAN_ROLE],
  ] as [FunctionName, string, string][])(
    "%s may not %s on %s (never a new grant)",
    async (fn, action, resource) => {
      expect(await may(fn, action, resource)).toBe("ImplicitlyDenied");
    },
  );

  it("names each principal once, with today's principals unchanged", () => {
    const revoke = widened.revokeAccess.find((p) => p.actions.includes("iam:DeleteRolePolicy"));
    expect(revoke?.resources.filter((r) => r === ALICE_ROLE)).toHaveLength(1);
    expect(revoke?.resources).toContain(DAN_ROLE);
  });
});

describe("the grant slots of the shared role (customer-managed policies /jit/jit-grants-N)", () => {
  // Failed on main before this change: no function held any iam:*Policy* action on a managed policy.
  const slotFunctions: FunctionName[] = ["grantAccess", "undoGrant", "revokeAccess", "sweeper"];
  const others = (Object.keys(permissions) as FunctionName[]).filter((fn) => !slotFunctions.includes(fn));

  it.each(slotFunctions.flatMap((fn) => SLOT_ACTIONS.map((action) => [fn, action] as const)))(
    "%s may %s on policy/jit/jit-grants-1",
    async (fn, action) => {
      expect(await can(fn, action, SLOT_1)).toBe("Allowed");
      expect(await can(fn, action, `arn:aws:iam::${ACCOUNT}:policy/jit/jit-grants-20`)).toBe("Allowed");
    },
  );

  it.each(slotFunctions.flatMap((fn) => SLOT_ACTIONS.map((action) => [fn, action] as const)))(
    "%s may not %s on any other policy",
    async (fn, action) => {
      for (const policy of [
        `arn:aws:iam::${ACCOUNT}:policy/other`,
        `arn:aws:iam::${ACCOUNT}:policy/jit-grants-1`, // the name without the path
        `arn:aws:iam::${ACCOUNT}:policy/other/jit/jit-grants-1`,
        `arn:aws:iam::${ACCOUNT}:policy/jit/jit-base`, // the stack's alone
        `arn:aws:iam::${ACCOUNT}:policy/jit/jit-session-manager-boundary`, // widening it would lift the cap
        "arn:aws:iam::999999999999:policy/jit/jit-grants-1",
        "arn:aws:iam::aws:policy/AdministratorAccess",
      ]) {
        expect(await can(fn, action, policy), policy).toBe("ImplicitlyDenied");
      }
    },
  );

  it.each(others.flatMap((fn) => SLOT_ACTIONS.map((action) => [fn, action] as const)))(
    "%s may not %s on a slot",
    async (fn, action) => {
      expect(await can(fn, action, SLOT_1)).toBe("ImplicitlyDenied");
    },
  );

  it.each(
    (Object.keys(permissions) as FunctionName[]).flatMap((fn) =>
      NEVER.map((action) => [fn, action] as const),
    ),
  )("%s may not %s on anything", async (fn, action) => {
    const targets =
      action === "iam:AttachRolePolicy"
        ? [SHARED_ROLE, ALICE_ROLE]
        : [SLOT_1, `arn:aws:iam::${ACCOUNT}:policy/jit/jit-base`, `arn:aws:iam::${ACCOUNT}:policy/other`];
    for (const resource of targets) {
      expect(await can(fn, action, resource), resource).toBe("ImplicitlyDenied");
    }
    expect(permissions[fn].flatMap((p) => p.actions)).not.toContain(action);
  });

  it("are granted in the config's partition", () => {
    const gov = functionPermissions({ ...config, partition: "aws-us-gov" }, arns);
    const resources = gov.revokeAccess.filter((p) => p.actions.includes("iam:CreatePolicyVersion"));
    expect(resources.flatMap((p) => p.resources)).toEqual([
      `arn:aws-us-gov:iam::${ACCOUNT}:policy/jit/jit-grants-*`,
    ]);
  });

  it("are not granted without a shared role", () => {
    const { sharedRole: _, ...principals } = config.principals;
    const none = functionPermissions({ ...config, principals }, arns);
    for (const fn of slotFunctions) {
      expect(none[fn].flatMap((p) => p.actions)).not.toContain("iam:CreatePolicyVersion");
    }
  });
});

describe("an Identity Center shared role", () => {
  // Failed on main before this change: every grant function held Put/Get/List/Delete of inline
  // policies on the AWSReservedSSO_* role, which IAM refuses on a protected role anyway.
  it.each([
    ["grantAccess", "iam:PutRolePolicy"],
    ["grantAccess", "iam:GetRolePolicy"],
    ["grantAccess", "iam:ListRolePolicies"],
    ["grantAccess", "iam:DeleteRolePolicy"],
    ["undoGrant", "iam:DeleteRolePolicy"],
    ["revokeAccess", "iam:DeleteRolePolicy"],
    ["sweeper", "iam:ListRolePolicies"],
    ["sweeper", "iam:GetRolePolicy"],
    ["sweeper", "iam:DeleteRolePolicy"],
  ] as [FunctionName, string][])("gets no inline-policy call: %s may not %s on it", async (fn, action) => {
    expect(SHARED_ROLE).toMatch(/:role\/aws-reserved\/sso\.amazonaws\.com\//);
    expect(await can(fn, action, SHARED_ROLE)).toBe("ImplicitlyDenied");
  });

  it("is named in no function's statement at all", () => {
    // iam-simulate already refuses writes on an aws-reserved role, so this is checked on the statements.
    for (const fn of Object.keys(permissions) as FunctionName[]) {
      expect(
        permissions[fn].flatMap((p) => p.resources),
        fn,
      ).not.toContain(SHARED_ROLE);
    }
  });

  it("gets none either when a dropped Identity Center role still holds open requests", async () => {
    const dropped = `arn:aws:iam::${ACCOUNT}:role/aws-reserved/sso.amazonaws.com/AWSReservedSSO_Old_0123456789abcdef`;
    const widened = functionPermissions(config, arns, [dropped]);
    const resources = widened.revokeAccess.flatMap((p) => p.resources);
    expect(resources).not.toContain(dropped);
    expect(widened.revokeAccess.flatMap((p) => p.actions)).toContain("iam:DeletePolicyVersion");
  });

  it("keeps them for a shared role that is an ordinary IAM role", async () => {
    const plain = `arn:aws:iam::${ACCOUNT}:role/oncall-shared`;
    const shared = config.principals.sharedRole;
    if (!shared) throw new Error("the example config has no shared role");
    const other = functionPermissions(
      { ...config, principals: { ...config.principals, sharedRole: { ...shared, arn: plain } } },
      arns,
    );
    const put = other.grantAccess.find((p) => p.actions.includes("iam:PutRolePolicy"));
    expect(put?.resources).toContain(plain);
  });
});

describe("the session-events function", () => {
  const del = (key: string) =>
    decide({
      principalArn: `arn:aws:sts::${ACCOUNT}:assumed-role/jit-prod-sessionEvents/session`,
      action: "dynamodb:DeleteItem",
      resource: arns.table,
      policies: [{ name: "sessionEvents", policy: asPolicyDocument(permissions.sessionEvents) }],
      context: { "dynamodb:LeadingKeys": [key] },
    });

  it("may give back an event mark, and delete nothing else", async () => {
    expect(await del("EVENT#4d9f5a1e")).toBe("Allowed");
    expect(await del("REQ#20261126-abcdefgh")).toBe("ImplicitlyDenied");
    expect(await del("SESSION#alice-0a1b")).toBe("ImplicitlyDenied");
  });
});

describe("every function", () => {
  const names = Object.keys(permissions) as FunctionName[];

  it.each(names)(
    "%s has no IAM write beyond inline policies on configured principals and the slots",
    (fn) => {
      // Put is the only verb that grants; Delete/Get/List may reach dropped principals (tested above).
      for (const statement of permissions[fn]) {
        const iamActions = statement.actions.filter((a) => a.startsWith("iam:"));
        if (iamActions.some((a) => SLOT_ACTIONS.includes(a))) {
          expect(iamActions.every((a) => SLOT_ACTIONS.includes(a))).toBe(true);
          expect(statement.resources).toEqual([`arn:aws:iam::${ACCOUNT}:policy/jit/jit-grants-*`]);
          continue;
        }
        expect(iamActions.every((a) => /^iam:(Put|Get|Delete|List)(Role|User)Polic(y|ies)$/.test(a))).toBe(
          true,
        );
        if (iamActions.length > 0) {
          for (const resource of statement.resources)
            expect([
              ALICE_ROLE,
              BOB,
              ...Object.values(config.principals.map),
              config.principals.sharedRole?.arn,
            ]).toContain(resource);
        }
      }
    },
  );

  it.each(names)("%s reads and writes only its own table and topic", async (fn) => {
    expect(await can(fn, "dynamodb:GetItem", `arn:aws:dynamodb:eu-west-1:${ACCOUNT}:table/other`)).toBe(
      "ImplicitlyDenied",
    );
    expect(await can(fn, "sns:Publish", `arn:aws:sns:eu-west-1:${ACCOUNT}:other`)).toBe("ImplicitlyDenied");
    // Query: every function reads its table that way (the weekly report only that way).
    expect(await can(fn, "dynamodb:Query", arns.table)).toBe("Allowed");
  });

  it("only the approval step, the sweeper and the front doors (Slack, the API) may resume the workflow", () => {
    const resumers = names.filter((fn) =>
      permissions[fn].some((p) => p.actions.includes("states:SendTaskSuccess")),
    );
    expect(resumers.sort()).toEqual(["api", "askApprovers", "slack", "sweeper"]);
  });

  it("only the front doors (Slack, the API) may start executions, and only of this state machine", async () => {
    const starters = names.filter((fn) =>
      permissions[fn].some((p) => p.actions.includes("states:StartExecution")),
    );
    expect(starters.sort()).toEqual(["api", "slack"]);
    expect(await can("slack", "states:StartExecution", arns.stateMachine)).toBe("Allowed");
    const other = `arn:aws:states:eu-west-1:${ACCOUNT}:stateMachine:other`;
    expect(await can("slack", "states:StartExecution", other)).toBe("ImplicitlyDenied");
  });
});

describe("the Slack function's look at an existing execution", () => {
  it("may describe executions of this state machine only", async () => {
    const execution = `arn:aws:states:eu-west-1:${ACCOUNT}:execution:jit-prod-access:20261126-abcdefgh-sync-3`;
    expect(await can("slack", "states:DescribeExecution", execution)).toBe("Allowed");
    expect(
      await can("slack", "states:DescribeExecution", `arn:aws:states:eu-west-1:${ACCOUNT}:execution:other:x`),
    ).toBe("ImplicitlyDenied");
  });
});
