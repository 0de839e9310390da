/** Workflow task "Check expiry": reloads the record; an extension sends the workflow back to wait. */
import * as z from "zod/mini";
import { DynamoRequestStore } from "../adapters/aws/dynamodb.ts";
import { checkExpiry } from "../core/usecases/expiry.ts";
import { env, lambdaDeps, handler as makeHandler } from "./runtime.ts";
import { byRequest, timestamp } from "./schemas.ts";

const deps = lambdaDeps({ store: () => new DynamoRequestStore(env("TABLE_NAME")) });

export const handler = makeHandler(
  "check-expiry",
  z.extend(byRequest, { scheduledFor: z.optional(timestamp) }),
  deps,
  checkExpiry,
);
