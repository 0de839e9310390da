/** Workflow catch "Undo failed grant": records FAILED, removes whatever was attached (and the sessions it allowed), tells people. */
import { DynamoRequestStore } from "../adapters/aws/dynamodb.ts";
import { IamBroker } from "../adapters/aws/iam.ts";
import { SsmSessions } from "../adapters/aws/ssm.ts";
import { configuredPrincipalArns } from "../core/principal.ts";
import { failGrant } from "../core/usecases/grant.ts";
import { notifierFor } from "./notifier.ts";
import { env, lambdaDeps, handler as makeHandler } from "./runtime.ts";
import { withError } from "./schemas.ts";

const deps = lambdaDeps({
  store: () => new DynamoRequestStore(env("TABLE_NAME")),
  broker: (config) => new IamBroker(configuredPrincipalArns(config)),
  sessions: (config) => new SsmSessions(Object.values(config.profiles).flatMap((p) => p.regions)),
  notifier: notifierFor,
});

export const handler = makeHandler("undo-grant", withError, deps, failGrant);
