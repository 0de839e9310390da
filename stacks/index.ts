/// <reference path="../.sst/platform/config.d.ts" />
/**
 * Everything the product needs, composed. The configuration is validated here too: a broken config
 * stops the deploy with every problem listed.
 */
import { mkdirSync } from "node:fs";
import { loadConfigFile } from "../adapters/config-file.ts";
import { writeNormalizedConfig } from "../adapters/config-json.ts";
import { createFunctions } from "./functions.ts";
import { createNotices } from "./notices.ts";
import { subscribeSessionEvents } from "./session-events.ts";
import { createSessionPreferences } from "./session-preferences.ts";
import { createStorage } from "./storage.ts";
import { scheduleSweeper } from "./sweeper.ts";
import { createWorkflow, stateMachineArnFor } from "./workflow.ts";

export async function deploy() {
  const config = loadConfigFile("access.config.yaml");
  // Validated once here; the functions read this normalized copy (no YAML or schema at cold start).
  mkdirSync(".sst", { recursive: true });
  const configFile = ".sst/access.config.json";
  writeNormalizedConfig(configFile, config);
  const identity = await aws.getCallerIdentity({});
  if (identity.accountId !== config.accountId) {
    throw new Error(
      `access.config.yaml is for account ${config.accountId}, but these credentials are for ${identity.accountId}`,
    );
  }
  const region = (await aws.getRegion({})).name;
  const production = $app.stage === "production";

  const table = createStorage(production);
  const { key, topic } = createNotices(config.accountId);
  const stateMachineArn = stateMachineArnFor(region, config.accountId);
  const slack = {
    signingSecret: new sst.Secret("SlackSigningSecret"),
    botToken: new sst.Secret("SlackBotToken"),
  };
  const functions = createFunctions({
    config,
    configFile,
    table,
    topic,
    topicKey: key,
    stateMachineArn,
    slack,
  });
  const machine = createWorkflow(functions, topic);
  scheduleSweeper(functions.sweeper);
  subscribeSessionEvents(functions.sessionEvents, region, config.accountId);
  createSessionPreferences(config);

  return {
    slackRequestUrl: functions.slack.url,
    table: table.name,
    topicArn: topic.arn,
    stateMachineArn: machine.arn,
  };
}
