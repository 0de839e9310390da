/** Workflow task "Check expiry": reloads the record; an extension sends the workflow back to wait. */
import { z } from "zod";
import { DynamoRequestStore } from "../adapters/aws/dynamodb.ts";
import { checkExpiry } from "../core/usecases/expiry.ts";
import { env, lambdaDeps, handler as makeHandler } from "./runtime.ts";
import { byRequest } from "./schemas.ts";

const deps = lambdaDeps({ store: () => new DynamoRequestStore(env("TABLE_NAME")) });

export const handler = makeHandler(
  "check-expiry",
  byRequest.extend({ scheduledFor: z.iso.datetime({ offset: true }).optional() }),
  deps,
  checkExpiry,
);
