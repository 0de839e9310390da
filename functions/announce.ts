/** Workflow tasks "Announce grant", "Warn expiry is near", "Announce revocation". */
import * as z from "zod/mini";
import { DynamoRequestStore } from "../adapters/aws/dynamodb.ts";
import { announce } from "../core/usecases/expiry.ts";
import { notifierFor } from "./notifier.ts";
import { env, lambdaDeps, handler as makeHandler } from "./runtime.ts";
import { byRequest, timestamp } from "./schemas.ts";

const deps = lambdaDeps({
  store: () => new DynamoRequestStore(env("TABLE_NAME")),
  notifier: notifierFor,
});

export const handler = makeHandler(
  "announce",
  z.extend(byRequest, {
    type: z.enum(["approved", "closed", "granted", "expiring", "revoked"]),
    detail: z.optional(z.record(z.string(), z.unknown())),
    at: z.optional(timestamp),
  }),
  deps,
  announce,
);
