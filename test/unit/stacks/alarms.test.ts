/**
 * The alarms tell the on-call what to do: each has a threshold, a description with the likely cause
 * and three checks that fits CloudWatch's limit, and a section of docs/runbook.md that exists. The
 * dashboard reads only metrics the code records.
 */
import { readFileSync } from "node:fs";
import { describe, expect, it } from "vitest";
import { METRIC_NAMESPACE, METRICS } from "../../../core/metrics.ts";
import { ALARMS, alarmDescription, MAX_DESCRIPTION } from "../../../stacks/alarms.ts";
import { dashboardBody } from "../../../stacks/alarms-dashboard.ts";
import { FUNCTION_ENTRIES, type FunctionName } from "../../../stacks/entries.ts";

const runbook = readFileSync(new URL("../../../docs/runbook.md", import.meta.url), "utf8");
/** GitHub's anchors for the runbook's second-level headings. */
const sections = new Set(
  [...runbook.matchAll(/^## (.+)$/gm)].map((m) =>
    (m[1] ?? "")
      .trim()
      .toLowerCase()
      .replace(/[^\w\s-]/g, "")
      .replace(/\s+/g, "-"),
  ),
);

describe("alarms", () => {
  it("cover what the issue asks for, each once", () => {
    expect(ALARMS.map((a) => a.id)).toEqual([
      "RevokeFailed",
      "WorkflowFailed",
      "RevokeLagHigh",
      "SweeperRepaired",
      "SweeperNotRunning",
      "AccountUnreachable",
      "SlackEndpointErrors",
      "StandingAccessDrift",
    ]);
  });

  it.each(ALARMS.map((a) => [a.id, a] as const))("%s links a runbook section that exists", (_id, alarm) => {
    expect(sections).toContain(alarm.runbook);
    expect(alarmDescription(alarm, "https://example.com/runbook.md")).toContain(
      `https://example.com/runbook.md#${alarm.runbook}`,
    );
  });

  it.each(ALARMS.map((a) => [a.id, a] as const))(
    "%s has a threshold, a cause and three checks",
    (_id, alarm) => {
      expect(Number.isFinite(alarm.threshold)).toBe(true);
      expect(alarm.periodSeconds % 60).toBe(0);
      expect(alarm.evaluationPeriods).toBeGreaterThanOrEqual(1);
      expect(alarm.cause.length).toBeGreaterThan(20);
      expect(alarm.checks).toHaveLength(3);
      const text = alarmDescription(
        alarm,
        "https://github.com/example-org/ssm-jit-access/blob/main/docs/runbook.md",
      );
      expect(text).toMatch(/Likely cause: .+ Check: 1\) .+ 2\) .+ 3\) .+ Runbook: /);
      expect(text.length).toBeLessThanOrEqual(MAX_DESCRIPTION);
    },
  );

  it.each(ALARMS.map((a) => [a.id, a] as const))("%s reads metrics that exist", (_id, alarm) => {
    for (const m of alarm.metrics) {
      if (m.source === "custom") {
        expect(METRICS).toHaveProperty(m.metric);
        // Only dimensions the metric is published with (its first ones, in the catalog's order).
        const published: readonly string[] = METRICS[m.metric].dimensions;
        const keys = Object.keys(m.dimensions ?? {});
        expect(published.slice(0, keys.length)).toEqual(keys);
      }
      if (m.source === "lambda") expect(FUNCTION_ENTRIES).toHaveProperty(m.function);
    }
  });

  it("treat silence as breaching only where silence is the problem", () => {
    expect(ALARMS.filter((a) => a.missingData === "breaching").map((a) => a.id)).toEqual([
      "SweeperNotRunning",
    ]);
  });
});

describe("the dashboard", () => {
  const functions = Object.fromEntries(
    (Object.keys(FUNCTION_ENTRIES) as FunctionName[]).map((n) => [n, `jit-${n}`]),
  ) as Record<FunctionName, string>;
  const body = dashboardBody({
    region: "eu-west-1",
    service: "ssm-jit-access-production",
    functions,
    stateMachineArn: "sm",
  });
  const rows = body.widgets.flatMap((w) => (w.properties as { metrics: unknown[][] }).metrics);

  it("shows only our metrics that the code records, each in this deployment's service", () => {
    const ours = rows.filter((r) => r[0] === METRIC_NAMESPACE);
    expect(ours.length).toBeGreaterThan(20);
    for (const row of ours) {
      expect(row[1] === "ColdStart" || (row[1] as string) in METRICS).toBe(true);
      expect(row.slice(2, 4)).toEqual(["service", "ssm-jit-access-production"]);
    }
  });

  it("reads every metric the code records, on a panel or in an alarm: none is recorded for nobody", () => {
    const shown = new Set(rows.filter((r) => r[0] === METRIC_NAMESPACE).map((r) => r[1]));
    const alarmed = new Set<string>(ALARMS.flatMap((a) => a.metrics.map((m) => m.metric)));
    const unread = Object.keys(METRICS).filter((name) => !shown.has(name) && !alarmed.has(name));
    expect(unread).toEqual([]);
  });

  it("has the panels the on-call needs", () => {
    const titles = body.widgets.map((w) => (w.properties as { title: string }).title);
    for (const t of [
      "Requests by outcome",
      "Grants active",
      "Approve to effective (ms)",
      "Revoke lag after expiry (s)",
      "Session alerts by kind",
      "Sweeper repairs",
      "Errors per function",
      "Throttles per function",
      "Slack ack time (ms)",
    ])
      expect(titles).toContain(t);
    const errors = body.widgets.find(
      (w) => (w.properties as { title: string }).title === "Errors per function",
    );
    expect((errors?.properties as { metrics: unknown[][] } | undefined)?.metrics).toHaveLength(
      Object.keys(functions).length,
    );
  });
});
