/** Workflow catch "Raise revoke alarm": revocation failed after retries; tell the topic, the sweeper finishes. */
import { DynamoRequestStore } from "../adapters/aws/dynamodb.ts";
import { raiseRevokeAlarm } from "../core/usecases/expiry.ts";
import { notifierFor } from "./notifier.ts";
import { env, lambdaDeps, handler as makeHandler } from "./runtime.ts";
import { withError } from "./schemas.ts";

const deps = lambdaDeps({
  store: () => new DynamoRequestStore(env("TABLE_NAME")),
  notifier: notifierFor,
});

export const handler = makeHandler("raise-alarm", withError, deps, raiseRevokeAlarm);
