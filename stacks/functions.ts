/// <reference path="../.sst/platform/config.d.ts" />
/**
 * The Lambda functions: Node 24 on arm64, each bundled alone with the normalized config beside it, each
 * with exactly the statements `permissions.ts` derives from the config (no SST `link`: its grants
 * are broader than these).
 */

import type { AccessConfig } from "../core/config/load.ts";
import { RUNTIME_PROVIDED } from "./bundling.ts";
import { FUNCTION_ENTRIES, type FunctionName } from "./entries.ts";
import { functionPermissions } from "./permissions.ts";

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
}

export function createFunctions(inputs: FunctionInputs) {
  const { config, table, topic, topicKey, stateMachineArn, slack } = inputs;
  const statements = $resolve([table.arn, topic.arn, topicKey.arn, stateMachineArn]).apply(([t, tp, k, sm]) =>
    functionPermissions(config, { table: t, topic: tp, topicKey: k, stateMachine: sm }),
  );
  const environment = {
    TABLE_NAME: table.name,
    TOPIC_ARN: topic.arn,
    STATE_MACHINE_ARN: stateMachineArn,
    NODE_OPTIONS: "--enable-source-maps",
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
        memory: "256 MB",
        timeout: spec.timeout,
        // Secrets only where they are used: the bot token for functions that post to Slack, the signing
        // secret for the Slack endpoint alone.
        environment: {
          ...environment,
          ...(spec.slack ? { SLACK_BOT_TOKEN: slack.botToken.value } : {}),
          ...(name === "slack" ? { SLACK_SIGNING_SECRET: slack.signingSecret.value } : {}),
        },
        // Slack posts to a public URL; Bolt verifies every request's signature before any listener runs.
        url: name === "slack" ? true : undefined,
        permissions: statements.apply((s) => s[name]),
        copyFiles: [{ from: inputs.configFile, to: "access.config.json" }],
        // The nodejs24.x runtime ships the AWS SDK v3: leaving it out keeps each bundle near 30 KB.
        nodejs: { minify: true, esbuild: { external: [...RUNTIME_PROVIDED] } },
        logging: { retention: "3 months", format: "json" },
      }),
    ]),
  ) as Record<FunctionName, sst.aws.Function>;
}
