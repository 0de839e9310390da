/**
 * Issue 12's "must show" for the workflow, on the real parts: the real workflow definition and
 * handlers, dynalite, and the sandbox as an organization of three accounts (the hub prod, staging,
 * team-a), the members reached through a simulated AssumeRole. The `staging` profile of the
 * multi-account config spans prod and staging in eu-west-1 and us-east-1.
 */
import { afterEach, describe, expect, it } from "vitest";
import type { SandboxNode } from "../../adapters/local/account.ts";
import { policyName } from "../../core/policy.ts";
import type { AccessRequest } from "../../core/request.ts";
import { approve } from "../../core/usecases/approval.ts";
import { auditTrail } from "../../core/usecases/common.ts";
import { createRequest } from "../../core/usecases/request.ts";
import { revokeNow } from "../../core/usecases/revoke.ts";
import { S } from "../../workflows/access-workflow.ts";
import { NODES, OWNER, PEOPLE } from "../fixtures/nodes.ts";
import {
  HUB,
  multiAccountConfig,
  STAGING,
  STAGING_ALICE,
  STAGING_SHARED,
  TEAM_A,
} from "../helpers/accounts.ts";
import { beforeState, type Harness, type HarnessOptions, startHarness } from "../helpers/harness.ts";
import { decide } from "../helpers/simulate.ts";

const HUB_ALICE = "arn:aws:iam::123456789012:role/oncall/jit-alice";
const STAGING_OWNER = `arn:aws:sts::${STAGING}:assumed-role/jit-alice/alice`;
const HUB_STG_EAST = "i-0stg9000000000009";
const STG_WEST = "i-0aaa1000000000011";
const STG_EAST = "i-0aaa2000000000012";
const TEAM_A_NODE = "i-0bbb1000000000021";

/** Each account's fleet: staging nodes in both regions of the profile, in prod and in staging. */
const HUB_NODES: SandboxNode[] = [
  ...NODES,
  { id: HUB_STG_EAST, region: "us-east-1", tags: { Env: "staging", App: "web" } },
];
const MEMBER_NODES: Record<string, SandboxNode[]> = {
  [STAGING]: [
    { id: STG_WEST, region: "eu-west-1", tags: { Env: "staging", App: "api" } },
    { id: STG_EAST, region: "us-east-1", tags: { Env: "staging", App: "api" } },
  ],
  [TEAM_A]: [{ id: TEAM_A_NODE, region: "eu-west-1", tags: { Env: "staging", Owner: "team-a" } }],
};

let h: Harness | undefined;
afterEach(async () => {
  await h?.stop();
  h = undefined;
});

async function harness(options: HarnessOptions = {}): Promise<Harness> {
  h = await startHarness({ config: multiAccountConfig(), memberNodes: MEMBER_NODES, ...options });
  // The hub's fleet gets a staging node in the profile's second region.
  h.account.nodes.push(...HUB_NODES.filter((n) => !h?.account.nodes.some((m) => m.id === n.id)));
  return h;
}

const dave = { slackUserId: "U03DAVE" };

async function requestStaging(x: Harness): Promise<AccessRequest> {
  const request = await createRequest(x.deps, {
    requester: PEOPLE.alice,
    profileId: "staging",
    duration: "1h",
    reason: "release check across accounts",
  });
  await x.waitFor(request.id, (r) => r.taskToken !== undefined);
  return request;
}

/** IAM's answer for alice's StartSession on a node, from the policies of her principal in `account`. */
async function mayStart(x: Harness, account: string, principal: string, nodeArn: string, owner: string) {
  return decide({
    principalArn: owner,
    action: "ssm:StartSession",
    resource: nodeArn,
    accountId: account,
    policies: x.organization.account(account).effectivePolicies(principal),
    context: {
      "aws:CurrentTime": x.clock.now().toISOString(),
      "aws:userid": `AROAJITALICE:alice`,
      "aws:PrincipalArn": principal,
      "ssm:resourceTag/Env": "staging",
      "aws:ResourceTag/Env": "staging",
    },
  });
}

describe("a profile spanning 2 accounts × 2 regions", () => {
  it("records both accounts with the requester's principal in each", async () => {
    const x = await harness();
    const request = await requestStaging(x);
    expect(request.grants).toEqual([
      { accountId: HUB, principal: { kind: "role", arn: HUB_ALICE, name: "jit-alice" } },
      { accountId: STAGING, principal: { kind: "role", arn: STAGING_ALICE, name: "jit-alice" } },
    ]);
    expect(request.history[0]?.detail?.accounts).toEqual([
      { account: HUB, principal: HUB_ALICE },
      { account: STAGING, principal: STAGING_ALICE },
    ]);
  });

  it("grants in both, allows sessions in both accounts and regions, and at expiry ends them all", async () => {
    const sessions: { account: string; id: string }[] = [];
    let during: { leftovers: string[]; decisions: Record<string, string> } | undefined;
    const x = await harness({
      wrap: beforeState(S.warnExpiry, async () => {
        const y = h as Harness;
        const id = (await y.deps.store.listByStatus("ACTIVE"))[0]?.id ?? "";
        const arn = (account: string, region: string, node: string) =>
          `arn:aws:ec2:${region}:${account}:instance/${node}`;
        during = {
          leftovers: y.organization.leftoverGrants().sort(),
          decisions: {
            // Her staging principal may start sessions on staging's nodes in both regions …
            stagingWest: await mayStart(
              y,
              STAGING,
              STAGING_ALICE,
              arn(STAGING, "eu-west-1", STG_WEST),
              STAGING_OWNER,
            ),
            stagingEast: await mayStart(
              y,
              STAGING,
              STAGING_ALICE,
              arn(STAGING, "us-east-1", STG_EAST),
              STAGING_OWNER,
            ),
            // … her prod principal on prod's …
            prodEast: await mayStart(y, HUB, HUB_ALICE, arn(HUB, "us-east-1", HUB_STG_EAST), OWNER.alice),
            // … and neither reaches team-a's node, which no grant of hers spans.
            teamA: await mayStart(
              y,
              STAGING,
              STAGING_ALICE,
              arn(TEAM_A, "eu-west-1", TEAM_A_NODE),
              STAGING_OWNER,
            ),
          },
        };
        expect(id).not.toBe("");
        sessions.push(
          { account: HUB, id: y.organization.account(HUB).openSession(OWNER.alice, HUB_STG_EAST).sessionId },
          {
            account: STAGING,
            id: y.organization.account(STAGING).openSession(STAGING_OWNER, STG_WEST).sessionId,
          },
          {
            account: STAGING,
            id: y.organization.account(STAGING).openSession(STAGING_OWNER, STG_EAST).sessionId,
          },
        );
      }),
    });
    const request = await requestStaging(x);
    await approve(x.deps, { requestId: request.id, approver: dave });
    expect(await x.workflow.settled(request.id)).toEqual({ status: "SUCCEEDED" });

    const name = policyName(request.id);
    expect(during?.leftovers).toEqual([`${HUB} ${HUB_ALICE} ${name}`, `${STAGING} ${STAGING_ALICE} ${name}`]);
    expect(during?.decisions).toEqual({
      stagingWest: "Allowed",
      stagingEast: "Allowed",
      prodEast: "Allowed",
      teamA: "ImplicitlyDenied",
    });
    const done = await x.deps.store.get(request.id);
    expect(done).toMatchObject({ status: "REVOKED", endedBy: "workflow" });
    expect(x.organization.leftoverGrants()).toEqual([]);
    for (const s of sessions)
      expect(x.organization.account(s.account).sessions.get(s.id)?.status, s.id).toBe("Terminated");
    const revoked = x.notices.find((n) => n.type === "revoked");
    expect(new Set(revoked?.detail?.terminatedSessions as string[])).toEqual(
      new Set(sessions.map((s) => s.id)),
    );
    // The trail names both accounts: where it was granted, and where each session was ended.
    const trail = await auditTrail(x.deps, request.id);
    expect(trail.find((e) => e.action === "active")?.detail?.accounts).toEqual([HUB, STAGING]);
  });

  it("an early revoke ends the sessions in both accounts", async () => {
    let revoked: unknown;
    const opened: { account: string; id: string }[] = [];
    const x = await harness({
      wrap: beforeState(S.warnExpiry, async () => {
        const y = h as Harness;
        const [active] = await y.deps.store.listByStatus("ACTIVE");
        opened.push(
          { account: HUB, id: y.organization.account(HUB).openSession(OWNER.alice, HUB_STG_EAST).sessionId },
          {
            account: STAGING,
            id: y.organization.account(STAGING).openSession(STAGING_OWNER, STG_EAST).sessionId,
          },
        );
        revoked = await revokeNow(y.deps, { requestId: active?.id ?? "", actor: "U01ALICE" });
      }),
    });
    const request = await requestStaging(x);
    await approve(x.deps, { requestId: request.id, approver: dave });
    await x.workflow.settled(request.id);
    expect(revoked).toMatchObject({ alreadyRevoked: false });
    expect(await x.deps.store.get(request.id)).toMatchObject({ status: "REVOKED", endedBy: "U01ALICE" });
    for (const s of opened)
      expect(x.organization.account(s.account).sessions.get(s.id)?.status, s.account).toBe("Terminated");
    expect(x.organization.leftoverGrants()).toEqual([]);
  });
});

describe("shared roles in both accounts", () => {
  it("puts the grant in a slot of each account's shared role and takes it out of both", async () => {
    let during: string[] = [];
    const x = await harness({
      wrap: beforeState(S.warnExpiry, () => {
        during = (h as Harness).organization.leftoverGrants().sort();
      }),
    });
    const request = await createRequest(x.deps, {
      requester: PEOPLE.dan,
      profileId: "staging",
      duration: "1h",
      reason: "release check",
    });
    expect(request.grants?.map((g) => [g.accountId, g.principal.kind, g.principal.arn])).toEqual([
      [HUB, "shared-role", expect.stringContaining(`:${HUB}:role/aws-reserved/`)],
      [STAGING, "shared-role", STAGING_SHARED],
    ]);
    await x.waitFor(request.id, (r) => r.taskToken !== undefined);
    await approve(x.deps, { requestId: request.id, approver: dave });
    await x.workflow.settled(request.id);
    // Held in one slot of each account, under that account's own /jit/ policies.
    expect(new Set(during.map((l) => l.split(" ")[0]))).toEqual(new Set([HUB, STAGING]));
    for (const line of during) {
      const [account, policy, sid] = line.split(" ");
      expect(policy).toMatch(new RegExp(`^arn:aws:iam::${account}:policy/jit/`));
      expect(sid).toContain(request.id.replace("-", ""));
    }
    expect(x.organization.leftoverGrants()).toEqual([]);
  });
});

describe("one account failing during a grant", () => {
  it("an account refusing AssumeRole: FAILED naming it, nothing written anywhere", async () => {
    const x = await harness();
    const request = await requestStaging(x);
    x.organization.refuse(STAGING);
    await approve(x.deps, { requestId: request.id, approver: dave });
    await x.workflow.settled(request.id);
    const failed = await x.deps.store.get(request.id);
    expect(failed?.status).toBe("FAILED");
    expect(failed?.failure).toContain("staging (444455556666)");
    expect(failed?.failure).toContain("AssumeRole");
    expect(x.organization.leftoverGrants()).toEqual([]);
    expect(x.notices.find((n) => n.type === "failed")?.detail?.failure).toContain("staging (444455556666)");
    // The refused account was asked: once per attempt, never with credentials kept from before.
    expect(x.organization.assumed.get(STAGING) ?? 0).toBeGreaterThan(0);
  });

  it("a write refused in the second account after the first landed: the first is undone", async () => {
    const x = await harness();
    const request = await requestStaging(x);
    const staging = x.organization.account(STAGING);
    let hubHeldIt = false;
    // The accounts are written side by side: the hub's write lands whatever staging does.
    x.organization.account(HUB).hooks.after = (operation) => {
      if (operation === "PutPolicy") hubHeldIt = true;
    };
    staging.faults = (operation) => {
      if (operation !== "PutPolicy") return;
      throw Object.assign(new Error("User is not authorized to perform iam:PutRolePolicy"), {
        name: "AccessDenied",
      });
    };
    await approve(x.deps, { requestId: request.id, approver: dave });
    await x.workflow.settled(request.id);
    const failed = await x.deps.store.get(request.id);
    expect(hubHeldIt).toBe(true);
    expect(failed?.status).toBe("FAILED");
    expect(failed?.failure).toContain("in account staging (444455556666)");
    expect(x.organization.leftoverGrants()).toEqual([]);
    const undone = (await auditTrail(x.deps, request.id)).find((e) => e.action === "grant-undone");
    expect(undone?.detail).toMatchObject({ accounts: [HUB, STAGING], policyDeleted: true });
  });

  it("an undo that cannot reach an account after the claim: people are told, the execution fails for the alarm", async () => {
    const x = await harness();
    const request = await requestStaging(x);
    // Staging refuses the write, then refuses the hub altogether (its spoke is being replaced, say):
    // the undo cleans the hub but cannot look in staging.
    x.organization.account(STAGING).faults = (operation) => {
      if (operation !== "PutPolicy") return;
      x.organization.refuse(STAGING);
      throw Object.assign(new Error("User is not authorized to perform iam:PutRolePolicy"), {
        name: "AccessDenied",
      });
    };
    await approve(x.deps, { requestId: request.id, approver: dave });
    const run = await x.workflow.settled(request.id);
    const failed = await x.deps.store.get(request.id);
    expect(failed?.status).toBe("FAILED");
    expect(failed?.grantedAt).toBeDefined();
    // Not "GrantFailed, nothing was left attached": the undo itself failed, so WorkflowFailed alarms.
    expect(run.status).toBe("FAILED");
    expect(run.error).not.toContain("nothing was left attached");
    expect(run.error).toContain("cannot act in account staging (444455556666)");
    expect(x.notices.filter((n) => n.type === "failed")).toHaveLength(1);
    expect(x.organization.account(HUB).leftoverGrants()).toEqual([]);
    const undone = (await auditTrail(x.deps, request.id)).find((e) => e.action === "grant-undone");
    expect(undone?.detail?.notUndone).toContain("staging (444455556666)");
  });

  it("a forged record naming an account its profile does not span is never granted there", async () => {
    const x = await harness();
    const request = await requestStaging(x);
    const stored = (await x.deps.store.get(request.id)) as AccessRequest;
    const teamAlice = {
      kind: "role" as const,
      arn: `arn:aws:iam::${TEAM_A}:role/jit-alice`,
      name: "jit-alice",
    };
    await x.deps.store.update(stored, {
      grants: [...(stored.grants ?? []), { accountId: TEAM_A, principal: teamAlice }],
    });
    await approve(x.deps, { requestId: request.id, approver: dave });
    await x.workflow.settled(request.id);
    const failed = await x.deps.store.get(request.id);
    expect(failed?.status).toBe("FAILED");
    expect(failed?.failure).toContain("team-a (777788889999)");
    expect(x.organization.leftoverGrants()).toEqual([]);
  });
});

describe("a forged record in the table", () => {
  it("keeps no session alive when the real grant is revoked", async () => {
    let opened = "";
    const x = await harness({
      wrap: beforeState(S.warnExpiry, async () => {
        const y = h as Harness;
        const real = (await y.deps.store.listByStatus("ACTIVE")).find((r) => r.approvals.length > 0);
        // The Slack function can write the table: a record for alice on the same profile, ACTIVE
        // for a day, that no approver ever approved.
        const now = y.clock.now();
        await y.deps.store.create({
          ...(real as AccessRequest),
          id: "20261126-f0rgedxx",
          status: "ACTIVE",
          approvals: [],
          grantedAt: now.toISOString(),
          expiresAt: new Date(now.getTime() + 86_400_000).toISOString(),
          history: [],
          version: 1,
        });
        opened = y.organization.account(STAGING).openSession(STAGING_OWNER, STG_WEST).sessionId;
        await revokeNow(y.deps, { requestId: real?.id ?? "", actor: "U01ALICE" });
      }),
    });
    const request = await requestStaging(x);
    await approve(x.deps, { requestId: request.id, approver: dave });
    await x.workflow.settled(request.id);
    for (const name of x.workflow.names().filter((e) => e.startsWith(`${request.id}-sync-`)))
      await x.workflow.settled(name);
    expect(await x.deps.store.get(request.id)).toMatchObject({ status: "REVOKED" });
    expect(x.organization.account(STAGING).sessions.get(opened)?.status).toBe("Terminated");
  });
});
