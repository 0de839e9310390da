/**
 * The sweeper across an organization (issue 12), on the sandbox organization (three accounts, each
 * refusing another's ARNs, members reached through a simulated AssumeRole), real dynalite and the
 * real workflow. Before the sweep reached member accounts it listed the hub's principals and slots
 * only: a leftover `jit-*` policy or slot statement in staging or team-a stayed, a session there that
 * no grant explained kept running, and a session that ended there by `exit` was never announced.
 */
import { afterEach, describe, expect, it } from "vitest";
import type { SandboxNode } from "../../adapters/local/account.ts";
import { MemoryMetrics } from "../../adapters/observability/memory.ts";
import { buildGrantPolicy } from "../../core/policy.ts";
import { type Principal, parsePrincipalArn, principalOfArn } from "../../core/principal.ts";
import { emptySlot, slotArns, slotStatements, withGrant } from "../../core/slots.ts";
import { applyRecord } from "../../core/usecases/enforce.ts";
import { configIn, resolveGrantTargets } from "../../core/usecases/in-account.ts";
import { sweep } from "../../core/usecases/sweep.ts";
import { ALARMS } from "../../stacks/alarms.ts";
import { PEOPLE } from "../fixtures/nodes.ts";
import {
  HUB,
  multiAccountConfig,
  STAGING,
  STAGING_ALICE,
  STAGING_BOB,
  STAGING_SHARED,
  TEAM_A,
  TEAM_A_ALICE,
} from "../helpers/accounts.ts";
import { type Harness, startHarness } from "../helpers/harness.ts";
import { aRequest } from "../helpers/requests.ts";

let h: Harness | undefined;
afterEach(async () => {
  await h?.stop();
  h = undefined;
});

const STAGING_NODE = "i-0stgm000000000011";
const TEAM_A_NODE = "mi-0teama00000000012";
const memberNodes: Record<string, SandboxNode[]> = {
  [STAGING]: [{ id: STAGING_NODE, region: "us-east-1", tags: { Env: "staging", App: "web" } }],
  [TEAM_A]: [{ id: TEAM_A_NODE, region: "eu-west-1", tags: { Env: "sandbox", Owner: "team-a" } }],
};
const HUB_ALICE = "arn:aws:iam::123456789012:role/oncall/jit-alice";
const EXPIRY = new Date("2026-11-26T18:00:00Z");

async function organization(metrics?: MemoryMetrics): Promise<Harness> {
  h = await startHarness({ config: multiAccountConfig(), memberNodes, metrics });
  return h;
}

const principalOf = principalOfArn;

/** A `jit-*` inline policy nobody has a record of, put straight into the account (not through the hub). */
async function plantPolicy(x: Harness, accountId: string, arn: string, requestId: string): Promise<void> {
  const config = configIn(x.deps.config, accountId);
  const principal = principalOf(arn);
  const policy = buildGrantPolicy({
    profile: config.profiles.staging ?? fail("no staging profile"),
    principal,
    accountId,
    requestId,
    expiresAt: EXPIRY,
  });
  await x.organization.account(accountId).putGrant(principal, policy.policyName, policy.document);
}

/** Statements of a grant nobody has a record of, for `sessionName` on the account's shared role. */
async function plantSlot(
  x: Harness,
  accountId: string,
  sessionName: string,
  requestId: string,
): Promise<string> {
  const config = configIn(x.deps.config, accountId);
  const shared = config.principals.sharedRole ?? fail(`no shared role in ${accountId}`);
  const principal: Principal = {
    kind: "shared-role",
    arn: shared.arn,
    name: parsePrincipalArn(shared.arn).name,
    sessionName,
  };
  const policy = buildGrantPolicy({
    profile: config.profiles.staging ?? fail("no staging profile"),
    principal,
    accountId,
    requestId,
    expiresAt: EXPIRY,
  });
  const [slot = ""] = slotArns(config);
  const account = x.organization.account(accountId);
  const document = (await account.readSlot(slot)) ?? emptySlot();
  await account.writeSlot(slot, withGrant(document, requestId, slotStatements(policy.document, requestId)));
  return slot;
}

const leftoversIn = (x: Harness, accountId: string) =>
  x.organization.leftoverGrants().filter((l) => l.startsWith(`${accountId} `));

function fail(message: string): never {
  throw new Error(message);
}

describe("the sweep in every account of the organization", () => {
  it("removes leftovers in staging and team-a as in the hub, ends the sessions they explained, and announces ended sessions there", async () => {
    // Prepare: a policy with no record on a principal in each account, a stale statement in a slot
    // of staging's and team-a's shared roles, sessions of those people, and one that ended by exit.
    const x = await organization();
    await plantPolicy(x, HUB, HUB_ALICE, "20261126-hubghost");
    await plantPolicy(x, STAGING, STAGING_ALICE, "20261126-stgghost");
    await plantPolicy(x, TEAM_A, TEAM_A_ALICE, "20261126-teamghst");
    const stagingSlot = await plantSlot(x, STAGING, "erin@example.com", "20261126-stgslotg");
    const teamSlot = await plantSlot(x, TEAM_A, "erin@example.com", "20261126-teaslotg");
    for (const id of [HUB, STAGING, TEAM_A]) expect(leftoversIn(x, id).length).toBeGreaterThan(0);
    const staging = x.organization.account(STAGING);
    const teamA = x.organization.account(TEAM_A);
    const alicesInTeamA = teamA.openSession(
      `arn:aws:sts::${TEAM_A}:assumed-role/jit-alice/alice`,
      TEAM_A_NODE,
    );
    const erinsInStaging = staging.openSession(
      `arn:aws:sts::${STAGING}:assumed-role/${parsePrincipalArn(STAGING_SHARED).name}/erin@example.com`,
      STAGING_NODE,
    );
    const bobsInStaging = staging.openSession(STAGING_BOB, STAGING_NODE);
    staging.exitSession(bobsInStaging.sessionId);

    // Act
    const report = await sweep(x.deps);

    // Assess
    expect(report.errors).toEqual([]);
    expect(report.unreachableAccounts).toEqual([]);
    expect(x.organization.leftoverGrants()).toEqual([]);
    expect(report.deletedPolicies.map((d) => `${d.principal} ${d.policyName} ${d.why}`).sort()).toEqual(
      [
        `${HUB_ALICE} jit-20261126-hubghost no request record`,
        `${STAGING_ALICE} jit-20261126-stgghost no request record`,
        `${TEAM_A_ALICE} jit-20261126-teamghst no request record`,
        `${stagingSlot} 20261126-stgslotg no request record`,
        `${teamSlot} 20261126-teaslotg no request record`,
      ].sort(),
    );
    expect(report.lateSessions.sort()).toEqual([alicesInTeamA.sessionId, erinsInStaging.sessionId].sort());
    expect(teamA.liveCount() + staging.liveCount()).toBe(0);
    expect(report.endedSessions).toContain(bobsInStaging.sessionId);
    expect((await x.deps.sessionLog.getSession(bobsInStaging.sessionId))?.endAnnounced).toBe(true);
  });

  it("writes a live two-account grant back in the account that lost its policy", async () => {
    // Prepare: alice's grant on the staging profile (prod and staging), its policy gone from staging.
    const x = await organization();
    const config = x.deps.config;
    const profile = config.profiles.staging ?? fail("no staging profile");
    const grants = resolveGrantTargets(config, profile, PEOPLE.alice);
    const request = aRequest({
      id: "20261126-twoaccts",
      profileId: "staging",
      principal: grants[0]?.principal,
      grants,
      status: "ACTIVE",
      approvals: [{ approver: "U03DAVE", at: "2026-11-26T09:00:00.000Z" }],
      grantedAt: "2026-11-26T09:00:00.000Z",
      expiresAt: "2026-11-26T10:00:00.000Z",
    });
    await x.deps.store.create(request);
    await applyRecord(x.deps, request.id, "test");
    const staging = x.organization.account(STAGING);
    await staging.deleteGrant(principalOf(STAGING_ALICE), `jit-${request.id}`);
    expect(leftoversIn(x, STAGING)).toEqual([]);
    expect(leftoversIn(x, HUB)).toHaveLength(1);

    // Act
    const report = await sweep(x.deps);

    // Assess
    expect(report.errors).toEqual([]);
    expect(report.reappliedGrants).toEqual([request.id]);
    expect(report.deletedPolicies).toEqual([]);
    expect(leftoversIn(x, STAGING)).toEqual([`${STAGING} ${STAGING_ALICE} jit-${request.id}`]);
    expect(leftoversIn(x, HUB)).toEqual([`${HUB} ${HUB_ALICE} jit-${request.id}`]);
  });

  it("takes a settled two-account grant out of the slots of both accounts and ends its session in staging", async () => {
    // Prepare: dan (Identity Center in prod and staging) was granted in both; the record is REVOKED
    // but the statements stayed in both accounts' slots, and his staging session still runs.
    const x = await organization();
    const config = x.deps.config;
    const profile = config.profiles.staging ?? fail("no staging profile");
    const grants = resolveGrantTargets(config, profile, PEOPLE.dan);
    expect(grants.map((g) => [g.accountId, g.principal.kind])).toEqual([
      [HUB, "shared-role"],
      [STAGING, "shared-role"],
    ]);
    const request = aRequest({
      id: "20261126-dansgrnt",
      requester: PEOPLE.dan,
      profileId: "staging",
      principal: grants[0]?.principal,
      grants,
      status: "ACTIVE",
      approvals: [{ approver: "U03DAVE", at: "2026-11-26T09:00:00.000Z" }],
      grantedAt: "2026-11-26T09:00:00.000Z",
      expiresAt: "2026-11-26T10:00:00.000Z",
    });
    await x.deps.store.create(request);
    await applyRecord(x.deps, request.id, "test");
    const stored = (await x.deps.store.get(request.id)) ?? fail("no record");
    await x.deps.store.update(stored, { status: "REVOKED" });
    const staging = x.organization.account(STAGING);
    const dans = staging.openSession(
      `arn:aws:sts::${STAGING}:assumed-role/${parsePrincipalArn(STAGING_SHARED).name}/dan@example.com`,
      STAGING_NODE,
    );
    expect(leftoversIn(x, HUB).length).toBeGreaterThan(0);
    expect(leftoversIn(x, STAGING).length).toBeGreaterThan(0);

    // Act
    const report = await sweep(x.deps);

    // Assess
    expect(report.errors).toEqual([]);
    expect(x.organization.leftoverGrants()).toEqual([]);
    const slotOf = (id: string) => slotArns(configIn(config, id));
    const removed = report.deletedPolicies.map((d) => [d.principal, d.policyName, d.why]);
    expect(removed).toHaveLength(2);
    for (const [slot, name, why] of removed) {
      expect([...slotOf(HUB), ...slotOf(STAGING)]).toContain(slot);
      expect([name, why]).toEqual([request.id, "request is REVOKED"]);
    }
    expect(removed.map(([slot]) => slot?.split(":")[4]).sort()).toEqual([HUB, STAGING].sort());
    expect(report.lateSessions).toEqual([dans.sessionId]);
    expect(staging.liveCount()).toBe(0);
  });
});

describe("an account the hub cannot reach", () => {
  it("is reported and alarmed while the hub and staging are swept; the next sweep after it admits the hub cleans it", async () => {
    // Prepare: leftovers in all three accounts; team-a's broker refuses the hub.
    const metrics = new MemoryMetrics();
    const x = await organization(metrics);
    await plantPolicy(x, HUB, HUB_ALICE, "20261126-hubghost");
    await plantPolicy(x, STAGING, STAGING_ALICE, "20261126-stgghost");
    await plantPolicy(x, TEAM_A, TEAM_A_ALICE, "20261126-teamghst");
    await plantSlot(x, TEAM_A, "erin@example.com", "20261126-teaslotg");
    const inTeamA = leftoversIn(x, TEAM_A);
    x.organization.refuse(TEAM_A);

    // Act
    const refused = await sweep(x.deps);

    // Assess: team-a reported once, the alarm's metric raised, the other accounts clean.
    expect(refused.unreachableAccounts).toEqual([
      { accountId: TEAM_A, reason: "denied", error: expect.stringContaining(TEAM_A) },
    ]);
    expect(refused.errors).toEqual([]);
    expect(x.organization.leftoverGrants()).toEqual(inTeamA);
    expect(refused.deletedPolicies.map((d) => d.principal).sort()).toEqual([HUB_ALICE, STAGING_ALICE].sort());
    const alarm = ALARMS.find((a) => a.id === "AccountUnreachable") ?? fail("no AccountUnreachable alarm");
    expect(alarm.metrics).toEqual([{ source: "custom", metric: "AccountsUnreachable" }]);
    expect(alarm).toMatchObject({ comparison: "GreaterThanOrEqualToThreshold", threshold: 1 });
    expect(metrics.sum("AccountsUnreachable")).toBeGreaterThanOrEqual(alarm.threshold);
    expect(metrics.sum("AccountsUnreachable", { reason: "denied" })).toBe(1);

    // Act: team-a admits the hub again; the next run simply tries it again.
    x.organization.admit(TEAM_A);
    metrics.recorded.length = 0;
    const next = await sweep(x.deps);

    // Assess
    expect(next.unreachableAccounts).toEqual([]);
    expect(next.errors).toEqual([]);
    expect(x.organization.leftoverGrants()).toEqual([]);
    expect(next.deletedPolicies.map((d) => d.principal).sort()).toEqual(
      [TEAM_A_ALICE, slotArns(configIn(x.deps.config, TEAM_A))[0]].sort(),
    );
    expect(metrics.sum("AccountsUnreachable")).toBe(0);
    expect(metrics.sum("SweepCompleted")).toBe(1);
  });

  it("is reported as throttled when STS throttles its AssumeRole, and the other accounts are swept", async () => {
    // Prepare
    const metrics = new MemoryMetrics();
    const x = await organization(metrics);
    await plantPolicy(x, STAGING, STAGING_ALICE, "20261126-stgghost");
    await plantPolicy(x, TEAM_A, TEAM_A_ALICE, "20261126-teamghst");
    x.organization.faults = (accountId) => {
      if (accountId === STAGING)
        throw Object.assign(new Error("Rate exceeded"), {
          name: "Throttling",
          $metadata: { httpStatusCode: 400 },
        });
    };

    // Act
    const report = await sweep(x.deps);

    // Assess
    expect(report.unreachableAccounts.map((u) => [u.accountId, u.reason])).toEqual([[STAGING, "throttled"]]);
    expect(leftoversIn(x, TEAM_A)).toEqual([]);
    expect(leftoversIn(x, STAGING)).toHaveLength(1);
    expect(metrics.sum("AccountsUnreachable", { reason: "throttled" })).toBe(1);
  });
});
