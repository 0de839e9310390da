/// <reference path="../.sst/platform/config.d.ts" />
/**
 * Everything the product needs, composed. The configuration is validated here too: a broken config
 * stops the deploy with every problem listed, and so do credentials for another account or partition
 * and a Session Manager preferences document this stage does not own.
 */

import { mkdirSync } from "node:fs";
import { loadConfigFile } from "../adapters/config-file.ts";
import { writeNormalizedConfig } from "../adapters/config-json.ts";
import {
  describeDropped,
  describeStranded,
  droppedPrincipals,
  strandedAccounts,
} from "../core/offboarding.ts";
import { withManagedLogGroup } from "../core/transcripts.ts";
import { createApiCallerPolicy } from "./api.ts";
import { createFunctions } from "./functions.ts";
import { alarmOnForeignPolicies, createPermissionsBoundary } from "./guard.ts";
import { createSlotPolicies } from "./identity-center.ts";
import { createNotices } from "./notices.ts";
import { createObservability } from "./observability.ts";
import { readOpenRecords, tableLister } from "./open-records.ts";
import { scheduleWeeklyReport } from "./report.ts";
import { createForwarderRole, forwardSessionEvents, subscribeSessionEvents } from "./session-events.ts";
import { checkPreferencesOwnership, createSessionPreferences } from "./session-preferences.ts";
import { createSpokes } from "./spokes.ts";
import { createStorage } from "./storage.ts";
import { scheduleSweeper } from "./sweeper.ts";
import { createWorkflow, stateMachineArnFor } from "./workflow.ts";

/** Stack options, set in sst.config.ts. */
export interface DeployOptions {
  /** Create the managed policy that caps configured principals at Session Manager (README). */
  permissionsBoundary?: boolean;
  /** Where alarm descriptions point for docs/runbook.md (your repository's URL of it). */
  runbookUrl?: string;
}

export async function deploy(options: DeployOptions = {}) {
  const config = loadConfigFile("access.config.yaml");
  // Validated once here; the functions read this normalized copy (no YAML or schema at cold start).
  mkdirSync(".sst", { recursive: true });
  const configFile = ".sst/access.config.json";
  // The managed log group's name needs the app and stage: written in, so notices can name each
  // session's log stream (core/transcripts.ts).
  writeNormalizedConfig(configFile, withManagedLogGroup(config, $app.name, $app.stage));
  const [identity, partition, home] = await Promise.all([
    aws.getCallerIdentity({}),
    aws.getPartition({}),
    aws.getRegion({}),
  ]);
  if (identity.accountId !== config.accountId) {
    throw new Error(
      `access.config.yaml is for account ${config.accountId}, but these credentials are for ${identity.accountId}`,
    );
  }
  if (partition.partition !== config.partition) {
    throw new Error(
      `access.config.yaml names ${config.partition} ARNs, but these credentials are for the ${partition.partition} partition`,
    );
  }
  // `name` is deprecated in the AWS provider 7.x; `region` replaces it.
  const region = home.region;
  const production = $app.stage === "production";
  await checkPreferencesOwnership(config, region);

  const table = createStorage(production);
  const { key, topic } = createNotices(config.partition, config.accountId, production);
  const stateMachineArn = stateMachineArnFor(config.partition, region, config.accountId);
  const slack = {
    signingSecret: new sst.Secret("SlackSigningSecret"),
    botToken: new sst.Secret("SlackBotToken"),
  };
  // Principals with open requests that the config no longer names keep their revoke rights.
  const dropped = table.name.apply(async (name) => {
    const records = await readOpenRecords(tableLister(name, region));
    // An account no profile spans any more is out of the hub's reach: its open grants could not be
    // revoked after this deploy, so it is refused until they are settled.
    const stranded = describeStranded(strandedAccounts(config, records), config);
    if (stranded.length > 0) throw new Error(stranded.join("\n"));
    const found = droppedPrincipals(config, records);
    for (const line of describeDropped(found, config)) $util.log.warn(line);
    return found;
  });
  // The hub's functions keep them in the hub; each member's broker in its account (spokes.ts).
  const openPrincipals = dropped.apply((d) =>
    d.filter((p) => p.accountId === config.accountId).map((p) => p.arn),
  );
  const memberOpenPrincipals = dropped.apply((d) =>
    d.filter((p) => p.accountId !== config.accountId).map((p) => p.arn),
  );
  // On-call API tokens (issue 13): a secret only for a provider the config names.
  const onCall = {
    pagerduty: config.onCall?.pagerduty ? new sst.Secret("PagerDutyApiToken") : undefined,
    opsgenie: config.onCall?.opsgenie ? new sst.Secret("OpsgenieApiKey") : undefined,
  };
  const functions = createFunctions({
    config,
    configFile,
    table,
    topic,
    topicKey: key,
    stateMachineArn,
    slack,
    onCall,
    openPrincipals,
  });
  const machine = createWorkflow(functions, config.observability.tracing);
  createObservability({ functions, machine, topic, region, runbookUrl: options.runbookUrl });
  scheduleSweeper(functions.sweeper);
  scheduleWeeklyReport(config, functions.weeklyReport);
  subscribeSessionEvents(functions.sessionEvents, config, region);
  const forwarder = createForwarderRole(config, region);
  forwardSessionEvents(config, region, forwarder);
  createSessionPreferences(config, region, production);
  alarmOnForeignPolicies(config, region, topic, forwarder);
  const boundary = options.permissionsBoundary ? createPermissionsBoundary() : undefined;
  // The shared role's grant slots and base policy (and their permission-set references, if configured).
  const slots = createSlotPolicies(config, production);
  // Several accounts (issue 12): the spoke StackSet on the configured OUs, the organization on the bus.
  const spokes = createSpokes(config, region, functions, memberOpenPrincipals);
  const apiCaller = createApiCallerPolicy(functions.api);

  return {
    slackRequestUrl: functions.slack.url,
    // `jit stage add <stage> --url <apiUrl>` points the CLI at this deployment (README).
    apiUrl: functions.api.url,
    apiCallerPolicyArn: apiCaller.arn,
    table: table.name,
    topicArn: topic.arn,
    stateMachineArn: machine.arn,
    ...(boundary ? { permissionsBoundaryArn: boundary.arn } : {}),
    ...(slots.policies.length > 0 ? { sharedRolePolicyArns: slots.policies.map((p) => p.arn) } : {}),
    ...(spokes ? { spokeStackSet: spokes.stackSet.name } : {}),
  };
}
