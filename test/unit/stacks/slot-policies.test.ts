/**
 * The managed policies the stack creates for a shared role (stacks/slot-policies.ts): the grant slots
 * `/jit/jit-grants-1 … N` (rewritten at run time by the grant functions, so the stack must not put its
 * placeholder back on each deploy), the stack-managed base `/jit/jit-base`, and, only when the config
 * names the Identity Center instance and permission set, the references attached to that set.
 *
 * The base policy is evaluated with iam-simulate: sessions on the shared role need TerminateSession
 * and the describe calls that nothing else gives them, and must reach only their own sessions.
 */
import { describe, expect, it } from "vitest";
import type { AccessConfig } from "../../../core/config/load.ts";
import type { Statement } from "../../../core/policy.ts";
import { basePolicyDocument, emptySlot } from "../../../core/slots.ts";
import {
  managedPolicyOptions,
  permissionSetAttachments,
  slotPolicySpecs,
} from "../../../stacks/slot-policies.ts";
import { exampleConfig } from "../../helpers/config.ts";
import { problemsOf } from "../../helpers/service-reference.ts";
import { decide } from "../../helpers/simulate.ts";

const config = exampleConfig();
const ACCOUNT = config.accountId;
const INSTANCE = "arn:aws:sso:::instance/ssoins-0123456789abcdef";
const PERMISSION_SET = "arn:aws:sso:::permissionSet/ssoins-0123456789abcdef/ps-0123456789abcdef";

function withSharedRole(changes: Partial<NonNullable<AccessConfig["principals"]["sharedRole"]>> | undefined) {
  const shared = config.principals.sharedRole;
  if (!shared) throw new Error("the example config has no shared role");
  return {
    ...config,
    principals: {
      ...config.principals,
      sharedRole: changes === undefined ? undefined : { ...shared, ...changes },
    },
  } as AccessConfig;
}

describe("the managed policies of a shared role", () => {
  it("are the base and one slot per configured slot, named and pathed as core/slots.ts says", () => {
    // Act
    const specs = slotPolicySpecs(withSharedRole({ slots: 4 }));
    // Assess
    expect(specs.map((s) => [s.name, s.path])).toEqual([
      ["jit-base", "/jit/"],
      ["jit-grants-1", "/jit/"],
      ["jit-grants-2", "/jit/"],
      ["jit-grants-3", "/jit/"],
      ["jit-grants-4", "/jit/"],
    ]);
    expect(new Set(specs.map((s) => s.resourceName)).size).toBe(5);
  });

  it("start empty (the placeholder) for slots, and the base document for the base", () => {
    const [base, ...slots] = slotPolicySpecs(withSharedRole({ slots: 2 }));
    expect(base?.document).toEqual(basePolicyDocument(config));
    for (const slot of slots) expect(slot.document).toEqual(emptySlot());
  });

  it("follow the configured slot count", () => {
    expect(slotPolicySpecs(withSharedRole({ slots: 7 })).filter((s) => s.runtimeDocument)).toHaveLength(7);
  });

  it("are not created without a shared role", () => {
    expect(slotPolicySpecs(withSharedRole(undefined))).toEqual([]);
    expect(permissionSetAttachments(withSharedRole(undefined))).toEqual([]);
  });

  it("leave the slot documents to the grant functions after creation, and manage the base fully", () => {
    const [base, slot] = slotPolicySpecs(config);
    if (!base || !slot) throw new Error("no policies");
    expect(managedPolicyOptions(slot, false).ignoreChanges).toEqual(["policy"]);
    expect(managedPolicyOptions(base, false).ignoreChanges).toEqual([]);
  });

  it("are kept by production on removal, and only there", () => {
    for (const spec of slotPolicySpecs(config)) {
      expect(managedPolicyOptions(spec, true).retainOnDelete).toBe(true);
      expect(managedPolicyOptions(spec, false).retainOnDelete).toBe(false);
    }
  });
});

describe("the permission-set attachments", () => {
  it("are none unless the config names the Identity Center instance and permission set", () => {
    expect(permissionSetAttachments(withSharedRole({ identityCenter: undefined }))).toEqual([]);
  });

  it("reference the base and every slot by name and path on the configured permission set", () => {
    // Act
    const attachments = permissionSetAttachments(
      withSharedRole({
        slots: 3,
        identityCenter: { instanceArn: INSTANCE, permissionSetArn: PERMISSION_SET },
      }),
    );
    // Assess
    expect(attachments.map((a) => a.reference)).toEqual([
      { name: "jit-base", path: "/jit/" },
      { name: "jit-grants-1", path: "/jit/" },
      { name: "jit-grants-2", path: "/jit/" },
      { name: "jit-grants-3", path: "/jit/" },
    ]);
    for (const a of attachments) {
      expect(a.instanceArn).toBe(INSTANCE);
      expect(a.permissionSetArn).toBe(PERMISSION_SET);
    }
    expect(new Set(attachments.map((a) => a.resourceName)).size).toBe(4);
  });
});

describe("the base policy, on sessions of the shared role", () => {
  const ROLE = "AWSReservedSSO_OnCall_0123456789abcdef";
  const ROLE_ID = "AROAEXAMPLEROLEID0001";
  const region = exampleRegion();
  const sessionArn = (name: string) => `arn:aws:ssm:${region}:${ACCOUNT}:session/${name}-0123456789abcdef0`;
  const as = (person: string, action: string, resource: string, context: Record<string, string> = {}) =>
    decide({
      principalArn: `arn:aws:sts::${ACCOUNT}:assumed-role/${ROLE}/${person}`,
      action,
      resource,
      policies: [{ name: "jit-base", policy: basePolicyDocument(config) }],
      context: {
        "aws:userid": `${ROLE_ID}:${person}`,
        "aws:CurrentTime": new Date().toISOString(),
        ...context,
      },
    });
  const tagged = (owner: string) => ({ "ssm:resourceTag/aws:ssmmessages:session-id": `${ROLE_ID}:${owner}` });

  it("lets dan end and resume a session he started", async () => {
    const own = tagged("dan@example.com");
    expect(await as("dan@example.com", "ssm:TerminateSession", sessionArn("dan"), own)).toBe("Allowed");
    expect(await as("dan@example.com", "ssm:ResumeSession", sessionArn("dan"), own)).toBe("Allowed");
  });

  it("does not let dan end erin's session on the same role", async () => {
    const erins = tagged("erin@example.com");
    expect(await as("dan@example.com", "ssm:TerminateSession", sessionArn("erin"), erins)).toBe(
      "ImplicitlyDenied",
    );
    expect(await as("dan@example.com", "ssm:ResumeSession", sessionArn("erin"), erins)).toBe(
      "ImplicitlyDenied",
    );
  });

  it("does not reach a session whose owner is unknown (no tag)", async () => {
    expect(await as("dan@example.com", "ssm:TerminateSession", sessionArn("dan"))).toBe("ImplicitlyDenied");
  });

  it("lets him find nodes and list sessions, and start none", async () => {
    expect(await as("dan@example.com", "ssm:DescribeSessions", "*")).toBe("Allowed");
    expect(await as("dan@example.com", "ssm:DescribeInstanceInformation", "*")).toBe("Allowed");
    const node = `arn:aws:ec2:${region}:${ACCOUNT}:instance/i-0123456789abcdef0`;
    expect(await as("dan@example.com", "ssm:StartSession", node)).toBe("ImplicitlyDenied");
  });
});

describe("an empty slot (the placeholder)", () => {
  const node = `arn:aws:ec2:${exampleRegion()}:${ACCOUNT}:instance/i-0123456789abcdef0`;
  const now = (action: string, resource: string) =>
    decide({
      principalArn: `arn:aws:sts::${ACCOUNT}:assumed-role/AWSReservedSSO_OnCall_0123456789abcdef/dan@example.com`,
      action,
      resource,
      policies: [{ name: "jit-grants-1", policy: emptySlot() }],
      context: {
        "aws:userid": "AROAEXAMPLEROLEID0001:dan@example.com",
        "aws:CurrentTime": new Date().toISOString(),
      },
    });

  it("allows nothing at the current time, not even its own action", async () => {
    expect(await now("ssm:StartSession", node)).toBe("ImplicitlyDenied");
    expect(await now("ssm:DescribeSessions", "*")).toBe("ImplicitlyDenied");
  });
});

describe("every action and condition key of the base policy and the placeholder", () => {
  const statements = [...basePolicyDocument(config).Statement, ...emptySlot().Statement];

  it.each(statements.map((s) => [s.Sid, s] as const))("%s exists and applies", async (_sid, statement) => {
    expect(await problemsOf(statement)).toEqual([]);
  });

  it("the check catches a key that does not apply", async () => {
    const planted: Statement = {
      Sid: "Planted",
      Effect: "Allow",
      Action: "ssm:DescribeSessions",
      Resource: "*",
      Condition: { StringEquals: { "ssm:resourceTag/aws:ssmmessages:session-id": "x" } },
    };
    expect(await problemsOf(planted)).toContain(
      "ssm:resourceTag/aws:ssmmessages:session-id does not apply to ssm:DescribeSessions",
    );
  });
});

function exampleRegion(): string {
  const region = Object.values(config.profiles)[0]?.regions[0];
  if (!region) throw new Error("the example config names no region");
  return region;
}
