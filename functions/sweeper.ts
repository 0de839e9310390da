/** The scheduled sweeper: reconciles grants, policies and executions; logs and returns what it fixed. */
import * as z from "zod/mini";
import { awsAccountPorts, hubBroker, hubSessions } from "../adapters/aws/account-ports.ts";
import { DynamoRequestStore } from "../adapters/aws/dynamodb.ts";
import { StepFunctionsWorkflow } from "../adapters/aws/sfn.ts";
import { log } from "../core/log.ts";
import { type SweepReport, sweep } from "../core/usecases/sweep.ts";
import { notifierFor } from "./notifier.ts";
import { env, lambdaDeps, handler as makeHandler } from "./runtime.ts";

const deps = lambdaDeps({
  store: () => new DynamoRequestStore(env("TABLE_NAME")),
  // Sessions that ended by exit or idle timeout are recorded and announced once: the session log.
  sessionLog: () => new DynamoRequestStore(env("TABLE_NAME")),
  broker: hubBroker,
  sessions: hubSessions,
  workflow: () => new StepFunctionsWorkflow(env("STATE_MACHINE_ARN")),
  notifier: notifierFor,
  // Every member account's broker and sessions, through its jit-broker role: the sweep reaches each.
  accounts: (config) => awsAccountPorts(config, { sourceIdentity: "jit-sweeper" }),
});

/** The scheduler's event carries nothing we need; anything object-shaped is accepted. */
const scheduled = z.looseObject({});

export const handler = makeHandler("sweeper", scheduled, deps, async (d): Promise<SweepReport> => {
  const report = await sweep(d);
  const troubled = report.errors.length > 0 || report.unreachableAccounts.length > 0;
  (troubled ? log.warn : log.info)("sweep finished", { ...report });
  return report;
});
