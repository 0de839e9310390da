/**
 * Break-glass end to end on the real workflow (dynalite, the real ASL, the sandbox account): granted
 * without approvers and announced loudly, reminded after the interval, closed by "Reviewed: OK",
 * revoked by "Revoke", escalated with the alarm when nobody reviews within the window; refused with
 * clear errors when the reason is short, the duration long, or the profile does not allow it.
 */
import { afterEach, describe, expect, it } from "vitest";
import type { AccessConfig } from "../../core/config/load.ts";
import { NotAuthorizedError, ValidationError } from "../../core/errors.ts";
import { policyName } from "../../core/policy.ts";
import type { AccessRequest } from "../../core/request.ts";
import { listUnreviewed } from "../../core/usecases/break-glass.ts";
import { reviewBreakGlass } from "../../core/usecases/break-glass-review.ts";
import { auditTrail } from "../../core/usecases/common.ts";
import { createRequest } from "../../core/usecases/request.ts";
import { sweep } from "../../core/usecases/sweep.ts";
import { S } from "../../workflows/access-workflow.ts";
import { exampleConfig } from "../helpers/config.ts";
import { type Harness, startHarness } from "../helpers/harness.ts";

const REASON = "web-1 disk full, checkout down, no approver answering";
const DAVE = { slackUserId: "U03DAVE" };
const BOB = { slackUserId: "U02BOB", email: "bob@example.com" };

function config(): AccessConfig {
  const c = exampleConfig();
  const web = c.profiles["prod-web"];
  if (!web) throw new Error("example config has no prod-web");
  c.profiles["web-bg"] = {
    ...web,
    id: "web-bg",
    ticketPattern: undefined,
    breakGlass: { maxDuration: "1h", reviewWindow: "24h", reminderInterval: "4h" },
  };
  return c;
}

let h: Harness | undefined;
afterEach(async () => {
  await h?.stop();
  h = undefined;
});

/** A harness whose grants pause before "Announce grant" until `release()`, so they stay live. */
async function pausedHarness() {
  let release: () => void = () => {};
  const gate = new Promise<void>((r) => {
    release = r;
  });
  h = await startHarness({
    config: config(),
    wrap: (state, task) =>
      state === S.announceGrant
        ? async (input) => {
            await gate;
            return task(input);
          }
        : task,
  });
  return { x: h, release };
}

const breakGlass = (x: Harness, extra: { duration?: string; reason?: string; profileId?: string } = {}) =>
  createRequest(x.deps, {
    requester: BOB,
    profileId: extra.profileId ?? "web-bg",
    duration: extra.duration ?? "30m",
    reason: extra.reason ?? REASON,
    breakGlass: true,
  });

const hasPolicy = async (x: Harness, r: AccessRequest) =>
  (await x.deps.broker.listGrants(r.principal)).some((g) => g.policyName === policyName(r.id));
/** Whether the policy gets to be there (or gone): the grant writes it just after claiming ACTIVE. */
async function policyBecomes(x: Harness, r: AccessRequest, present: boolean): Promise<boolean> {
  for (let i = 0; i < 300; i++) {
    if ((await hasPolicy(x, r)) === present) return true;
    await new Promise((resolve) => setTimeout(resolve, 10));
  }
  return false;
}

describe("break-glass", () => {
  it("is granted at once without approvers, loudly, and waits for review", async () => {
    // Prepare
    const { x, release } = await pausedHarness();
    // Act
    const request = await breakGlass(x);
    const active = await x.waitForStatus(request.id, "ACTIVE");
    // Assess
    expect(active.approvals).toEqual([]);
    expect(active.breakGlass).toMatchObject({
      at: "2026-11-26T09:00:00.000Z",
      reviewDueAt: "2026-11-27T09:00:00.000Z",
      nextReminderAt: "2026-11-26T13:00:00.000Z",
      remindersSent: 0,
    });
    expect(active.review).toBeUndefined();
    expect(await policyBecomes(x, active, true)).toBe(true);
    const alert = x.notices.find((n) => n.type === "break-glass");
    expect(alert?.detail).toMatchObject({ reason: REASON, durationSeconds: 1800 });
    const trail = await auditTrail(x.deps, request.id);
    expect(trail.map((e) => [e.action, e.actor])).toEqual(
      expect.arrayContaining([
        ["break-glass", "U02BOB"],
        ["approved", "break-glass"],
      ]),
    );
    expect((await listUnreviewed(x.deps)).map((r) => r.id)).toEqual([request.id]);
    release();
  });

  it("reminds after the interval, once per interval, and 'Reviewed: OK' closes the review", async () => {
    // Prepare
    const { x, release } = await pausedHarness();
    const request = await breakGlass(x);
    await x.waitForStatus(request.id, "ACTIVE");
    release();
    await x.workflow.settled(request.id);
    // Act: the interval passes
    x.clock.set("2026-11-26T13:00:01Z");
    const first = await sweep(x.deps);
    const again = await sweep(x.deps);
    // Assess
    expect(first.breakGlassReviews?.reminded).toEqual([request.id]);
    expect(again.breakGlassReviews).toBeUndefined();
    expect(x.notices.filter((n) => n.type === "break-glass-reminder")).toHaveLength(1);
    expect((await x.deps.store.get(request.id))?.breakGlass).toMatchObject({
      remindersSent: 1,
      nextReminderAt: "2026-11-26T17:00:01.000Z",
    });
    // Act: an approver reviews
    const reviewed = await reviewBreakGlass(x.deps, { requestId: request.id, reviewer: DAVE, outcome: "ok" });
    // Assess
    expect(reviewed).toMatchObject({ alreadyReviewed: false, revoked: false });
    expect(reviewed.request.review).toEqual({ outcome: "ok", by: "U03DAVE", at: "2026-11-26T13:00:01.000Z" });
    expect(await listUnreviewed(x.deps)).toEqual([]);
    x.clock.set("2026-11-28T09:00:00Z");
    expect((await sweep(x.deps)).breakGlassReviews).toBeUndefined();
    expect(x.notices.some((n) => n.type === "alarm")).toBe(false);
    const trail = await auditTrail(x.deps, request.id);
    expect(trail.find((e) => e.action === "break-glass-reviewed")).toMatchObject({
      actor: "U03DAVE",
      detail: { outcome: "ok" },
    });
  });

  it("unreviewed past the window raises the alarm and an escalation, once", async () => {
    // Prepare
    const { x, release } = await pausedHarness();
    const request = await breakGlass(x);
    await x.waitForStatus(request.id, "ACTIVE");
    release();
    await x.workflow.settled(request.id);
    // Act
    x.clock.set("2026-11-27T09:00:01Z");
    const report = await sweep(x.deps);
    await sweep(x.deps);
    // Assess
    expect(report.breakGlassReviews?.escalated).toEqual([request.id]);
    const alarms = x.notices.filter((n) => n.type === "alarm");
    expect(alarms).toHaveLength(1);
    expect(alarms[0]?.detail).toMatchObject({ alarm: "break-glass-unreviewed" });
    expect(x.notices.filter((n) => n.type === "break-glass-escalation")).toHaveLength(1);
    expect((await x.deps.store.get(request.id))?.breakGlass?.escalatedAt).toBe("2026-11-27T09:00:01.000Z");
    // Still waiting for its review: listed, and reviewable late.
    expect((await listUnreviewed(x.deps)).map((r) => r.id)).toEqual([request.id]);
  });

  it("'Revoke' at review ends a live grant: the policy goes and the review says so", async () => {
    // Prepare
    const { x, release } = await pausedHarness();
    const request = await breakGlass(x);
    const active = await x.waitForStatus(request.id, "ACTIVE");
    expect(await policyBecomes(x, active, true)).toBe(true);
    // Act
    const result = await reviewBreakGlass(x.deps, {
      requestId: request.id,
      reviewer: DAVE,
      outcome: "revoke",
    });
    // Assess: gone while the workflow's own expiry is still far off (it is held before its waits)
    expect(await policyBecomes(x, active, false)).toBe(true);
    expect(x.clock.now().toISOString() < (active.expiresAt ?? "")).toBe(true);
    expect(result).toMatchObject({ revoked: true, request: { status: "REVOKED", endedBy: "U03DAVE" } });
    expect(result.request.review).toMatchObject({ outcome: "revoked", by: "U03DAVE" });
    expect(x.notices.filter((n) => n.type === "revoked")).toHaveLength(1);
    release();
    await x.workflow.settled(request.id);
  });

  it("only the profile's approvers review, never the requester; a replayed or racing click changes nothing", async () => {
    // Prepare: dave, an approver, breaks the glass himself
    const { x, release } = await pausedHarness();
    const mine = await createRequest(x.deps, {
      requester: { slackUserId: "U03DAVE", email: "dave@example.com" },
      profileId: "web-bg",
      duration: "30m",
      reason: REASON,
      breakGlass: true,
    });
    release();
    // Act / Assess
    await expect(
      reviewBreakGlass(x.deps, { requestId: mine.id, reviewer: DAVE, outcome: "ok" }),
    ).rejects.toThrow(NotAuthorizedError);
    await expect(
      reviewBreakGlass(x.deps, { requestId: mine.id, reviewer: { slackUserId: "U02BOB" }, outcome: "ok" }),
    ).rejects.toThrow(/not an approver of the web-bg profile/);
    const [a, b] = await Promise.all([
      reviewBreakGlass(x.deps, { requestId: mine.id, reviewer: { slackUserId: "U04ERIN" }, outcome: "ok" }),
      reviewBreakGlass(x.deps, {
        requestId: mine.id,
        reviewer: { slackUserId: "U0ADMIN01" },
        outcome: "revoke",
      }),
    ]);
    expect([a.alreadyReviewed, b.alreadyReviewed].sort()).toEqual([false, true]);
    const replay = await reviewBreakGlass(x.deps, {
      requestId: mine.id,
      reviewer: DAVE,
      outcome: "ok",
    }).catch((e) => e);
    expect(replay).toBeInstanceOf(NotAuthorizedError);
    const stale = await reviewBreakGlass(x.deps, {
      requestId: mine.id,
      reviewer: { slackUserId: "U04ERIN" },
      outcome: "revoke",
    });
    expect(stale.alreadyReviewed).toBe(true);
    expect(stale.request.review).toEqual((a.alreadyReviewed ? b : a).request.review);
  });

  it("a request that is not break-glass has nothing to review", async () => {
    h = await startHarness({ config: config() });
    const ordinary = await createRequest(h.deps, {
      requester: BOB,
      profileId: "web-bg",
      duration: "30m",
      reason: "routine",
    });
    await expect(
      reviewBreakGlass(h.deps, { requestId: ordinary.id, reviewer: DAVE, outcome: "ok" }),
    ).rejects.toThrow(/not a break-glass grant/);
  });
});

describe("break-glass refusals", () => {
  it.each([
    { extra: { reason: "site down" }, field: "reason", message: /at least 20 characters \(this one has 9\)/ },
    {
      extra: { duration: "2h" },
      field: "duration",
      message: /2h is longer than break-glass allows on the web-bg profile \(at most 1h\)/,
    },
    {
      extra: { profileId: "prod-db" },
      field: "breakGlass",
      message: /the prod-db profile does not allow break-glass/,
    },
  ])("refuses $field with a clear error", async ({ extra, field, message }) => {
    // Prepare
    h = await startHarness({ config: config() });
    // Act
    const error = await breakGlass(h, extra).catch((e) => e);
    // Assess
    expect(error).toBeInstanceOf(ValidationError);
    expect(error.field).toBe(field);
    expect(error.message).toMatch(message);
    expect(await h.deps.store.listByRequester("U02BOB")).toEqual([]);
  });

  it("reports a short reason and a long duration together", async () => {
    h = await startHarness({ config: config() });
    const error = await breakGlass(h, { reason: "down", duration: "3h" }).catch((e) => e);
    expect((error as ValidationError).problems.map((p) => p.field)).toEqual(["reason", "duration"]);
  });

  it("a forged break-glass record on a profile that does not allow it is never granted", async () => {
    // Prepare: a record written straight to the table (the Slack function's rights), as if break-glass
    h = await startHarness({ config: config() });
    const ordinary = await createRequest(h.deps, {
      requester: BOB,
      profileId: "prod-db",
      duration: "30m",
      reason: "routine",
    });
    const current = await h.waitFor(ordinary.id, (r) => r.taskToken !== undefined);
    // Act
    await h.deps.store.update(current, {
      breakGlass: { at: current.createdAt, reviewDueAt: "", nextReminderAt: "", remindersSent: 0 },
      reason: REASON,
    });
    const { grantAccess } = await import("../../core/usecases/grant.ts");
    // Assess
    await expect(grantAccess(h.deps, { requestId: ordinary.id })).resolves.toMatchObject({ active: false });
    expect(await hasPolicy(h, current)).toBe(false);
  });
});
