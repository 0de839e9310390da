/**
 * The real workflow definition, run by aws-local-stepfunctions with the real task handlers, dynalite
 * for the store and the sandbox account for IAM and SSM: every branch of the lifecycle.
 */
import { afterEach, describe, expect, it, vi } from "vitest";
import { parse } from "yaml";
import { checkConfig } from "../../core/config/load.ts";
import { policyName } from "../../core/policy.ts";
import { approve, deny } from "../../core/usecases/approval.ts";
import { auditTrail } from "../../core/usecases/common.ts";
import { approveExtension, extendGrant } from "../../core/usecases/expiry.ts";
import { cancelRequest, createRequest } from "../../core/usecases/request.ts";
import { revokeNow } from "../../core/usecases/revoke.ts";
import { sweep } from "../../core/usecases/sweep.ts";
import { S } from "../../workflows/access-workflow.ts";
import { NODE, OWNER, PEOPLE } from "../fixtures/nodes.ts";
import { exampleConfigText } from "../helpers/config.ts";
import { beforeState, type Harness, type HarnessOptions, startHarness } from "../helpers/harness.ts";
import { captureLogs } from "../helpers/logs.ts";

let h: Harness | undefined;
afterEach(async () => {
  await h?.stop();
  h = undefined;
  vi.restoreAllMocks();
});

async function harness(options: HarnessOptions = {}): Promise<Harness> {
  h = await startHarness(options);
  return h;
}

const ALICE_ROLE = "arn:aws:iam::123456789012:role/oncall/jit-alice";
const dave = { slackUserId: "U03DAVE" };
const erin = { slackUserId: "U04ERIN" };
const frank = { slackUserId: "U05FRANK" };

/** The example config with prod-web's approval window shortened, so a timeout happens in the test. */
function withApprovalTimeout(timeout: string) {
  const data = parse(exampleConfigText());
  data.profiles["prod-web"].approvalTimeout = timeout;
  return checkConfig(data);
}

const types = (x: Harness) => x.notices.map((n) => n.type);

describe("approve → grant → expiry → revoke", () => {
  it("grants on approval and, at expiry, removes the policy and terminates the live session", async () => {
    // Prepare: alice opens a session on a web node while her grant is live.
    let sessionId = "";
    const x = await harness({
      wrap: beforeState(S.warnExpiry, () => {
        sessionId = h?.account.openSession(OWNER.alice, NODE.web1).sessionId ?? "";
      }),
    });
    const request = await createRequest(x.deps, {
      requester: PEOPLE.alice,
      profileId: "prod-web",
      duration: "1h",
      reason: "disk full on web-3",
      ticket: "INC-42",
    });
    await x.waitFor(request.id, (r) => r.taskToken !== undefined);
    expect(x.account.leftoverGrants()).toEqual([]);

    // Act
    const result = await approve(x.deps, { requestId: request.id, approver: dave });
    const run = await x.workflow.settled(request.id);

    // Assess
    expect(result.outcome).toBe("approved");
    expect(run).toEqual({ status: "SUCCEEDED" });
    const done = await x.deps.store.get(request.id);
    expect(done?.status).toBe("REVOKED");
    expect(done?.endedBy).toBe("workflow");
    expect(done?.expiresAt).toBe("2026-11-26T10:00:00.000Z");
    // The clock stopped at the late-session pass, IAM's propagation window after the expiry.
    expect(x.clock.now().toISOString()).toBe("2026-11-26T10:00:10.000Z");
    expect(x.account.leftoverGrants()).toEqual([]);
    expect(x.account.sessions.get(sessionId)?.status).toBe("Terminated");
    expect(types(x)).toEqual(["approval-needed", "approved", "granted", "expiring", "revoked"]);
    const revoked = x.notices.find((n) => n.type === "revoked");
    expect(revoked?.detail?.terminatedSessions).toEqual([sessionId]);
    const trail = (await auditTrail(x.deps, request.id)).map((e) => e.action);
    expect(trail).toEqual(["requested", "approval-requested", "approved", "approval", "active", "revoked"]);
  });

  it("attaches exactly the built policy while the grant is live", async () => {
    let attached: string[] = [];
    const x = await harness({
      wrap: beforeState(S.warnExpiry, () => {
        attached = [...(h?.account.policies.get(ALICE_ROLE)?.keys() ?? [])];
      }),
    });
    const request = await createRequest(x.deps, {
      requester: PEOPLE.alice,
      profileId: "prod-web",
      reason: "deploy",
      ticket: "CHG-1",
    });
    await x.waitFor(request.id, (r) => r.taskToken !== undefined);
    await approve(x.deps, { requestId: request.id, approver: erin });
    await x.workflow.settled(request.id);
    expect(attached).toEqual([policyName(request.id)]);
  });

  it("grants a profile that needs no approval at once", async () => {
    const x = await harness();
    const request = await createRequest(x.deps, {
      requester: PEOPLE.bob,
      profileId: "sandbox",
      duration: "30m",
    });
    expect((await x.workflow.settled(request.id)).status).toBe("SUCCEEDED");
    expect((await x.deps.store.get(request.id))?.status).toBe("REVOKED");
    expect(types(x)).toEqual(["granted", "expiring", "revoked"]);
  });
});

describe("decisions before the grant", () => {
  it("ends as DENIED with the reason, and attaches nothing", async () => {
    const x = await harness();
    const request = await createRequest(x.deps, {
      requester: PEOPLE.alice,
      profileId: "prod-web",
      reason: "curious",
      ticket: "INC-7",
    });
    await x.waitFor(request.id, (r) => r.taskToken !== undefined);
    await deny(x.deps, { requestId: request.id, approver: dave, reason: "use staging" });
    expect((await x.workflow.settled(request.id)).status).toBe("SUCCEEDED");
    const record = await x.deps.store.get(request.id);
    expect(record).toMatchObject({ status: "DENIED", denialReason: "use staging", decidedBy: "U03DAVE" });
    expect(x.account.leftoverGrants()).toEqual([]);
    expect(types(x)).toEqual(["approval-needed", "denied"]);
  });

  it("ends as EXPIRED when nobody decides within the approval timeout", async () => {
    const x = await harness({ config: withApprovalTimeout("1s") });
    const request = await createRequest(x.deps, {
      requester: PEOPLE.alice,
      profileId: "prod-web",
      reason: "late night",
      ticket: "INC-9",
    });
    expect((await x.workflow.settled(request.id)).status).toBe("SUCCEEDED");
    expect((await x.deps.store.get(request.id))?.status).toBe("EXPIRED");
    await expect(approve(x.deps, { requestId: request.id, approver: dave })).rejects.toThrow(
      "this request is already expired; nothing was changed",
    );
    expect(x.account.leftoverGrants()).toEqual([]);
    expect(types(x)).toEqual(["approval-needed", "expired"]);
  });

  it("fails a request whose approval landed after the window closed (the hand-off was lost)", async () => {
    const x = await harness({ config: withApprovalTimeout("1s") });
    const request = await createRequest(x.deps, {
      requester: PEOPLE.alice,
      profileId: "prod-web",
      reason: "late",
      ticket: "INC-8",
    });
    const waiting = await x.waitFor(request.id, (r) => r.taskToken !== undefined);
    // Recorded as approved, but SendTaskSuccess never reached the workflow.
    await x.deps.store.update(waiting, { status: "APPROVED", approvals: [{ approver: "U03DAVE", at: "t" }] });
    expect((await x.workflow.settled(request.id)).status).toBe("SUCCEEDED");
    expect(await x.deps.store.get(request.id)).toMatchObject({
      status: "FAILED",
      failure: "the approval arrived after the approval window closed",
    });
    expect(x.account.leftoverGrants()).toEqual([]);
  });

  it("ends as CANCELLED when the requester withdraws it", async () => {
    const x = await harness();
    const request = await createRequest(x.deps, {
      requester: PEOPLE.alice,
      profileId: "prod-web",
      reason: "oops",
      ticket: "INC-1",
    });
    await x.waitFor(request.id, (r) => r.taskToken !== undefined);
    await expect(cancelRequest(x.deps, { requestId: request.id, actor: "U03DAVE" })).rejects.toThrow(
      "only the requester can cancel a request",
    );
    await cancelRequest(x.deps, { requestId: request.id, actor: "U01ALICE" });
    expect((await x.workflow.settled(request.id)).status).toBe("SUCCEEDED");
    expect((await x.deps.store.get(request.id))?.status).toBe("CANCELLED");
    expect(x.account.leftoverGrants()).toEqual([]);
  });

  it("ends quietly when the request was cancelled before its approval step began", async () => {
    const errors = captureLogs("error");
    // Prepare: the requester cancels in the instant between the start and "Ask approvers".
    const x = await harness({
      wrap: (state, task) =>
        state === S.askApprovers
          ? async (input) => {
              const [pending] = await (h as Harness).deps.store.listByStatus("PENDING");
              await cancelRequest((h as Harness).deps, { requestId: pending?.id ?? "", actor: "U01ALICE" });
              return task(input);
            }
          : task,
    });
    // Act
    const request = await createRequest(x.deps, {
      requester: PEOPLE.alice,
      profileId: "prod-web",
      reason: "oops",
      ticket: "INC-2",
    });
    // Assess
    expect((await x.workflow.settled(request.id)).status).toBe("SUCCEEDED");
    expect((await x.deps.store.get(request.id))?.status).toBe("CANCELLED");
    expect(types(x)).toEqual([]);
    expect(x.account.leftoverGrants()).toEqual([]);
    // The step found the request closed: logged, and nothing else.
    expect(errors.lines()).toEqual([
      expect.objectContaining({
        level: "ERROR",
        requestId: request.id,
        handler: "ask-approvers",
        error: expect.stringMatching(/^RequestClosed/),
      }),
    ]);
  });

  it("needs two distinct approvers on a 2-of-3 profile, even when both click at once", async () => {
    const x = await harness();
    const request = await createRequest(x.deps, {
      requester: PEOPLE.carol,
      profileId: "prod-db",
      reason: "replica lag",
    });
    await x.waitFor(request.id, (r) => r.taskToken !== undefined);
    await expect(
      approve(x.deps, { requestId: request.id, approver: { slackUserId: "U01ALICE" } }),
    ).rejects.toThrow("you are not an approver of the prod-db profile");

    // Act: two approvers click in the same instant.
    const [first, second] = await Promise.all([
      approve(x.deps, { requestId: request.id, approver: dave }),
      approve(x.deps, { requestId: request.id, approver: erin }),
    ]);

    // Assess
    expect([first.outcome, second.outcome].sort()).toEqual(["approved", "recorded"]);
    await expect(approve(x.deps, { requestId: request.id, approver: frank })).rejects.toThrow(
      /already (approved|active|revoked)/,
    );
    expect((await x.workflow.settled(request.id)).status).toBe("SUCCEEDED");
    const record = await x.deps.store.get(request.id);
    expect(record?.approvals.map((a) => a.approver).sort()).toEqual(["U03DAVE", "U04ERIN"]);
    expect(record?.status).toBe("REVOKED");
  });
});

describe("during the grant", () => {
  it("extends: the workflow waits for the later expiry, then revokes", async () => {
    let extended = false;
    const x = await harness({
      // At the warning, before the expiry (a grant past its expiry second can no longer be extended).
      wrap: beforeState(S.warnExpiry, async () => {
        if (extended || !h) return;
        extended = true;
        const [active] = await h.deps.store.listByStatus("ACTIVE");
        const result = await extendGrant(h.deps, {
          requestId: active?.id ?? "",
          actor: "U01ALICE",
          by: "1h",
        });
        expect(result.outcome).toBe("extended");
      }),
    });
    const request = await createRequest(x.deps, {
      requester: PEOPLE.alice,
      profileId: "staging",
      duration: "2h",
    });
    await x.waitFor(request.id, (r) => r.taskToken !== undefined);
    await approve(x.deps, { requestId: request.id, approver: dave });
    await x.workflow.settled(request.id);
    const record = await x.deps.store.get(request.id);
    expect(record?.status).toBe("REVOKED");
    expect(record?.expiresAt).toBe("2026-11-26T12:00:00.000Z");
    expect(record?.endedAt).toBe("2026-11-26T12:00:00.000Z");
    expect(types(x).filter((t) => t === "expiring")).toHaveLength(2);
    expect((await auditTrail(x.deps, request.id)).map((e) => e.action)).toContain("extended");
  });

  it("asks an approver for an extension when the profile does not allow self-extension", async () => {
    let pending = false;
    const x = await harness({
      wrap: beforeState(S.warnExpiry, async () => {
        if (pending || !h) return;
        pending = true;
        const [active] = await h.deps.store.listByStatus("ACTIVE");
        const id = active?.id ?? "";
        await expect(extendGrant(h.deps, { requestId: id, actor: "U01ALICE", by: "4h" })).rejects.toThrow(
          "4h is more than this grant can still grow: the prod-web profile allows at most 4h per grant, and 3h remains",
        );
        expect((await extendGrant(h.deps, { requestId: id, actor: "U01ALICE", by: "30m" })).outcome).toBe(
          "pending",
        );
        await expect(
          approveExtension(h.deps, { requestId: id, approver: { slackUserId: "U01ALICE" } }),
        ).rejects.toThrow("you are not an approver of the prod-web profile");
        await approveExtension(h.deps, { requestId: id, approver: dave });
        // The policy follows the record in the extension's own short execution.
        const account = h.account;
        for (
          let i = 0;
          i < 500 && !account.policies.get(ALICE_ROLE)?.get(policyName(id))?.includes("10:30:00Z");
          i++
        )
          await new Promise((r) => setTimeout(r, 5));
        const policy = account.policies.get(ALICE_ROLE)?.get(policyName(id)) ?? "";
        expect(policy).toContain("2026-11-26T10:30:00Z");
      }),
    });
    const request = await createRequest(x.deps, {
      requester: PEOPLE.alice,
      profileId: "prod-web",
      reason: "long migration",
      ticket: "CHG-9",
    });
    await x.waitFor(request.id, (r) => r.taskToken !== undefined);
    await approve(x.deps, { requestId: request.id, approver: dave });
    await x.workflow.settled(request.id);
    expect((await x.deps.store.get(request.id))?.endedAt).toBe("2026-11-26T10:30:00.000Z");
    expect(types(x)).toContain("extension-needed");
  });

  it("lets an admin revoke someone else's grant", async () => {
    const x = await harness({
      wrap: beforeState(S.warnExpiry, async () => {
        const [active] = await (h as Harness).deps.store.listByStatus("ACTIVE");
        await revokeNow((h as Harness).deps, { requestId: active?.id ?? "", actor: "U0ADMIN01" });
      }),
    });
    const request = await createRequest(x.deps, { requester: PEOPLE.bob, profileId: "sandbox" });
    await x.workflow.settled(request.id);
    expect(await x.deps.store.get(request.id)).toMatchObject({ status: "REVOKED", endedBy: "U0ADMIN01" });
    expect(x.notices.find((n) => n.type === "revoked")?.detail?.reason).toBe("revoked by an admin");
  });

  it("revokes early on 'I'm done'; the workflow's own revoke is then a no-op", async () => {
    let sessionId = "";
    const x = await harness({
      wrap: beforeState(S.warnExpiry, async () => {
        if (!h) return;
        sessionId = h.account.openSession(OWNER.alice, NODE.web2).sessionId;
        const [active] = await h.deps.store.listByStatus("ACTIVE");
        await expect(revokeNow(h.deps, { requestId: active?.id ?? "", actor: "U04ERIN" })).rejects.toThrow(
          "only the requester or an admin can revoke this grant",
        );
        const result = await revokeNow(h.deps, { requestId: active?.id ?? "", actor: "U01ALICE" });
        expect(result).toMatchObject({
          alreadyRevoked: false,
          policyDeleted: true,
          terminatedSessions: [sessionId],
        });
      }),
    });
    const request = await createRequest(x.deps, {
      requester: PEOPLE.alice,
      profileId: "prod-web",
      reason: "hotfix",
      ticket: "INC-5",
    });
    await x.waitFor(request.id, (r) => r.taskToken !== undefined);
    await approve(x.deps, { requestId: request.id, approver: dave });
    expect((await x.workflow.settled(request.id)).status).toBe("SUCCEEDED");
    const record = await x.deps.store.get(request.id);
    expect(record).toMatchObject({ status: "REVOKED", endedBy: "U01ALICE" });
    expect(record?.endedAt).toBe("2026-11-26T09:50:00.000Z");
    expect(types(x).filter((t) => t === "revoked")).toHaveLength(1);
    expect(x.account.leftoverGrants()).toEqual([]);
    expect(x.account.liveCount()).toBe(0);
  });
});

describe("failures", () => {
  it("a grant that would not fit the quota fails, leaves nothing attached, and says why", async () => {
    const errors = captureLogs("error");
    const x = await harness();
    const filler = {
      Version: "2012-10-17",
      Statement: [{ Effect: "Allow", Action: "s3:GetObject", Resource: `arn:aws:s3:::${"x".repeat(9500)}` }],
    };
    x.account.putForeignPolicy(ALICE_ROLE, "team-baseline", filler);
    const request = await createRequest(x.deps, {
      requester: PEOPLE.alice,
      profileId: "prod-web",
      reason: "quota",
      ticket: "INC-2",
    });
    await x.waitFor(request.id, (r) => r.taskToken !== undefined);
    await approve(x.deps, { requestId: request.id, approver: dave });
    const run = await x.workflow.settled(request.id);
    expect(run.status).toBe("FAILED");
    const record = await x.deps.store.get(request.id);
    expect(record?.status).toBe("FAILED");
    expect(record?.failure).toMatch(
      /^QuotaExceededError: granting would put .* over IAM's inline policy quota/,
    );
    expect(x.account.leftoverGrants()).toEqual([]);
    expect(types(x)).toContain("failed");
    expect(errors.lines()).toEqual([
      expect.objectContaining({
        handler: "grant-access",
        error: expect.stringMatching(/^QuotaExceededError: /),
      }),
    ]);
  });

  it("a crash after the policy was attached is undone: nothing stays attached", async () => {
    const x = await harness({
      wrap: (state, task) =>
        state === S.grantAccess
          ? async (input) => {
              await task(input);
              throw Object.assign(new Error("the function crashed"), { name: "Runtime.ExitError" });
            }
          : task,
    });
    const request = await createRequest(x.deps, { requester: PEOPLE.bob, profileId: "sandbox" });
    expect((await x.workflow.settled(request.id)).status).toBe("FAILED");
    expect((await x.deps.store.get(request.id))?.status).toBe("FAILED");
    expect(x.account.leftoverGrants()).toEqual([]);
  });

  it("a crash in the approval step fails the request cleanly", async () => {
    const x = await harness({
      wrap: (state, task) =>
        state === S.askApprovers
          ? async () => {
              throw Object.assign(new Error("the function crashed"), { name: "Runtime.ExitError" });
            }
          : task,
    });
    const request = await createRequest(x.deps, {
      requester: PEOPLE.alice,
      profileId: "prod-web",
      reason: "crash",
      ticket: "INC-3",
    });
    expect((await x.workflow.settled(request.id)).status).toBe("FAILED");
    expect(await x.deps.store.get(request.id)).toMatchObject({
      status: "FAILED",
      failure: "Runtime.ExitError: the function crashed",
    });
    expect(x.account.leftoverGrants()).toEqual([]);
    expect(types(x)).toEqual(["failed"]);
  });

  it("throttling on grant is retried until it succeeds", async () => {
    const errors = captureLogs("error");
    const x = await harness();
    let throttles = 3;
    x.account.faults = (op) => {
      if (op === "PutPolicy" && throttles-- > 0)
        throw Object.assign(new Error("Rate exceeded"), { name: "TransientAwsError" });
    };
    const request = await createRequest(x.deps, { requester: PEOPLE.bob, profileId: "sandbox" });
    expect((await x.workflow.settled(request.id)).status).toBe("SUCCEEDED");
    expect((await x.deps.store.get(request.id))?.status).toBe("REVOKED");
    expect(throttles).toBe(-1);
    expect(errors.lines().map((line) => line.error)).toEqual(
      Array(3).fill("TransientAwsError: Rate exceeded"),
    );
  });

  it("a revoke that keeps failing raises the alarm, and the sweeper finishes it", async () => {
    const errors = captureLogs("error");
    let sessionId = "";
    const x = await harness({
      wrap: beforeState(S.warnExpiry, () => {
        sessionId = h?.account.openSession(OWNER.bob, NODE.sbx1).sessionId ?? "";
      }),
    });
    x.account.faults = (op) => {
      if (op === "DeletePolicy")
        throw Object.assign(new Error("Service unavailable"), { name: "TransientAwsError" });
    };
    const request = await createRequest(x.deps, { requester: PEOPLE.bob, profileId: "sandbox" });
    const run = await x.workflow.settled(request.id);
    expect(run.status).toBe("FAILED");
    expect(types(x)).toContain("alarm");
    // The record was settled first, and the session ended although IAM refused the delete.
    expect((await x.deps.store.get(request.id))?.status).toBe("REVOKED");
    expect(x.account.sessions.get(sessionId)?.status).toBe("Terminated");
    expect(x.account.leftoverGrants()).toHaveLength(1);

    // Act: AWS recovers; the sweeper runs.
    x.account.faults = () => {};
    const report = await sweep(x.deps);

    // Assess
    expect(report.deletedPolicies.map((d) => d.policyName)).toEqual([`jit-${request.id}`]);
    expect(report.errors).toEqual([]);
    expect((await x.deps.store.get(request.id))?.status).toBe("REVOKED");
    expect(x.account.leftoverGrants()).toEqual([]);
    expect(x.account.sessions.get(sessionId)?.status).toBe("Terminated");
    expect(new Set(errors.lines().map((line) => `${line.handler} ${line.error}`))).toEqual(
      new Set(["revoke-access TransientAwsError: Service unavailable"]),
    );
  });
});
