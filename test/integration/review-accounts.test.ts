/**
 * Security review of issue 12 (multi-account): attacks on the sweeper and the grant path across the
 * sandbox organization (hub prod, staging, team-a), with real dynalite and the real use cases.
 */
import { afterEach, describe, expect, it } from "vitest";
import type { SandboxNode } from "../../adapters/local/account.ts";
import { buildGrantPolicy } from "../../core/policy.ts";
import { type Principal, parsePrincipalArn, principalOfArn } from "../../core/principal.ts";
import { emptySlot, slotArns, slotStatements, withGrant } from "../../core/slots.ts";
import { auditTrail } from "../../core/usecases/common.ts";
import { applyRecord } from "../../core/usecases/enforce.ts";
import { grantAccess } from "../../core/usecases/grant.ts";
import { configIn, resolveGrantTargets } from "../../core/usecases/in-account.ts";
import { revokeAccess } from "../../core/usecases/revoke.ts";
import { handleSessionEvent, type SessionEvent } from "../../core/usecases/session-events.ts";
import { sweep } from "../../core/usecases/sweep.ts";
import { PEOPLE } from "../fixtures/nodes.ts";
import {
  HUB,
  multiAccountConfig,
  STAGING,
  STAGING_ALICE,
  STAGING_BOB,
  STAGING_SHARED,
  TEAM_A,
} from "../helpers/accounts.ts";
import { type Harness, startHarness } from "../helpers/harness.ts";
import { aRequest } from "../helpers/requests.ts";

let h: Harness | undefined;
afterEach(async () => {
  await h?.stop();
  h = undefined;
});

const HUB_ALICE = "arn:aws:iam::123456789012:role/oncall/jit-alice";
const principalOf = principalOfArn;
const leftoversIn = (x: Harness, accountId: string) =>
  x.organization.leftoverGrants().filter((l) => l.startsWith(`${accountId} `));

/** Alice's live grant of the sandbox profile, which spans team-a alone, written as the workflow would. */
async function liveTeamAGrant(x: Harness) {
  const config = x.deps.config;
  const profile = config.profiles.sandbox;
  if (!profile) throw new Error("no sandbox profile");
  const grants = resolveGrantTargets(config, profile, PEOPLE.alice);
  const request = aRequest({
    id: "20261126-teamaone",
    profileId: "sandbox",
    principal: grants[0]?.principal,
    grants,
    status: "ACTIVE",
    approvals: [{ approver: "U03DAVE", at: "2026-11-26T09:00:00.000Z" }],
    grantedAt: "2026-11-26T09:00:00.000Z",
    expiresAt: "2026-11-26T10:00:00.000Z",
  });
  await x.deps.store.create(request);
  await applyRecord(x.deps, request.id, "test");
  return request;
}

describe("the sweeper and a live record's policy where the record does not grant", () => {
  it("deletes a jit-<id> policy of a live team-a grant found in staging or the hub, or on another person", async () => {
    // Prepare: alice's live grant in team-a; the same policy name planted (a lost write of an edited
    // record, someone's copy) on her staging and hub roles and on bob's staging user, granting the
    // staging profile's nodes there. No record grants in those accounts or to bob.
    h = await startHarness({ config: multiAccountConfig() });
    const x = h;
    const request = await liveTeamAGrant(x);
    expect(leftoversIn(x, TEAM_A)).toHaveLength(1);
    for (const [accountId, arn] of [
      [STAGING, STAGING_ALICE],
      [STAGING, STAGING_BOB],
      [HUB, HUB_ALICE],
    ] as const) {
      const principal = principalOf(arn);
      const policy = buildGrantPolicy({
        profile: configIn(x.deps.config, accountId).profiles.staging ?? (undefined as never),
        principal,
        accountId,
        requestId: request.id,
        expiresAt: new Date("2026-11-26T10:00:00Z"),
      });
      await x.organization.account(accountId).putGrant(principal, policy.policyName, policy.document);
    }

    // Act
    const report = await sweep(x.deps);

    // Assess: only team-a, where the record grants, keeps it.
    expect(report.errors).toEqual([]);
    expect(leftoversIn(x, STAGING)).toEqual([]);
    expect(leftoversIn(x, HUB)).toEqual([]);
    expect(leftoversIn(x, TEAM_A)).toHaveLength(1);
    expect(report.deletedPolicies.map((d) => d.principal).sort()).toEqual(
      [HUB_ALICE, STAGING_ALICE, STAGING_BOB].sort(),
    );
    expect(report.reappliedGrants).toEqual([]);
  });
});

describe("the sweeper and a live record's statements in a slot where the record does not grant", () => {
  it("removes a live team-a grant's statements from staging's shared role and ends the session they allowed", async () => {
    // Prepare: alice's live team-a grant (her own role there); statements of that request id in a
    // staging slot for the session name bob@example.com, and bob's session in staging under them.
    const node: SandboxNode = { id: "i-0stgm000000000011", region: "us-east-1", tags: { Env: "staging" } };
    h = await startHarness({ config: multiAccountConfig(), memberNodes: { [STAGING]: [node] } });
    const x = h;
    const request = await liveTeamAGrant(x);
    const config = configIn(x.deps.config, STAGING);
    const shared = config.principals.sharedRole ?? (undefined as never);
    const bob: Principal = {
      kind: "shared-role",
      arn: shared.arn,
      name: parsePrincipalArn(shared.arn).name,
      sessionName: "bob@example.com",
    };
    const policy = buildGrantPolicy({
      profile: config.profiles.staging ?? (undefined as never),
      principal: bob,
      accountId: STAGING,
      requestId: request.id,
      expiresAt: new Date("2026-11-26T10:00:00Z"),
    });
    const [slot = ""] = slotArns(config);
    const staging = x.organization.account(STAGING);
    const document = (await staging.readSlot(slot)) ?? emptySlot();
    await staging.writeSlot(
      slot,
      withGrant(document, request.id, slotStatements(policy.document, request.id)),
    );
    staging.openSession(`arn:aws:sts::${STAGING}:assumed-role/${bob.name}/bob@example.com`, node.id);
    expect(staging.liveCount()).toBe(1);

    // Act
    const report = await sweep(x.deps);

    // Assess: the statements are gone from staging, bob's session with them; team-a keeps its grant.
    expect(report.errors).toEqual([]);
    expect(leftoversIn(x, STAGING)).toEqual([]);
    expect(leftoversIn(x, TEAM_A)).toHaveLength(1);
    expect(staging.liveCount()).toBe(0);
  });
});

describe("a session id named first in another account", () => {
  /**
   * TerminateSession (and ResumeSession) take any id their caller writes, and session records are
   * keyed by id alone. Someone with standing access in prod and a foothold in team-a learns their
   * prod session's id from StartSession's answer and at once terminates "it" in team-a; if team-a's
   * event is handled first, its record claims the id for team-a. Before the fix, prod's StartSession
   * was then dropped as "a session of another account": standing access in prod, never alerted.
   */
  it("a StartSession whose id a team-a TerminateSession named first is still alerted in prod", async () => {
    h = await startHarness({ config: multiAccountConfig() });
    const x = h;
    const sessionId = "mallory-0a1b2c3d4e5f60001";
    const base = { time: "2026-11-26T09:30:00Z", region: "eu-west-1", sessionId };
    const preempt: SessionEvent = {
      ...base,
      eventId: "t-team-a",
      name: "TerminateSession",
      accountId: TEAM_A,
      actorArn: `arn:aws:sts::${TEAM_A}:assumed-role/admin/mallory`,
      principalArn: `arn:aws:iam::${TEAM_A}:role/admin`,
      sessionName: "mallory",
    };
    const start: SessionEvent = {
      ...base,
      eventId: "s-prod",
      name: "StartSession",
      accountId: HUB,
      actorArn: `arn:aws:sts::${HUB}:assumed-role/admin/mallory`,
      principalArn: `arn:aws:iam::${HUB}:role/admin`,
      sessionName: "mallory",
      target: "i-0aaa1111bbbb22223",
    };
    await handleSessionEvent(x.deps, preempt);

    const outcome = await handleSessionEvent(x.deps, start);

    expect(outcome).toBe("no-grant");
    const alerts = await x.deps.sessionLog.listAlerts();
    expect(alerts.map((a) => [a.kind, a.actor])).toContainEqual(["no-grant", start.actorArn]);
    expect(alerts.find((a) => a.actor === start.actorArn)?.detail).toContain("team-a");
  });
});

/**
 * Forged records (the Slack function can write the table): each names something the config does not
 * give alice. These held before the review (targetProblems refuses them before any write, in the
 * grant path and in the sweeper's reapply); kept as the guarantee.
 */
describe("a forged two-account record is never written anywhere", () => {
  const role = (arn: string): Principal => principalOf(arn);
  const hubAlice = { accountId: HUB, principal: role(HUB_ALICE) };
  const forgeries: [string, { accountId: string; principal: Principal }[]][] = [
    [
      "bob's staging user as alice's principal there",
      [hubAlice, { accountId: STAGING, principal: role(STAGING_BOB) }],
    ],
    [
      "a hub ARN recorded as the staging grant",
      [hubAlice, { accountId: STAGING, principal: role(HUB_ALICE) }],
    ],
    [
      "staging listed twice",
      [
        hubAlice,
        { accountId: STAGING, principal: role(STAGING_ALICE) },
        { accountId: STAGING, principal: role(STAGING_ALICE) },
      ],
    ],
    [
      "team-a added to the profile's accounts",
      [
        hubAlice,
        { accountId: STAGING, principal: role(STAGING_ALICE) },
        { accountId: TEAM_A, principal: role(`arn:aws:iam::${TEAM_A}:role/jit-alice`) },
      ],
    ],
    [
      "staging's shared role with a session name of *",
      [
        hubAlice,
        {
          accountId: STAGING,
          principal: {
            kind: "shared-role",
            arn: STAGING_SHARED,
            name: parsePrincipalArn(STAGING_SHARED).name,
            sessionName: "*",
          },
        },
      ],
    ],
    ["an empty grants list with a staging principal", []],
  ];

  it.each(forgeries)(
    "%s: refused by the grant step and revoked by the sweeper, nothing written",
    async (_, grants) => {
      h = await startHarness({ config: multiAccountConfig() });
      const x = h;
      const request = aRequest({
        id: "20261126-forged00",
        profileId: "staging",
        principal: grants[0]?.principal ?? role(STAGING_ALICE),
        grants,
        status: "ACTIVE",
        approvals: [{ approver: "U03DAVE", at: "2026-11-26T09:00:00.000Z" }],
        grantedAt: "2026-11-26T09:00:00.000Z",
        expiresAt: "2026-11-26T10:00:00.000Z",
      });
      await x.deps.store.create(request);

      await expect(applyRecord(x.deps, request.id, "test")).rejects.toThrow(
        /not authorized|is not|spans|names no/i,
      );
      const report = await sweep(x.deps);

      expect(x.organization.leftoverGrants()).toEqual([]);
      expect(report.reappliedGrants).toEqual([]);
      expect((await x.deps.store.get(request.id))?.status).toBe("REVOKED");
    },
  );
});

/**
 * Revoke against grant across two accounts, staging slow: the revoke settles the record and removes
 * in both accounts while staging's write is still on its way; that write lands after. Held before the
 * review (applyRecord reads the record again after writing and takes a late write back); the guarantee.
 */
describe("a revoke while the grant's write in the slow account is still under way", () => {
  it("leaves no policy in either account once the record is REVOKED", async () => {
    h = await startHarness({ config: multiAccountConfig() });
    const x = h;
    const profile = x.deps.config.profiles.staging ?? (undefined as never);
    const grants = resolveGrantTargets(x.deps.config, profile, PEOPLE.alice);
    const request = aRequest({
      id: "20261126-racetwo0",
      profileId: "staging",
      principal: grants[0]?.principal,
      grants,
      status: "APPROVED",
      approvals: [{ approver: "U03DAVE", at: "2026-11-26T09:00:00.000Z" }],
    });
    await x.deps.store.create(request);
    const staging = x.organization.account(STAGING);
    let revoked = false;
    staging.hooks.before = async (operation) => {
      if (operation !== "PutPolicy" || revoked) return;
      revoked = true;
      // The hub's write has landed; staging's waits while the revoke runs to its end.
      await revokeAccess(x.deps, { requestId: request.id, actor: "U03DAVE", reason: "race" });
      expect(x.organization.leftoverGrants()).toEqual([]);
    };

    const state = await grantAccess(x.deps, { requestId: request.id });

    expect(revoked).toBe(true);
    expect(state.active).toBe(false);
    // Staging's write did land after the revoke, and was taken back.
    const trail = await auditTrail(x.deps, request.id);
    expect(trail.map((e) => e.action)).toContain("late-write-undone");
    expect((await x.deps.store.get(request.id))?.status).toBe("REVOKED");
    expect(x.organization.leftoverGrants()).toEqual([]);
  });
});
