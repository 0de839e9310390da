/// <reference path="../.sst/platform/config.d.ts" />
/**
 * The Lambda functions: Node 24 on arm64, each bundled alone with the normalized config beside it, each
 * with exactly the statements `permissions.ts` derives from the config (no SST `link`: its grants
 * are broader than these).
 */

import type { AccessConfig } from "../core/config/load.ts";
import { FUNCTION_ENVIRONMENT, NODEJS_OPTIONS } from "./bundling.ts";
import { DEFAULT_MEMORY, FUNCTION_ENTRIES, type FunctionName } from "./entries.ts";
import { serviceName, XRAY_PERMISSION } from "./observability.ts";
import { functionPermissions } from "./permissions.ts";
import { powertoolsEnvironment, tracingFor, xrayStatements } from "./tracing.ts";

export interface FunctionInputs {
  config: AccessConfig;
  table: sst.aws.Dynamo;
  topic: sst.aws.SnsTopic;
  topicKey: aws.kms.Key;
  /** The normalized configuration written at deploy, copied beside each function. */
  configFile: string;
  /** Known before the state machine exists (its name is fixed), which breaks the cycle with it. */
  stateMachineArn: $util.Input<string>;
  slack: { signingSecret: sst.Secret; botToken: sst.Secret };
  /** On-call provider API tokens, for the functions that create requests (where a profile asks). */
  onCall?: { pagerduty?: sst.Secret | undefined; opsgenie?: sst.Secret | undefined };
  /** Principals of open requests that the config dropped: kept revocable (Get/List/Delete only). */
  openPrincipals: $util.Input<string[]>;
}

/** The front doors that create requests, and so ask the on-call providers: Slack and the signed API. */
const requestsAccess = (name: FunctionName) => name === "slack" || name === "api";

export function createFunctions(inputs: FunctionInputs) {
  const { config, table, topic, topicKey, stateMachineArn, slack } = inputs;
  const arns = $resolve([table.arn, topic.arn, topicKey.arn, stateMachineArn]);
  const statements = $util
    .all([arns, $output(inputs.openPrincipals)])
    .apply(([[t, tp, k, sm], open]) =>
      functionPermissions(config, { table: t, topic: tp, topicKey: k, stateMachine: sm }, open),
    );
  const xray = tracingFor(config.observability.tracing);
  const environment = {
    TABLE_NAME: table.name,
    TOPIC_ARN: topic.arn,
    STATE_MACHINE_ARN: stateMachineArn,
    ...FUNCTION_ENVIRONMENT,
    // Powertools reads these (adapters/observability): the log lines' `service` key and the metrics'
    // `service` dimension, the namespace the dashboard and alarms read, the level, the debug sample.
    POWERTOOLS_SERVICE_NAME: serviceName(),
    ...powertoolsEnvironment(config.observability),
  };
  const entries = Object.entries(FUNCTION_ENTRIES) as [
    FunctionName,
    (typeof FUNCTION_ENTRIES)[FunctionName],
  ][];
  return Object.fromEntries(
    entries.map(([name, spec]) => [
      name,
      new sst.aws.Function(`${name[0]?.toUpperCase()}${name.slice(1)}`, {
        handler: spec.handler,
        runtime: "nodejs24.x",
        architecture: "arm64",
        memory: "memory" in spec ? spec.memory : DEFAULT_MEMORY,
        timeout: spec.timeout,
        // Secrets only where they are used: the bot token for functions that post to Slack, the signing
        // secret for the Slack endpoint alone.
        environment: {
          ...environment,
          ...(spec.slack ? { SLACK_BOT_TOKEN: slack.botToken.value } : {}),
          ...(name === "slack" ? { SLACK_SIGNING_SECRET: slack.signingSecret.value } : {}),
          // On-call tokens only where requests are created: the Slack endpoint and the signed API.
          ...(requestsAccess(name) && inputs.onCall?.pagerduty
            ? { PAGERDUTY_API_TOKEN: inputs.onCall.pagerduty.value }
            : {}),
          ...(requestsAccess(name) && inputs.onCall?.opsgenie
            ? { OPSGENIE_API_KEY: inputs.onCall.opsgenie.value }
            : {}),
        },
        // Slack posts to a public URL; Bolt verifies every request's signature before any listener runs.
        // The API's URL takes only SigV4-signed calls (AWS_IAM): Lambda checks the signature and
        // passes the caller's ARN. No CORS: it serves `jit`, not web pages.
        url: name === "slack" ? true : name === "api" ? { authorization: "iam", cors: false } : undefined,
        permissions: statements.apply((s) => [...s[name], ...xrayStatements(xray, XRAY_PERMISSION)]),
        copyFiles: [{ from: inputs.configFile, to: "access.config.json" }],
        // The nodejs24.x runtime ships the AWS SDK v3, so bundles leave it out (sizes: bench/results).
        nodejs: NODEJS_OPTIONS,
        // Text, not JSON: Powertools writes its own JSON lines either way, and JSON format turns on
        // Lambda's log-level control, whose level (INFO unless set) overrides POWERTOOLS_LOG_LEVEL and
        // the debug sampling (https://docs.aws.amazon.com/lambda/latest/dg/monitoring-cloudwatchlogs-log-level.html,
        // https://docs.powertools.aws.dev/lambda/typescript/latest/core/logger/).
        logging: { retention: "3 months", format: "text" },
        // Lambda's own segment per invocation, joined to the workflow's trace (the trace header).
        transform: { function: { tracingConfig: xray.function } },
      }),
    ]),
  ) as Record<FunctionName, sst.aws.Function>;
}
