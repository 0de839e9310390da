/// <reference path="../.sst/platform/config.d.ts" />
/**
 * What the operators see: the CloudWatch dashboard and the alarms (stacks/alarms.ts says what each
 * watches and what it tells the on-call), publishing to the notices topic when they fire and when
 * they clear. Our metrics come from the functions' logs (embedded metric format, no API calls);
 * Lambda's and Step Functions' from AWS.
 */

import { ALARMS, type AlarmDefinition, type AlarmMetric, alarmDescription, customMetric } from "./alarms.ts";
import { dashboardBody } from "./alarms-dashboard.ts";
import type { FunctionName } from "./entries.ts";

/**
 * What X-Ray tracing needs of a role: writing segments, and for Step Functions reading the sampling
 * rules. X-Ray has no resource-level permissions, hence "*"
 * (https://docs.aws.amazon.com/step-functions/latest/dg/xray-iam.html,
 * https://docs.aws.amazon.com/lambda/latest/dg/services-xray.html).
 */
export const XRAY_STATEMENT = {
  Effect: "Allow",
  Action: [
    "xray:PutTraceSegments",
    "xray:PutTelemetryRecords",
    "xray:GetSamplingRules",
    "xray:GetSamplingTargets",
  ],
  Resource: "*",
};

/** The same for a function's permissions (SST's statement form): writing segments only. */
export const XRAY_PERMISSION = {
  actions: ["xray:PutTraceSegments", "xray:PutTelemetryRecords"],
  resources: ["*"],
};

/** The `service` dimension of our metrics and the `service` key of log lines: app and stage. */
export const serviceName = (): string => `${$app.name}-${$app.stage}`;

export interface ObservabilityInputs {
  functions: Record<FunctionName, sst.aws.Function>;
  machine: aws.sfn.StateMachine;
  topic: sst.aws.SnsTopic;
  region: string;
  /** Where docs/runbook.md is read (a repository URL); the repo-relative path when not given. */
  runbookUrl?: string;
}

export function createObservability(inputs: ObservabilityInputs) {
  const { functions, machine, topic } = inputs;
  const service = serviceName();
  const names = Object.keys(functions) as FunctionName[];

  type Metric = { namespace: string; metricName: string; dimensions: Record<string, $util.Input<string>> };
  const metricOf = (m: AlarmMetric): Metric => {
    if (m.source === "custom") return customMetric(service, m);
    if (m.source === "lambda")
      return {
        namespace: "AWS/Lambda",
        metricName: m.metric,
        dimensions: { FunctionName: functions[m.function].name },
      };
    return { namespace: "AWS/States", metricName: m.metric, dimensions: { StateMachineArn: machine.arn } };
  };
  const percentile = (a: AlarmDefinition) => a.statistic.startsWith("p");

  const alarms = ALARMS.map((a) => {
    const common = {
      name: `${service}-${a.id}`,
      alarmDescription: alarmDescription(a, inputs.runbookUrl),
      evaluationPeriods: a.evaluationPeriods,
      datapointsToAlarm: a.evaluationPeriods,
      threshold: a.threshold,
      comparisonOperator: a.comparison,
      treatMissingData: a.missingData,
      alarmActions: [topic.arn],
      okActions: [topic.arn],
    };
    const [only] = a.metrics;
    if (a.metrics.length === 1 && only) {
      return new aws.cloudwatch.MetricAlarm(a.id, {
        ...common,
        ...metricOf(only),
        period: a.periodSeconds,
        ...(percentile(a) ? { extendedStatistic: a.statistic } : { statistic: a.statistic }),
      });
    }
    // Several metrics added together; a series with no data that period counts as zero.
    const ids = a.metrics.map((_m, i) => `m${i}`);
    return new aws.cloudwatch.MetricAlarm(a.id, {
      ...common,
      metricQueries: [
        ...a.metrics.map((m, i) => ({
          id: ids[i] ?? `m${i}`,
          returnData: false,
          metric: { ...metricOf(m), period: a.periodSeconds, stat: a.statistic },
        })),
        {
          id: "total",
          label: a.title,
          returnData: true,
          expression: ids.map((id) => `FILL(${id}, 0)`).join(" + "),
        },
      ],
    });
  });

  const dashboard = new aws.cloudwatch.Dashboard("Dashboard", {
    dashboardName: service,
    dashboardBody: $resolve([machine.arn, ...names.map((n) => functions[n].name)]).apply(([arn, ...fns]) =>
      JSON.stringify(
        dashboardBody({
          region: inputs.region,
          service,
          stateMachineArn: arn ?? "",
          functions: Object.fromEntries(names.map((n, i) => [n, fns[i] ?? ""])) as Record<
            FunctionName,
            string
          >,
        }),
      ),
    ),
  });
  return { alarms, dashboard };
}
