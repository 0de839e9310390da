/**
 * The alarms, as plain data (no SST globals, so a unit test reads them): what each watches, when it
 * fires, and what it tells the on-call: the likely cause, the first three things to check and its
 * section of docs/runbook.md. stacks/observability.ts turns each into a CloudWatch alarm that
 * publishes to the notices topic.
 */

import { METRIC_NAMESPACE, type MetricName } from "../core/metrics.ts";
import { DRIFT_KINDS } from "../core/ports.ts";
import type { FunctionName } from "./entries.ts";

/** One metric an alarm reads: ours (JitAccess, per service) or AWS's own for a function or the workflow. */
export type AlarmMetric =
  | { source: "custom"; metric: MetricName; dimensions?: Record<string, string> }
  | { source: "lambda"; metric: "Errors" | "Invocations" | "Throttles"; function: FunctionName }
  | { source: "workflow"; metric: "ExecutionsFailed" | "ExecutionsTimedOut" };

export interface AlarmDefinition {
  /** The resource name, and the alarm's name after the stage prefix. */
  id: string;
  title: string;
  /** The heading anchor of its section in docs/runbook.md. */
  runbook: string;
  cause: string;
  checks: readonly [string, string, string];
  /** The metrics summed (one, or several added together: missing data counts as zero). */
  metrics: readonly AlarmMetric[];
  /** Sum, Maximum, or a percentile such as p99. */
  statistic: "Sum" | "Maximum" | `p${number}`;
  periodSeconds: number;
  evaluationPeriods: number;
  comparison: "GreaterThanOrEqualToThreshold" | "GreaterThanThreshold" | "LessThanThreshold";
  threshold: number;
  /** "breaching" where silence itself is the problem (a sweeper that stopped). */
  missingData: "notBreaching" | "breaching";
}

const FIVE_MINUTES = 300;

/** Every alarm the stack creates. */
/** Most alarms' rule: the sum over five minutes reaches one (or more), and no data is no problem. */
const ANY_IN_FIVE_MINUTES = {
  statistic: "Sum",
  periodSeconds: FIVE_MINUTES,
  evaluationPeriods: 1,
  comparison: "GreaterThanOrEqualToThreshold",
  threshold: 1,
  missingData: "notBreaching",
} as const satisfies Partial<AlarmDefinition>;

export const ALARMS: readonly AlarmDefinition[] = [
  {
    id: "RevokeFailed",
    title: "A revocation failed after its retries",
    runbook: "revoke-failed",
    cause:
      "IAM or SSM refused or throttled the revoke (a policy or permission boundary change, an AWS incident), so a grant may still be attached.",
    checks: [
      "the notices topic's alarm message and the request's audit trail (jit show <id>) for the error",
      "the revoke-access function's log for handler failed lines with that requestId",
      "whether the sweeper's next pass (within 5 minutes) removed the policy and ended the sessions",
    ],
    // Invocations of "Raise the alarm", not the RevokeFailures metric (on the dashboard): the task is
    // invoked even when the failure is so early that nothing could be recorded.
    metrics: [{ source: "lambda", metric: "Invocations", function: "raiseAlarm" }],
    ...ANY_IN_FIVE_MINUTES,
  },
  {
    id: "WorkflowFailed",
    title: "An access workflow execution failed",
    runbook: "workflow-failed",
    cause:
      "A task failed past its retries and catches (a grant that could not be written, a revoke that failed, a function error or timeout).",
    checks: [
      "the failed execution in the Step Functions console (its failed state and error)",
      "the function log of that state for handler failed lines with the request's id",
      "the request's status (jit show <id>): FAILED grants are undone, revokes are finished by the sweeper",
    ],
    metrics: [{ source: "workflow", metric: "ExecutionsFailed" }],
    ...ANY_IN_FIVE_MINUTES,
  },
  {
    id: "RevokeLagHigh",
    title: "Access outlived its expiry by more than 60 seconds",
    runbook: "revoke-lag",
    cause:
      "The workflow's expiry step ran late or retried (Lambda throttling, IAM or SSM throttling), or the sweeper had to revoke an overdue grant.",
    checks: [
      "the dashboard's revoke lag and Lambda throttles, and the sweeper repairs (overdue-grant)",
      "the revoke-access function's log for retries and its duration",
      "the Step Functions console for executions waiting in Revoke access",
    ],
    metrics: [{ source: "custom", metric: "RevokeLag" }],
    statistic: "Maximum",
    periodSeconds: FIVE_MINUTES,
    evaluationPeriods: 1,
    comparison: "GreaterThanThreshold",
    threshold: 60,
    missingData: "notBreaching",
  },
  {
    id: "SweeperRepaired",
    title: "The sweeper repaired something the workflow left behind",
    runbook: "sweeper-repair",
    cause:
      "A workflow step failed or never ran: a leftover jit- policy, an overdue grant, a late session, a dead execution. Rare by design.",
    checks: [
      "the sweeper's sweep finished log line: which repair, which request or principal",
      "the workflow's failed executions and the revoke alarm in the same window",
      "the request's audit trail (jit show <id>) for what happened before the repair",
    ],
    metrics: [{ source: "custom", metric: "SweeperRepairs" }],
    ...ANY_IN_FIVE_MINUTES,
  },
  {
    id: "SweeperNotRunning",
    title: "No sweep completed in 15 minutes",
    runbook: "sweeper-not-running",
    cause:
      "The schedule is disabled or deleted, or the sweeper function fails or times out on every run (permissions, config, a throttled account).",
    checks: [
      "the sweeper function's Errors, Throttles and Duration (timeout 300 s) on the dashboard",
      "its log for handler failed lines or a configuration error",
      "the EventBridge Scheduler schedule SweeperSchedule: enabled, rate(5 minutes), its target",
    ],
    metrics: [{ source: "custom", metric: "SweepCompleted" }],
    statistic: "Sum",
    periodSeconds: FIVE_MINUTES,
    evaluationPeriods: 3,
    comparison: "LessThanThreshold",
    threshold: 1,
    missingData: "breaching",
  },
  {
    id: "AccountUnreachable",
    title: "The sweeper could not reach a member account",
    runbook: "account-unreachable",
    cause:
      "AssumeRole on the account's jit-broker role was refused (its spoke stack instance is missing or its trust changed) or throttled; that account's leftovers wait until a sweep reaches it.",
    checks: [
      "the sweeper's sweep finished log line: unreachableAccounts names the account and the STS error",
      "the spoke StackSet's instance in that account (CloudFormation → StackSets): present and current",
      "CloudTrail for AssumeRole on that account's jit-broker role: its errorCode (AccessDenied, Throttling)",
    ],
    metrics: [{ source: "custom", metric: "AccountsUnreachable" }],
    ...ANY_IN_FIVE_MINUTES,
  },
  {
    id: "SlackEndpointErrors",
    title: "The Slack endpoint failed requests",
    runbook: "slack-endpoint-errors",
    cause:
      "The Slack function threw or answered 5xx: a config or secret problem, DynamoDB or Step Functions errors, or a timeout (Slack gives up at 3 s).",
    checks: [
      "the slack function's log for slack listener failed and handler errors",
      "its Errors, Throttles and the Slack ack p99 on the dashboard (cold starts, timeouts)",
      "the SlackSigningSecret and SlackBotToken secrets (sst secret list) and the app's request URL",
    ],
    metrics: [
      { source: "lambda", metric: "Errors", function: "slack" },
      { source: "custom", metric: "SlackResponses", dimensions: { outcome: "error" } },
    ],
    ...ANY_IN_FIVE_MINUTES,
    threshold: 3,
  },
  {
    id: "StandingAccessDrift",
    title: "A session started that no grant explains",
    runbook: "standing-access-drift",
    cause:
      "Someone holds Session Manager access outside this product (a standing policy, another role), or resumed another person's session.",
    checks: [
      "the alert in the audit channel and the topic: who, which node, which kind",
      "that principal's policies in IAM (anything but jit- policies granting ssm:StartSession)",
      "CloudTrail for who attached that access, and end the session (aws ssm terminate-session)",
    ],
    metrics: DRIFT_KINDS.map((kind) => ({
      source: "custom" as const,
      metric: "SessionAlerts" as const,
      dimensions: { kind },
    })),
    ...ANY_IN_FIVE_MINUTES,
  },
];

/** CloudWatch's limit on an alarm description. */
export const MAX_DESCRIPTION = 1024;

/** The alarm's description: what happened, the likely cause, three checks, and where the runbook is. */
export function alarmDescription(alarm: AlarmDefinition, runbookUrl = "docs/runbook.md"): string {
  const checks = alarm.checks.map((c, i) => `${i + 1}) ${c}`).join(" ");
  return `${alarm.title}. Likely cause: ${alarm.cause} Check: ${checks}. Runbook: ${runbookUrl}#${alarm.runbook}`;
}

/** The namespace and dimensions of one of our metrics for this deployment (`service`). */
export const customMetric = (service: string, m: Extract<AlarmMetric, { source: "custom" }>) => ({
  namespace: METRIC_NAMESPACE,
  metricName: m.metric,
  dimensions: { service, ...m.dimensions },
});
