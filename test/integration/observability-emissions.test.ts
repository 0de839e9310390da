/**
 * The metrics behind the alarms, emitted by the real use cases: a sweep that repairs something
 * records `SweeperRepairs` (the SweeperRepaired alarm), and session events record `SessionsStarted`,
 * `SessionAlerts` (kind no-grant: the StandingAccessDrift alarm) and `SessionsEnded`. Each is read
 * from an in-memory metrics adapter that keeps the dimension sets CloudWatch would receive, and held
 * against the alarm definitions in stacks/alarms.ts (plain data), so a renamed metric or dimension on
 * either side fails here.
 */
import { readFileSync } from "node:fs";
import { afterEach, describe, expect, it } from "vitest";
import { cloudTrailSessionEvent, toSessionEvent } from "../../adapters/aws/cloudtrail.ts";
import { MemoryMetrics } from "../../adapters/observability/memory.ts";
import { METRICS } from "../../core/metrics.ts";
import { buildGrantPolicy } from "../../core/policy.ts";
import { resolvePrincipal } from "../../core/principal.ts";
import { createRequest } from "../../core/usecases/request.ts";
import { handleSessionEvent } from "../../core/usecases/session-events.ts";
import { sweep } from "../../core/usecases/sweep.ts";
import { ALARMS, type AlarmDefinition } from "../../stacks/alarms.ts";
import { PEOPLE } from "../fixtures/nodes.ts";
import { exampleProfile } from "../helpers/config.ts";
import { type Harness, startHarness } from "../helpers/harness.ts";
import { aRequest } from "../helpers/requests.ts";

let h: Harness | undefined;
afterEach(async () => {
  await h?.stop();
  h = undefined;
});

const alarm = (id: string): AlarmDefinition => {
  const found = ALARMS.find((a) => a.id === id);
  if (!found) throw new Error(`no alarm ${id}`);
  return found;
};

/** A CloudTrail record from test/fixtures/cloudtrail, parsed and converted as the handler does. */
const sessionEvent = (name: string) =>
  toSessionEvent(
    cloudTrailSessionEvent.parse(
      JSON.parse(readFileSync(new URL(`../fixtures/cloudtrail/${name}.json`, import.meta.url), "utf8")),
    ),
  );

describe("the SweeperRepaired alarm's metric", () => {
  it("is what the alarm reads: SweeperRepairs summed over every repair kind (no dimension)", () => {
    const sweeper = alarm("SweeperRepaired");
    expect(sweeper.metrics).toEqual([{ source: "custom", metric: "SweeperRepairs" }]);
    expect(sweeper).toMatchObject({
      statistic: "Sum",
      comparison: "GreaterThanOrEqualToThreshold",
      threshold: 1,
    });
    expect(METRICS.SweeperRepairs.dimensions).toEqual(["repair"]);
  });

  it("is emitted > 0 with repair=leftover-policy by a sweep that deletes a jit-* policy nobody has a record of", async () => {
    // Prepare: a grant policy left in IAM with no request record.
    const metrics = new MemoryMetrics();
    h = await startHarness({ metrics });
    const config = h.deps.config;
    const alice = resolvePrincipal(config, PEOPLE.alice);
    const orphan = buildGrantPolicy({
      profile: exampleProfile("prod-web", config),
      principal: alice,
      accountId: config.accountId,
      requestId: "20261126-orphan01",
      expiresAt: new Date("2026-11-26T18:00:00Z"),
    });
    await h.account.putGrant(alice, orphan.policyName, orphan.document);

    // Act
    const report = await sweep(h.deps);

    // Assess: one repair, under its kind, published with the total set the alarm reads.
    expect(report.deletedPolicies).toHaveLength(1);
    expect(metrics.sum("SweeperRepairs", { repair: "leftover-policy" })).toBe(1);
    expect(metrics.sum("SweeperRepairs")).toBe(1);
    const [point] = metrics.of("SweeperRepairs", { repair: "leftover-policy" });
    expect(point).toMatchObject({ unit: "Count", value: 1, sets: [[], ["repair"]] });
    expect(metrics.sum("SweepCompleted")).toBe(1);
  });

  it("is emitted > 0 with repair=dead-execution by a sweep that settles a request whose workflow died", async () => {
    // Prepare: a pending request whose execution is aborted, past the grace period.
    const metrics = new MemoryMetrics();
    h = await startHarness({ metrics });
    const request = await createRequest(h.deps, {
      requester: PEOPLE.alice,
      profileId: "prod-web",
      reason: "died",
      ticket: "INC-3",
    });
    await h.waitFor(request.id, (r) => r.taskToken !== undefined);
    h.workflow.abort(request.id);
    h.clock.advance(600);
    metrics.recorded.length = 0;

    // Act
    const report = await sweep(h.deps);

    // Assess
    expect(report.settledRequests).toHaveLength(1);
    expect(metrics.sum("SweeperRepairs", { repair: "dead-execution" })).toBe(1);
    expect(metrics.sum("SweeperRepairs", { repair: "leftover-policy" })).toBe(0);
    expect(metrics.sum("SweeperRepairs")).toBe(1);
  });

  it("stays at zero for a sweep with nothing to repair (the alarm does not fire on a clean pass)", async () => {
    const metrics = new MemoryMetrics();
    h = await startHarness({ metrics });
    await sweep(h.deps);
    expect(metrics.of("SweeperRepairs").length).toBeGreaterThan(0);
    expect(metrics.sum("SweeperRepairs")).toBe(0);
    expect(metrics.sum("SweepCompleted")).toBe(1);
  });
});

describe("session metrics and the StandingAccessDrift alarm", () => {
  it("the alarm reads SessionAlerts by kind, no-grant among them", () => {
    const drift = alarm("StandingAccessDrift");
    expect(drift.metrics).toEqual(
      ["no-grant", "outside-grant", "not-owner"].map((kind) => ({
        source: "custom",
        metric: "SessionAlerts",
        dimensions: { kind },
      })),
    );
    expect(drift).toMatchObject({
      statistic: "Sum",
      comparison: "GreaterThanOrEqualToThreshold",
      threshold: 1,
    });
    expect(METRICS.SessionAlerts.dimensions).toEqual(["kind"]);
  });

  it("a granted session records SessionsStarted by profile, then SessionsEnded when it is terminated", async () => {
    // Prepare: alice holds an active prod-web grant when her session starts (09:20) and ends (09:40).
    const metrics = new MemoryMetrics();
    h = await startHarness({ metrics });
    const config = h.deps.config;
    await h.deps.store.create(
      aRequest({
        id: "20261126-alice000",
        requester: PEOPLE.alice,
        profileId: "prod-web",
        principal: resolvePrincipal(config, PEOPLE.alice),
        status: "ACTIVE",
        reason: "alice needs prod-web",
        grantedAt: "2026-11-26T09:00:00.000Z",
        expiresAt: "2026-11-26T10:00:00.000Z",
      }),
    );

    // Act
    const started = await handleSessionEvent(h.deps, sessionEvent("start-session-assumed-role"));
    const ended = await handleSessionEvent(h.deps, sessionEvent("terminate-session"));

    // Assess
    expect([started, ended]).toEqual(["started", "ended"]);
    expect(metrics.of("SessionsStarted")).toEqual([
      {
        name: "SessionsStarted",
        unit: "Count",
        value: 1,
        dimensions: { profile: "prod-web" },
        sets: [[], ["profile"]],
      },
    ]);
    expect(metrics.of("SessionsEnded")).toEqual([
      {
        name: "SessionsEnded",
        unit: "Count",
        value: 1,
        dimensions: { reason: "terminated" },
        sets: [[], ["reason"]],
      },
    ]);
    expect(metrics.of("SessionAlerts")).toEqual([]);
  });

  it("a session nobody granted records SessionAlerts kind=no-grant, exactly as the alarm reads it", async () => {
    // Prepare: no grant at all.
    const metrics = new MemoryMetrics();
    h = await startHarness({ metrics });

    // Act
    const outcome = await handleSessionEvent(h.deps, sessionEvent("start-session-assumed-role"));

    // Assess
    expect(outcome).toBe("no-grant");
    expect(metrics.of("SessionsStarted")).toEqual([]);
    const alerts = metrics.of("SessionAlerts");
    expect(alerts).toEqual([
      {
        name: "SessionAlerts",
        unit: "Count",
        value: 1,
        dimensions: { kind: "no-grant" },
        sets: [[], ["kind"]],
      },
    ]);
    const read = alarm("StandingAccessDrift").metrics.filter(
      (m) => m.source === "custom" && m.metric === alerts[0]?.name,
    );
    expect(read.map((m) => ("dimensions" in m ? m.dimensions : undefined))).toContainEqual(
      alerts[0]?.dimensions,
    );
  });
});

describe("the approval funnel for grants made without approvers", () => {
  it("counts a break-glass grant as approved, and records no approval wait: nobody waited", async () => {
    // Prepare: prod-web with break-glass, as the example allows it.
    const metrics = new MemoryMetrics();
    h = await startHarness({ metrics });
    // Act
    const request = await createRequest(h.deps, {
      requester: PEOPLE.bob,
      profileId: "prod-web",
      duration: "30m",
      reason: "checkout down, approvers asleep, web-1 disk full",
      ticket: "INC-77",
      breakGlass: true,
    });
    await h.waitForStatus(request.id, "ACTIVE");
    // Assess
    expect(metrics.sum("Requests", { outcome: "approved", profile: "prod-web" })).toBe(1);
    expect(metrics.of("ApprovalWait", { profile: "prod-web" })).toEqual([]);
  });
});
