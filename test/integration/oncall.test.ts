/**
 * On-call auto-approval with the real PagerDuty and Opsgenie adapters against fake providers on
 * 127.0.0.1 (local/fake-oncall.ts, documented response shapes), through `createRequest` and the
 * real workflow: on call at a counted level is granted without approvers; anything else (another
 * level, not on call, HTTP 500, timeout, a malformed body, an unknown email) waits for approvers with
 * the reason in the audit trail.
 */
import { afterAll, afterEach, beforeAll, describe, expect, it } from "vitest";
import { OpsgenieOnCall } from "../../adapters/oncall/opsgenie.ts";
import { PagerDutyOnCall } from "../../adapters/oncall/pagerduty.ts";
import type { AccessConfig, Profile } from "../../core/config/load.ts";
import { revokeAsApprover } from "../../core/usecases/break-glass-review.ts";
import { auditTrail } from "../../core/usecases/common.ts";
import { createRequest } from "../../core/usecases/request.ts";
import { type FakeOnCall, startFakeOpsgenie, startFakePagerDuty } from "../../local/fake-oncall.ts";
import { type OnCallSchedule, parseSchedule } from "../../local/oncall-schedule.ts";
import { exampleConfig } from "../helpers/config.ts";
import { type Harness, startHarness } from "../helpers/harness.ts";

const OPSGENIE_ID = "4a3f9c2e-1b7d-4e8a-9c6f-2d5e8b1a7c30";
const TOKEN = "pd-token-for-tests";
let schedule: OnCallSchedule;
const baseSchedule = (): OnCallSchedule =>
  parseSchedule({
    pagerduty: {
      users: [
        { id: "PALICE1", name: "Alice", email: "alice@example.com" },
        { id: "PBOB001", name: "Bob", email: "bob@example.com" },
        { id: "PCAROL1", name: "Carol", email: "carol@example.com" },
      ],
      oncalls: [
        {
          user: "PALICE1",
          escalationPolicy: "PWEBPOL",
          level: 1,
          schedule: "PWEBPRI",
          start: "-2h",
          end: "+6h",
        },
        {
          user: "PCAROL1",
          escalationPolicy: "PWEBPOL",
          level: 2,
          schedule: "PWEBSEC",
          start: "-2h",
          end: "+6h",
        },
        {
          user: "PBOB001",
          escalationPolicy: "POTHERP",
          level: 1,
          schedule: "POTHERS",
          start: "-2h",
          end: "+6h",
        },
      ],
    },
    opsgenie: {
      schedules: [
        {
          id: OPSGENIE_ID,
          name: "web-primary",
          onCall: [{ email: "alice@example.com", start: "-2h", end: "+6h" }],
        },
      ],
    },
  });

function configWith(onCall: NonNullable<Profile["onCall"]>): AccessConfig {
  const config = exampleConfig();
  const web = config.profiles["prod-web"];
  if (!web) throw new Error("example config has no prod-web");
  config.profiles["web-oncall"] = { ...web, id: "web-oncall", ticketPattern: undefined, onCall };
  return config;
}
const pagerDutyRule = (extra: Partial<NonNullable<Profile["onCall"]>> = {}) => ({
  provider: "pagerduty" as const,
  schedules: ["PWEBPRI", "PWEBSEC"],
  escalationPolicies: [],
  levels: [1],
  capToShift: false,
  ...extra,
});

let pd: FakeOnCall;
let og: FakeOnCall;
let h: Harness | undefined;
beforeAll(async () => {
  // The fakes read the harness's simulated clock, as the adapters' `since`/`date` do.
  const now = () => h?.clock.now() ?? new Date("2026-11-26T09:00:00Z");
  pd = await startFakePagerDuty({ schedule: () => schedule, token: TOKEN, now, slowMs: 3000 });
  og = await startFakeOpsgenie({ schedule: () => schedule, token: "og-key", now, slowMs: 3000 });
});
afterAll(async () => {
  await pd.stop();
  await og.stop();
});
afterEach(async () => {
  await h?.stop();
  h = undefined;
});

async function harness(config: AccessConfig, token = TOKEN): Promise<Harness> {
  schedule = baseSchedule();
  h = await startHarness({ config });
  h.deps.onCall = {
    pagerduty: new PagerDutyOnCall({ token, apiUrl: pd.url, timeoutMs: 500 }),
    opsgenie: new OpsgenieOnCall({ apiKey: "og-key", apiUrl: og.url, timeoutMs: 500 }),
  };
  return h;
}

const ask = (x: Harness, who: string, duration = "2h") =>
  createRequest(x.deps, {
    requester: { slackUserId: `U0${who.toUpperCase()}`, email: `${who}@example.com` },
    profileId: "web-oncall",
    duration,
    reason: "pager went off",
  });

/** The on-call decision the trail's first event ("requested") records. */
async function trailDecision(x: Harness, id: string): Promise<Record<string, unknown> | undefined> {
  const events = await auditTrail(x.deps, id);
  return events.find((e) => e.action === "requested")?.detail?.onCall as Record<string, unknown> | undefined;
}
/** The reason the trail gives for not approving as on call (undefined when it approved). */
async function trailReason(x: Harness, id: string): Promise<unknown> {
  const decision = await trailDecision(x, id);
  return decision?.approved === false ? decision.reason : undefined;
}

describe("PagerDuty on call", () => {
  it("approves at once a requester on call at level 1, recording provider, schedule, level and shift end", async () => {
    // Prepare
    const x = await harness(configWith(pagerDutyRule()));
    // Act
    const request = await ask(x, "alice");
    const active = await x.waitForStatus(request.id, "ACTIVE");
    // Assess
    expect(active.approvals).toEqual([]);
    expect(active.onCall).toMatchObject({
      approved: true,
      provider: "pagerduty",
      schedule: "PWEBPRI",
      escalationPolicy: "PWEBPOL",
      level: 1,
      shiftEnd: "2026-11-26T15:00:00.000Z",
    });
    const events = await auditTrail(x.deps, request.id);
    expect(await trailDecision(x, request.id)).toMatchObject({
      approved: true,
      provider: "pagerduty",
      schedule: "PWEBPRI",
      level: 1,
      shiftEnd: "2026-11-26T15:00:00.000Z",
    });
    expect(events.find((e) => e.action === "approved")?.actor).toBe("on-call");
    expect(x.notices.map((n) => n.type)).toContain("on-call-approved");
    expect(pd.requests.some((r) => r.startsWith("/oncalls?user_ids%5B%5D=PALICE1"))).toBe(true);
  });

  it.each([
    { levels: [1], approved: false },
    { levels: [1, 2], approved: true },
  ])("level 2 counts only when the profile lists it (levels $levels)", async ({ levels, approved }) => {
    // Prepare
    const x = await harness(configWith(pagerDutyRule({ levels })));
    // Act
    const request = await ask(x, "carol");
    // Assess
    expect(request.onCall?.approved).toBe(approved);
    if (approved) expect((await x.waitForStatus(request.id, "ACTIVE")).onCall?.level).toBe(2);
    else {
      expect(await trailReason(x, request.id)).toMatch(/only at level 2/);
      expect(await x.waitFor(request.id, (r) => r.taskToken !== undefined)).toMatchObject({
        status: "PENDING",
      });
    }
  });

  it("someone on call in another schedule only is not on call for this profile", async () => {
    const x = await harness(configWith(pagerDutyRule()));
    const request = await ask(x, "bob");
    expect(request).toMatchObject({ status: "PENDING", approvalsRequired: 1 });
    expect(await trailReason(x, request.id)).toMatch(/not on call/);
  });

  it.each([
    { fault: "http-500" as const, reason: /HTTP 500/ },
    { fault: "slow" as const, reason: /no answer within 500 ms/ },
    { fault: "malformed" as const, reason: /not shaped as documented/ },
  ])("a provider $fault leaves the request to approvers, saying why", async ({ fault, reason }) => {
    // Prepare
    const x = await harness(configWith(pagerDutyRule()));
    pd.failNext(fault);
    // Act
    const request = await ask(x, "alice");
    // Assess
    expect(request.onCall).toMatchObject({ approved: false, provider: "pagerduty" });
    expect(request.approvalsRequired).toBe(1);
    expect(await trailReason(x, request.id)).toMatch(reason);
    expect((await x.waitFor(request.id, (r) => r.taskToken !== undefined)).status).toBe("PENDING");
  });

  it("a wrong token (401) never approves, and the token is not in the reason", async () => {
    const x = await harness(configWith(pagerDutyRule()), "stolen-or-stale");
    const request = await ask(x, "alice");
    expect(request.onCall?.approved).toBe(false);
    const reason = String(await trailReason(x, request.id));
    expect(reason).toMatch(/HTTP 401/);
    expect(reason).not.toContain("stolen-or-stale");
  });

  it.each([
    ["an email PagerDuty does not know", "dan@example.com", /no PagerDuty user has the email/],
    // The users query matches by substring: "lice@example.com" finds alice; only an exact email counts.
    ["another person's email as a substring", "lice@example.com", /no PagerDuty user has the email/],
    ["query characters in the email", "alice@example.com&user_ids[]=PALICE1", /no PagerDuty user/],
  ])("%s waits for approvers", async (_name, email, reason) => {
    const x = await harness(configWith(pagerDutyRule()));
    const request = await createRequest(x.deps, {
      requester: { slackUserId: "U02BOB", email },
      profileId: "web-oncall",
      duration: "1h",
      reason: "pager went off",
    });
    expect(request.onCall?.approved).toBe(false);
    expect(await trailReason(x, request.id)).toMatch(reason);
  });

  it("more than a page of users matching the email, none exactly, waits (never guesses)", async () => {
    // Prepare: 120 users whose emails contain "alice@example.com"; the real one is not among them
    const x = await harness(configWith(pagerDutyRule()));
    schedule.pagerduty.users = Array.from({ length: 120 }, (_, i) => ({
      id: `PX${String(i).padStart(5, "0")}`,
      name: `Look-alike ${i}`,
      email: `${i}.alice@example.com`,
    }));
    // Act
    const request = await ask(x, "alice");
    // Assess
    expect(request.onCall?.approved).toBe(false);
    expect(await trailReason(x, request.id)).toMatch(/more than one page of PagerDuty users match/);
  });

  it("a shift ending in 20 minutes caps the grant when the profile says so", async () => {
    // Prepare
    const x = await harness(configWith(pagerDutyRule({ capToShift: true })));
    schedule.pagerduty.oncalls[0] = { ...schedule.pagerduty.oncalls[0], end: "+20m" } as never;
    // Act
    const request = await ask(x, "alice", "2h");
    const active = await x.waitForStatus(request.id, "ACTIVE");
    // Assess
    expect(request.durationSeconds).toBe(20 * 60);
    expect(active.onCall).toMatchObject({
      approved: true,
      cappedToShift: true,
      shiftEnd: "2026-11-26T09:20:00.000Z",
    });
    expect(active.expiresAt).toBe("2026-11-26T09:20:00.000Z");
  });

  it("without capToShift the shift end is recorded but the grant keeps its duration", async () => {
    const x = await harness(configWith(pagerDutyRule()));
    schedule.pagerduty.oncalls[0] = { ...schedule.pagerduty.oncalls[0], end: "+20m" } as never;
    const request = await ask(x, "alice", "2h");
    expect(request.durationSeconds).toBe(7200);
    expect(request.onCall).toMatchObject({ approved: true, cappedToShift: false });
  });
});

describe("PagerDuty on call by escalation policy only", () => {
  // No schedule in the rule: only the policy and its counted levels decide.
  const policyRule = (levels = [1]) =>
    pagerDutyRule({ schedules: [], escalationPolicies: ["PWEBPOL"], levels });
  /** The /oncalls lookups the adapter made: the policy filter, and no schedule filter. */
  const oncallLookups = () =>
    pd.requests.filter((r) => r.startsWith("/oncalls?")).map((r) => new URLSearchParams(r.slice(9)));

  it("approves a requester on call at level 1 of the policy, recording the policy and level", async () => {
    // Prepare
    const x = await harness(configWith(policyRule()));
    const before = oncallLookups().length;
    // Act
    const request = await ask(x, "alice");
    const active = await x.waitForStatus(request.id, "ACTIVE");
    // Assess
    expect(active.approvals).toEqual([]);
    expect(active.onCall).toMatchObject({
      approved: true,
      provider: "pagerduty",
      escalationPolicy: "PWEBPOL",
      level: 1,
    });
    expect(await trailDecision(x, request.id)).toMatchObject({ approved: true, escalationPolicy: "PWEBPOL" });
    const lookup = oncallLookups().slice(before);
    expect(lookup).toHaveLength(1);
    expect(lookup[0]?.getAll("escalation_policy_ids[]")).toEqual(["PWEBPOL"]);
    expect(lookup[0]?.getAll("schedule_ids[]")).toEqual([]);
  });

  it("on call only at level 2 of the same policy, when the rule counts level 1, waits with the reason", async () => {
    const x = await harness(configWith(policyRule([1])));
    const request = await ask(x, "carol");
    expect(request).toMatchObject({ status: "PENDING", approvalsRequired: 1 });
    expect(request.onCall?.approved).toBe(false);
    expect(await trailReason(x, request.id)).toMatch(/only at level 2; the profile counts level 1/);
    expect((await x.waitFor(request.id, (r) => r.taskToken !== undefined)).status).toBe("PENDING");
  });

  it("on call (level 1) in a different escalation policy waits", async () => {
    const x = await harness(configWith(policyRule()));
    const request = await ask(x, "bob");
    expect(request).toMatchObject({ status: "PENDING", approvalsRequired: 1 });
    expect(request.onCall?.approved).toBe(false);
    expect(await trailReason(x, request.id)).toMatch(
      /not on call in the profile's PagerDuty schedules or escalation policies/,
    );
    expect((await x.waitFor(request.id, (r) => r.taskToken !== undefined)).status).toBe("PENDING");
  });
});

describe("the approvers' Revoke on an on-call grant", () => {
  it("an approver revokes it; the requester and a non-approver cannot", async () => {
    // Prepare
    const x = await harness(configWith(pagerDutyRule()));
    const request = await ask(x, "alice");
    await x.waitForStatus(request.id, "ACTIVE");
    // Act / Assess
    await expect(
      revokeAsApprover(x.deps, { requestId: request.id, approver: { slackUserId: "U0ALICE" } }),
    ).rejects.toThrow(/cannot review or revoke your own grant/);
    await expect(
      revokeAsApprover(x.deps, { requestId: request.id, approver: { slackUserId: "U02BOB" } }),
    ).rejects.toThrow(/not an approver of the web-oncall profile/);
    const first = await revokeAsApprover(x.deps, {
      requestId: request.id,
      approver: { slackUserId: "U03DAVE" },
    });
    const again = await revokeAsApprover(x.deps, {
      requestId: request.id,
      approver: { slackUserId: "U04ERIN" },
    });
    expect([first.alreadyRevoked, again.alreadyRevoked]).toEqual([false, true]);
    expect(await x.deps.store.get(request.id)).toMatchObject({ status: "REVOKED", endedBy: "U03DAVE" });
  });
});

describe("Opsgenie on call", () => {
  const rule = (schedules: string[]) => ({
    provider: "opsgenie" as const,
    schedules,
    escalationPolicies: [],
    levels: [1],
    capToShift: false,
  });

  it.each([[OPSGENIE_ID], ["web-primary"]])("approves alice on call in schedule %s", async (id) => {
    const x = await harness(configWith(rule([id])));
    const request = await ask(x, "alice");
    expect(request.onCall).toMatchObject({ approved: true, provider: "opsgenie", schedule: "web-primary" });
    await x.waitForStatus(request.id, "ACTIVE");
  });

  it("someone not on call waits", async () => {
    const x = await harness(configWith(rule(["web-primary"])));
    const request = await ask(x, "bob");
    expect(request.onCall?.approved).toBe(false);
    expect(await trailReason(x, request.id)).toMatch(/not on call in the profile's Opsgenie schedules/);
  });

  it.each([
    { fault: "http-500" as const, reason: /HTTP 500/ },
    { fault: "malformed" as const, reason: /not shaped as documented/ },
  ])("an Opsgenie $fault waits, saying why", async ({ fault, reason }) => {
    const x = await harness(configWith(rule(["web-primary"])));
    og.failNext(fault);
    const request = await ask(x, "alice");
    expect(request.onCall?.approved).toBe(false);
    expect(await trailReason(x, request.id)).toMatch(reason);
  });

  it("a slow Opsgenie (no answer within the timeout) leaves the request to approvers, saying why", async () => {
    // Prepare
    const x = await harness(configWith(rule(["web-primary"])));
    og.failNext("slow");
    // Act
    const request = await ask(x, "alice");
    // Assess
    expect(request.onCall).toMatchObject({ approved: false, provider: "opsgenie" });
    expect(request.approvalsRequired).toBe(1);
    expect(await trailReason(x, request.id)).toMatch(/Opsgenie gave no answer within 500 ms/);
    expect((await x.waitFor(request.id, (r) => r.taskToken !== undefined)).status).toBe("PENDING");
  });

  it("a schedule Opsgenie does not have is a 404, not an approval", async () => {
    const x = await harness(configWith(rule(["no-such-schedule"])));
    const request = await ask(x, "alice");
    expect(await trailReason(x, request.id)).toMatch(/HTTP 404/);
  });
});

describe("without a provider", () => {
  it("a profile with an on-call rule and no configured token waits, saying so", async () => {
    const x = await harness(configWith(pagerDutyRule()));
    x.deps.onCall = undefined;
    const request = await ask(x, "alice");
    expect(await trailReason(x, request.id)).toMatch(/no pagerduty API token/);
  });
});
