/**
 * The CloudWatch dashboard's body, as plain data (no SST globals, so a unit test reads it): the
 * request funnel, live grants, approve-to-effective and revoke lag, alerts, sweeper repairs, Slack's
 * ack time, and errors, throttles and cold starts per function. Body format:
 * https://docs.aws.amazon.com/AmazonCloudWatch/latest/APIReference/CloudWatch-Dashboard-Body-Structure.html
 */

import { METRIC_NAMESPACE, type MetricName } from "../core/metrics.ts";
import { ALERT_KINDS } from "../core/ports.ts";
import { STATUSES } from "../core/request.ts";
import { REPAIRS } from "../core/usecases/sweep-metrics.ts";
import type { FunctionName } from "./entries.ts";

/** What the dashboard needs to know of the deployment. */
export interface DashboardInputs {
  region: string;
  /** The `service` dimension of our metrics (app and stage). */
  service: string;
  /** Deployed Lambda function names, by entry. */
  functions: Record<FunctionName, string>;
  stateMachineArn: string;
}

type MetricRow = (string | Record<string, unknown>)[];

/**
 * The funnel's outcomes: a request made or refused at once, then each status it moves to (a record
 * is created PENDING, so PENDING is never a transition; core/usecases/common.ts records them).
 */
const OUTCOMES = [
  "requested",
  ...STATUSES.filter((s) => s !== "PENDING").map((s) => s.toLowerCase()),
  "refused",
];

/** The dashboard body for one deployment. */
export function dashboardBody(inputs: DashboardInputs): { widgets: Record<string, unknown>[] } {
  const { region, service } = inputs;
  const ours = (metric: MetricName, options: Record<string, unknown>, dims: Record<string, string> = {}) => [
    METRIC_NAMESPACE,
    metric,
    "service",
    service,
    ...Object.entries(dims).flat(),
    options,
  ];
  const perFunction = (metric: string, stat = "Sum"): MetricRow[] =>
    Object.entries(inputs.functions).map(([entry, name]) => [
      "AWS/Lambda",
      metric,
      "FunctionName",
      name,
      { stat, label: entry },
    ]);
  const widgets: Record<string, unknown>[] = [];
  const add = (title: string, metrics: MetricRow[], extra: Record<string, unknown> = {}) => {
    const i = widgets.length;
    widgets.push({
      type: "metric",
      x: (i % 3) * 8,
      y: Math.floor(i / 3) * 6,
      width: 8,
      height: 6,
      properties: { title, region, metrics, view: "timeSeries", period: 300, ...extra },
    });
  };

  add(
    "Requests by outcome",
    OUTCOMES.map((o) => ours("Requests", { stat: "Sum", label: o }, { outcome: o })),
    { stacked: true },
  );
  add("Grants active", [ours("GrantsActive", { stat: "Maximum", label: "live grants" })]);
  add("Approve to effective (ms)", [
    ours("ApproveToEffective", { stat: "p50", label: "p50" }),
    ours("ApproveToEffective", { stat: "p99", label: "p99" }),
  ]);
  add(
    "Revoke lag after expiry (s)",
    [
      ours("RevokeLag", { stat: "p99", label: "p99" }),
      ours("RevokeLag", { stat: "Maximum", label: "max" }),
      ours("RevokeFailures", { stat: "Sum", label: "failed revokes", yAxis: "right" }),
    ],
    { annotations: { horizontal: [{ label: "alarm", value: 60 }] } },
  );
  add("Approval wait (s)", [
    ours("ApprovalWait", { stat: "p50", label: "p50" }),
    ours("ApprovalWait", { stat: "p90", label: "p90" }),
  ]);
  add("Session alerts by kind", [
    ...ALERT_KINDS.map((k) => ours("SessionAlerts", { stat: "Sum", label: k }, { kind: k })),
    ours("SessionsStarted", { stat: "Sum", label: "sessions started" }),
    ours("SessionsEnded", { stat: "Sum", label: "sessions ended" }),
  ]);
  add("Sweeper repairs", [
    ...Object.keys(REPAIRS).map((r) => ours("SweeperRepairs", { stat: "Sum", label: r }, { repair: r })),
    ours("SweepErrors", { stat: "Sum", label: "failed steps" }),
    ours("SweepCompleted", { stat: "Sum", label: "sweeps completed" }),
  ]);
  add(
    "Slack ack time (ms)",
    [
      ours("SlackAckTime", { stat: "p50", label: "p50" }),
      ours("SlackAckTime", { stat: "p99", label: "p99" }),
      ours("SlackResponses", { stat: "Sum", label: "errors", yAxis: "right" }, { outcome: "error" }),
    ],
    { annotations: { horizontal: [{ label: "Slack gives up", value: 3000 }] } },
  );
  add(
    "Signed API answers (jit --stage)",
    ["ok", "rejected", "error"].map((o) => ours("ApiResponses", { stat: "Sum", label: o }, { outcome: o })),
    { stacked: true },
  );
  add("Workflow executions", [
    ["AWS/States", "ExecutionsSucceeded", "StateMachineArn", inputs.stateMachineArn, { stat: "Sum" }],
    ["AWS/States", "ExecutionsFailed", "StateMachineArn", inputs.stateMachineArn, { stat: "Sum" }],
    ["AWS/States", "ExecutionsTimedOut", "StateMachineArn", inputs.stateMachineArn, { stat: "Sum" }],
  ]);
  add("Errors per function", perFunction("Errors"));
  add("Throttles per function", perFunction("Throttles"));
  add(
    "Cold starts per function",
    Object.entries(inputs.functions).map(([entry, name]) => [
      METRIC_NAMESPACE,
      "ColdStart",
      "service",
      service,
      "function_name",
      name,
      { stat: "Sum", label: entry },
    ]),
  );
  return { widgets };
}
