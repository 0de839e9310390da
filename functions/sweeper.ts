/** The scheduled sweeper: reconciles grants, policies and executions; logs and returns what it fixed. */
import * as z from "zod/mini";
import { DynamoRequestStore } from "../adapters/aws/dynamodb.ts";
import { IamBroker } from "../adapters/aws/iam.ts";
import { StepFunctionsWorkflow } from "../adapters/aws/sfn.ts";
import { SsmSessions } from "../adapters/aws/ssm.ts";
import { log } from "../core/log.ts";
import { configuredPrincipalArns } from "../core/principal.ts";
import { type SweepReport, sweep } from "../core/usecases/sweep.ts";
import { notifierFor } from "./notifier.ts";
import { env, lambdaDeps, handler as makeHandler } from "./runtime.ts";

const deps = lambdaDeps({
  store: () => new DynamoRequestStore(env("TABLE_NAME")),
  // Sessions that ended by exit or idle timeout are recorded and announced once: the session log.
  sessionLog: () => new DynamoRequestStore(env("TABLE_NAME")),
  broker: (config) => new IamBroker(configuredPrincipalArns(config)),
  sessions: (config) => new SsmSessions(Object.values(config.profiles).flatMap((p) => p.regions)),
  workflow: () => new StepFunctionsWorkflow(env("STATE_MACHINE_ARN")),
  notifier: notifierFor,
});

/** The scheduler's event carries nothing we need; anything object-shaped is accepted. */
const scheduled = z.looseObject({});

export const handler = makeHandler("sweeper", scheduled, deps, async (d): Promise<SweepReport> => {
  const report = await sweep(d);
  (report.errors.length ? log.warn : log.info)("sweep finished", { ...report });
  return report;
});
