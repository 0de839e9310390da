/**
 * Findings of an attacker's review of the hardening (2026-11-29), each reproduced first on the code
 * before its fix:
 * - a forged ACTIVE record (no approvals, expiry 2099) written to the table and synced became an
 *   inline policy valid until 2099, and the sweeper kept it ("outcome granted", sweep deleted []);
 * - an extension that landed after "Check expiry" judged the grant due was revoked as "expired"
 *   with an hour still on the record (status REVOKED);
 * - a workflow revoke whose first attempt settled the record and then failed was never announced on
 *   its retry (0 revoked notices);
 * - a grant past its expiry could still be extended.
 */
import { afterEach, describe, expect, it, vi } from "vitest";
import { parseConfig } from "../../core/config/load.ts";
import { resolvePrincipal } from "../../core/principal.ts";
import type { AccessRequest } from "../../core/request.ts";
import { approve } from "../../core/usecases/approval.ts";
import { applyRecord } from "../../core/usecases/enforce.ts";
import { extendGrant } from "../../core/usecases/expiry.ts";
import { createRequest } from "../../core/usecases/request.ts";
import { revokeAccess } from "../../core/usecases/revoke.ts";
import { sweep } from "../../core/usecases/sweep.ts";
import { startSession } from "../../local/start-session.ts";
import { S } from "../../workflows/access-workflow.ts";
import { NODE, PEOPLE } from "../fixtures/nodes.ts";
import { exampleConfigText } from "../helpers/config.ts";
import { type Harness, startHarness } from "../helpers/harness.ts";
import { aRequest } from "../helpers/requests.ts";

let h: Harness | undefined;
afterEach(async () => {
  await h?.stop();
  h = undefined;
});

/** An ACTIVE staging grant of alice's, approved by dave, written as the workflow would. */
async function liveGrant(x: Harness, overrides: Partial<AccessRequest> = {}): Promise<AccessRequest> {
  const now = x.clock.now();
  const r = aRequest({
    id: "20261126-livegrnt",
    requester: PEOPLE.alice,
    profileId: "staging",
    principal: resolvePrincipal(x.deps.config, PEOPLE.alice),
    status: "ACTIVE",
    approvals: [{ approver: "U03DAVE", at: now.toISOString() }],
    grantedAt: now.toISOString(),
    expiresAt: new Date(now.getTime() + 3_600_000).toISOString(),
    ...overrides,
  });
  await x.deps.store.create(r);
  return r;
}

describe("a record that does not hold up against the config", () => {
  it.each([
    ["no approvals", { approvals: [] }, "0 valid approval(s); staging needs 1"],
    [
      "an expiry past the maximum",
      { expiresAt: "2099-01-01T00:00:00.000Z" },
      "past the staging maximum of 8h",
    ],
    [
      "an approval by someone who is no approver",
      { approvals: [{ approver: "U0MALLORY", at: "x" }] },
      "0 valid",
    ],
    [
      "another person's principal",
      { principal: { kind: "user" as const, arn: "arn:aws:iam::123456789012:user/bob", name: "bob" } },
      "is not the requester's",
    ],
  ])(
    "is never written to IAM (%s), and the sweeper revokes it with an alarm",
    async (_name, overrides, why) => {
      // Prepare: what the Slack function's PutItem could write, then a sync of it.
      const x = await startHarness();
      h = x;
      vi.spyOn(console, "error").mockImplementation(() => {});
      const forged = await liveGrant(x, overrides);

      // Act
      const applied = applyRecord(x.deps, forged.id, "workflow");

      // Assess
      await expect(applied).rejects.toThrow(why);
      expect(x.account.leftoverGrants()).toEqual([]);
      const report = await sweep(x.deps);
      expect(report.revokedOverdue).toEqual([forged.id]);
      expect((await x.deps.store.get(forged.id))?.status).toBe("REVOKED");
      const alarm = x.notices.find((n) => n.type === "alarm");
      expect(String(alarm?.detail?.problem)).toContain(why);
    },
  );

  it("a genuine record is written", async () => {
    const x = await startHarness();
    h = x;
    const r = await liveGrant(x);
    expect((await applyRecord(x.deps, r.id, "workflow")).outcome).toBe("granted");
    expect(x.account.leftoverGrants()).toHaveLength(1);
  });
});

describe("an extension that lands after the expiry was judged due", () => {
  it("wins: the workflow's revoke leaves the extended grant alone", async () => {
    // Prepare: the grant is due now; then an extension moves its expiry an hour on.
    const x = await startHarness();
    h = x;
    const r = await liveGrant(x);
    await applyRecord(x.deps, r.id, "workflow");
    x.clock.set(r.expiresAt ?? "");
    x.clock.advance(-60);
    await extendGrant(x.deps, { requestId: r.id, actor: PEOPLE.alice.slackUserId, by: "1h" });
    x.clock.advance(60);

    // Act: the workflow's "Revoke access", which read the old expiry.
    const result = await revokeAccess(x.deps, { requestId: r.id, actor: "workflow" });

    // Assess
    expect(result.extended).toBe(true);
    expect((await x.deps.store.get(r.id))?.status).toBe("ACTIVE");
  });

  it("a grant already past its expiry cannot be extended", async () => {
    const x = await startHarness();
    h = x;
    const r = await liveGrant(x);
    x.clock.set(r.expiresAt ?? "");
    await expect(
      extendGrant(x.deps, { requestId: r.id, actor: PEOPLE.alice.slackUserId, by: "1h" }),
    ).rejects.toThrow("only active grants can be extended");
  });
});

describe("a workflow revoke retried after its first attempt settled the record", () => {
  it("still announces: the settle was its own", async () => {
    const x = await startHarness();
    h = x;
    const r = await liveGrant(x);
    await applyRecord(x.deps, r.id, "workflow");
    x.clock.set(r.expiresAt ?? "");
    // The first attempt settles, then IAM fails.
    x.account.faults = (op) => {
      if (op === "DeletePolicy")
        throw Object.assign(new Error("Service unavailable"), { name: "TransientAwsError" });
    };
    await expect(revokeAccess(x.deps, { requestId: r.id, actor: "workflow" })).rejects.toThrow();
    x.account.faults = () => {};

    // Act: the Retry.
    const retry = await revokeAccess(x.deps, { requestId: r.id, actor: "workflow" });

    // Assess
    expect(retry.alreadyRevoked).toBe(false);
    expect(x.account.leftoverGrants()).toEqual([]);
  });
});

/** The example config with a port-forwarding profile on the staging nodes. */
const withStagingPortForwarding = () =>
  parseConfig(
    exampleConfigText().replace(
      "  sandbox:\n",
      [
        "  staging-pf:",
        "    description: Port forwarding on staging",
        "    nodes:",
        "      tags:",
        "        Env: staging",
        "    documents: [port-forwarding]",
        "    defaultDuration: 2h",
        "    maxDuration: 8h",
        "    approvers: [U03DAVE]",
        "    approvalsRequired: 1",
        "    reasonRequired: false",
        "    regions: [eu-west-1]",
        "",
        "  sandbox:",
        "",
      ].join("\n"),
    ),
  );

describe("two live grants of one person with different documents", () => {
  // Review 2026-11-29: IAM allows StartSession when some statement allows the node and some the
  // document, so prod-web (shell on web) + prod-db (port forwarding on db) gave a shell on the db
  // hosts; a shell session of grant A also outlived A's revoke because B covered its node.
  it("are never both granted: the second is refused before anything reaches IAM", async () => {
    const x = await startHarness({ config: withStagingPortForwarding() });
    h = x;
    const shell = await liveGrant(x);
    await applyRecord(x.deps, shell.id, "workflow");
    const pf = await liveGrant(x, { id: "20261126-pfgrantt", profileId: "staging-pf" });

    await expect(applyRecord(x.deps, pf.id, "workflow")).rejects.toThrow(
      `the requester holds ${shell.id} (staging: AWS-StartSSHSession, SSM-SessionManagerRunShell); with staging-pf's AWS-StartPortForwardingSession IAM would allow each document on the other's nodes`,
    );
    expect(x.account.leftoverGrants()).toEqual([`${shell.principal.arn} jit-${shell.id}`]);
  });

  it("a session outlives its grant only if another live grant allows its document too", async () => {
    // Two grants that do hold together (same documents), the second on other nodes: a shell on the
    // first grant's node ends with the first grant.
    const x = await startHarness();
    h = x;
    const staging = await liveGrant(x);
    await applyRecord(x.deps, staging.id, "workflow");
    const session = await startSession(x.deps, x.account, { person: PEOPLE.alice, target: NODE.stg1 });
    expect(session.allowed).toBe(true);
    // A document the other grant does not allow: recorded on the session as SSH.
    const live = x.account.sessions.get(session.sessionId ?? "");
    if (live) live.document = "AWS-StartPortForwardingSession";
    const other = await liveGrant(x, { id: "20261126-othergrt" });
    await applyRecord(x.deps, other.id, "workflow");

    await revokeAccess(x.deps, { requestId: staging.id, actor: PEOPLE.alice.slackUserId, reason: "done" });

    expect(x.account.sessions.get(session.sessionId ?? "")?.status).toBe("Terminated");
  });
});

describe("a live grant's policy changed by someone else", () => {
  // Review 2026-11-29: an `Allow * on *` statement added to a live jit-<id> policy survived sweeps
  // (the sweeper compared only the embedded expiry).
  it("is written again from the record by the sweeper, with an alarm", async () => {
    const x = await startHarness();
    h = x;
    const r = await liveGrant(x);
    await applyRecord(x.deps, r.id, "workflow");
    const role = r.principal.arn;
    const name = `jit-${r.id}`;
    const doc = JSON.parse(x.account.policies.get(role)?.get(name) ?? "{}");
    doc.Statement.push({ Sid: "Extra", Effect: "Allow", Action: "*", Resource: "*" });
    x.account.policies.get(role)?.set(name, JSON.stringify(doc));

    // Act
    const report = await sweep(x.deps);

    // Assess
    expect(report.reappliedGrants).toEqual([r.id]);
    expect(x.account.policies.get(role)?.get(name)).not.toContain('"Sid":"Extra"');
    expect(String(x.notices.find((n) => n.type === "alarm")?.detail?.problem)).toContain("differed");
  });
});

describe("an extended grant whose policy still carries the old expiry", () => {
  // Review 2026-11-29: the sweeper removed it ("its embedded expiry has passed") and ended the
  // person's sessions before writing it back.
  it("is rewritten by the sweeper, never removed, and its session stays", async () => {
    const x = await startHarness();
    h = x;
    const r = await liveGrant(x);
    await applyRecord(x.deps, r.id, "workflow");
    const session = await startSession(x.deps, x.account, { person: PEOPLE.alice, target: NODE.stg1 });
    // The record was extended; the rewrite has not landed yet; the old expiry passes.
    const later = new Date(new Date(r.expiresAt ?? "").getTime() + 3_600_000).toISOString();
    await x.deps.store.update((await x.deps.store.get(r.id)) as AccessRequest, { expiresAt: later });
    x.clock.set(new Date(new Date(r.expiresAt ?? "").getTime() + 60_000));

    const report = await sweep(x.deps);

    expect(report.deletedPolicies).toEqual([]);
    expect(report.reappliedGrants).toEqual([r.id]);
    expect(x.account.sessions.get(session.sessionId ?? "")?.status).toBe("Connected");
  });
});

describe("a request whose documents would combine with a live grant", () => {
  // New-user trial 2026-11-29: it was accepted and sent to the approvers, and failed only after
  // their approval.
  it("is refused when it is made, before any approver is asked", async () => {
    const x = await startHarness({ config: withStagingPortForwarding() });
    h = x;
    const shell = await liveGrant(x);
    await applyRecord(x.deps, shell.id, "workflow");

    await expect(
      createRequest(x.deps, { requester: PEOPLE.alice, profileId: "staging-pf", reason: "tunnel" }),
    ).rejects.toThrow(`the requester holds ${shell.id} (staging:`);
    expect(x.notices.filter((n) => n.type === "approval-needed")).toEqual([]);
  });
});

describe("the workflow's 'Extended meanwhile?' branch", () => {
  // An extension recorded between "Check expiry" and "Revoke access" (a clock a little behind, say):
  // the revoke leaves the grant, and the workflow goes back to wait for the new expiry.
  it("loops back to the wait and revokes at the new expiry", async () => {
    let moved = false;
    const x = await startHarness({
      wrap: (name, task) =>
        name === S.revokeAccess
          ? async (input) => {
              if (!moved && h) {
                moved = true;
                const r = (await h.deps.store.get(String(input.requestId))) as AccessRequest;
                const later = new Date(new Date(r.expiresAt ?? "").getTime() + 1_800_000).toISOString();
                await h.deps.store.update(r, { expiresAt: later });
              }
              return task(input);
            }
          : task,
    });
    h = x;
    const request = await createRequest(x.deps, {
      requester: PEOPLE.alice,
      profileId: "staging",
      duration: "1h",
    });
    await x.waitFor(request.id, (r) => r.taskToken !== undefined);
    await approve(x.deps, { requestId: request.id, approver: { slackUserId: "U03DAVE" } });

    const run = await x.workflow.settled(request.id);

    expect(run.status).toBe("SUCCEEDED");
    const done = await x.deps.store.get(request.id);
    expect(done?.status).toBe("REVOKED");
    expect(done?.endedAt).toBe(done?.expiresAt);
    expect(new Date(done?.expiresAt ?? "").getTime() - new Date(done?.grantedAt ?? "").getTime()).toBe(
      5_400_000,
    );
    expect(x.account.leftoverGrants()).toEqual([]);
  });
});
