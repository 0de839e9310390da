/**
 * The sandbox account as a model of AWS where the Identity Center design depends on it: managed slot
 * policies with versions, AWS's refusals (protected roles, 6,144 characters, five versions), what IAM
 * evaluates for a role, and what survives a restart of the sandbox.
 */
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { SandboxAccount } from "../../../adapters/local/account.ts";
import { FakeClock } from "../../../core/clock.ts";
import type { AccessConfig } from "../../../core/config/load.ts";
import { buildGrantPolicy, type PolicyDocument } from "../../../core/policy.ts";
import { type Principal, resolvePrincipal } from "../../../core/principal.ts";
import {
  basePolicyArn,
  basePolicyDocument,
  emptySlot,
  slotArns,
  slotStatements,
  withGrant,
  withoutGrant,
} from "../../../core/slots.ts";
import { provisionSharedRole, type Sandbox, startSandbox } from "../../../local/sandbox.ts";
import { startSession } from "../../../local/start-session.ts";
import { NODE, NODES, PEOPLE } from "../../fixtures/nodes.ts";
import { exampleConfig, exampleProfile } from "../../helpers/config.ts";

const SLOT = "arn:aws:iam::123456789012:policy/jit/jit-grants-1";
const SSO_ROLE =
  "arn:aws:iam::123456789012:role/aws-reserved/sso.amazonaws.com/eu-west-1/AWSReservedSSO_OnCall_0123456789abcdef";
const ONE_PERSON_ROLE = "arn:aws:iam::123456789012:role/oncall/jit-alice";

const doc = (sid: string, resource = "*"): PolicyDocument => ({
  Version: "2012-10-17",
  Statement: [{ Sid: sid, Effect: "Allow", Action: "ssm:DescribeSessions", Resource: resource }],
});
/** A document of exactly `size` non-whitespace characters. */
const sized = (size: number): PolicyDocument => {
  const padding = size - JSON.stringify(doc("A", "")).length;
  return doc("A", "x".repeat(padding));
};
const sidsOf = (policies: { policy: unknown }[]) =>
  policies.flatMap((p) => (p.policy as PolicyDocument).Statement.map((s) => s.Sid)).sort();

let clock: FakeClock;
let account: SandboxAccount;
beforeEach(() => {
  clock = new FakeClock("2026-11-29T10:00:00Z");
  account = new SandboxAccount({ nodes: NODES, now: () => clock.now() });
  account.createManagedPolicy(SLOT, doc("V1"));
  account.attachManagedPolicy(SSO_ROLE, SLOT);
});

/** Writes until the slot holds five versions (v1 … v5, v5 the default). */
async function fillVersions(): Promise<void> {
  for (let n = 2; n <= 5; n++) {
    clock.advance(1);
    await account.writeSlot(SLOT, doc(`V${n}`));
  }
  expect(account.slotVersionCount(SLOT)).toBe(5);
}

describe("SandboxAccount refuses what AWS refuses", () => {
  const protectedRoles: Principal[] = [
    {
      kind: "shared-role",
      arn: SSO_ROLE,
      name: "AWSReservedSSO_OnCall_0123456789abcdef",
      sessionName: "dan",
    },
    {
      kind: "role",
      arn: "arn:aws:iam::123456789012:role/aws-reserved/sso.amazonaws.com/AWSReservedSSO_Admin_1a2b3c4d5e6f7a8b",
      name: "AWSReservedSSO_Admin_1a2b3c4d5e6f7a8b",
    },
  ];
  it.each(
    protectedRoles.flatMap((role) => [
      [`PutRolePolicy on ${role.name}`, role, (a: SandboxAccount) => a.putGrant(role, "jit-r1", doc("A"))],
      [`DeleteRolePolicy on ${role.name}`, role, (a: SandboxAccount) => a.deleteGrant(role, "jit-r1")],
    ]) as [string, Principal, (a: SandboxAccount) => Promise<unknown>][],
  )("%s fails with UnmodifiableEntity, in AWS's words", async (_, role, act) => {
    await expect(act(account)).rejects.toMatchObject({
      name: "UnmodifiableEntity",
      message: `Cannot perform the operation on the protected role '${role.name}' - this role is only modifiable by AWS`,
    });
    expect(account.policies.get(role.arn)?.size ?? 0).toBe(0);
    expect(account.leftoverGrants()).toEqual([]);
  });

  it("still writes inline grants on a one-person role", async () => {
    const alice: Principal = { kind: "role", arn: ONE_PERSON_ROLE, name: "jit-alice" };
    await account.putGrant(alice, "jit-r1", doc("A"));
    expect(account.leftoverGrants()).toEqual([`${ONE_PERSON_ROLE} jit-r1`]);
  });

  it.each([
    ["a slot write", () => account.writeSlot(SLOT, sized(6_145))],
    ["a new version", () => account.createPolicyVersion(SLOT, sized(6_145), true)],
    [
      "a new policy",
      async () => account.createManagedPolicy("arn:aws:iam::123456789012:policy/jit/big", sized(6_145)),
    ],
  ])("%s over 6,144 characters fails with LimitExceeded", async (_, act) => {
    await expect(act()).rejects.toMatchObject({
      name: "LimitExceeded",
      message: "Cannot exceed quota for PolicySize: 6144",
    });
    expect(account.slotVersionCount(SLOT)).toBe(1);
    expect(await account.readSlot(SLOT)).toEqual(doc("V1"));
  });

  it("accepts exactly 6,144 characters, and does not count whitespace", async () => {
    await account.writeSlot(SLOT, sized(6_144));
    expect(await account.readSlot(SLOT)).toEqual(sized(6_144));
    const spaced = doc(
      "A B C D",
      `${" ".repeat(100)}${"x".repeat(6_144 - JSON.stringify(doc("ABCD", "")).length)}`,
    );
    await account.writeSlot(SLOT, spaced);
    expect(await account.readSlot(SLOT)).toEqual(spaced);
  });

  it("a sixth version fails with LimitExceeded, so a writer must prune first", async () => {
    await fillVersions();
    await expect(account.createPolicyVersion(SLOT, doc("V6"), true)).rejects.toMatchObject({
      name: "LimitExceeded",
      message:
        "A managed policy can have up to 5 versions. Before you create a new version, you must delete an existing version.",
    });
    expect(account.slotVersionCount(SLOT)).toBe(5);
    expect(await account.readSlot(SLOT)).toEqual(doc("V5"));
  });

  it("the default version cannot be deleted (DeleteConflict)", async () => {
    await fillVersions();
    await expect(account.deletePolicyVersion(SLOT, "v5")).rejects.toMatchObject({ name: "DeleteConflict" });
    expect(account.slotVersionCount(SLOT)).toBe(5);
  });

  it("a read of a slot that does not exist gives undefined", async () => {
    expect(await account.readSlot("arn:aws:iam::123456789012:policy/jit/jit-grants-9")).toBeUndefined();
  });

  it.each([
    ["a slot write", () => account.writeSlot("arn:aws:iam::123456789012:policy/jit/jit-grants-9", doc("A"))],
    ["a version delete", () => account.deletePolicyVersion(SLOT, "v9")],
    [
      "an attachment",
      async () => account.attachManagedPolicy(SSO_ROLE, "arn:aws:iam::123456789012:policy/jit/none"),
    ],
  ])("%s of something that does not exist fails with NoSuchEntity", async (_, act) => {
    await expect(act()).rejects.toMatchObject({ name: "NoSuchEntity" });
  });

  it("a second policy of the same ARN fails with EntityAlreadyExists", () => {
    expect(() => account.createManagedPolicy(SLOT, doc("X"))).toThrow(
      expect.objectContaining({ name: "EntityAlreadyExists" }),
    );
    expect(account.slotVersionCount(SLOT)).toBe(1);
  });

  it.each([
    ["a policy outside /jit/", "arn:aws:iam::123456789012:policy/AdministratorAccess"],
    ["an AWS managed policy", "arn:aws:iam::aws:policy/AdministratorAccess"],
    ["a nested path", "arn:aws:iam::123456789012:policy/jit/deeper/jit-grants-1"],
  ])("the broker refuses %s before any call", async (_, arn) => {
    account.createManagedPolicy(arn, doc("Theirs"));
    const seen: string[] = [];
    account.hooks.before = (op) => void seen.push(op);
    await expect(account.readSlot(arn)).rejects.toMatchObject({ name: "NotAuthorizedError" });
    await expect(account.writeSlot(arn, doc("Ours"))).rejects.toMatchObject({ name: "NotAuthorizedError" });
    expect(seen).toEqual([]);
    expect(account.slotVersionCount(arn)).toBe(1);
  });
});

describe("SandboxAccount slot versions", () => {
  it("numbers versions v1, v2, … dated by the clock, the newest the default", async () => {
    clock.advance(60);
    await account.writeSlot(SLOT, doc("V2"));
    expect(account.listPolicyVersions(SLOT)).toEqual([
      { versionId: "v1", isDefault: false, createDate: "2026-11-29T10:00:00.000Z" },
      { versionId: "v2", isDefault: true, createDate: "2026-11-29T10:01:00.000Z" },
    ]);
  });

  it("keeps at most five versions over many writes, deleting the oldest first, never reusing an id", async () => {
    for (let n = 2; n <= 12; n++) {
      await account.writeSlot(SLOT, doc(`V${n}`));
      expect(account.slotVersionCount(SLOT)).toBe(Math.min(n, 5));
    }
    expect(account.listPolicyVersions(SLOT).map((v) => v.versionId)).toEqual([
      "v8",
      "v9",
      "v10",
      "v11",
      "v12",
    ]);
    expect(await account.readSlot(SLOT)).toEqual(doc("V12"));
  });

  it("prunes the oldest non-default version, never the default, even when the default is the oldest", async () => {
    for (let n = 2; n <= 5; n++) {
      clock.advance(1);
      await account.createPolicyVersion(SLOT, doc(`V${n}`), false);
    }
    await account.writeSlot(SLOT, doc("V6"));
    expect(account.listPolicyVersions(SLOT).map((v) => v.versionId)).toEqual(["v1", "v3", "v4", "v5", "v6"]);
    expect(await account.readSlot(SLOT)).toEqual(doc("V6"));
  });

  it("a write at five versions is a DeletePolicyVersion then a CreatePolicyVersion, each hookable", async () => {
    await fillVersions();
    const seen: string[] = [];
    account.hooks.before = (op, subject) => void seen.push(`before ${op} ${subject}`);
    account.hooks.after = (op, subject) => void seen.push(`after ${op} ${subject}`);
    await account.writeSlot(SLOT, doc("V6"));
    expect(seen).toEqual([
      `before DeletePolicyVersion ${SLOT} v1`,
      `after DeletePolicyVersion ${SLOT} v1`,
      `before CreatePolicyVersion ${SLOT}`,
      `after CreatePolicyVersion ${SLOT}`,
    ]);
  });

  it("a throttled CreatePolicyVersion after the prune leaves the old default, and the retry lands", async () => {
    await fillVersions();
    let fail = true;
    account.faults = (op) => {
      if (op === "CreatePolicyVersion" && fail) {
        fail = false;
        throw Object.assign(new Error("Rate exceeded"), { name: "Throttling" });
      }
    };
    await expect(account.writeSlot(SLOT, doc("V6"))).rejects.toMatchObject({ name: "Throttling" });
    expect(account.slotVersionCount(SLOT)).toBe(4);
    expect(await account.readSlot(SLOT)).toEqual(doc("V5"));
    await account.writeSlot(SLOT, doc("V6"));
    expect(account.slotVersionCount(SLOT)).toBe(5);
    expect(await account.readSlot(SLOT)).toEqual(doc("V6"));
  });

  it("a lost CreatePolicyVersion response: the call fails but the version landed", async () => {
    account.hooks.after = (op) => {
      if (op === "CreatePolicyVersion") throw new Error("socket hang up");
    };
    await expect(account.writeSlot(SLOT, doc("V2"))).rejects.toThrow("socket hang up");
    account.hooks = {};
    expect(await account.readSlot(SLOT)).toEqual(doc("V2"));
  });

  it.each(["GetPolicyVersion", "CreatePolicyVersion"])(
    "a fault injected in %s fails the call",
    async (op) => {
      account.faults = (o) => {
        if (o === op) throw new Error(`${o} failed`);
      };
      const act = op === "GetPolicyVersion" ? account.readSlot(SLOT) : account.writeSlot(SLOT, doc("V2"));
      await expect(act).rejects.toThrow(`${op} failed`);
      account.faults = () => {};
      expect(await account.readSlot(SLOT)).toEqual(doc("V1"));
    },
  );
});

describe("SandboxAccount: what IAM evaluates for a role", () => {
  it("is its inline policies plus the default version of each attached managed policy", async () => {
    const other = "arn:aws:iam::123456789012:policy/jit/jit-grants-2";
    account.createManagedPolicy(other, doc("Unattached"));
    await account.writeSlot(SLOT, doc("V2"));
    account.putForeignPolicy(SSO_ROLE, "baseline", doc("Inline"));
    expect(sidsOf(account.effectivePolicies(SSO_ROLE))).toEqual(["Inline", "V2"]);
    expect(sidsOf(account.effectivePolicies(ONE_PERSON_ROLE))).toEqual([]);
  });

  it("keeps honouring a replaced default version for propagationMs, then only the new one", async () => {
    account.propagationMs = 5_000;
    await account.writeSlot(SLOT, doc("V2"));
    clock.advance(4);
    expect(sidsOf(account.effectivePolicies(SSO_ROLE))).toEqual(["V1", "V2"]);
    clock.advance(1.001);
    expect(sidsOf(account.effectivePolicies(SSO_ROLE))).toEqual(["V2"]);
  });

  it("without propagation, a replaced default stops authorizing at once", async () => {
    await account.writeSlot(SLOT, doc("V2"));
    expect(sidsOf(account.effectivePolicies(SSO_ROLE))).toEqual(["V2"]);
  });
});

describe("SandboxAccount leftovers", () => {
  const statement = (requestId: string, sid: string) => ({
    Sid: `J${requestId.replace("-", "")}${sid}`,
    Effect: "Allow" as const,
    Action: "ssm:StartSession",
    Resource: "*",
  });

  it("reports each of our statements still in a slot's default version, not the placeholder", async () => {
    await account.writeSlot(SLOT, emptySlot());
    expect(account.leftoverGrants()).toEqual([]);
    const held = withGrant(emptySlot(), "20261129-abcd1234", [
      statement("20261129-abcd1234", "Nodes"),
      statement("20261129-abcd1234", "Documents"),
    ]);
    await account.writeSlot(SLOT, held);
    expect(account.leftoverGrants()).toEqual([
      `${SLOT} J20261129abcd1234Nodes`,
      `${SLOT} J20261129abcd1234Documents`,
    ]);
    await account.writeSlot(SLOT, withoutGrant(held, "20261129-abcd1234"));
    expect(account.leftoverGrants()).toEqual([]);
    expect(account.slotVersionCount(SLOT)).toBe(4);
  });
});

describe("SandboxAccount snapshot", () => {
  it("round-trips managed policies, their versions and attachments through JSON", async () => {
    await fillVersions();
    account.attachManagedPolicy(SSO_ROLE, SLOT); // AttachRolePolicy again: a no-op, as on AWS
    const saved = JSON.parse(JSON.stringify(account.snapshot()));

    const restored = new SandboxAccount({ nodes: NODES, now: () => clock.now() });
    restored.restore(saved);

    expect(restored.listPolicyVersions(SLOT)).toEqual(account.listPolicyVersions(SLOT));
    expect(await restored.readSlot(SLOT)).toEqual(doc("V5"));
    expect(restored.effectivePolicies(SSO_ROLE)).toEqual(account.effectivePolicies(SSO_ROLE));
    await restored.writeSlot(SLOT, doc("V6"));
    expect(restored.listPolicyVersions(SLOT).map((v) => v.versionId)).toEqual(["v2", "v3", "v4", "v5", "v6"]);
  });

  it("restoring a snapshot from before slots existed keeps the policies start-up created", async () => {
    const old = { policies: {}, sessions: [] };
    account.restore(old);
    expect(await account.readSlot(SLOT)).toEqual(doc("V1"));
    expect(sidsOf(account.effectivePolicies(SSO_ROLE))).toEqual(["V1"]);
  });
});

describe("the sandbox's shared role (start-up and iam-simulate)", () => {
  let sandbox: Sandbox | undefined;
  afterEach(async () => {
    await sandbox?.stop();
    sandbox = undefined;
  });
  const erin = { slackUserId: "U04ERIN", email: "erin@example.com" };
  const sandboxClock = new FakeClock();
  const start = async (config: AccessConfig) => {
    sandboxClock.set("2026-11-29T10:00:00Z");
    sandbox = await startSandbox({ config, nodes: NODES, clock: sandboxClock });
    return sandbox;
  };

  it("creates the empty slots and the base policy and attaches them to the shared role", async () => {
    const config = exampleConfig();
    const { account: sbx } = await start(config);
    const arns = slotArns(config);
    expect(arns).toHaveLength(config.principals.sharedRole?.slots ?? 0);
    for (const arn of arns) expect(await sbx.readSlot(arn)).toEqual(emptySlot());
    expect(await sbx.readSlot(basePolicyArn(config))).toEqual(basePolicyDocument(config));
    expect(sbx.attachedPolicies(config.principals.sharedRole?.arn ?? "").sort()).toEqual(
      [...arns, basePolicyArn(config)].sort(),
    );
    expect(sbx.leftoverGrants()).toEqual([]);
  });

  it("a restart keeps the slots' grants: provisioning leaves existing policies, restore brings back the saved ones", async () => {
    const config = exampleConfig();
    const { account: first } = await start(config);
    const slot = slotArns(config)[1] ?? "";
    const held = withGrant(emptySlot(), "20261129-keep0001", [
      { Sid: "J20261129keep0001Nodes", Effect: "Allow", Action: "ssm:StartSession", Resource: "*" },
    ]);
    await first.writeSlot(slot, held);
    const saved = JSON.parse(JSON.stringify(first.snapshot()));

    // What `npm start` does: a new account, provisioned at start-up, then the saved one restored.
    const second = new SandboxAccount({ nodes: NODES });
    provisionSharedRole(second, config);
    second.restore(saved);
    provisionSharedRole(second, config);

    expect(await second.readSlot(slot)).toEqual(held);
    expect(second.slotVersionCount(slot)).toBe(2);
    expect(second.leftoverGrants()).toEqual([`${slot} J20261129keep0001Nodes`]);
  });

  it("creates no managed policy without a shared role", async () => {
    const config = exampleConfig();
    config.principals.sharedRole = undefined;
    const { account: sbx } = await start(config);
    expect(sbx.snapshot().managedPolicies).toEqual({});
  });

  it("a grant written into a slot lets its person start a session, and nobody else", async () => {
    // Arrange
    const config = exampleConfig();
    const sb = await start(config);
    const requestId = "20261129-dan00001";
    const dan = resolvePrincipal(config, PEOPLE.dan);
    const grant = buildGrantPolicy({
      profile: exampleProfile("prod-web", config),
      principal: dan,
      accountId: config.accountId,
      requestId,
      expiresAt: new Date("2026-11-29T11:00:00Z"),
    });
    const slot = slotArns(config)[0] ?? "";
    const before = await startSession(sb.deps, sb.account, { person: PEOPLE.dan, target: NODE.web1 });
    expect(before.allowed).toBe(false);

    // Act
    await sb.account.writeSlot(
      slot,
      withGrant(emptySlot(), requestId, slotStatements(grant.document, requestId)),
    );

    // Assess
    const forDan = await startSession(sb.deps, sb.account, { person: PEOPLE.dan, target: NODE.web1 });
    const forErin = await startSession(sb.deps, sb.account, { person: erin, target: NODE.web1 });
    const offProfile = await startSession(sb.deps, sb.account, { person: PEOPLE.dan, target: NODE.stg1 });
    expect([forDan.allowed, forErin.allowed, offProfile.allowed]).toEqual([true, false, false]);

    // And the revoke: the slot back to its placeholder ends it, once IAM has caught up.
    sb.account.propagationMs = 4_000;
    await sb.account.writeSlot(
      slot,
      withoutGrant((await sb.account.readSlot(slot)) ?? emptySlot(), requestId),
    );
    const during = await startSession(sb.deps, sb.account, { person: PEOPLE.dan, target: NODE.web1 });
    sandboxClock.advance(4);
    const after = await startSession(sb.deps, sb.account, { person: PEOPLE.dan, target: NODE.web1 });
    expect([during.allowed, after.allowed]).toEqual([true, false]);
  });
});
