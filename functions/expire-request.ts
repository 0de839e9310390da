/** Workflow task "Expire request": nobody decided within the approval timeout. */
import { DynamoRequestStore } from "../adapters/aws/dynamodb.ts";
import { expireApproval } from "../core/usecases/approval.ts";
import { notifierFor } from "./notifier.ts";
import { env, lambdaDeps, handler as makeHandler } from "./runtime.ts";
import { byRequest } from "./schemas.ts";

const deps = lambdaDeps({
  store: () => new DynamoRequestStore(env("TABLE_NAME")),
  notifier: notifierFor,
});

export const handler = makeHandler("expire-request", byRequest, deps, expireApproval);
