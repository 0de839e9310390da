/** Workflow catch "Undo failed grant": records FAILED, removes whatever was attached (and the sessions it allowed), tells people. */
import { awsAccountPorts, hubBroker, hubSessions } from "../adapters/aws/account-ports.ts";
import { DynamoRequestStore } from "../adapters/aws/dynamodb.ts";
import { failGrant } from "../core/usecases/grant.ts";
import { notifierFor } from "./notifier.ts";
import { env, lambdaDeps, handler as makeHandler } from "./runtime.ts";
import { withError } from "./schemas.ts";

const deps = lambdaDeps({
  store: () => new DynamoRequestStore(env("TABLE_NAME")),
  broker: hubBroker,
  sessions: hubSessions,
  // Member accounts, through their jit-broker role; the source identity names this function there.
  accounts: (config) => awsAccountPorts(config, { sourceIdentity: "jit-undoGrant" }),
  notifier: notifierFor,
});

export const handler = makeHandler("undo-grant", withError, deps, failGrant);
